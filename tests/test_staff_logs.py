"""Shared logs (only on request, only redacted), the triage queue, and the root-cause counts."""

import datetime
import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from kb.staff.models import AuditEvent, RootCauseCount, SharedLog, error_excerpt
from kb.staff.stats import count_root_cause
from tests.helpers import make_entry, make_signature
from tests.test_staff_revisions import make_staff

HASH_LOG = """\
Looking in indexes: https://alice:s3cretPassw0rd@pypi.example.com/simple
Collecting sympy==1.12
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.
"""
UNKNOWN_LOG = "pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.12)\nERROR: Something pip never said before\n"


class SharingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_entry("HASH_MISMATCH")
        make_signature(cls.entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")

    def test_a_diagnosis_stores_nothing_and_offers_to_share_an_unmatched_log(self):
        response = self.client.post("/diagnose/", {"log": UNKNOWN_LOG})
        self.assertContains(response, "Share this log with support")
        self.assertContains(response, 'name="reason" value="unmatched"')
        self.assertContains(response, "Nothing you pasted has been stored so far")
        self.assertEqual(SharedLog.objects.count(), 0)

    def test_a_matched_diagnosis_offers_this_diagnosis_is_wrong(self):
        response = self.client.post("/diagnose/", {"log": HASH_LOG})
        self.assertContains(response, '<summary id="share-heading">This diagnosis is wrong</summary>')
        self.assertContains(response, 'name="reason" value="wrong"')

    def test_a_shared_log_is_redacted_again_on_the_server(self):
        response = self.client.post("/staff/logs/share/", {"log": HASH_LOG, "reason": "wrong", "note": "token pypi"})
        self.assertContains(response, "Thank you")
        shared = SharedLog.objects.get()
        self.assertNotIn("s3cretPassw0rd", shared.text)
        self.assertEqual(shared.text.count("\n"), HASH_LOG.count("\n"))
        self.assertEqual((shared.reason, shared.diagnosed_code), ("wrong", "HASH_MISMATCH"))

    def test_the_same_share_sent_twice_waits_once_and_another_note_is_kept_apart(self):
        share = {"log": HASH_LOG, "reason": "wrong", "note": "It was a proxy"}
        answers = [self.client.post("/staff/logs/share/", share) for _ in range(2)]
        self.client.post("/staff/logs/share/", {**share, "note": "Also on Windows"})
        self.assertEqual([answer.status_code for answer in answers], [200, 200])
        self.assertContains(answers[1], "Thank you")
        self.assertEqual(
            sorted(SharedLog.objects.values_list("note", flat=True)), ["Also on Windows", "It was a proxy"]
        )

    def test_a_secret_in_the_note_is_not_stored(self):
        note = "our token is ghp_R8sT2vWx4Yz6Ab8Cd0Ef2Gh4Ij6Kl8Mn0Op, please help"
        self.client.post("/staff/logs/share/", {"log": HASH_LOG, "reason": "wrong", "note": note})
        self.assertEqual(SharedLog.objects.get().note, "our token is [redacted], please help")

    def test_sharing_has_its_own_rate_limit_apart_from_the_diagnosis(self):
        with override_settings(KB_SHARE_RATE_LIMIT=1, KB_RATE_LIMIT=100, KB_RATE_WINDOW_SECONDS=24 * 60 * 60):
            self.client.post("/staff/logs/share/", {"log": UNKNOWN_LOG, "reason": "unmatched"})
            response = self.client.post("/staff/logs/share/", {"log": UNKNOWN_LOG, "reason": "unmatched"})
            self.assertEqual(self.client.post("/diagnose/", {"log": UNKNOWN_LOG}).status_code, 200)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(SharedLog.objects.count(), 1)

    @override_settings(KB_SHARED_LOG_MAX_BYTES=1024)
    def test_a_log_over_the_share_limit_is_refused_with_the_reason(self):
        response = self.client.post("/staff/logs/share/", {"log": UNKNOWN_LOG * 20, "reason": "unmatched"})
        self.assertContains(response, "A shared log may be at most 1 KB and this one is 2 KB.", status_code=413)
        self.assertEqual(SharedLog.objects.count(), 0)

    @override_settings(KB_SHARED_LOG_QUEUE_LIMIT=2)
    def test_a_full_queue_takes_no_more_logs_until_some_are_triaged(self):
        for attempt in range(2):
            self.client.post(
                "/staff/logs/share/", {"log": UNKNOWN_LOG, "reason": "unmatched", "note": f"run {attempt}"}
            )
        refused = self.client.post("/staff/logs/share/", {"log": UNKNOWN_LOG, "reason": "unmatched", "note": "run 2"})
        self.assertContains(refused, "Support has too many shared logs to read right now.", status_code=413)
        SharedLog.objects.filter(pk=SharedLog.objects.first().pk).update(state=SharedLog.State.TRIAGED)
        accepted = self.client.post("/staff/logs/share/", {"log": UNKNOWN_LOG, "reason": "unmatched", "note": "run 2"})
        self.assertContains(accepted, "Thank you")
        self.assertEqual(SharedLog.objects.count(), 3)

    def test_an_empty_log_is_not_stored(self):
        response = self.client.post("/staff/logs/share/", {"log": "   \n", "reason": "unmatched"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(SharedLog.objects.count(), 0)


def shared(text: str, **fields) -> SharedLog:
    return SharedLog.objects.create(text=text, error_excerpt=error_excerpt(text), **fields)


class QueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.older = shared("ERROR: the older one\n", reason="unmatched", pip_version="23.1")
        cls.newer = shared(UNKNOWN_LOG, reason="wrong", pip_version="24.0", note="It was a proxy")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_queue_lists_newest_first_with_pip_version_and_error_lines(self):
        response = self.client.get("/staff/logs/")
        html = response.content.decode()
        self.assertLess(html.index(f"Shared log {self.newer.pk}"), html.index(f"Shared log {self.older.pk}"))
        self.assertContains(response, "pip 24.0")
        self.assertContains(response, "ERROR: Something pip never said before")
        self.assertContains(response, "It was a proxy")

    def test_the_queue_page_runs_a_fixed_number_of_queries(self):
        with self.assertNumQueries(6):  # session, user, the user's and the groups' permissions, count, logs
            self.client.get("/staff/logs/")

    def test_triaged_and_dismissed_logs_leave_the_queue_and_are_audited(self):
        self.client.post(f"/staff/logs/{self.older.pk}/triaged/")
        self.client.post(f"/staff/logs/{self.newer.pk}/dismissed/")
        self.assertEqual(SharedLog.objects.waiting().count(), 0)
        self.assertNotContains(self.client.get("/staff/logs/"), "Shared log ")
        self.assertContains(self.client.get("/staff/logs/?show=all"), "dismissed")
        self.assertEqual(set(AuditEvent.objects.values_list("action", flat=True)), {"triaged", "dismissed"})

    def test_triaging_a_log_twice_says_it_already_was_and_audits_it_once(self):
        self.client.post(f"/staff/logs/{self.older.pk}/triaged/")
        again = self.client.post(f"/staff/logs/{self.older.pk}/triaged/", follow=True)
        self.assertContains(again, f"Shared log {self.older.pk} was already triaged; nothing changed.")
        self.assertEqual(list(AuditEvent.objects.values_list("action", flat=True)), ["triaged"])
        self.assertEqual(SharedLog.objects.get(pk=self.older.pk).state, "triaged")

    def test_triaging_a_log_that_is_not_there_or_by_a_link_is_refused_and_changes_nothing(self):
        missing = SharedLog.objects.order_by("pk").last().pk + 1
        statuses = (
            self.client.post(f"/staff/logs/{missing}/triaged/").status_code,
            self.client.get(f"/staff/logs/{self.older.pk}/triaged/").status_code,
        )
        self.assertEqual(statuses, (404, 405))
        self.assertEqual((SharedLog.objects.waiting().count(), AuditEvent.objects.count()), (2, 0))

    def test_a_dismissed_log_can_still_be_triaged(self):
        self.client.post(f"/staff/logs/{self.older.pk}/dismissed/")
        response = self.client.post(f"/staff/logs/{self.older.pk}/triaged/", follow=True)
        self.assertContains(response, f"Marked shared log {self.older.pk} triaged.")
        self.assertEqual(
            list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)), ["dismissed", "triaged"]
        )

    def test_the_queue_shows_a_few_short_error_lines_of_a_huge_log(self):
        huge = shared(("ERROR: " + "x" * 993 + "\n") * 400, reason="unmatched")  # 400 KB of error lines
        response = self.client.get("/staff/logs/")
        self.assertLess(len(response.content), 20_000)
        self.assertEqual(huge.error_excerpt.count("\n"), 4)
        self.assertContains(response, "ERROR: " + "x" * 293 + "\n")

    def test_the_queue_shows_another_installers_error_lines_when_pip_printed_none(self):
        uv_log = "$ uv pip install -r requirements.txt\n  × No solution found when resolving dependencies:\n"
        poetry_log = "  ChefBuildError\n\n  Error: pg_config executable not found.\n"
        self.assertEqual(error_excerpt(uv_log), "× No solution found when resolving dependencies:")
        self.assertEqual(error_excerpt(poetry_log), "ChefBuildError\nError: pg_config executable not found.")
        self.assertEqual(
            error_excerpt("error: subprocess-exited-with-error\nERROR: Failed building wheel\n"),
            "ERROR: Failed building wheel",
        )

    def test_a_long_shared_log_is_shown_a_page_of_lines_at_a_time(self):
        long_log = shared("".join(f"line {number}\n" for number in range(1, 1201)), reason="unmatched")
        first = self.client.get(f"/staff/logs/{long_log.pk}/")
        self.assertContains(first, 'id="line-500"')
        self.assertNotContains(first, 'id="line-501"')
        self.assertContains(first, "Lines 1 to 500 of 1201")
        self.assertContains(self.client.get(f"/staff/logs/{long_log.pk}/?page=3"), 'id="line-1200"')

    def test_a_new_signature_goes_by_default_to_the_entry_we_diagnosed(self):
        make_entry("AAA_FIRST_ALPHABETICALLY")
        make_entry("HASH_MISMATCH")
        wrong = shared(HASH_LOG, reason="wrong", diagnosed_code="HASH_MISMATCH")
        response = self.client.get(f"/staff/logs/{wrong.pk}/")
        self.assertContains(response, '<option value="pip/HASH_MISMATCH" selected>')
        self.assertContains(response, "chosen: the entry we diagnosed")

    def test_an_unmatched_log_defaults_to_the_entry_its_error_lines_find(self):
        make_entry("AAA_FIRST_ALPHABETICALLY")
        make_entry("PG_CONFIG_MISSING", title="pg_config executable not found when building psycopg2")
        unmatched = shared("Error: pg_config executable not found.\n", reason="unmatched")
        response = self.client.get(f"/staff/logs/{unmatched.pk}/")
        self.assertContains(response, '<option value="pip/PG_CONFIG_MISSING" selected>')
        self.assertContains(response, "chosen: the entry its error lines find first")

    def test_a_shared_log_is_shown_with_selectable_numbered_lines(self):
        response = self.client.get(f"/staff/logs/{self.newer.pk}/")
        self.assertContains(response, '<input type="checkbox" name="lines" value="2" id="line-2">')
        self.assertContains(response, 'formaction="/staff/entries/new/"')
        self.assertContains(response, f'formaction="/staff/logs/{self.newer.pk}/signature/"')


class RootCauseCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_entry("HASH_MISMATCH")
        make_signature(cls.entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")

    def today_count(self) -> int:
        found = RootCauseCount.objects.filter(code="HASH_MISMATCH", day=timezone.localdate()).first()
        return found.count if found else 0

    def test_counting_twice_adds_to_one_row(self):
        count_root_cause("HASH_MISMATCH")
        count_root_cause("HASH_MISMATCH")
        self.assertEqual(RootCauseCount.objects.get().count, 2)

    def test_the_page_and_the_api_count_the_root_cause_and_keep_no_log(self):
        self.client.post("/diagnose/", {"log": HASH_LOG})
        self.client.post("/api/diagnose", HASH_LOG, content_type="text/plain")
        self.assertEqual(self.today_count(), 2)
        self.assertEqual(SharedLog.objects.count(), 0)

    def test_the_command_line_does_not_count(self):
        with tempfile.TemporaryDirectory() as directory:
            log = Path(directory, "build.log")
            log.write_text(HASH_LOG)
            call_command("diagnose", str(log), stdout=io.StringIO())
        self.assertEqual(self.today_count(), 0)

    def test_the_stats_page_shows_counts_per_entry_for_7_and_30_days_and_per_day(self):
        today = timezone.localdate()
        RootCauseCount.objects.create(code="HASH_MISMATCH", day=today, count=3)
        RootCauseCount.objects.create(code="HASH_MISMATCH", day=today - datetime.timedelta(days=10), count=4)
        RootCauseCount.objects.create(code="HASH_MISMATCH", day=today - datetime.timedelta(days=40), count=50)
        self.client.force_login(make_staff("eddie"))
        response = self.client.get("/staff/stats/")
        self.assertContains(
            response,
            '<th scope="row"><code>HASH_MISMATCH</code> Title of HASH_MISMATCH</th><td>3</td><td>7</td>',
            html=False,
        )
        self.assertContains(response, f'<th scope="row">{today:%Y-%m-%d}</th><td>3</td>')
        # The 40-day-old count is in neither window nor the last 30 days' rows.
        self.assertNotContains(response, "<td>57</td>")
        self.assertNotContains(response, "<td>50</td>")
