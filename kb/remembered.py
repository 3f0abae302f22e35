"""Answers kept per process for text a reader sent, so the same text costs its work once."""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Remembered(Generic[Value]):
    """The values last made from readers' text, looked up by a digest of the text, so that no key
    holds what a reader typed; a value is handed out only for the very same text."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[bytes, Value] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_make(self, text: str | bytes, make: Callable[[], Value]) -> Value:
        data = text.encode(errors="surrogatepass") if isinstance(text, str) else text
        key = hashlib.blake2b(data, digest_size=16).digest()
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = make()
        with self.lock:
            self.values[key] = value
            if len(self.values) > self.size:
                self.values.popitem(last=False)
        return value
