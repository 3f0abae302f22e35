import io
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings

from kb.catalogue import EntryFileError, parse_entry_file
from kb.models import Entry

ENTRIES = Path(settings.BASE_DIR) / "fixtures" / "entries"

GOOD_FILE = """+++
code = "HASH_MISSING"
title = "Hashes are required but missing"
summary = "One requirement has no hash."
category = "hash-checking"
related = ["HASH_MISMATCH", "NOT_WRITTEN_YET"]

[[signatures]]
pattern = "Hashes are required in --require-hashes mode"
+++

## What this error means
It means this.

```console
## not a heading: a comment inside a fence
```

## Why it happens
### First cause
Body one.
### Second cause
Body two.
"""


def write(tmp: Path, text: str) -> Path:
    path = tmp / "pip" / "HASH_MISSING.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


class EntryFileTests(SimpleTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def test_sections_and_causes_are_split_at_their_headings_but_not_inside_fences(self):
        entry_file = parse_entry_file(write(self.tmp, GOOD_FILE))
        self.assertIn("## not a heading", entry_file.sections["meaning"])
        self.assertEqual([title for title, _ in entry_file.causes], ["First cause", "Second cause"])

    def test_a_file_without_front_matter_is_refused_with_its_name(self):
        with self.assertRaisesMessage(EntryFileError, "HASH_MISSING.md: the file must start with TOML"):
            parse_entry_file(write(self.tmp, "## What this error means\nx"))

    def test_an_unknown_section_is_refused(self):
        with self.assertRaisesMessage(EntryFileError, "unknown section 'Wht this means'"):
            parse_entry_file(write(self.tmp, GOOD_FILE + "\n## Wht this means\n"))

    def test_a_code_that_is_not_upper_snake_case_is_refused(self):
        with self.assertRaisesMessage(EntryFileError, "is not UPPER_SNAKE_CASE"):
            parse_entry_file(write(self.tmp, GOOD_FILE.replace('"HASH_MISSING"', '"hash-missing"')))

    def test_a_summary_longer_than_the_database_keeps_is_refused_on_any_database(self):
        with self.assertRaisesMessage(EntryFileError, "HASH_MISSING.md: summary is 301 characters long; at most 300"):
            parse_entry_file(write(self.tmp, GOOD_FILE.replace("One requirement has no hash.", "x" * 301)))

    def test_every_shipped_entry_file_parses(self):
        paths = sorted(ENTRIES.glob("*/*.md"))
        self.assertGreater(len(paths), 0)
        for path in paths:
            with self.subTest(path=path.name):
                entry_file = parse_entry_file(path)
                self.assertEqual(path.stem, entry_file.code)


class LoadCatalogueTests(TestCase):
    def load(self) -> str:
        out, err = io.StringIO(), io.StringIO()
        call_command("load_catalogue", stdout=out, stderr=err)
        return out.getvalue() + err.getvalue()

    def test_loading_twice_creates_nothing_new(self):
        first = self.load()
        count = Entry.objects.count()
        second = self.load()
        self.assertIn(f"{count} entries created", first)
        self.assertIn(f"0 entries created, 0 updated from their files, {count} unchanged", second)
        self.assertEqual(Entry.objects.count(), count)

    def test_a_broken_file_stops_the_load_with_its_name(self):
        tmp = Path(tempfile.mkdtemp())
        (tmp / "categories.toml").write_text((ENTRIES / "categories.toml").read_text())
        write(tmp, "no front matter")
        with self.assertRaisesMessage(CommandError, "HASH_MISSING.md"):
            call_command("load_catalogue", "--dir", str(tmp), stdout=io.StringIO())

    def load_one_file(self, text: str) -> None:
        tmp = Path(tempfile.mkdtemp())
        (tmp / "categories.toml").write_text((ENTRIES / "categories.toml").read_text())
        write(tmp, text)
        call_command("load_catalogue", "--dir", str(tmp), stdout=io.StringIO(), stderr=io.StringIO())

    def test_a_file_whose_section_cannot_render_is_refused_with_the_reason_and_nothing_is_loaded(self):
        with self.assertRaises(CommandError) as refused:
            self.load_one_file(GOOD_FILE.replace("It means this.", "1. " * 1000))
        self.assertIn("HASH_MISSING.md: section 'what this error means' cannot be published", str(refused.exception))
        self.assertIn("nest too deeply", str(refused.exception))
        self.assertFalse(Entry.objects.exists())

    @override_settings(KB_MARKDOWN_RENDER_SECONDS=1)
    def test_a_file_whose_cause_renders_too_slowly_is_refused_with_the_reason(self):
        with self.assertRaisesMessage(CommandError, "cause 'Second cause' cannot be published: It takes more than"):
            self.load_one_file(GOOD_FILE.replace("Body two.", "[" * 19_000))

    def test_a_changed_file_that_cannot_render_leaves_the_loaded_entry_alone(self):
        self.load_one_file(GOOD_FILE)
        with self.assertRaisesMessage(CommandError, "cannot be published"):
            self.load_one_file(GOOD_FILE.replace("Body one.", "1. " * 1000))
        self.assertEqual(Entry.objects.get(code="HASH_MISSING").causes.first().body, "Body one.")

    def test_links_to_entries_not_written_yet_are_reported_not_fatal(self):
        tmp = Path(tempfile.mkdtemp())
        (tmp / "categories.toml").write_text((ENTRIES / "categories.toml").read_text())
        write(tmp, GOOD_FILE)
        err = io.StringIO()
        call_command("load_catalogue", "--dir", str(tmp), stdout=io.StringIO(), stderr=err)
        self.assertIn("NOT_WRITTEN_YET", err.getvalue())
        self.assertEqual(Entry.objects.get(code="HASH_MISSING").causes.count(), 2)
