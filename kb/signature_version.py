"""A token in the shared "signals" cache that changes whenever the published signatures may
have changed.

Every server process compares it with the token its compiled matcher was built from, so one
process's edit makes all of them rebuild, once.
"""

import uuid

from django.core.cache import caches

SIGNATURE_VERSION_KEY = "kb:signature-version"


def bump() -> None:
    caches["signals"].set(SIGNATURE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def current() -> str:
    signals = caches["signals"]
    version = signals.get(SIGNATURE_VERSION_KEY)
    if version is None:
        signals.add(SIGNATURE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = signals.get(SIGNATURE_VERSION_KEY)
    return version
