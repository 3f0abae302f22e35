"""Median time for POST /api/diagnose to answer a 100 KB log, through Django's whole request path.

Uses a scratch SQLite database with the shipped catalogue loaded, production-like settings,
and Django's test client (in process: no network, which a real server adds on top). Goal: under
50 ms at the median.

    .venv/bin/python bench/api_diagnose.py [--requests 50] [--kilobytes 100]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
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
from django.test import Client  # noqa: E402
from serving import realistic_log  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--kilobytes", type=int, default=100)
    arguments = parser.parse_args()
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("load_catalogue", stdout=quiet, stderr=quiet)
    log = realistic_log(arguments.kilobytes)
    client = Client()
    timings = []
    for _ in range(arguments.requests + 1):
        started = time.perf_counter()
        response = client.post("/api/diagnose", log, content_type="text/plain", secure=True)
        timings.append(time.perf_counter() - started)
    root = response.json()["matches"][0]["code"]
    first, rest = timings[0], timings[1:]
    print(f"POST /api/diagnose, {len(log) / 1024:.0f} KB log, root cause {root}")
    print(f"first request (builds the matcher): {first * 1000:.1f} ms")
    print(f"median of {len(rest)}: {statistics.median(rest) * 1000:.1f} ms (goal: under 50 ms)")
    print(f"slowest: {max(rest) * 1000:.1f} ms")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
