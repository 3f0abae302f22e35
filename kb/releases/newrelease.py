"""What the newest pip release changed for the catalogue, against the release before it.

Entries whose header or signatures it no longer prints (with the pieces it lacks), and the
exception classes and diagnostic references that are new, gone or reworded. Stored as a
committed JSON file that the staff page shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kb.catalogue import EntryFile
from kb.releases.dating import header_lines, signature_texts
from kb.releases.matrix import FIXTURE_DIR
from kb.releases.pipsource import ReleaseChanges
from kb.releases.textindex import TextIndex

REPORT_FILE = FIXTURE_DIR / "new_release.json"


@dataclass(frozen=True)
class DroppedText:
    code: str
    kind: str  # "header" or "signature"
    text: str
    missing: list[str]  # the pieces the newest release no longer holds


@dataclass
class NewReleaseReport:
    newest: str
    previous: str
    dropped: list[DroppedText] = field(default_factory=list)
    new_exceptions: list[str] = field(default_factory=list)
    gone_exceptions: list[str] = field(default_factory=list)
    new_references: list[str] = field(default_factory=list)
    gone_references: list[str] = field(default_factory=list)
    changed_messages: list[list[str | None]] = field(default_factory=list)  # reference, old, new

    def as_text(self) -> str:
        lines = [f"pip {self.newest} against {self.previous}:"]
        lines += [f"  {d.code}: {d.kind} no longer printed: {d.text!r} (lacks {d.missing})" for d in self.dropped]
        for label in ("new_exceptions", "gone_exceptions", "new_references", "gone_references"):
            if getattr(self, label):
                lines.append(f"  {label.replace('_', ' ')}: {', '.join(getattr(self, label))}")
        lines += [f"  message of {ref} changed: {old!r} -> {new!r}" for ref, old, new in self.changed_messages]
        return "\n".join(lines if len(lines) > 1 else [*lines, "  nothing an entry quotes changed"])


def dropped_texts(files: Iterable[EntryFile], index: TextIndex, newest: str, previous: str) -> list[DroppedText]:
    dropped = []
    # Another program's text (printed_by) only shares words with pip's source by chance.
    for entry_file in (entry_file for entry_file in files if not entry_file.front.get("printed_by")):
        quoted = [("header", text) for text in header_lines(entry_file.front)]
        quoted += [("signature", text) for text in signature_texts(entry_file.front)]
        for kind, text in quoted:
            printing = index.releases_printing(text) or set()
            if previous in printing and newest not in printing:
                missing = [piece for piece in index.pieces(text) if newest not in index.releases_holding(piece)]
                dropped.append(DroppedText(entry_file.code, kind, text, missing))
    return dropped


def new_release_report(
    files: Iterable[EntryFile], index: TextIndex, changes: ReleaseChanges | None = None
) -> NewReleaseReport:
    newest, previous = index.releases[-1], index.releases[-2]
    report = NewReleaseReport(newest, previous, dropped_texts(files, index, newest, previous))
    if changes is not None:
        report.new_exceptions, report.gone_exceptions = changes.new_exceptions, changes.gone_exceptions
        report.new_references, report.gone_references = changes.new_references, changes.gone_references
        report.changed_messages = [list(change) for change in changes.changed_messages]
    return report


def write_report(report: NewReleaseReport, path: Path = REPORT_FILE) -> None:
    path.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_report(path: Path = REPORT_FILE) -> NewReleaseReport | None:
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    document["dropped"] = [DroppedText(**dropped) for dropped in document["dropped"]]
    return NewReleaseReport(**document)
