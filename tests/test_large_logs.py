"""Large logs are diagnosed in processes of their own (kb/diagnosis_processes.py); here every
log is, whatever its size."""

import multiprocessing
import os
import signal
import time
from pathlib import Path

from django.test import SimpleTestCase, TestCase, override_settings

from kb.diagnosis import Signature
from kb.diagnosis_processes import DiagnosisProcesses, PublishedSignatures
from tests.helpers import make_entry, make_signature

LOGS = Path(__file__).parent / "logs"
HASH_LOG = (LOGS / "HASH_MISMATCH" / "26.3.log").read_text()


def publish_hash_mismatch() -> None:
    entry = make_entry("HASH_MISMATCH")
    make_signature(entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")
    make_signature(entry, r"Expected sha256 (?P<expected_hash>[0-9a-f]{64})", is_regex=True)


def large_hash_log(megabytes: int) -> str:
    """Successful pip runs, then the hash failure at the end, as in a long CI job's log."""
    runs = "".join(path.read_text() for path in sorted((LOGS / "success").glob("*.log")))
    return (runs * (megabytes * 1024 * 1024 // len(runs) + 1)) + HASH_LOG


@override_settings(KB_OWN_PROCESS_LOG_BYTES=0)
class LargeLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        publish_hash_mismatch()

    def diagnosis(self) -> dict:
        response = self.client.post("/api/diagnose", HASH_LOG, content_type="text/plain")
        self.assertEqual(response.status_code, 200)
        return response.json()

    def codes(self) -> list[str]:
        return [match["code"] for match in self.diagnosis()["matches"]]

    def test_a_log_diagnosed_in_a_child_gets_the_answer_the_worker_gives(self):
        in_a_child = self.diagnosis()
        with override_settings(KB_OWN_PROCESS_LOG_BYTES=len(HASH_LOG) + 1):
            in_the_worker = self.diagnosis()
        self.assertEqual(in_a_child, in_the_worker)
        self.assertEqual(in_a_child["matches"][0]["facts"]["expected_hash"][:8], "e3952713")

    def test_an_entry_published_after_the_children_started_is_found_by_them(self):
        self.assertEqual(self.codes(), ["HASH_MISMATCH"])
        make_signature(make_entry("PRIVATE_INDEX", slug="private-index"), "Looking in indexes: http")
        self.assertEqual(sorted(self.codes()), ["HASH_MISMATCH", "PRIVATE_INDEX"])

    def test_a_log_is_still_diagnosed_after_the_children_were_killed(self):
        self.assertEqual(self.codes(), ["HASH_MISMATCH"])
        children = multiprocessing.active_children()
        self.assertTrue(children)
        for child in children:
            child.kill()
            child.join()
        self.assertEqual(self.codes(), ["HASH_MISMATCH"])

    @override_settings(KB_LARGE_LOGS_HELD=0)
    def test_a_large_log_past_what_the_worker_may_hold_is_refused_with_a_time_to_come_back(self):
        response = self.client.post("/api/diagnose", HASH_LOG, content_type="text/plain")
        self.assertEqual((response.status_code, response["Retry-After"]), (503, "60"))
        self.assertEqual(response.json()["error"], "The server is busy with other large logs. Try again in a minute.")
        page = self.client.post("/diagnose/", {"log": HASH_LOG})
        self.assertEqual((page.status_code, page["Retry-After"]), (503, "60"))
        self.assertContains(page, "busy with other large logs", status_code=503)

    @override_settings(KB_LARGE_LOGS_HELD=1)
    def test_the_worker_takes_the_next_large_log_once_one_is_answered_or_its_child_died(self):
        self.assertEqual(self.codes(), ["HASH_MISMATCH"])
        self.assertEqual(self.codes(), ["HASH_MISMATCH"])
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
        self.assertEqual(self.codes(), ["HASH_MISMATCH"])
        self.assertEqual(self.codes(), ["HASH_MISMATCH"])


class ForkedCopyTests(SimpleTestCase):
    def test_a_forked_copy_of_a_process_that_started_children_starts_its_own(self):
        """A test runner forks its process once per run (mutmut does): the copy cannot use the
        children it inherited the handles of, so it must not wait for them forever."""
        header = "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE"
        published = PublishedSignatures("v1", [Signature("HASH_MISMATCH", "pip", "error", header)], {})
        processes = DiagnosisProcesses()
        self.assertTrue(processes.diagnose(published, HASH_LOG.encode(), 1).matches)
        copy = os.fork()
        if copy == 0:
            os._exit(0 if processes.diagnose(published, HASH_LOG.encode(), 1).matches else 1)
        self.assertEqual(exit_code_within(copy, seconds=30), 0)


def exit_code_within(pid: int, seconds: float) -> int | None:
    """The exit code of the child ``pid``; None, once killed, if it has not exited in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None
