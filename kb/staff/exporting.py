"""Published entries back to their files, so an edit made in ``/staff/`` can be committed.

Loading the exported files changes nothing, and a file whose entry did not change is written
back byte for byte (see ``kb.entry_writer``).
"""

from dataclasses import dataclass, field
from pathlib import Path

from kb.catalogue import EntryFile, read_entry_files
from kb.entry_writer import entry_file_text
from kb.models import Entry
from kb.staff.loading import implied_related
from kb.staff.snapshots import snapshot_of


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        written = f": {', '.join(self.written)}" if self.written else ""
        return f"{len(self.written)} entry files written, {len(self.unchanged)} unchanged{written}"


def export_catalogue(directory: Path, entries: list[Entry]) -> ExportReport:
    files = {entry_file.code: entry_file for entry_file in read_entry_files(directory)}
    implied = implied_related(list(files.values()))
    known = set(Entry.objects.values_list("code", flat=True))
    report = ExportReport()
    for entry in entries:
        path = directory / entry.tool.slug / f"{entry.code}.md"
        existing = path.read_text(encoding="utf-8") if path.exists() else None
        snapshot = snapshot_of(entry)
        front = file_front(
            snapshot["front"], entry.status, files.get(entry.code), implied.get(entry.code, set()), known
        )
        text = entry_file_text(front, snapshot["sections"], snapshot["causes"], existing)
        if text == existing:
            report.unchanged.append(entry.code)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report.written.append(entry.code)
    return report


def file_front(front: dict, status: str, entry_file: EntryFile | None, implied: set[str], known: set[str]) -> dict:
    """The entry's front matter as its file spells it: a link keeps its place in the file's list,
    a link to a code with no entry yet stays, and a link another file already names is not repeated."""
    written = entry_file.front if entry_file else {}
    links = {}
    for relation, named_elsewhere in (("related", implied), ("refines", set())):
        own = written.get(relation, [])
        linked = set(front[relation])
        kept = [code for code in own if code in linked or code not in known]
        links[relation] = kept + sorted(linked - set(own) - named_elsewhere)
    return {**front, **links, "status": status}
