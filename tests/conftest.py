import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    """Rendered pages, rate-limit counters and the compiled matcher never leak between tests."""
    from django.core.cache import caches

    from kb import diagnosing

    for alias in ("default", "shared"):
        caches[alias].clear()
    diagnosing.forget_matcher()
