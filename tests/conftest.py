import pytest
from django.core.cache import caches

from kb import diagnosing


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_process_state() -> None:
    """Rendered pages and the compiled matcher never leak between tests. The shared cache is a
    database table, so each test's rows go with its transaction."""
    caches["default"].clear()
    diagnosing.forget_matcher()
