"""export_catalogue: published entries back to their files, byte for byte when nothing changed."""

import io
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase

from kb.models import Entry
from kb.staff import revisions
from kb.staff.models import Revision
from kb.staff.snapshots import snapshot_of
from tests.test_staff_revisions import changed, make_staff

ENTRIES = Path(settings.BASE_DIR) / "fixtures" / "entries"


def export(directory: Path, *arguments: str) -> str:
    out = io.StringIO()
    call_command("export_catalogue", *arguments, "--dir", str(directory), stdout=out)
    return out.getvalue()


def load(directory: Path = ENTRIES) -> str:
    out = io.StringIO()
    call_command("load_catalogue", "--dir", str(directory), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def copy_of_the_shipped_files() -> Path:
    directory = Path(tempfile.mkdtemp()) / "entries"
    shutil.copytree(ENTRIES, directory)
    return directory


class ExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load()
        cls.snapshots = {entry.code: snapshot_of(entry) for entry in Entry.objects.all()}

    def test_exporting_after_loading_the_shipped_files_reproduces_every_one_byte_for_byte(self):
        directory = copy_of_the_shipped_files()
        self.assertIn(f"0 entry files written, {Entry.objects.count()} unchanged", export(directory))
        shipped = sorted(ENTRIES.glob("*/*.md"))
        self.assertEqual(len(shipped), Entry.objects.count())
        for path in shipped:
            with self.subTest(path.name):
                self.assertEqual((directory / path.relative_to(ENTRIES)).read_bytes(), path.read_bytes())

    def test_loading_files_exported_into_an_empty_directory_changes_no_entry(self):
        directory = Path(tempfile.mkdtemp())
        shutil.copy(ENTRIES / "categories.toml", directory)
        self.assertIn(f"{Entry.objects.count()} entry files written", export(directory))
        report = load(directory)
        self.assertIn("0 entries created, 0 updated from their files", report)
        self.assertNotIn("wait for review", report)
        self.assertFalse(Revision.objects.exists())
        for entry in Entry.objects.all():
            with self.subTest(entry.code):
                self.assertEqual(snapshot_of(entry), self.snapshots[entry.code])

    def test_a_published_staff_edit_changes_only_its_own_lines_in_the_file(self):
        entry = Entry.objects.get(code="HASH_MISMATCH")
        editor, reviewer = make_staff("eddie"), make_staff("rita", "Reviewers")
        revision = revisions.save_revision(
            entry, changed(entry, title="A corrupted or swapped download"), editor, 0, ""
        )
        revisions.submit(revision, editor)
        revisions.publish(revision, reviewer)
        directory = copy_of_the_shipped_files()
        others = Entry.objects.count() - 1
        self.assertIn(f"1 entry files written, {others} unchanged: HASH_MISMATCH", export(directory))
        before = (ENTRIES / "pip" / "HASH_MISMATCH.md").read_text().splitlines()
        after = (directory / "pip" / "HASH_MISMATCH.md").read_text().splitlines()
        differing = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
        self.assertEqual(differing, [(before[3], 'title = "A corrupted or swapped download"')])
        self.assertIn("0 updated from their files", load(directory))
        self.assertEqual(Entry.objects.get(code="HASH_MISMATCH").title, "A corrupted or swapped download")

    def test_a_new_entry_gets_a_file_that_loads_back_to_the_same_content(self):
        entry = Entry.objects.get(code="HASH_MISMATCH")
        snapshot = changed(entry, title="The hash algorithm is not one pip knows", related=["HASH_MISMATCH"])
        snapshot["front"]["code"] = "HASH_ALGORITHM_UNKNOWN"
        snapshot["front"]["quick_fix"] = "python -m pip cache purge"
        snapshot["front"]["signatures"][0]["pattern"] = r"Cache entry deserial\w+ failed, entry ignored"
        snapshot["front"]["signatures"][0]["regex"] = True
        created = revisions.create_entry(snapshot, make_staff("eddie"), "").entry
        directory = copy_of_the_shipped_files()
        self.assertIn("1 entry files written", export(directory, "hash_algorithm_unknown"))
        text = (directory / "pip" / "HASH_ALGORITHM_UNKNOWN.md").read_text()
        self.assertIn("pattern = 'Cache entry deserial\\w+ failed, entry ignored'\nregex = true\n", text)
        self.assertIn('status = "draft"', text)
        report = load(directory)  # the file holds exactly the entry's content: nothing to apply or review
        self.assertIn("0 entries created, 0 updated from their files", report)
        self.assertNotIn("wait for review", report)
        self.assertEqual(created.revisions.count(), 1)

    def test_an_unknown_code_is_refused_with_a_sentence(self):
        with self.assertRaisesMessage(CommandError, "There is no pip entry with the code NOT_A_CODE."):
            export(Path(tempfile.mkdtemp()), "not_a_code")

    def test_a_broken_file_in_the_target_stops_the_export_with_its_name_and_writes_nothing(self):
        directory = copy_of_the_shipped_files()
        broken = directory / "pip" / "HASH_MISSING.md"
        broken.write_text("+++\ncode = \n+++\n")
        before = (directory / "pip" / "HASH_MISMATCH.md").read_bytes()
        with self.assertRaisesMessage(CommandError, "HASH_MISSING.md: front matter is not valid TOML"):
            export(directory)
        self.assertEqual(broken.read_text(), "+++\ncode = \n+++\n")
        self.assertEqual((directory / "pip" / "HASH_MISMATCH.md").read_bytes(), before)
