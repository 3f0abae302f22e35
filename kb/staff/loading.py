"""Loading the entry files without undoing what staff published.

Entries live in two places: the files in ``fixtures/entries/`` (reviewed in a diff) and the
database (edited and reviewed in ``/staff/``). Each entry remembers the hash of its file's
content when it was last loaded (``Entry.file_hash``) and its newest revision when the load
last found it in line with the file (``Entry.loaded_revision``). For each file:

- unchanged since the last load: nothing happens (no query beyond reading the entries);
- changed, and no staff revision was published since the last load: the file's content is saved
  as a revision by the ``load_catalogue`` user and goes live;
- changed, and staff published since: the published content stays, and the file's content waits
  for a reviewer as a submitted revision (the staff dashboard shows the diff).

A file whose content is already the entry's (an export that was committed) only updates the
two marks.
"""

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import caches
from django.db import transaction

from kb.catalogue import EntryFile, link_entries, load_categories, read_entry_files, save_entry
from kb.models import Entry, SourceReference
from kb.releases.pipsource import FIXTURE_DIR
from kb.releases.sources import load_source_references
from kb.staff import revisions
from kb.staff.diffs import FieldDiff, compare
from kb.staff.models import Revision
from kb.staff.snapshots import Snapshot, snapshot_of, snapshot_of_file

LOADER_USERNAME = "load_catalogue"
SOURCES_SYNCED_KEY = "load_catalogue:source-references"  # forgetting it only costs one full sync
PENDING = (Revision.State.DRAFT, Revision.State.SUBMITTED)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = f"{len(self.created)} entries created, {len(self.updated)} updated from their files"
        if not self.waiting:
            return f"{counts}, {len(self.unchanged)} unchanged"
        waiting = f"{len(self.waiting)} file changes wait for review in /staff/: {', '.join(self.waiting)}"
        return f"{counts}, {len(self.unchanged)} unchanged; {waiting} (staff had changed these entries)"


def loader_account() -> AbstractBaseUser:
    """The author of the revisions a load writes; it cannot log in."""
    user, created = get_user_model().objects.get_or_create(username=LOADER_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def content_hash(entry_file: EntryFile) -> str:
    content = {"status": entry_file.front.get("status", Entry.Status.PUBLISHED), **snapshot_of_file(entry_file)}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def load_catalogue(directory: Path) -> LoadReport:
    load_categories(directory)
    files = read_entry_files(directory)
    entries = {(entry.tool.slug, entry.code): entry for entry in Entry.objects.select_related("tool")}
    implied = implied_related(files)
    new_files = [entry_file for entry_file in files if entry_key(entry_file) not in entries]
    report = LoadReport(created=[entry_file.code for entry_file in new_files])
    report.warnings += create_entries(new_files, entries, implied)
    known = {code for _, code in entries}
    loader = None
    for entry_file in (entry_file for entry_file in files if entry_file.code not in report.created):
        entry = entries[entry_key(entry_file)]
        if entry.file_hash == content_hash(entry_file):
            report.unchanged.append(entry_file.code)
            continue
        loader = loader or loader_account()
        snapshot = linked_only(snapshot_of_file(entry_file, implied[entry_file.code]), known)
        getattr(report, load_changed_file(entry, entry_file, snapshot, loader)).append(entry_file.code)
    report.warnings += sync_source_references()
    return report


def create_entries(new_files: list[EntryFile], entries: dict, implied: dict[str, set[str]]) -> list[str]:
    """Create the entries of files loaded for the first time, then link them (related goes both
    ways); the warnings about links to codes with no entry yet."""
    for entry_file in new_files:
        entries[entry_key(entry_file)] = create_entry(entry_file)
    by_code = {code: entry for (_, code), entry in entries.items()}
    warnings = []
    for entry_file in new_files:
        both_ways = sorted(set(entry_file.front.get("related", [])) | implied[entry_file.code])
        linked = replace(entry_file, front={**entry_file.front, "related": both_ways})
        warnings += link_entries(by_code[entry_file.code], linked, by_code)
    return warnings


def entry_key(entry_file: EntryFile) -> tuple[str, str]:
    return entry_file.front.get("tool", "pip"), entry_file.code


def create_entry(entry_file: EntryFile) -> Entry:
    entry, _ = save_entry(entry_file)
    entry.file_hash = content_hash(entry_file)
    entry.save(update_fields=["file_hash"])
    return entry


def implied_related(files: list[EntryFile]) -> dict[str, set[str]]:
    """The codes whose files name each code as related: the database keeps ``related`` both ways."""
    implied: dict[str, set[str]] = {entry_file.code: set() for entry_file in files}
    for entry_file in files:
        for code in entry_file.front.get("related", []):
            implied.setdefault(code, set()).add(entry_file.code)
    return implied


def load_changed_file(entry: Entry, entry_file: EntryFile, snapshot: Snapshot, loader: AbstractBaseUser) -> str:
    """Apply or propose one changed file; the name of the report's list it belongs to."""
    newest = revisions.newest_revision(entry)
    outcome = "unchanged"
    if snapshot == snapshot_of(entry):
        entry.loaded_revision = newest.number if newest else 0
    elif changed_by_staff(entry, loader) or entry_file.front.get("status") == Entry.Status.DRAFT:
        revisions.propose_file_change(entry, snapshot, loader, loaded_message(entry_file, waiting=True))
        outcome = "waiting"
    else:
        revision = revisions.save_file_change(entry, snapshot, loader, loaded_message(entry_file))
        entry.loaded_revision = revision.number
        outcome = "updated"
    entry.file_hash = content_hash(entry_file)
    entry.save(update_fields=["file_hash", "loaded_revision"])
    return outcome


def linked_only(snapshot: Snapshot, known_codes: set[str]) -> Snapshot:
    """The snapshot without links to codes that have no entry yet, as the database holds it."""
    front = dict(snapshot["front"])
    for relation in ("related", "refines"):
        front[relation] = [code for code in front[relation] if code in known_codes]
    return {**snapshot, "front": front}


def changed_by_staff(entry: Entry, loader: AbstractBaseUser) -> bool:
    """Is a person's edit live since the load last matched the file, or waiting on top of what is live?
    A file version a reviewer published counts as the file's."""
    live = revisions.live_revision(entry)
    if live and live.number > entry.loaded_revision and live.author_id not in (None, loader.pk):
        return True
    pending = entry.revisions.filter(state__in=PENDING, number__gt=live.number if live else 0)
    return pending.exclude(author=None).exclude(author=loader).exists()


def loaded_message(entry_file: EntryFile, waiting: bool = False) -> str:
    message = f"Loaded from {display_path(entry_file.path)}"
    if waiting:
        message += "; waiting for review, not published"
    return message


def display_path(path: Path) -> str:
    """``fixtures/entries/pip/X.md`` for the shipped files, the path as given for others."""
    parts = path.parts
    return "/".join(parts[-4:]) if parts[-4:-2] == ("fixtures", "entries") else str(path)


def waiting_file_changes() -> list[tuple[Revision, list[FieldDiff]]]:
    """The file versions waiting for review, each with its differences from what readers see now."""
    waiting = Revision.objects.filter(state=Revision.State.SUBMITTED, author__username=LOADER_USERNAME)
    return [
        (revision, compare(snapshot_of(revision.entry), revision.snapshot, "published now", "the file"))
        for revision in waiting.select_related("entry__tool", "entry__category").order_by("entry__code", "number")
    ]


def sync_source_references() -> list[str]:
    """Sync the entries' source references when their symbols, the synced releases or the rows
    changed since the last load (that sync is most of a load's time); warn about symbols no
    release defines."""
    if caches["shared"].get(SOURCES_SYNCED_KEY) == sources_fingerprint():
        return []
    missing = load_source_references(Entry.objects.all()).missing
    caches["shared"].set(SOURCES_SYNCED_KEY, sources_fingerprint(), timeout=None)
    return [
        f"{code}: symbol {symbol} is in no synced pip release (run sync_pip_sources --all-minors --save-fixtures)"
        for code, symbol in sorted(missing)
    ]


def sources_fingerprint() -> str:
    """Changes with the entries' symbols, the release fixtures, and the rows (a restored or
    rolled-back database, a shared cache that outlived it)."""
    state = [sorted(Entry.objects.values_list("code", "symbols")), SourceReference.objects.count()]
    fingerprint = hashlib.sha256(json.dumps(state).encode())
    for path in sorted(FIXTURE_DIR.glob("*.json")):
        fingerprint.update(path.read_bytes())
    return fingerprint.hexdigest()
