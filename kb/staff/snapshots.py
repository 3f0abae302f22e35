"""An entry's editable content as plain data, and back onto the database.

A snapshot has the shape of an entry file (see ``fixtures/entries/README.md``): the front
matter as a dict, the Markdown sections, and the causes as ``[title, body]`` pairs. Applying
one goes through the same code as ``load_catalogue`` (``kb.catalogue.save_entry`` and
``link_entries``), so an entry edited here ends up exactly as if its file had been loaded.
"""

from collections.abc import Iterable
from pathlib import Path

from kb.catalogue import EntryFile, link_entries, save_entry
from kb.models import Entry
from kb.serializers import signature_dict

Snapshot = dict


def snapshot_of(entry: Entry) -> Snapshot:
    front = {
        "code": entry.code,
        "tool": entry.tool.slug,
        "title": entry.title,
        "summary": entry.summary,
        "category": entry.category.slug,
        "severity": entry.severity,
        "header": entry.header,
        "quick_fix": entry.quick_fix,
        "pip_versions": entry.pip_versions,
        "verified_with": [version for version in entry.verified_with.split(", ") if version],
        "symbols": entry.symbol_list,
        "related": sorted(related.code for related in entry.related.all()),
        "refines": sorted(wrapper.code for wrapper in entry.refines.all()),
        "signatures": [signature_dict(signature) for signature in entry.signatures.all()],
    }
    return {
        "front": front,
        "sections": {name: getattr(entry, name) for name in Entry.SECTIONS},
        "causes": [[cause.title, cause.body] for cause in entry.causes.all()],
    }


def blank_snapshot() -> Snapshot:
    front = {"severity": Entry.Severity.ERROR, "signatures": []}
    return {"front": front, "sections": {name: "" for name in Entry.SECTIONS}, "causes": []}


def snapshot_of_file(entry_file: EntryFile, implied_related: Iterable[str] = ()) -> Snapshot:
    """What ``snapshot_of`` gives for the entry once this file is loaded (links to codes with no
    entry yet aside: the database cannot hold those). ``related`` goes both ways in the database,
    so ``implied_related`` adds the codes whose own files name this one."""
    front = entry_file.front
    values = {
        "code": front["code"],
        "tool": front.get("tool", "pip"),
        "title": front["title"],
        "summary": front["summary"],
        "category": front["category"],
        "severity": front.get("severity", Entry.Severity.ERROR),
        "header": front.get("header", "").strip("\n"),
        "quick_fix": front.get("quick_fix", "").strip(),
        "pip_versions": front.get("pip_versions", ""),
        "verified_with": list(front.get("verified_with", [])),
        "symbols": list(front.get("symbols", [])),
        "related": sorted(set(front.get("related", [])) | set(implied_related)),
        "refines": sorted(front.get("refines", [])),
        "signatures": [signature_spec(spec) for spec in front.get("signatures", [])],
    }
    return {
        "front": values,
        "sections": {name: entry_file.sections.get(name, "") for name in Entry.SECTIONS},
        "causes": [[title, body] for title, body in entry_file.causes],
    }


def signature_spec(spec: dict) -> dict:
    return {
        "pattern": spec["pattern"],
        "regex": spec.get("regex", False),
        "detail": spec.get("detail", ""),
        "only_if_failed": spec.get("only_if_failed", False),
    }


def entry_file_for(snapshot: Snapshot, status: str) -> EntryFile:
    front = {**snapshot["front"], "status": status}
    return EntryFile(
        path=Path(front["tool"], f"{front['code']}.md"),
        front=front,
        sections=dict(snapshot["sections"]),
        causes=[(title, body) for title, body in snapshot["causes"]],
    )


def apply_snapshot(snapshot: Snapshot, status: str) -> Entry:
    """Write the snapshot onto its entry (creating it if needed) with the given status."""
    entry_file = entry_file_for(snapshot, status)
    entry, _ = save_entry(entry_file)
    linked_codes = set(entry_file.front["related"]) | set(entry_file.front["refines"])
    linked = Entry.objects.filter(tool=entry.tool, code__in=linked_codes)
    link_entries(entry, entry_file, {other.code: other for other in linked})
    return entry
