"""Two app servers ("two machines") on one PostgreSQL and one Redis agree with each other."""

import http.client
import http.cookiejar
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import caches
from django.db import connection
from django.test import TransactionTestCase, override_settings

from kb.settings import shared_cache
from kb.staff.models import Revision
from kb.staff.snapshots import snapshot_of
from tests.helpers import make_entry
from tests.test_shared_cache import REDIS_URL, redis_reachable
from tests.test_staff_editing import editor_post

ROOT = Path(__file__).resolve().parent.parent
PORTS = (18030, 18031)
PAGE_CACHE_SECONDS = 1
LOG = "Collecting zebra\nERROR: zebra stripes are misaligned\n"
PASSWORD = "a long enough staff password"
EDIT = "/staff/entries/pip/HASH_MISMATCH/edit/"
REVISION = "/staff/entries/pip/HASH_MISMATCH/revisions/{number}/{action}/"
STAFF_GROUPS = importlib.import_module("kb.staff.migrations.0002_editors_and_reviewers").GROUPS


# Two machines' settings: one process each, a short page cache, a limit both share.
SERVER_ENV = {
    "DEBUG": "1",
    "REDIS_URL": REDIS_URL,
    "WEB_CONCURRENCY": "1",
    "KB_THREADS": "2",
    "KB_PAGE_CACHE_SECONDS": str(PAGE_CACHE_SECONDS),
    "KB_RATE_LIMIT": "6",
    "KB_RATE_WINDOW_SECONDS": "86400",  # one window for the whole test
}


def redis_caches() -> dict:
    return {
        **settings.CACHES,
        "shared": shared_cache(REDIS_URL, "kb_shared_cache", max_entries=0),
        "signals": shared_cache(REDIS_URL, "kb_signal_cache", max_entries=0),
    }


def server_database_url() -> str:
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def start_server(port: int, logs: Path, **env: str) -> subprocess.Popen:
    """gunicorn with the shipped settings and ``env`` on the test database, once it listens.

    Its access log goes to ``logs/access.log``; what gunicorn and the app write to the console
    goes to ``logs/server.log``.
    """
    server_log = logs / "server.log"
    access_log = ["--access-logfile", str(logs / "access.log")]
    command = [sys.executable, "-m", "gunicorn", "-c", "python:kb.gunicorn_conf", *access_log, "kb.wsgi"]
    environment = {**os.environ, "DATABASE_URL": server_database_url(), "KB_BIND": f"127.0.0.1:{port}", **env}
    with server_log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while "Listening at" not in server_log.read_text():  # requests wait in the listen queue from here on
        if server.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"gunicorn on port {port} did not listen:\n{server_log.read_text()}")
        time.sleep(0.05)
    return server


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


class Browser:
    """A staff member's browser on one server: its cookies, and the CSRF token its forms carry."""

    def __init__(self, port: int) -> None:
        self.address = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """Status, body and address after redirects, of a GET (or a POST of ``form``)."""
        data = None
        if form is not None:
            token = next(cookie.value for cookie in self.cookies if cookie.name == settings.CSRF_COOKIE_NAME)
            data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(self.address + path, data=data, timeout=30) as response:
                return response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.url

    def log_in(self, username: str) -> None:
        self.open("/staff/login/")
        status, body, address = self.open("/staff/login/", {"username": username, "password": PASSWORD})
        assert address.endswith("/staff/"), (status, body[:2000])


def staff_account(username: str, group_name: str) -> User:
    """A member of one of the staff groups, with a password the servers' own hasher checks."""
    group, _ = Group.objects.get_or_create(name=group_name)
    for app_label, codename in STAFF_GROUPS[group_name]:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user = User.objects.create_user(username, password=PASSWORD)
    user.groups.add(group)
    return user


def diagnosed_codes(port: int) -> list[str]:
    status, body = request(port, "POST", "/api/diagnose", LOG)
    assert status == 200, (status, body)
    return [match["code"] for match in json.loads(body)["matches"]]


@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379: the two-server test is skipped")
class TwoServersTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("two servers share one database only on PostgreSQL: set DATABASE_URL to run this test")
        for override in (
            override_settings(CACHES=redis_caches()),
            override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS),
        ):
            override.enable()
            self.addCleanup(override.disable)
        caches["signals"].clear()
        self.entry = make_entry("HASH_MISMATCH", title="Before the edit")
        staff_account("eddie", "Editors")
        staff_account("rita", "Reviewers")
        logs = [Path(self.enterContext(tempfile.TemporaryDirectory())) for _ in PORTS]
        self.servers = [
            start_server(port, directory, **SERVER_ENV) for port, directory in zip(PORTS, logs, strict=True)
        ]
        for server in self.servers:
            self.addCleanup(stop_server, server)

    def publish_edit_over_http(self, port: int) -> None:
        """On one server: an editor saves a new title and signature and submits them, and a
        reviewer (not the author) publishes them."""
        editor, reviewer = Browser(port), Browser(port)
        editor.log_in("eddie")
        editor.open(EDIT)
        form = editor_post(snapshot_of(self.entry), 0, title="After the edit: okapi")
        form.update({"signatures-TOTAL_FORMS": 1, "signatures-0-pattern": "zebra stripes are misaligned"})
        status, body, address = editor.open(EDIT, form)
        self.assertTrue(address.endswith("/history/"), (status, address, body[:3000]))
        number = Revision.objects.get(entry=self.entry, state=Revision.State.DRAFT).number
        editor.open(REVISION.format(number=number, action="submit"), {})
        self.assertEqual(Revision.objects.get(entry=self.entry, number=number).state, Revision.State.SUBMITTED)
        reviewer.log_in("rita")
        status, body, address = reviewer.open(REVISION.format(number=number, action="publish"), {})
        self.assertEqual(Revision.objects.get(entry=self.entry, number=number).state, Revision.State.PUBLISHED, body)

    def test_an_edit_published_on_one_machine_reaches_the_other_and_limits_are_shared(self):
        first, second = PORTS
        self.assertEqual(chunked_diagnosis(first)[0], 200)
        self.assertIn("Before the edit", request(second, "GET", "/pip/hash-mismatch/")[1])
        self.assertEqual((diagnosed_codes(first), diagnosed_codes(second)), ([], []))
        self.assertIn("No entry matches", request(second, "GET", "/search/?q=okapi")[1])

        self.publish_edit_over_http(first)
        published = time.monotonic()

        # Both matchers rebuild at once: the new signature fires on either machine.
        self.assertEqual((diagnosed_codes(first), diagnosed_codes(second)), (["HASH_MISMATCH"], ["HASH_MISMATCH"]))
        # Search pages are remembered per process until an entry changes anywhere.
        self.assertIn("After the edit: okapi", request(second, "GET", "/search/?q=okapi")[1])
        # The other machine may serve its cached page for KB_PAGE_CACHE_SECONDS, and no longer.
        while "After the edit" not in request(second, "GET", "/pip/hash-mismatch/")[1]:
            self.assertLess(time.monotonic() - published, PAGE_CACHE_SECONDS + 1)
        self.assertIn("After the edit", request(first, "GET", "/pip/hash-mismatch/")[1])
        # Five diagnoses so far, three on the first; the limit is six across both machines.
        self.assertEqual(request(first, "POST", "/api/diagnose", LOG)[0], 200)
        self.assertEqual(request(second, "POST", "/api/diagnose", LOG)[0], 429)
        self.assertEqual(request(first, "POST", "/api/diagnose", LOG)[0], 429)
