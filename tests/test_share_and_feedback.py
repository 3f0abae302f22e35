"""Sharing a diagnosis by link (the findings, never the log) and "Was this helpful?"."""

import datetime
import re
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.test import TestCase, override_settings
from django.utils import timezone

from kb.diagnosis_links import diagnosis_markdown, fenced
from kb.staff.models import Feedback, SharedDiagnosis, SharedLog
from tests.helpers import make_entry, make_signature

NOISE_LINE = "Collecting private-internal-package==3.1 (from -r requirements.txt (line 9))"
HASH_LOG = f"""\
{NOISE_LINE}
Looking in indexes: https://alice:s3cretPassw0rd@pypi.example.com/simple
Collecting sympy==1.12 (from -r requirements.txt (line 3))
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.
    sympy==1.12 from https://pypi.example.com/sympy-1.12-py3-none-any.whl:
"""


class ShareDiagnosisTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_entry("HASH_MISMATCH", quick_fix="python -m pip install --no-cache-dir {package}")
        make_signature(cls.entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")
        make_signature(cls.entry, r"(?P<package>[\w.-]+)==(?P<version>[\w.]+) from https", is_regex=True)

    def diagnosis_page(self) -> str:
        return self.client.post("/diagnose/", {"log": HASH_LOG}).content.decode()

    def share(self) -> tuple[SharedDiagnosis, str]:
        signed = re.search(r'name="report" value="([^"]+)"', self.diagnosis_page()).group(1)
        response = self.client.post("/diagnose/share", {"report": signed})
        self.assertEqual(response.status_code, 201)
        delete_link = re.findall(
            r"<code>(http://testserver/diagnosis/[^<]+/delete/\?key=[^<]+)</code>", response.content.decode()
        )
        return SharedDiagnosis.objects.get(), urlsplit(delete_link[0].replace("&amp;", "&"))

    def test_a_diagnosis_stores_nothing_until_the_reader_asks_and_says_what_would_be_kept(self):
        html = self.diagnosis_page()
        self.assertIn("Nothing is stored until you click", html)
        self.assertIn("Your log itself is not kept", html)
        self.assertEqual(SharedDiagnosis.objects.count(), 0)

    def test_the_link_shows_the_root_cause_fix_and_matched_lines_but_not_the_log(self):
        stored, _ = self.share()
        page = self.client.get(stored.get_absolute_url()).content.decode()
        self.assertIn("Root cause: <code>HASH_MISMATCH</code>", page)
        self.assertIn("python -m pip install --no-cache-dir sympy", page)
        self.assertIn("THESE PACKAGES DO NOT MATCH THE HASHES", page)
        for left_out in (NOISE_LINE, "s3cretPassw0rd"):
            self.assertNotIn(left_out, page)
            self.assertNotIn(left_out, str(stored.report))
        self.assertIn('<meta name="robots" content="noindex">', page)

    def test_a_made_up_diagnosis_is_refused(self):
        response = self.client.post("/diagnose/share", {"report": "eyJtYXRjaGVzIjogW119:forged"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(SharedDiagnosis.objects.count(), 0)

    def test_the_delete_link_deletes_it_and_only_with_its_key(self):
        stored, delete_link = self.share()
        wrong = self.client.post(delete_link.path, {"key": "not-the-key"})
        self.assertEqual(wrong.status_code, 403)
        confirm = self.client.get(f"{delete_link.path}?{delete_link.query}")
        self.assertContains(confirm, "Delete it now")
        self.assertEqual(self.client.head(f"{delete_link.path}?{delete_link.query}").status_code, 200)
        key = delete_link.query.removeprefix("key=")
        self.client.post(delete_link.path, {"key": key})
        self.assertEqual(self.client.get(stored.get_absolute_url()).status_code, 404)
        self.assertNotIn(key, stored.delete_key_hash)

    def test_an_expired_diagnosis_is_gone(self):
        stored, _ = self.share()
        SharedDiagnosis.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
        self.assertEqual(self.client.get(stored.get_absolute_url()).status_code, 404)

    def test_the_markdown_fences_an_excerpt_holding_backticks(self):
        self.assertEqual(fenced("a ``` b"), "````text\na ``` b\n````")
        shared = {"pip_version": "24.0", "python_version": None, "matches": []}
        self.assertIn("No known pip error", diagnosis_markdown(shared))

    def test_the_diagnosis_page_offers_the_markdown_with_the_fix(self):
        html = self.diagnosis_page()
        self.assertIn(
            "Root cause: `HASH_MISMATCH`: Title of HASH_MISMATCH (http://testserver/pip/hash-mismatch/)", html
        )
        self.assertIn("```shell\npython -m pip install --no-cache-dir sympy\n```", html)


# One day-long window: at a window edge the previous window's count is weighted down, so a
# fourth answer a moment after the edge could pass.
@override_settings(KB_FEEDBACK_RATE_LIMIT=3, KB_RATE_WINDOW_SECONDS=24 * 60 * 60)
class FeedbackTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_entry("HASH_MISMATCH")
        make_entry("HASH_MISSING")

    def test_one_click_counts_an_answer_without_an_account(self):
        response = self.client.post("/feedback", {"code": "HASH_MISMATCH", "place": "entry", "helpful": "no"})
        self.assertContains(response, "Your answer is counted")
        self.assertEqual(
            list(Feedback.objects.values_list("code", "place", "helpful")), [("HASH_MISMATCH", "entry", False)]
        )

    def test_entry_pages_ask_whether_they_helped(self):
        self.assertContains(self.client.get("/pip/hash-mismatch/"), 'name="helpful" value="yes"')

    def test_a_comment_reaches_the_shared_logs_queue_without_counting_twice(self):
        answer = {"code": "HASH_MISMATCH", "place": "diagnosis", "helpful": "no"}
        self.client.post("/feedback", answer)
        comment = "The fix did not work behind our proxy https://bob:hunter2@proxy.example.com"
        response = self.client.post("/feedback", {**answer, "counted": "True", "comment": comment})
        self.assertContains(response, "Your comment is with the support staff")
        self.assertEqual(Feedback.objects.count(), 1)
        shared = SharedLog.objects.get()
        self.assertEqual((shared.reason, shared.diagnosed_code), ("feedback", "HASH_MISMATCH"))
        self.assertIn("did not work behind our proxy", shared.text)
        self.assertNotIn("hunter2", shared.text)

    def test_answers_are_rate_limited_per_client(self):
        answer = {"code": "HASH_MISMATCH", "place": "entry", "helpful": "yes"}
        statuses = [self.client.post("/feedback", answer).status_code for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertEqual(Feedback.objects.count(), 3)

    def test_an_answer_about_no_published_entry_is_refused(self):
        response = self.client.post("/feedback", {"code": "NOT_A_CODE", "place": "entry", "helpful": "yes"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Feedback.objects.count(), 0)

    def test_staff_statistics_count_the_answers_per_entry(self):
        for code, helpful in (("HASH_MISMATCH", "no"), ("HASH_MISMATCH", "no"), ("HASH_MISSING", "yes")):
            self.client.post("/feedback", {"code": code, "place": "entry", "helpful": helpful})
        self.client.force_login(User.objects.create_superuser("rita"))
        html = self.client.get("/staff/stats/").content.decode()
        self.assertRegex(html, r"<code>HASH_MISMATCH</code>[^<]*</th><td>0</td><td>2</td>")
        self.assertRegex(html, r"<code>HASH_MISSING</code>[^<]*</th><td>1</td><td>0</td>")
