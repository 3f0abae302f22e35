"""Two app servers ("two machines") on one PostgreSQL and one Redis agree with each other."""

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import TransactionTestCase, override_settings

from kb.settings import shared_cache
from tests.helpers import make_entry, make_signature
from tests.test_shared_cache import REDIS_URL, redis_reachable

ROOT = Path(__file__).resolve().parent.parent
PORTS = (18030, 18031)
PAGE_CACHE_SECONDS = 1
LOG = "Collecting zebra\nERROR: zebra stripes are misaligned\n"


def redis_caches() -> dict:
    return {
        **settings.CACHES,
        "shared": shared_cache(REDIS_URL, "kb_shared_cache", max_entries=0),
        "signals": shared_cache(REDIS_URL, "kb_signal_cache", max_entries=0),
    }


def start_server(port: int) -> subprocess.Popen:
    """gunicorn with the shipped settings on the test database, once it listens."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": REDIS_URL,
        "KB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "KB_THREADS": "2",
        "KB_PAGE_CACHE_SECONDS": str(PAGE_CACHE_SECONDS),
        "KB_RATE_LIMIT": "6",
        "KB_RATE_WINDOW_SECONDS": "86400",  # one window for the whole test
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:kb.gunicorn_conf", "--access-logfile", os.devnull]
    server = subprocess.Popen([*command, "kb.wsgi"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    for line in server.stderr:  # requests wait in the listen queue from here on
        if "Listening at" in line:
            threading.Thread(target=server.stderr.read, daemon=True).start()
            return server
    raise AssertionError(f"gunicorn on port {port} stopped before it listened")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def request(port: int, method: str, path: str, body: str = "") -> tuple[int, str]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    client.request(method, path, body=body.encode(), headers={"Host": "127.0.0.1", "Content-Type": "text/plain"})
    response = client.getresponse()
    return response.status, response.read().decode()


def chunked_diagnosis(port: int) -> tuple[int, str]:
    """A body sent in chunks without a Content-Length, as ``curl -T -`` sends a pipe."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunks = (line.encode() for line in LOG.splitlines(keepends=True))
    client.request("POST", "/api/diagnose", body=chunks, headers={"Content-Type": "text/plain"}, encode_chunked=True)
    response = client.getresponse()
    return response.status, response.read().decode()


def diagnosed_codes(port: int) -> list[str]:
    status, body = request(port, "POST", "/api/diagnose", LOG)
    assert status == 200, (status, body)
    return [match["code"] for match in json.loads(body)["matches"]]


@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379: the two-server test is skipped")
class TwoServersTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("two servers share one database only on PostgreSQL: set DATABASE_URL to run this test")
        caches_override = override_settings(CACHES=redis_caches())
        caches_override.enable()
        self.addCleanup(caches_override.disable)
        caches["signals"].clear()
        self.entry = make_entry("HASH_MISMATCH", title="Before the edit")
        self.servers = [start_server(port) for port in PORTS]
        for server in self.servers:
            self.addCleanup(stop_server, server)

    def test_an_edit_on_one_machine_reaches_the_other_and_limits_are_shared(self):
        first, second = PORTS
        self.assertEqual(chunked_diagnosis(first)[0], 200)
        self.assertIn("Before the edit", request(second, "GET", "/pip/hash-mismatch/")[1])
        self.assertEqual((diagnosed_codes(first), diagnosed_codes(second)), ([], []))

        self.entry.title = "After the edit"
        self.entry.save()
        make_signature(self.entry, "zebra stripes are misaligned")
        edited = time.monotonic()

        # Both matchers rebuild at once: the new signature fires on either machine.
        self.assertEqual((diagnosed_codes(first), diagnosed_codes(second)), (["HASH_MISMATCH"], ["HASH_MISMATCH"]))
        # The other machine may serve its cached page for KB_PAGE_CACHE_SECONDS, and no longer.
        while "After the edit" not in request(second, "GET", "/pip/hash-mismatch/")[1]:
            self.assertLess(time.monotonic() - edited, PAGE_CACHE_SECONDS + 1)
        # Five diagnoses so far, three on the first; the limit is six across both machines.
        self.assertEqual(request(first, "POST", "/api/diagnose", LOG)[0], 200)
        self.assertEqual(request(second, "POST", "/api/diagnose", LOG)[0], 429)
        self.assertEqual(request(first, "POST", "/api/diagnose", LOG)[0], 429)
