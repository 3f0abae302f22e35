"""Side-by-side differences between two snapshots, one table per field that changed."""

import difflib
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.catalogue import SECTION_FIELDS
from kb.models import Entry
from kb.staff.snapshots import Snapshot

FRONT_LABELS = {
    "title": "Title",
    "summary": "Summary",
    "category": "Category",
    "severity": "Severity",
    "header": "Error text",
    "quick_fix": "Quick fix",
    "pip_versions": "pip versions",
    "verified_with": "Verified with",
    "symbols": "Symbols",
    "related": "Related entries",
    "refines": "Refines",
}
SECTION_LABELS = {name: heading.capitalize() for heading, name in SECTION_FIELDS.items()}


@dataclass
class FieldDiff:
    label: str
    table: SafeString


def readable_fields(snapshot: Snapshot) -> dict[str, str]:
    """Every field of a snapshot as text, labelled and in the order the editor shows them."""
    front = snapshot["front"]
    fields = {}
    for name, label in FRONT_LABELS.items():
        value = front.get(name, "")
        fields[label] = "\n".join(value) if isinstance(value, list) else str(value)
    for name in Entry.SECTIONS:
        fields[SECTION_LABELS[name]] = snapshot["sections"].get(name, "")
    fields["Causes"] = "\n\n".join(f"### {title}\n{body}" for title, body in snapshot["causes"])
    fields["Signatures"] = "\n".join(signature_line(spec) for spec in front.get("signatures", []))
    return fields


def signature_line(spec: dict) -> str:
    flags = [flag for flag, on in (("regex", spec.get("regex")), ("only if failed", spec.get("only_if_failed"))) if on]
    detail = f"  detail: {spec['detail']}" if spec.get("detail") else ""
    return f"{spec['pattern']}{'  [' + ', '.join(flags) + ']' if flags else ''}{detail}"


def compare(old: Snapshot, new: Snapshot, old_label: str, new_label: str) -> list[FieldDiff]:
    before, after = readable_fields(old), readable_fields(new)
    # Line by line, as the table shows them: a browser's CRLF line ends are not a change.
    labels = [label for label in before if before[label].splitlines() != after[label].splitlines()]
    return [FieldDiff(label, side_by_side(before[label], after[label], old_label, new_label)) for label in labels]


def side_by_side(old: str, new: str, old_label: str, new_label: str) -> SafeString:
    table = difflib.HtmlDiff(wrapcolumn=60).make_table(
        old.splitlines(), new.splitlines(), escape(old_label), escape(new_label), context=True, numlines=2
    )
    # HtmlDiff escapes &, < and > in the lines it compares; the headings are escaped above.
    return mark_safe(table)  # noqa: S308
