"""Turning submitted bytes into log text, refusing what is not a text log."""

import codecs

# Control bytes a text log may contain: tab, newline, carriage return, backspace,
# form feed, bell and escape (terminal colours, spinners, progress bars).
_TEXT_CONTROLS = frozenset(b"\t\n\r\x08\x0c\x07\x1b")
_BINARY_CONTROLS = bytes(code for code in range(32) if code not in _TEXT_CONTROLS)
_BINARY_SAMPLE_BYTES = 64 * 1024
_BINARY_CONTROL_SHARE = 0.01


class LogRejected(ValueError):
    """The submission is not a log the engine can read; str(error) tells the person why."""


class LogTooLarge(LogRejected):
    pass


class EmptyLog(LogRejected):
    pass


class NotText(LogRejected):
    pass


def read_log(data: bytes | str, limit_bytes: int) -> bytes:
    """The submitted log as UTF-8 bytes, or a LogRejected that explains the refusal.

    A BOM is dropped and UTF-16 (what PowerShell's `>` writes) is recognised by its BOM.
    Bytes that are not valid UTF-8 are kept as they are: the engine matches bytes, and
    whatever shows the log decodes it with replacement, so they never cause an error.
    """
    if isinstance(data, str):
        _check_size(_utf8_length_over(data, limit_bytes), limit_bytes)
        data = encode_utf8(data.removeprefix("\ufeff"))
    else:
        _check_size(len(data) > limit_bytes, limit_bytes)
        data = _as_utf8(data)
    if not data or data.isspace():
        raise EmptyLog("The log is empty: paste the output of the pip command that failed.")
    return bytes(data)


def log_text(data: bytes) -> str:
    """A log read by read_log as text to show, any invalid UTF-8 replaced."""
    return data.decode("utf-8", "replace")


def _utf8_length_over(text: str, limit_bytes: int) -> bool:
    # A character takes 1 to 4 bytes in UTF-8, so most texts are decided without encoding.
    if len(text) > limit_bytes:
        return True
    if len(text) * 4 <= limit_bytes:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit_bytes


def _check_size(too_large: bool, limit_bytes: int) -> None:
    if too_large:
        megabytes = limit_bytes / (1024 * 1024)
        raise LogTooLarge(f"The log is larger than {megabytes:g} MB: paste the part around the first error.")


def _as_utf8(data: bytes) -> bytes:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return encode_utf8(data.decode("utf-16", "replace"))
    if _looks_binary(data[:_BINARY_SAMPLE_BYTES]):
        raise NotText("This looks like a binary file, not a text log: paste pip's output as text.")
    return data.removeprefix(codecs.BOM_UTF8)


def _looks_binary(sample: bytes) -> bool:
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROLS))  # one pass, not one per byte value
    return controls > len(sample) * _BINARY_CONTROL_SHARE


_ENCODE_CHUNK_CHARACTERS = 1 << 20


def encode_utf8(text: str) -> bytes | bytearray:
    """UTF-8 bytes of a possibly huge text, without the encoder's worst-case buffer.

    CPython sizes the buffer for a non-ASCII text at up to four bytes per character
    before trimming it; encoding in chunks keeps the peak near the result's size.
    """
    if text.isascii():
        return text.encode("ascii")
    encoded = bytearray()
    for start in range(0, len(text), _ENCODE_CHUNK_CHARACTERS):
        encoded += text[start : start + _ENCODE_CHUNK_CHARACTERS].encode("utf-8", "surrogatepass")
    return encoded
