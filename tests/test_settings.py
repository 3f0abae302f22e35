import os
import subprocess
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from kb.checks import check_log_limit, check_shared_cache
from kb.settings import database_from_url, env_bool


def import_settings(**environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "-c", "import kb.settings"],
        cwd=settings.BASE_DIR,
        env={**env, **environment},
        capture_output=True,
        text=True,
    )


class SettingsTests(SimpleTestCase):
    def test_production_refuses_to_start_without_a_secret_key(self):
        refused = import_settings(DEBUG="0")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("SECRET_KEY must be set when DEBUG is off", refused.stderr)
        self.assertEqual(import_settings(DEBUG="0", SECRET_KEY="x" * 50).returncode, 0)

    def test_a_local_run_makes_its_own_secret_key(self):
        self.assertEqual(import_settings().returncode, 0)

    def test_database_urls_become_database_settings(self):
        postgres = database_from_url("postgres://kb:p%40ss@db.example.org:5433/kb")
        self.assertEqual(
            (postgres["ENGINE"], postgres["USER"], postgres["PASSWORD"], postgres["HOST"], postgres["PORT"]),
            ("django.db.backends.postgresql", "kb", "p@ss", "db.example.org", "5433"),
        )
        self.assertEqual(str(database_from_url("sqlite:////tmp/kb.sqlite3")["NAME"]), "/tmp/kb.sqlite3")
        with self.assertRaisesMessage(ImproperlyConfigured, "must start with sqlite:// or postgres://"):
            database_from_url("mysql://db/kb")

    def test_a_flag_that_is_neither_true_nor_false_is_refused(self):
        os.environ["KB_TEST_FLAG"] = "maybe"
        try:
            with self.assertRaisesMessage(ImproperlyConfigured, "KB_TEST_FLAG must be true or false"):
                env_bool("KB_TEST_FLAG", False)
        finally:
            del os.environ["KB_TEST_FLAG"]

    @override_settings(CACHES={"shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
    def test_a_per_process_shared_cache_is_flagged_for_production(self):
        self.assertEqual([warning.id for warning in check_shared_cache(None)], ["kb.W001"])

    @override_settings(KB_MAX_LOG_BYTES=0)
    def test_a_log_limit_of_nothing_is_an_error(self):
        self.assertEqual([error.id for error in check_log_limit(None)], ["kb.E001"])
