"""The entry editor: sections with previews, the signature tester, the regression check, new entries, conflicts."""

import re
import tempfile
from pathlib import Path

from django.test import Client, TestCase, override_settings

from kb.models import Entry
from kb.staff import revisions
from kb.staff.models import AuditEvent, Revision, SharedLog
from kb.staff.snapshots import snapshot_of
from tests.helpers import make_entry, make_signature
from tests.test_staff_revisions import make_editable_entry, make_staff

EDIT_URL = "/staff/entries/pip/HASH_MISMATCH/edit/"
MISSING_EXAMPLE = "```text\nERROR: Hashes are required in --require-hashes mode, but they are missing\n```\n"


def editor_post(snapshot: dict, base: int, action: str = "save", **fields) -> dict:
    """The editor form as a browser posts it, filled from a snapshot."""
    front = snapshot["front"]
    data = {
        **{name: front[name] for name in ("title", "summary", "category", "severity", "header", "quick_fix")},
        "pip_versions": front["pip_versions"],
        "verified_with": ", ".join(front["verified_with"]),
        "symbols": " ".join(front["symbols"]),
        "related": " ".join(front["related"]),
        "refines": " ".join(front["refines"]),
        **snapshot["sections"],
        "base": base,
        "message": "",
        "action": action,
        **management("causes", len(snapshot["causes"])),
        **management("signatures", len(front["signatures"])),
    }
    for number, (title, body) in enumerate(snapshot["causes"]):
        data.update({f"causes-{number}-title": title, f"causes-{number}-body": body, f"causes-{number}-ORDER": number})
    for number, spec in enumerate(front["signatures"]):
        data.update({f"signatures-{number}-pattern": spec["pattern"], f"signatures-{number}-detail": spec["detail"]})
        data.update({f"signatures-{number}-{flag}": "on" for flag in ("regex", "only_if_failed") if spec[flag]})
    data.update(fields)
    return data


def management(prefix: str, total: int) -> dict:
    return {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total, f"{prefix}-MAX_NUM_FORMS": 50}


class EditorTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.entry = make_editable_entry()
        cls.missing = make_entry("HASH_MISSING", examples=MISSING_EXAMPLE)
        make_signature(cls.missing, "Hashes are required in --require-hashes mode")

    def setUp(self):
        self.client.force_login(self.editor)

    def post(self, action: str = "save", **fields):
        return self.client.post(EDIT_URL, editor_post(snapshot_of(self.entry), 0, action, **fields))


class EditorPageTests(EditorTestCase):
    def test_each_section_has_its_own_markdown_field_filled_with_the_current_text(self):
        response = self.client.get(EDIT_URL)
        self.assertContains(response, "The published meaning.</textarea>")
        for name in Entry.SECTIONS:
            self.assertContains(response, f'id="id_{name}-preview"')
        self.assertContains(response, 'name="base" value="0"')
        self.assertContains(response, 'value="THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE"')
        self.assertContains(response, 'name="causes-0-title"')

    def test_head_answers_on_the_editor_pages_like_get_without_saving(self):
        for address in (EDIT_URL, "/staff/entries/new/"):
            with self.subTest(address=address):
                response = self.client.head(address)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.content, b"")
        self.assertFalse(Revision.objects.exists())

    def test_the_preview_endpoint_renders_with_the_sites_renderer_and_sanitises(self):
        response = self.client.post(
            "/staff/preview/", {"text": "**bold** <script>alert(1)</script>\n\n```console\n$ pip -V\n```"}
        )
        html = response.json()["html"]
        self.assertIn("<strong>bold</strong>", html)
        self.assertNotIn("<script>", html)
        self.assertIn('class="highlight"', html)

    def test_the_preview_button_renders_every_section_without_javascript(self):
        response = self.post("preview", fix="1. Run `pip hash`.")
        self.assertContains(response, "<li>Run <code>pip hash</code>.</li>")
        self.assertEqual(Revision.objects.count(), 0)

    def test_the_signature_tester_shows_the_lines_each_signature_fires_on(self):
        sample = "Collecting sympy==1.12\nERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.\n"
        response = self.post("test", sample_log=sample)
        self.assertContains(response, "Signature tester results")
        self.assertContains(response, "line 2")
        self.assertContains(response, ':<pre class="excerpt"><code>ERROR: THESE PACKAGES DO NOT MATCH')
        self.assertEqual(Revision.objects.count(), 0)

    def test_the_signature_tester_says_when_a_line_is_in_another_tools_output(self):
        failure = "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE."
        response = self.post("test", sample_log=f"{failure}\n$ poetry install\n  | {failure}\n")
        results = response.content.decode().partition("Signature tester results")[2]
        self.assertIn("line 1", results)
        self.assertIn("line 3", results)
        self.assertEqual(results.count("in poetry's output, not pip's"), 1)

    def test_the_signature_tester_shows_no_secret_of_the_sample(self):
        failure = "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE."
        response = self.post("test", sample_log=f"{failure} https://alice:s3cr3tpass@pypi.example/simple\n")
        results = response.content.decode().partition("Signature tester results")[2]
        self.assertIn("line 1", results)
        self.assertIn("https://[redacted]@pypi.example", results)
        self.assertNotIn("s3cr3tpass", results)

    def test_the_preview_names_the_markup_readers_will_not_see(self):
        answer = self.client.post("/staff/preview/", {"text": 'Click <a href="#" onclick="steal()">here</a>'}).json()
        self.assertEqual(answer["removed"], ["onclick=…"])
        response = self.post("preview", meaning="Hi <script>alert(1)</script> <span style='color:red'>x</span>")
        self.assertContains(response, "Removed, readers will not see it: &lt;script&gt;, style=…</p>")
        self.assertContains(response, "Removed, readers will not see it", count=1)

    def test_an_invalid_pattern_is_summarised_at_the_top_and_marks_its_field(self):
        response = self.post("test", **{"signatures-0-pattern": r"(a+)\1", "signatures-0-regex": "on"})
        page = response.content.decode()
        summary = page.partition('id="error-summary"')[2].partition("</section>")[0]
        self.assertIn(
            '<a href="#id_signatures-0-pattern">Signature 1, pattern: The pattern is not a valid RE2', summary
        )
        self.assertLess(page.index('id="error-summary"'), page.index('<form method="post" class="editor"'))
        pattern_input = re.search(r'<input[^>]*name="signatures-0-pattern"[^>]*>', page)[0]
        self.assertIn('aria-invalid="true"', pattern_input)
        self.assertIn('aria-describedby="id_signatures-0-pattern_error"', pattern_input)
        self.assertIn('id="id_signatures-0-pattern_error"', page)

    def test_a_field_error_links_from_the_summary_to_the_field(self):
        response = self.post(title="", **{"causes-0-title": ""})
        self.assertContains(response, '<a href="#id_title">Title: This field is required.</a>')
        self.assertContains(response, '<a href="#id_causes-0-title">Cause 1, title: This field is required.</a>')

    def test_the_tester_button_brings_the_page_back_at_the_tester(self):
        response = self.client.get(EDIT_URL)
        self.assertContains(response, f'value="test" formaction="{EDIT_URL}#tester"')
        self.assertContains(response, '<fieldset class="tester" id="tester">')

    def test_a_pattern_that_needs_backtracking_is_refused_with_the_engines_reason(self):
        response = self.post(**{"signatures-0-pattern": r"(a+)\1", "signatures-0-regex": "on"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist")
        self.assertEqual(Revision.objects.count(), 0)

    def test_a_pattern_too_slow_for_a_crafted_log_is_refused_and_never_tested(self):
        for pattern in (r"ERR (?:.*a.{100}){8}", r"ERR (?P<x>(?:.{0,100}a){10})b", r"ERR [ab]*a[ab]{1000}"):
            with self.subTest(pattern=pattern):
                sample = "ERR " + "ab" * 500 + "\n"
                response = self.post(
                    "test", sample_log=sample, **{"signatures-0-pattern": pattern, "signatures-0-regex": "on"}
                )
                self.assertContains(response, "is too slow: it reads the lines a log could hold for it at")
                self.assertNotContains(response, "Signature tester results")
        self.assertEqual(Revision.objects.count(), 0)

    def test_a_slow_detail_regex_is_refused_too(self):
        response = self.post(**{"signatures-0-detail": r"(?:.*a.{100}){8}"})
        self.assertContains(response, "The detail regex is too slow")
        self.assertContains(
            response, '<a href="#id_signatures-0-detail">Signature 1, detail: The detail regex is too slow'
        )
        self.assertEqual(Revision.objects.count(), 0)

    def test_a_regex_that_reads_fast_is_saved(self):
        fast = {"signatures-0-pattern": r"ERR [ab]{1,3} failed", "signatures-0-regex": "on", "save_anyway": "on"}
        response = self.post(**fast)
        self.assertRedirects(response, "/staff/entries/pip/HASH_MISMATCH/history/")

    def test_a_saved_change_is_a_draft_and_the_public_page_is_unchanged(self):
        response = self.post(meaning="A draft meaning nobody reads yet.")
        self.assertRedirects(response, "/staff/entries/pip/HASH_MISMATCH/history/")
        self.assertEqual(self.entry.revisions.first().state, "draft")
        public = self.client.get(self.entry.get_absolute_url())
        self.assertContains(public, "The published meaning.")
        self.assertNotContains(public, "A draft meaning")

    def test_a_save_that_changes_nothing_makes_no_revision_and_says_so(self):
        unchanged = editor_post(snapshot_of(self.entry), 0, message="Looked it over")
        response = self.client.post(EDIT_URL, unchanged, follow=True)
        self.assertRedirects(response, "/staff/entries/pip/HASH_MISMATCH/history/")
        self.assertContains(response, "Nothing changed, so no revision was saved.")
        self.assertEqual((self.entry.revisions.count(), AuditEvent.objects.count()), (0, 0))

    def test_related_codes_must_name_existing_entries(self):
        response = self.post(related="HASH_MISSING NOT_AN_ENTRY")
        self.assertContains(response, "There is no entry NOT_AN_ENTRY.")


class RegressionCheckTests(EditorTestCase):
    def test_a_signature_that_fires_on_another_entrys_example_asks_for_confirmation(self):
        response = self.post(**{"signatures-0-pattern": "Hashes are required"})
        self.assertContains(response, "HASH_MISSING example 1")
        self.assertContains(response, "HASH_MISMATCH fires on it")
        self.assertContains(response, 'name="save_anyway"')
        self.assertEqual(Revision.objects.count(), 0)

    def test_regressions_are_grouped_under_the_signature_that_caused_them(self):
        with tempfile.TemporaryDirectory() as directory:
            Path(directory, "install-ok.log").write_text("Successfully installed sympy-1.12\n")
            with override_settings(KB_CLEAN_LOGS_DIR=directory):
                response = self.post(
                    **{
                        "signatures-0-pattern": "A TEXT PIP NEVER PRINTS",
                        "signatures-1-pattern": "Hashes are required",
                    },
                    **{"signatures-2-pattern": "Successfully installed", "signatures-TOTAL_FORMS": 3},
                )
        page = response.content.decode().partition('class="regressions"')[2].partition("</section>")[0]
        headings = re.findall(r"<h3>(.*?)</h3>", page)
        self.assertEqual(
            headings,
            [
                "Signature 2, <code>Hashes are required</code>: 2",
                "Signature 3, <code>Successfully installed</code>: 1",
                "No signature of this entry fires on it: 1",
            ],
        )
        self.assertLess(page.index("HASH_MISSING example 1"), page.index("clean log install-ok.log"))
        self.assertGreater(page.index("HASH_MISMATCH example 1"), page.index("No signature of this entry fires"))

    def test_save_anyway_saves_despite_the_regression(self):
        response = self.post(**{"signatures-0-pattern": "Hashes are required", "save_anyway": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.entry.revisions.count(), 2)

    def test_firing_on_a_related_entrys_example_is_not_a_regression(self):
        response = self.post(
            related="HASH_MISSING", **{"signatures-1-pattern": "Hashes are required"}, **{"signatures-TOTAL_FORMS": 2}
        )
        self.assertNotContains(response, "HASH_MISMATCH fires on it", status_code=response.status_code)

    def test_an_example_that_is_no_longer_diagnosed_is_a_regression(self):
        response = self.post(**{"signatures-0-pattern": "A TEXT PIP NEVER PRINTS"})
        self.assertContains(response, "HASH_MISMATCH example 1")
        self.assertContains(response, "is not diagnosed as HASH_MISMATCH")

    def test_firing_on_a_clean_log_is_a_regression(self):
        with tempfile.TemporaryDirectory() as directory:
            Path(directory, "install-ok.log").write_text("Successfully installed sympy-1.12\n")
            with override_settings(KB_CLEAN_LOGS_DIR=directory):
                response = self.post(**{"signatures-1-pattern": "Successfully installed", "signatures-TOTAL_FORMS": 2})
        self.assertContains(response, "clean log install-ok.log")


class NewEntryTests(EditorTestCase):
    def new_entry_post(self, **fields) -> dict:
        snapshot = snapshot_of(self.entry)
        snapshot["front"]["signatures"] = [
            {"pattern": "Hashes are unpinned", "regex": False, "detail": "", "only_if_failed": False}
        ]
        return editor_post(snapshot, 0, tool="pip", code="HASH_UNPINNED", examples="", **fields)

    def test_a_new_entry_is_a_draft_hidden_from_readers(self):
        response = self.client.post("/staff/entries/new/", self.new_entry_post())
        self.assertRedirects(response, "/staff/entries/pip/HASH_UNPINNED/history/")
        entry = Entry.objects.get(code="HASH_UNPINNED")
        self.assertEqual((entry.status, entry.revisions.get().number), ("draft", 1))
        self.assertEqual(self.client.get(entry.get_absolute_url()).status_code, 404)

    def test_a_code_that_is_taken_or_badly_formed_is_refused(self):
        for code, problem in [
            ("HASH_MISSING", "pip already has an entry HASH_MISSING."),
            ("hash-x", "UPPER_SNAKE_CASE"),
        ]:
            with self.subTest(code=code):
                response = self.client.post("/staff/entries/new/", {**self.new_entry_post(), "code": code})
                self.assertContains(response, problem)

    def test_selected_lines_of_a_shared_log_prefill_a_new_entry(self):
        log = SharedLog.objects.create(text="Collecting x\nERROR: Something new went wrong\nmore", reason="unmatched")
        response = self.client.get(f"/staff/entries/new/?log={log.pk}&lines=2")
        self.assertContains(response, 'value="ERROR: Something new went wrong"')
        self.assertContains(response, "Collecting x\nERROR: Something new went wrong\nmore</textarea>")

    def test_line_numbers_a_shared_log_lacks_prefill_only_the_sample(self):
        log = SharedLog.objects.create(text="Collecting x\nERROR: Something new went wrong", reason="unmatched")
        response = self.client.get(f"/staff/entries/new/?log={log.pk}&lines=²&lines=9&lines=two")
        self.assertContains(response, "Collecting x\nERROR: Something new went wrong</textarea>")
        self.assertNotContains(response, 'value="ERROR: Something new went wrong"')

    def test_selected_lines_of_a_shared_log_become_a_new_signature_of_an_entry(self):
        log = SharedLog.objects.create(text="one\nERROR: hashes differ here", reason="wrong")
        response = self.client.get(f"/staff/logs/{log.pk}/signature/?entry=pip/HASH_MISMATCH&lines=2", follow=True)
        self.assertContains(response, 'name="signatures-1-pattern" value="ERROR: hashes differ here"')

    def test_a_signature_from_no_line_or_lines_the_log_lacks_is_refused_on_the_log(self):
        log = SharedLog.objects.create(text="one\nERROR: hashes differ here", reason="wrong")
        url = f"/staff/logs/{log.pk}/signature/?entry=pip/HASH_MISMATCH"
        for lines, problem in [
            ("", f"Tick the lines of shared log {log.pk} that show the error"),
            ("&lines=", "there is no line “”."),
            ("&lines=3", f"Shared log {log.pk} has lines 1 to 2; there is no line “3”."),
            ("&lines=0", "there is no line “0”."),
            ("&lines=two", "there is no line “two”."),
            ("&lines=²", "there is no line “²”."),
            ("&lines=2&lines=9", "there is no line “9”."),
        ]:
            with self.subTest(lines=lines):
                response = self.client.get(url + lines, follow=True)
                self.assertRedirects(response, f"/staff/logs/{log.pk}/")
                self.assertContains(response, problem)


class LineEndingTests(EditorTestCase):
    def test_a_browsers_crlf_line_ends_are_saved_as_lf(self):
        crlf = {"meaning": "One.\r\n\r\nTwo.", "causes-0-body": "Cut\r\nshort.", "header": "A\r\nB"}
        self.assertEqual(self.post(**crlf).status_code, 302)
        saved = self.entry.revisions.first().snapshot
        self.assertEqual(saved["sections"]["meaning"], "One.\n\nTwo.")
        self.assertEqual(saved["causes"][0][1], "Cut\nshort.")
        self.assertEqual(saved["front"]["header"], "A\nB")


class ConflictTests(EditorTestCase):
    def test_the_second_of_two_editors_gets_the_conflict_page_not_an_overwrite(self):
        other = Client()
        other.force_login(make_staff("olga"))
        started_from = snapshot_of(self.entry)
        first = other.post(EDIT_URL, editor_post(started_from, 0, title="Olga's title"))
        self.assertEqual(first.status_code, 302)
        second = self.client.post(EDIT_URL, editor_post(started_from, 0, title="Eddie's title"))
        self.assertEqual(second.status_code, 409)
        self.assertContains(second, "Revision 2 was saved while you were editing", status_code=409)
        self.assertContains(second, '<span class="diff_sub">Olga\'s&nbsp;title</span>', status_code=409)
        self.assertContains(second, 'name="base" value="2"', status_code=409)
        self.assertContains(second, 'value="Eddie&#x27;s title"', status_code=409)
        self.assertEqual(self.entry.revisions.count(), 2)

    def conflict_after_olga_saved(self, olga: dict, eddie: dict):
        """Olga and Eddie open the editor on the same content; Olga saves first, then Eddie."""
        other = Client()
        other.force_login(make_staff("olga"))
        started_from = snapshot_of(self.entry)
        self.assertEqual(other.post(EDIT_URL, editor_post(started_from, 0, **olga)).status_code, 302)
        response = self.client.post(EDIT_URL, editor_post(started_from, 0, **eddie))
        self.assertEqual(response.status_code, 409)
        return response

    def save_the_form_as_shown(self, response) -> Revision:
        conflict = response.context["conflict"]
        resubmitted = editor_post(conflict["merge"].snapshot, conflict["newest"].number, message="merged")
        self.assertEqual(self.client.post(EDIT_URL, resubmitted).status_code, 302)
        return self.entry.revisions.first()

    def test_fields_only_the_other_editor_changed_are_merged_in_and_saving_keeps_both_changes(self):
        response = self.conflict_after_olga_saved({"title": "Olga's title"}, {"meaning": "Eddie's meaning."})
        self.assertContains(response, "only they changed it: Title.", status_code=409)
        self.assertContains(response, "No field was changed by both of you", status_code=409)
        self.assertContains(response, 'value="Olga&#x27;s title"', status_code=409)
        self.assertNotContains(response, 'value="Title of HASH_MISMATCH"', status_code=409)
        self.assertContains(response, "Eddie&#x27;s meaning.</textarea>", status_code=409)
        self.assertNotContains(response, 'class="diff_sub"', status_code=409)
        saved = self.save_the_form_as_shown(response)
        self.assertEqual((saved.number, saved.base.number), (3, 2))
        self.assertEqual(saved.snapshot["front"]["title"], "Olga's title")
        self.assertEqual(saved.snapshot["sections"]["meaning"], "Eddie's meaning.")

    def test_only_the_fields_both_changed_are_asked_about_and_marked(self):
        response = self.conflict_after_olga_saved(
            {"title": "Olga's title", "fix": "Olga's fix."}, {"title": "Eddie's title", "meaning": "Eddie's meaning."}
        )
        self.assertContains(response, "You both changed: Title.", status_code=409)
        self.assertContains(response, "only they changed it: How to fix it.", status_code=409)
        self.assertEqual([diff.label for diff in response.context["conflict"]["diffs"]], ["Title"])
        self.assertContains(response, "both changed this field", count=1, status_code=409)
        self.assertContains(response, 'id="id_title_conflict">You and the other editor', status_code=409)
        self.assertContains(response, 'aria-describedby="id_title_conflict', status_code=409)
        self.assertContains(response, "Olga&#x27;s fix.</textarea>", status_code=409)
        saved = self.save_the_form_as_shown(response)
        self.assertEqual(saved.snapshot["sections"]["fix"], "Olga's fix.")
        self.assertEqual(saved.snapshot["sections"]["meaning"], "Eddie's meaning.")

    def test_causes_both_changed_are_flagged_on_their_fieldset(self):
        response = self.conflict_after_olga_saved(
            {"causes-0-title": "Olga's cause"}, {"causes-0-title": "Eddie's cause"}
        )
        self.assertContains(response, "You both changed: Causes.", status_code=409)
        self.assertContains(response, '<fieldset aria-describedby="causes-conflict">', status_code=409)
        self.assertContains(
            response, 'id="causes-conflict">You and revision 2 both changed the causes', status_code=409
        )

    def test_the_merge_form_saves_on_top_of_the_newest_revision(self):
        revisions.save_revision(self.entry, snapshot_of(self.entry), make_staff("olga"), 0, "")
        response = self.client.post(EDIT_URL, editor_post(snapshot_of(self.entry), 2, title="Merged title"))
        self.assertEqual(response.status_code, 302)
        newest = self.entry.revisions.first()
        self.assertEqual((newest.number, newest.base.number, newest.snapshot["front"]["title"]), (3, 2, "Merged title"))
