"""The shipped gunicorn settings (kb/gunicorn_conf.py) on a real gunicorn: what its logs keep
of a request, which client headers it believes, how clients behind a proxy are counted, and
that neither slow clients nor large logs keep it from answering."""

import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase

from tests.test_large_logs import large_hash_log, publish_hash_mismatch
from tests.test_two_servers import request as answer_on
from tests.test_two_servers import start_server, stop_server

PORT = 18040
ONE_PROCESS = {"WEB_CONCURRENCY": "1", "KB_THREADS": "2", "REDIS_URL": ""}
# Facing clients itself, with the production defaults: plain http is sent to https.
DIRECT = {**ONE_PROCESS, "DEBUG": "0", "SECRET_KEY": "test-only-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1"}
# Behind one proxy that terminates TLS and appends the client's address to X-Forwarded-For.
# (DEBUG on only so that pages render without collected static files.)
# One rate window for the whole test, so that no window edge falls between its requests.
PROXIED = {
    **ONE_PROCESS,
    "DEBUG": "1",
    "KB_TRUSTED_PROXIES": "1",
    "KB_RATE_LIMIT": "3",
    "KB_RATE_WINDOW_SECONDS": "86400",
}
# One worker with the shipped number of threads.
SHIPPED_THREADS = {"WEB_CONCURRENCY": "1", "REDIS_URL": ""}
# A client that has sent its headers and the start of a 5 MB body, and sends nothing more.
SLOW_BODY = (
    b"POST /api/diagnose HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 5000000\r\n\r\nCollecting"
)
LOG = "Collecting zebra\nERROR: zebra stripes are misaligned\n"
SEARCHED_LINE = "ERROR: Could not fetch URL https://deploy:SearchLeakPw1@pypi.internal/simple/foo/: 401"
# A password pasted into the address bar; a proxy that merges slashes passes `https:/` on.
PASTED_PATHS = {
    "/https://deploy:PathLeakPw9@pypi.internal/simple/": "/https://[redacted]@pypi.internal/simple/",
    "/https:/deploy:MergedLeakPw7@pypi.internal/simple/": "/https:/[redacted]@pypi.internal/simple/",
}


def request(method: str, path: str, headers: dict[str, str] | None = None, body: str = "") -> http.client.HTTPResponse:
    client = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    client.request(method, path, body=body.encode(), headers={"Host": "127.0.0.1", **(headers or {})})
    response = client.getresponse()
    response.read()
    return response


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in found.split()]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; nobody may reap an orphan's


def diagnosis_status(forwarded_for: str) -> int:
    headers = {"Content-Type": "text/plain", "X-Forwarded-For": forwarded_for}
    return request("POST", "/api/diagnose", headers, LOG).status


class ProductionServerTests(TransactionTestCase):
    def start(self, env: dict[str, str]) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("gunicorn shares the test database only on PostgreSQL: set DATABASE_URL to run this test")
        self.logs = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.server = start_server(PORT, self.logs, **env)
        self.addCleanup(stop_server, self.server)

    def logged(self, name: str, *lines: str) -> str:
        """The log ``name`` once it holds every one of ``lines``: gunicorn writes a request's
        access line after the response has gone."""
        deadline = time.monotonic() + 10
        while not all(line in (text := (self.logs / name).read_text()) for line in lines):
            self.assertLess(time.monotonic(), deadline, f"{name} never held all of {lines}:\n{text}")
            time.sleep(0.05)
        return text

    def test_the_logs_keep_neither_a_searched_line_nor_a_password_pasted_into_an_address(self):
        self.start(PROXIED)
        search = "/search/?" + urllib.parse.urlencode({"q": SEARCHED_LINE})
        self.assertEqual(request("GET", search).status, 302)
        for path in PASTED_PATHS:
            self.assertEqual(request("GET", path).status, 404)

        access = self.logged("access.log", '"GET /search/ HTTP/1.1" 302', *PASTED_PATHS.values())
        app = self.logged("server.log", *(f"Not Found: {path}" for path in PASTED_PATHS.values()))
        for secret in ("SearchLeakPw1", "PathLeakPw9", "MergedLeakPw7"):
            self.assertNotIn(secret, access)
            self.assertNotIn(secret, app)
        self.assertNotIn("q=", access)

    def test_a_client_cannot_claim_https_with_a_forwarding_header(self):
        self.start(DIRECT)
        for header in ("X-Forwarded-Proto: https", "X-Forwarded-Ssl: on", "X-Forwarded-Protocol: ssl"):
            name, value = header.split(": ")
            response = request("GET", "/healthz", {name: value})
            self.assertEqual(response.status, 301, header)
            self.assertEqual(response.headers["Location"], "https://127.0.0.1/healthz")
            self.assertIsNone(response.headers["Strict-Transport-Security"])

    def test_behind_a_proxy_a_client_is_counted_by_the_address_the_proxy_appended(self):
        self.start(PROXIED)
        forged = [diagnosis_status(f"198.51.100.{number}, 203.0.113.7") for number in range(5)]
        self.assertEqual(forged, [200, 200, 200, 429, 429])
        self.assertEqual(diagnosis_status("198.51.100.1, 203.0.113.8"), 200)  # the client next to it

    def test_three_clients_sending_their_bodies_slowly_leave_the_site_answering(self):
        self.start(SHIPPED_THREADS)
        for _ in range(3):
            slow = self.enterContext(socket.create_connection(("127.0.0.1", PORT)))
            slow.sendall(SLOW_BODY)
        self.assertEqual(request("GET", "/healthz").status, 200)

    def test_a_large_log_is_diagnosed_beside_the_worker_which_goes_on_answering(self):
        publish_hash_mismatch()
        self.start(SHIPPED_THREADS)
        [worker] = children(self.server.pid)
        self.assertEqual(children(worker), [])
        answers = []
        log = large_hash_log(4)
        large = threading.Thread(target=lambda: answers.append(answer_on(PORT, "POST", "/api/diagnose", log)))
        large.start()
        pages_meanwhile = 0
        while large.is_alive():
            self.assertEqual(request("GET", "/healthz").status, 200)
            pages_meanwhile += large.is_alive()
        large.join()

        [(status, answer)] = answers
        self.assertEqual((status, json.loads(answer)["matches"][0]["code"]), (200, "HASH_MISMATCH"))
        self.assertGreater(pages_meanwhile, 0)
        diagnosing = children(worker)  # what `ps` shows beside the worker
        self.assertTrue(diagnosing)
        # A worker killed outright (gunicorn's timeout) takes them with it.
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(map(running, diagnosing)):
            self.assertLess(time.monotonic(), deadline, "a diagnosis process outlived its worker")
            time.sleep(0.05)
