"""A token in the shared cache that changes whenever the published signatures may have changed.

Every server process compares it with the token its compiled matcher was built from, so one
process's edit makes all of them rebuild, once.
"""

import uuid

from django.core.cache import caches

SIGNATURE_VERSION_KEY = "kb:signature-version"


def bump() -> None:
    caches["shared"].set(SIGNATURE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def current() -> str:
    shared = caches["shared"]
    shared.add(SIGNATURE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    return shared.get(SIGNATURE_VERSION_KEY)
