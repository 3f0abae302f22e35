"""Entry files and staff edits meet: loading never undoes what staff published."""

import io
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from kb.models import Entry, LoadedFile, SourceReference
from kb.staff import revisions
from kb.staff.models import Revision
from kb.staff.snapshots import snapshot_of
from tests.test_staff_editing import editor_post
from tests.test_staff_revisions import changed, make_staff

ENTRIES = Path(settings.BASE_DIR) / "fixtures" / "entries"
HASH_FILES = ("HASH_MISMATCH", "HASH_MISSING", "HASH_UNPINNED", "VCS_HASH_UNSUPPORTED")
PAGE = "/pip/hash-mismatch/"
HISTORY = "/staff/entries/pip/HASH_MISMATCH/history/"
STAFF_TITLE = "A download that is not the file your requirements pinned"


def copy_catalogue(codes: tuple[str, ...]) -> Path:
    """A catalogue of a few shipped files, laid out like the repository's."""
    root = Path(tempfile.mkdtemp()) / "fixtures" / "entries"
    (root / "pip").mkdir(parents=True)
    shutil.copy(ENTRIES / "categories.toml", root)
    for code in codes:
        shutil.copy(ENTRIES / "pip" / f"{code}.md", root / "pip")
    return root


def load(directory: Path) -> str:
    out = io.StringIO()
    call_command("load_catalogue", "--dir", str(directory), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def edit_file(directory: Path, code: str, old: str, new: str) -> None:
    path = directory / "pip" / f"{code}.md"
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


class StaffEditsSurviveALoadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.reviewer = make_staff("rita", "Reviewers")

    def setUp(self):
        self.catalogue = copy_catalogue(HASH_FILES)
        load(self.catalogue)

    def publish_title_through_the_staff_views(self, title: str) -> None:
        entry = Entry.objects.get(code="HASH_MISMATCH")
        self.client.force_login(self.editor)
        response = self.client.post(
            "/staff/entries/pip/HASH_MISMATCH/edit/", editor_post(snapshot_of(entry), 0, title=title)
        )
        self.assertEqual(response.status_code, 302)
        number = Revision.objects.filter(entry=entry).latest("number").number
        self.client.post(f"/staff/entries/pip/HASH_MISMATCH/revisions/{number}/submit/")
        self.client.force_login(self.reviewer)
        self.client.post(f"/staff/entries/pip/HASH_MISMATCH/revisions/{number}/publish/")
        self.assertContains(self.client.get(PAGE), STAFF_TITLE)

    def test_a_published_staff_edit_is_still_on_the_page_after_loading_the_files_again(self):
        self.publish_title_through_the_staff_views(STAFF_TITLE)
        report = load(self.catalogue)
        self.assertContains(self.client.get(PAGE), STAFF_TITLE)
        self.assertIn("0 updated from their files, 4 unchanged", report)

    def test_a_file_changed_after_a_staff_edit_waits_for_review_and_leaves_the_page_alone(self):
        self.publish_title_through_the_staff_views(STAFF_TITLE)
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        report = load(self.catalogue)
        self.assertIn("1 file changes wait for review", report)
        page = self.client.get(PAGE)
        self.assertContains(page, STAFF_TITLE)
        self.assertContains(page, "pip computed the hash")
        self.assertNotContains(page, "pip worked out the hash")
        waiting = Revision.objects.get(entry__code="HASH_MISMATCH", state=Revision.State.SUBMITTED)
        self.assertEqual(waiting.author.username, "load_catalogue")
        self.assertEqual(waiting.snapshot["sections"]["meaning"][:23], "pip worked out the hash")
        dashboard = self.client.get("/staff/")
        self.assertContains(dashboard, "Entry files changed after a staff edit")
        self.assertContains(dashboard, "Loaded from fixtures/entries/pip/HASH_MISMATCH.md")
        self.assertContains(dashboard, 'aria-label="Changes in What this error means"')  # the diff itself
        self.assertNotContains(dashboard, 'aria-label="Changes in Title"')  # the staff's title stays
        self.assertNotContains(dashboard, 'aria-label="Changes in Related entries"')
        self.assertEqual(waiting.snapshot["front"]["title"], STAFF_TITLE)

    def test_a_file_change_does_not_jump_over_a_staff_draft_waiting_for_review(self):
        entry = Entry.objects.get(code="HASH_MISMATCH")
        self.client.force_login(self.editor)
        self.client.post(
            "/staff/entries/pip/HASH_MISMATCH/edit/", editor_post(snapshot_of(entry), 0, title=STAFF_TITLE)
        )
        self.client.post("/staff/entries/pip/HASH_MISMATCH/revisions/2/submit/")
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        self.assertIn("1 file changes wait for review", load(self.catalogue))
        self.assertNotContains(self.client.get(PAGE), "pip worked out the hash")
        states = dict(entry.revisions.values_list("number", "state"))
        self.assertEqual(states, {1: "published", 2: "submitted", 3: "submitted"})

    def test_a_waiting_file_version_is_proposed_once_not_on_every_load(self):
        self.publish_title_through_the_staff_views(STAFF_TITLE)
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        load(self.catalogue)
        load(self.catalogue)
        self.assertEqual(Revision.objects.filter(state=Revision.State.SUBMITTED).count(), 1)

    def test_a_reviewer_who_publishes_the_file_version_puts_the_entry_back_in_line_with_its_file(self):
        self.publish_title_through_the_staff_views(STAFF_TITLE)
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        load(self.catalogue)
        waiting = Revision.objects.get(state=Revision.State.SUBMITTED)
        self.client.post(f"/staff/entries/pip/HASH_MISMATCH/revisions/{waiting.number}/publish/")
        self.assertContains(self.client.get(PAGE), "pip worked out the hash")
        self.assertContains(self.client.get(PAGE), STAFF_TITLE)
        edit_file(self.catalogue, "HASH_MISMATCH", "pip worked out the hash", "pip hashed")
        self.assertIn("1 updated from their files", load(self.catalogue))
        self.assertContains(self.client.get(PAGE), "pip hashed")
        self.assertContains(self.client.get(PAGE), STAFF_TITLE)

    def test_a_field_both_sides_changed_takes_the_files_version_and_says_so(self):
        self.publish_title_through_the_staff_views(STAFF_TITLE)
        edit_file(self.catalogue, "HASH_MISMATCH", 'title = "Downloaded file', 'title = "The downloaded file')
        load(self.catalogue)
        waiting = Revision.objects.get(state=Revision.State.SUBMITTED)
        self.assertTrue(waiting.snapshot["front"]["title"].startswith("The downloaded file"))
        self.assertIn("staff had changed Title too", waiting.message)
        self.assertContains(self.client.get(PAGE), STAFF_TITLE)

    def test_a_file_change_nobody_competes_with_goes_live_as_a_revision_in_the_history(self):
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        report = load(self.catalogue)
        self.assertIn("1 updated from their files, 3 unchanged", report)
        self.assertContains(self.client.get(PAGE), "pip worked out the hash")
        self.client.force_login(self.editor)
        history = self.client.get(HISTORY)
        self.assertContains(history, "load_catalogue")
        self.assertContains(history, "Loaded from fixtures/entries/pip/HASH_MISMATCH.md")
        loaded = Revision.objects.get(entry__code="HASH_MISMATCH", number=2)
        self.assertEqual((loaded.state, loaded.author.username), ("published", "load_catalogue"))

    def test_each_changed_signature_flag_reaches_the_database_on_the_next_load(self):
        # One flag at a time, so that a load comparing only some of them shows.
        changes = (
            ("only_if_failed", "regex = false", "regex = false\nonly_if_failed = true", (True, False, False)),
            ("regex", "regex = false", "regex = true", (True, True, False)),
            ("detail", "detail = '''(?:unknown package|", "detail = '''(?:an unknown package|", (True, True, True)),
        )
        for flag, old, new, wanted in changes:
            with self.subTest(flag):
                edit_file(self.catalogue, "HASH_MISMATCH", old, new)
                self.assertIn("1 updated from their files", load(self.catalogue))
                signature = Entry.objects.get(code="HASH_MISMATCH").signatures.get(pattern__startswith="THESE PACKAGES")
                flags = (signature.only_if_failed, signature.is_regex, signature.detail.startswith("(?:an unknown"))
                self.assertEqual(flags, wanted)

    def test_the_load_account_cannot_log_in(self):
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        load(self.catalogue)
        loader = Revision.objects.get(number=2).author
        self.assertFalse(loader.is_active or loader.has_usable_password())

    def test_a_committed_export_of_the_staff_edit_is_taken_as_in_line_not_as_a_new_review(self):
        self.publish_title_through_the_staff_views(STAFF_TITLE)
        call_command("export_catalogue", "HASH_MISMATCH", "--dir", str(self.catalogue), stdout=io.StringIO())
        report = load(self.catalogue)
        self.assertIn("0 updated from their files", report)
        self.assertNotIn("wait for review", report)
        self.assertFalse(Revision.objects.filter(state=Revision.State.SUBMITTED).exists())
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        self.assertIn("1 updated from their files", load(self.catalogue))
        self.assertContains(self.client.get(PAGE), STAFF_TITLE)
        self.assertContains(self.client.get(PAGE), "pip worked out the hash")

    def test_a_database_loaded_before_files_were_remembered_needs_no_review_when_it_matches(self):
        LoadedFile.objects.all().delete()
        report = load(self.catalogue)
        self.assertIn("0 updated from their files, 4 unchanged", report)
        self.assertFalse(Revision.objects.exists())
        self.assertEqual(LoadedFile.objects.count(), 4)

    def test_related_links_go_both_ways_whichever_file_names_them(self):
        entry = Entry.objects.get(code="HASH_UNPINNED")
        named_by_others = {"HASH_MISMATCH", "HASH_MISSING", "VCS_HASH_UNSUPPORTED"}
        self.assertEqual(set(entry.related.values_list("code", flat=True)), named_by_others)
        edit_file(self.catalogue, "HASH_MISMATCH", "pip computed the hash", "pip worked out the hash")
        load(self.catalogue)
        self.assertEqual(set(entry.related.values_list("code", flat=True)), named_by_others)


class SourceReferencesTests(TestCase):
    def setUp(self):
        self.catalogue = copy_catalogue(HASH_FILES)
        load(self.catalogue)
        self.entry = Entry.objects.get(code="HASH_MISMATCH")

    def symbols_with_references(self) -> set[str]:
        return set(SourceReference.objects.filter(entry=self.entry).values_list("symbol", flat=True))

    def test_a_load_brings_back_references_the_database_lost(self):
        before = self.symbols_with_references()
        SourceReference.objects.filter(entry=self.entry).delete()
        load(self.catalogue)
        self.assertEqual(self.symbols_with_references(), before)

    def test_a_symbol_staff_removed_loses_its_references_at_the_next_load(self):
        self.assertIn("HashErrors", self.symbols_with_references())
        editor, reviewer = make_staff("eddie"), make_staff("rita", "Reviewers")
        symbols = [symbol for symbol in self.entry.symbol_list if symbol != "HashErrors"]
        revision = revisions.save_revision(self.entry, changed(self.entry, symbols=symbols), editor, 0, "")
        revisions.submit(revision, editor)
        revisions.publish(revision, reviewer)
        load(self.catalogue)
        self.assertNotIn("HashErrors", self.symbols_with_references())


class MakeRunTests(TestCase):
    """``make run`` twice, with a staff edit published in between, through the Makefile's own commands."""

    def run_make_run_commands(self) -> None:
        for arguments in make_run_commands():
            call_command(*arguments, stdout=io.StringIO(), stderr=io.StringIO())

    def test_running_make_run_again_keeps_a_published_local_edit(self):
        self.run_make_run_commands()
        entry = Entry.objects.get(code="HASH_MISMATCH")
        editor, reviewer = make_staff("eddie"), make_staff("rita", "Reviewers")
        self.client.force_login(editor)
        self.client.post(
            "/staff/entries/pip/HASH_MISMATCH/edit/", editor_post(snapshot_of(entry), 0, title=STAFF_TITLE)
        )
        self.client.post("/staff/entries/pip/HASH_MISMATCH/revisions/2/submit/")
        self.client.force_login(reviewer)
        self.client.post("/staff/entries/pip/HASH_MISMATCH/revisions/2/publish/")
        self.run_make_run_commands()
        self.assertContains(self.client.get(PAGE), STAFF_TITLE)


def make_run_commands() -> list[list[str]]:
    """The ``manage.py`` commands of the Makefile's ``run`` target, the server itself left out."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    commands = [line.split("manage.py", 1)[1].split() for line in recipe.splitlines() if "manage.py" in line]
    assert ["load_catalogue"] in commands, commands
    return [command for command in commands if command[0] != "runserver"]
