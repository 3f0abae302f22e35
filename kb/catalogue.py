"""Entry files (``fixtures/entries/<tool>/<CODE>.md``) to database rows, and back to data.

The file format is described in ``fixtures/entries/README.md``: TOML front matter between
``+++`` lines, then one level-2 Markdown heading per section.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kb.diagnosis import Matcher
from kb.diagnosis import Signature as EngineSignature
from kb.markup_check import MarkdownRefused, render_groups_checked
from kb.models import Category, Cause, Entry, Signature, Tool

SECTION_FIELDS = {
    "what this error means": "meaning",
    "how to fix it": "fix",
    "why it happens": "causes",
    "how to verify": "verify",
    "manual triage": "triage",
    "examples": "examples",
    "background": "background",
    "prevention": "prevention",
}
SECTION_HEADINGS = {name: heading for heading, name in SECTION_FIELDS.items()}
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
EXAMPLE_OPENING = re.compile(r"(```|~~~)text[ \t]*")


class EntryFileError(ValueError):
    """An entry file that cannot be read; the message names the file and the problem."""


@dataclass
class EntryFile:
    path: Path
    front: dict
    sections: dict[str, str] = field(default_factory=dict)
    causes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.front["code"]


def parse_entry_file(path: Path) -> EntryFile:
    return parse_entry_text(path.read_text(encoding="utf-8"), path)


def parse_entry_text(text: str, path: Path) -> EntryFile:
    parts = text.split("+++", 2)
    if len(parts) != 3 or parts[0].strip():
        raise EntryFileError(f"{path}: the file must start with TOML front matter between +++ lines")
    try:
        front = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as error:
        raise EntryFileError(f"{path}: front matter is not valid TOML: {error}") from None
    for key in ("code", "title", "summary", "category"):
        if not front.get(key):
            raise EntryFileError(f"{path}: front matter needs {key!r}")
    if not CODE_PATTERN.match(front["code"]):
        raise EntryFileError(f"{path}: code {front['code']!r} is not UPPER_SNAKE_CASE")
    for key in ("code", "title", "summary"):
        # SQLite stores any length; PostgreSQL would refuse the row at load time.
        if len(front[key]) > (limit := Entry._meta.get_field(key).max_length):
            raise EntryFileError(f"{path}: {key} is {len(front[key])} characters long; at most {limit} fit")
    entry_file = EntryFile(path=path, front=front)
    for heading, body in split_sections(parts[2], level=2, source=path):
        name = SECTION_FIELDS.get(heading.lower())
        if name is None:
            raise EntryFileError(f"{path}: unknown section {heading!r}")
        if name == "causes":
            entry_file.causes = split_sections(body, level=3, source=path)
        else:
            entry_file.sections[name] = body
    return entry_file


def split_sections(markdown: str, level: int, source: Path) -> list[tuple[str, str]]:
    """Split Markdown at headings of exactly ``level``, ignoring lines inside code fences."""
    return [(heading, "\n".join(lines).strip()) for heading, lines in section_lines(markdown, level, source)]


def section_lines(markdown: str, level: int, source: Path) -> list[tuple[str, list[str]]]:
    """The headings of exactly ``level`` and the lines under each, as written."""
    marker = "#" * level + " "
    sections: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith(marker):
            sections.append((line[len(marker) :].strip(), []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip():
            raise EntryFileError(f"{source}: text before the first {marker.strip()} heading: {line[:60]!r}")
    return sections


def read_categories(path: Path) -> list[dict]:
    return tomllib.loads(path.read_text(encoding="utf-8"))["category"]


def load_categories(directory: Path) -> None:
    for position, category in enumerate(read_categories(directory / "categories.toml")):
        Category.objects.update_or_create(
            slug=category["slug"],
            defaults={"name": category["name"], "description": category.get("description", ""), "position": position},
        )


def save_entry(entry_file: EntryFile) -> tuple[Entry, bool]:
    front = entry_file.front
    tool_slug = front.get("tool", "pip")
    tool, _ = Tool.objects.get_or_create(slug=tool_slug, defaults={"name": tool_slug})
    try:
        category = Category.objects.get(slug=front["category"])
    except Category.DoesNotExist:
        raise EntryFileError(f"{entry_file.path}: unknown category {front['category']!r}") from None
    values = {
        "slug": front["code"].lower().replace("_", "-"),
        "title": front["title"],
        "summary": front["summary"],
        "category": category,
        "severity": front.get("severity", Entry.Severity.ERROR),
        "status": front.get("status", Entry.Status.PUBLISHED),
        "header": front.get("header", "").strip("\n"),
        "quick_fix": front.get("quick_fix", "").strip(),
        "pip_versions": front.get("pip_versions", ""),
        "printed_by": front.get("printed_by", ""),
        "verified_with": ", ".join(front.get("verified_with", [])),
        "symbols": " ".join(front.get("symbols", [])),
        **{name: entry_file.sections.get(name, "") for name in Entry.SECTIONS},
    }
    entry, created = Entry.objects.update_or_create(tool=tool, code=front["code"], defaults=values)
    replace_children(entry, entry_file)
    return entry, created


def replace_children(entry: Entry, entry_file: EntryFile) -> None:
    causes = [Cause(entry=entry, position=i, title=t, body=b) for i, (t, b) in enumerate(entry_file.causes)]
    signatures = [
        Signature(
            entry=entry,
            position=i,
            pattern=spec["pattern"],
            is_regex=spec.get("regex", False),
            detail=spec.get("detail", ""),
            only_if_failed=spec.get("only_if_failed", False),
        )
        for i, spec in enumerate(entry_file.front.get("signatures", []))
    ]
    if _rows(entry.causes.all(), ("title", "body")) != _rows(causes, ("title", "body")):
        entry.causes.all().delete()
        Cause.objects.bulk_create(causes)
    fields = ("pattern", "is_regex", "detail", "only_if_failed")
    if _rows(entry.signatures.all(), fields) != _rows(signatures, fields):
        entry.signatures.all().delete()
        Signature.objects.bulk_create(signatures)


def _rows(objects, fields: tuple[str, ...]) -> list[tuple]:
    return [tuple(getattr(item, name) for name in fields) for item in objects]


def link_entries(entry: Entry, entry_file: EntryFile, entries: dict[str, Entry]) -> list[str]:
    """Set related and refined entries; codes without an entry yet are skipped and reported."""
    warnings = []
    for relation in ("related", "refines"):
        codes = entry_file.front.get(relation, [])
        unknown = sorted(set(codes) - entries.keys())
        if unknown:
            warnings.append(f"{entry_file.path.name}: {relation} names codes with no entry yet: {', '.join(unknown)}")
        getattr(entry, relation).set([entries[code] for code in codes if code in entries])
    return warnings


def check_rendering(entry_files: list[EntryFile]) -> None:
    """Refuse the first file whose sections or causes would not render in time, as a staff save does."""
    groups = [
        entry_file.sections | {f"cause-{number}": body for number, (_, body) in enumerate(entry_file.causes)}
        for entry_file in entry_files
    ]
    try:
        render_groups_checked(groups)
    except MarkdownRefused as refusal:
        entry_file = entry_files[refusal.group]
        if refusal.name.startswith("cause-"):
            where = f"cause {entry_file.causes[int(refusal.name.removeprefix('cause-'))][0]!r}"
        else:
            where = f"section {SECTION_HEADINGS[refusal.name]!r}"
        raise EntryFileError(f"{entry_file.path}: {where} cannot be published: {refusal}") from None


def read_entry_files(directory: Path) -> list[EntryFile]:
    return [parse_entry_file(path) for path in sorted(directory.glob("*/*.md"))]


def engine_signatures(front: dict) -> list[EngineSignature]:
    """The engine's signatures for an entry's front matter (a file's, or a draft revision's)."""
    return [
        EngineSignature(
            code=front["code"],
            tool=front.get("tool", "pip"),
            severity=front.get("severity", Entry.Severity.ERROR),
            pattern=spec["pattern"],
            is_regex=spec.get("regex", False),
            detail=spec.get("detail", ""),
            only_if_failed=spec.get("only_if_failed", False),
            printed_by=front.get("printed_by", ""),
            key=position,
        )
        for position, spec in enumerate(front.get("signatures", []))
    ]


def matcher_from_files(directory: Path) -> tuple[Matcher, dict[str, list[str]]]:
    """A matcher of the published entry files in ``directory``, without the database, and
    the wrapper codes each code refines."""
    signatures: list[EngineSignature] = []
    refines: dict[str, list[str]] = {}
    for entry_file in read_entry_files(directory):
        if entry_file.front.get("status", Entry.Status.PUBLISHED) == Entry.Status.PUBLISHED:
            refines[entry_file.code] = entry_file.front.get("refines", [])
            signatures += engine_signatures(entry_file.front)
    return Matcher(signatures, refines), refines


def example_logs(markdown: str) -> list[str]:
    """The pip output quoted in an Examples section: its ```text (or ~~~text) blocks."""
    lines = markdown.split("\n")
    return ["".join(f"{line}\n" for line in lines[first:end]) for first, end in example_spans(lines)]


def example_spans(lines: list[str]) -> list[tuple[int, int]]:
    """Where each ```text block's content is: (first, end) indices into lines.

    One pass over the lines: a pattern that looks ahead for the closing fence is quadratic in
    an unclosed block's length.
    """
    spans: list[tuple[int, int]] = []
    fence, first = "", 0
    for number, line in enumerate(lines):
        if not fence:
            opening = EXAMPLE_OPENING.fullmatch(line)
            fence, first = (opening.group(1), number + 1) if opening else ("", 0)
        elif line.startswith(fence) and not line[len(fence) :].strip(" \t"):
            spans.append((first, number))
            fence = ""
    return spans
