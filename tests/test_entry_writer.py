"""Writing entry files and merging a file's changes: plain functions, no database."""

from pathlib import Path

from django.test import SimpleTestCase

from kb.catalogue import parse_entry_text
from kb.entry_writer import entry_file_text
from kb.staff.loading import merged
from kb.staff.snapshots import snapshot_of_file

FRONT = {
    "code": "HASH_MISMATCH",
    "tool": "pip",
    "title": 'A "quoted" title',
    "summary": "One sentence.",
    "category": "hash-checking",
    "severity": "error",
    "status": "published",
    "pip_versions": "",
    "verified_with": ["24.0"],
    "related": [],
    "refines": [],
    "quick_fix": "",
    "symbols": ["HashMismatch"],
    "header": 'ERROR: a line with a backslash \\ and """ three quotes\nand a second line',
    "signatures": [
        {"pattern": r"Got\s+(?P<hash>\w+)", "regex": True, "detail": "", "only_if_failed": False},
        {"pattern": r"it's a \d quote", "regex": True, "detail": "", "only_if_failed": True},
        {"pattern": "plain text", "regex": False, "detail": "", "only_if_failed": False},
    ],
}
SECTIONS = {"meaning": "It means this.", "fix": "1. Do that.", "examples": "```text\n## not a heading\n```"}
CAUSES = [["First cause", "Body one."], ["Second cause", "Body two."]]


def snapshot(front: dict, sections: dict, causes: list) -> dict:
    return {"front": front, "sections": sections, "causes": causes}


class EntryWriterTests(SimpleTestCase):
    def test_a_new_file_reads_back_as_the_content_it_was_written_from(self):
        text = entry_file_text(FRONT, SECTIONS, CAUSES, existing=None)
        read = parse_entry_text(text, Path("HASH_MISMATCH.md"))
        self.assertEqual(read.front["title"], FRONT["title"])
        self.assertEqual(read.front["header"].strip("\n"), FRONT["header"])
        self.assertEqual(
            [spec["pattern"] for spec in read.front["signatures"]],
            [r"Got\s+(?P<hash>\w+)", r"it's a \d quote", "plain text"],
        )
        self.assertEqual(read.sections["examples"], SECTIONS["examples"])
        self.assertEqual(read.causes, [tuple(pair) for pair in CAUSES])
        self.assertNotIn("quick_fix", read.front)
        self.assertNotIn("pip_versions", read.front)

    def test_a_regex_is_written_as_a_literal_string_so_its_backslashes_read_as_written(self):
        text = entry_file_text(FRONT, SECTIONS, CAUSES, existing=None)
        self.assertIn("pattern = 'Got\\s+(?P<hash>\\w+)'\nregex = true\n", text)
        self.assertIn("pattern = '''it's a \\d quote'''\nregex = true\nonly_if_failed = true\n", text)

    def test_an_edit_changes_only_its_own_line_and_keeps_comments(self):
        original = entry_file_text(FRONT, SECTIONS, CAUSES, existing=None).replace(
            "[[signatures]]", "# why this pattern\n[[signatures]]", 1
        )
        edited = entry_file_text({**FRONT, "summary": "Another sentence."}, SECTIONS, CAUSES, existing=original)
        changed = [
            (old, new) for old, new in zip(original.splitlines(), edited.splitlines(), strict=True) if old != new
        ]
        self.assertEqual(changed, [('summary = "One sentence."', 'summary = "Another sentence."')])

    def test_a_section_staff_emptied_is_left_out_and_a_new_one_takes_its_place_in_order(self):
        original = entry_file_text(FRONT, SECTIONS, CAUSES, existing=None)
        sections = {"meaning": "It means this.", "verify": "Run it again.", "examples": SECTIONS["examples"]}
        edited = entry_file_text(FRONT, sections, CAUSES, existing=original)
        headings = [line for line in edited.splitlines() if line.startswith("## ") and "not a heading" not in line]
        self.assertEqual(headings, ["## What this error means", "## Why it happens", "## How to verify", "## Examples"])


class MergeTests(SimpleTestCase):
    def setUp(self):
        text = entry_file_text(FRONT, SECTIONS, CAUSES, existing=None)
        self.base = snapshot_of_file(parse_entry_text(text, Path("HASH_MISMATCH.md")))

    def changed(self, front: dict | None = None, sections: dict | None = None, causes: list | None = None) -> dict:
        return snapshot(
            {**self.base["front"], **(front or {})},
            {**self.base["sections"], **(sections or {})},
            causes if causes is not None else self.base["causes"],
        )

    def test_the_files_changes_land_on_the_staff_edit_and_the_staff_edit_stays(self):
        live = self.changed(front={"title": "Staff title"}, causes=[["Staff cause", "Body."]])
        file = self.changed(sections={"fix": "1. The file's new fix."})
        proposal, conflicts = merged(self.base, live, file)
        self.assertEqual(proposal["front"]["title"], "Staff title")
        self.assertEqual(proposal["causes"], [["Staff cause", "Body."]])
        self.assertEqual(proposal["sections"]["fix"], "1. The file's new fix.")
        self.assertEqual(conflicts, [])

    def test_a_field_both_changed_differently_takes_the_file_and_is_named(self):
        live = self.changed(front={"title": "Staff title"}, causes=[["Staff cause", "Body."]])
        file = self.changed(front={"title": "File title"}, causes=[["File cause", "Body."]])
        proposal, conflicts = merged(self.base, live, file)
        self.assertEqual((proposal["front"]["title"], proposal["causes"]), ("File title", [["File cause", "Body."]]))
        self.assertEqual(conflicts, ["Title", "Causes"])

    def test_the_same_change_on_both_sides_is_no_conflict(self):
        both = self.changed(front={"title": "Same title"})
        self.assertEqual(merged(self.base, both, both), (both, []))
