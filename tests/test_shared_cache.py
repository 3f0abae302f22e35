"""Rate limits and the signature version, shared by every server process."""

import os
import socket
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.http import HttpRequest
from django.test import RequestFactory, SimpleTestCase, TestCase, TransactionTestCase, override_settings

from kb import signature_version
from kb.ratelimit import client_address, over_limit

ONE_DAY = 24 * 60 * 60
REDIS_URL = os.environ.get("KB_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def redis_caches() -> dict:
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    return {**settings.CACHES, "shared": {**redis, "KEY_PREFIX": "test-shared"}}


def request_from(address: str, forwarded_for: str = ""):
    return RequestFactory().post("/api/diagnose", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded_for)


class ClientAddressTests(SimpleTestCase):
    def test_without_trusted_proxies_the_forwarded_header_is_ignored(self):
        self.assertEqual(client_address(request_from("198.51.100.1", "203.0.113.7")), "198.51.100.1")

    @override_settings(KB_TRUSTED_PROXIES=1)
    def test_behind_one_proxy_the_address_it_appended_counts_not_what_the_client_wrote(self):
        forged = request_from("10.0.0.2", "1.2.3.4, 5.6.7.8, 203.0.113.7")
        self.assertEqual(client_address(forged), "203.0.113.7")

    @override_settings(KB_TRUSTED_PROXIES=2)
    def test_behind_two_proxies_the_outer_ones_entry_counts(self):
        self.assertEqual(client_address(request_from("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.1")), "203.0.113.7")

    def test_a_request_built_in_process_counts_as_local_so_the_login_lockout_can_store_it(self):
        self.assertEqual(client_address(HttpRequest()), "127.0.0.1")

    @override_settings(KB_TRUSTED_PROXIES=2)
    def test_a_request_that_skipped_a_proxy_is_counted_by_its_connection(self):
        self.assertEqual(client_address(request_from("10.0.0.2", "")), "10.0.0.2")


@override_settings(KB_TRUSTED_PROXIES=1)
@override_settings(KB_RATE_WINDOW_SECONDS=ONE_DAY)  # no window edge in the middle of the test
class ForgedHeaderTests(TestCase):
    def test_a_client_rotating_forged_addresses_still_meets_its_limit(self):
        allowed = [
            not over_limit(request_from("10.0.0.2", f"198.51.100.{number}, 203.0.113.7"), "test", 30)
            for number in range(40)
        ]
        self.assertEqual(allowed.count(True), 30)


class WindowEdgeMixin:
    """A window of 60 seconds (see the subclasses' settings)."""

    def requests_at(self, seconds: float, count: int) -> int:
        with patch("kb.ratelimit.time") as clock:  # this module's clock only: cache expiry keeps real time
            clock.time.return_value = seconds
            return [over_limit(request_from("203.0.113.5"), "edge", 30) for _ in range(count)].count(False)

    def test_a_limit_spent_at_the_end_of_a_window_is_not_granted_again_at_the_start_of_the_next(self):
        self.assertEqual(self.requests_at(60_000 + 59, 30), 30)
        self.assertEqual(self.requests_at(60_000 + 61, 30), 1)  # 29 of the 30 still count

    def test_the_previous_window_counts_less_as_the_current_one_goes_on(self):
        self.requests_at(60_000 + 59, 30)
        self.assertEqual(self.requests_at(60_000 + 60 + 45, 30), 23)  # a quarter of the 30, 7, still counts


@override_settings(KB_RATE_WINDOW_SECONDS=60)
class WindowEdgeTests(WindowEdgeMixin, TestCase):
    pass


class AtomicCountMixin:
    """100 requests from one client at once: exactly the limit gets through."""

    clients = 100
    threads = 100

    def count_allowed(self) -> int:
        def attempt(_: int) -> bool:
            try:
                return not over_limit(request_from("203.0.113.9"), "parallel", 30)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            return sum(pool.map(attempt, range(self.clients)))


@override_settings(KB_RATE_WINDOW_SECONDS=ONE_DAY)  # no window edge in the middle of the test
class DatabaseCacheCountTests(AtomicCountMixin, TransactionTestCase):
    threads = 40  # each thread holds a database connection; stay well under the server's limit

    def setUp(self):
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            # The in-memory test database locks whole tables and fails at once instead of
            # waiting its turn as a database file (or PostgreSQL, on CI) does.
            self.skipTest("the in-memory SQLite test database cannot take parallel writers; run on PostgreSQL")
        caches["shared"].clear()

    def test_parallel_requests_let_exactly_the_limit_through(self):
        self.assertEqual(self.count_allowed(), 30)


class RedisMixin:
    def setUp(self):
        if not redis_reachable():
            self.skipTest("no Redis at 127.0.0.1:6379: the Redis rate-limit tests are skipped")
        settings_override = override_settings(CACHES=redis_caches())
        settings_override.enable()
        self.addCleanup(settings_override.disable)
        caches["shared"].clear()


@override_settings(KB_RATE_WINDOW_SECONDS=ONE_DAY)
class RedisCountTests(RedisMixin, AtomicCountMixin, SimpleTestCase):
    def test_parallel_requests_let_exactly_the_limit_through(self):
        self.assertEqual(self.count_allowed(), 30)


@override_settings(KB_RATE_WINDOW_SECONDS=60)
class RedisWindowEdgeTests(RedisMixin, WindowEdgeMixin, SimpleTestCase):
    """Redis counts in one round trip of its own: the previous window still counts there."""

    def test_a_count_is_forgotten_after_two_windows(self):
        over_limit(request_from("203.0.113.6"), "expiry", 30)
        redis = caches["shared"]._cache.get_client()
        lifetimes = [redis.ttl(key) for key in redis.scan_iter("*expiry*")]
        self.assertEqual(len(lifetimes), 1)
        self.assertTrue(60 < lifetimes[0] <= 120)


class SignatureVersionTests(TestCase):
    def test_culling_the_counts_of_many_clients_keeps_the_signature_version(self):
        version = signature_version.current()
        shared = {**settings.CACHES["shared"], "OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}}
        with override_settings(CACHES={**settings.CACHES, "shared": shared}):
            for number in range(60):
                over_limit(request_from(f"198.51.100.{number}"), "many", 30)
        self.assertEqual(signature_version.current(), version)


def manage(database: str, redis_url: str, *arguments: str) -> subprocess.CompletedProcess:
    """`manage.py` run on the SQLite file `database` with REDIS_URL as given."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": redis_url}
    command = [sys.executable, "manage.py", *arguments]
    return subprocess.run(command, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True)


@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379: the Redis side of the test is skipped")
class RedisComesAndGoesTests(SimpleTestCase):
    """A diagnosis counts its client in the shared cache: Redis, or a database table."""

    DIAGNOSE = (
        "from django.test import Client; print(Client().post('/api/diagnose', 'ERROR: x', "
        "content_type='text/plain', HTTP_HOST='127.0.0.1').status_code)"
    )

    def test_a_database_migrated_beside_redis_serves_without_it_and_the_other_way_round(self):
        for migrated_with, served_with in ((REDIS_URL, ""), ("", REDIS_URL)):
            with tempfile.TemporaryDirectory() as folder:
                database = f"{folder}/kb.sqlite3"
                self.assertEqual(manage(database, migrated_with, "migrate", "--noinput").returncode, 0)
                served = manage(database, served_with, "shell", "--no-imports", "-c", self.DIAGNOSE)
                self.assertEqual(served.stdout.strip(), "200", served.stderr[-300:])
