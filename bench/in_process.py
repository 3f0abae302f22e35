"""What the in-process benches share: production-like settings on a scratch SQLite database
that holds the shipped catalogue, and Django's test client (no network). Import it before
anything that needs Django."""

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = tempfile.mkdtemp(prefix="kb-bench-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "kb.settings",
        "DATABASE_URL": f"sqlite:///{SCRATCH}/bench.sqlite3",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "KB_RATE_LIMIT": "1000000",
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

# These benches time the engine in this process: a large log sent to a process of its own
# would leave its CPU out of their figures (bench/worst_cases_http.py times the server's).
override_settings(KB_OWN_PROCESS_LOG_BYTES=sys.maxsize).enable()


@contextmanager
def catalogue_client() -> Iterator[Client]:
    """A test client on the scratch database with the catalogue loaded; the database goes afterwards."""
    try:
        with open(os.devnull, "w") as quiet:
            call_command("migrate", verbosity=0, stdout=quiet)
            call_command("load_catalogue", stdout=quiet, stderr=quiet)
        yield Client()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
