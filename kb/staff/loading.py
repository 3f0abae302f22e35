"""Loading the entry files without undoing what staff published.

Entries live in two places: the files in ``fixtures/entries/`` (reviewed in a diff) and the
database (edited and reviewed in ``/staff/``). Each entry remembers what its file held when it
was last loaded (``LoadedFile``: a hash, the content, and the entry's newest revision when the
load last found it in line with the file). For each file:

- unchanged since the last load: nothing happens;
- changed, and no staff edit is live or waiting since the last load: the file's changes are saved
  as a revision by the ``load_catalogue`` account and go live;
- changed, and staff changed the entry too: the published content stays, and a revision waits for
  a reviewer on the staff dashboard with its diff;
- changed to what is already published (a committed export): the load only notes that they agree.

A file's changes are the fields that differ between what it held at the last load and what it
holds now; they are laid over the published content (``merged``), so neither a staff edit nor a
file change is dropped. Where both changed one field, the file's value is taken and the
revision's message names the field.
"""

import copy
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import caches
from django.db import transaction

from kb.catalogue import EntryFile, check_rendering, link_entries, load_categories, read_entry_files, save_entry
from kb.models import Entry, LoadedFile, SourceReference
from kb.releases.pipsource import FIXTURE_DIR
from kb.releases.sources import load_source_references
from kb.staff import revisions
from kb.staff.diffs import FRONT_LABELS, SECTION_LABELS, FieldDiff, compare
from kb.staff.models import Revision
from kb.staff.snapshots import Snapshot, snapshot_of, snapshot_of_file

LOADER_USERNAME = "load_catalogue"
SOURCES_SYNCED_KEY = "load_catalogue:source-references"  # forgetting it only costs one full sync
PENDING = (Revision.State.DRAFT, Revision.State.SUBMITTED)
FIELD_LABELS = {**FRONT_LABELS, **SECTION_LABELS, "signatures": "Signatures", "causes": "Causes"}


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
    entries = {(entry.tool.slug, entry.code): entry for entry in Entry.objects.select_related("tool", "loaded_file")}
    implied = implied_related(files)
    new_files = [entry_file for entry_file in files if entry_key(entry_file) not in entries]
    changed_files = [
        entry_file
        for entry_file in files
        if entry_key(entry_file) in entries
        and getattr(loaded_file(entries[entry_key(entry_file)]), "content_hash", None) != content_hash(entry_file)
    ]
    check_rendering(new_files + changed_files)
    report = LoadReport(created=[entry_file.code for entry_file in new_files])
    loading = {entry_key(entry_file) for entry_file in new_files + changed_files}
    report.unchanged = [entry_file.code for entry_file in files if entry_key(entry_file) not in loading]
    report.warnings += create_entries(new_files, entries, implied)
    known = {code for _, code in entries}
    loader = None
    for entry_file in changed_files:
        entry = entries[entry_key(entry_file)]
        loader = loader or loader_account()
        snapshot = linked_only(snapshot_of_file(entry_file, implied[entry_file.code]), known)
        getattr(report, load_changed_file(entry, entry_file, snapshot, loader)).append(entry_file.code)
    report.warnings += sync_source_references()
    return report


def loaded_file(entry: Entry) -> LoadedFile | None:
    try:
        return entry.loaded_file
    except LoadedFile.DoesNotExist:
        return None


def create_entries(new_files: list[EntryFile], entries: dict, implied: dict[str, set[str]]) -> list[str]:
    """Create the entries of files loaded for the first time, then link them (related goes both
    ways); the warnings about links to codes with no entry yet."""
    for entry_file in new_files:
        entry, _ = save_entry(entry_file)
        entries[entry_key(entry_file)] = entry
    by_code = {code: entry for (_, code), entry in entries.items()}
    warnings = []
    for entry_file in new_files:
        both_ways = sorted(set(entry_file.front.get("related", [])) | implied[entry_file.code])
        linked = replace(entry_file, front={**entry_file.front, "related": both_ways})
        warnings += link_entries(by_code[entry_file.code], linked, by_code)
    for entry_file in new_files:
        entry = by_code[entry_file.code]
        remember(entry, entry_file, snapshot_of(entry), revision=0)
    return warnings


def entry_key(entry_file: EntryFile) -> tuple[str, str]:
    return entry_file.front.get("tool", "pip"), entry_file.code


def implied_related(files: list[EntryFile]) -> dict[str, set[str]]:
    """The codes whose files name each code as related: the database keeps ``related`` both ways."""
    implied: dict[str, set[str]] = {entry_file.code: set() for entry_file in files}
    for entry_file in files:
        for code in entry_file.front.get("related", []):
            implied.setdefault(code, set()).add(entry_file.code)
    return implied


def load_changed_file(entry: Entry, entry_file: EntryFile, snapshot: Snapshot, loader: AbstractBaseUser) -> str:
    """Apply or propose one changed file; the name of the report's list it belongs to."""
    before = loaded_file(entry)
    live = snapshot_of(entry)
    content, conflicts = merged(before.content if before else live, live, snapshot)
    newest = revisions.newest_revision(entry)
    in_line, outcome = newest.number if newest else 0, "unchanged"
    if content == live:
        pass
    elif changed_by_staff(entry, before.revision if before else 0, loader) or is_draft(entry_file):
        revisions.propose_file_change(entry, content, loader, loaded_message(entry_file, conflicts, waiting=True))
        in_line, outcome = before.revision if before else 0, "waiting"
    else:
        in_line = revisions.save_file_change(entry, content, loader, loaded_message(entry_file, conflicts)).number
        outcome = "updated"
    remember(entry, entry_file, snapshot, in_line)
    return outcome


def remember(entry: Entry, entry_file: EntryFile, content: Snapshot, revision: int) -> None:
    values = {"content_hash": content_hash(entry_file), "content": content, "revision": revision}
    LoadedFile.objects.update_or_create(entry=entry, defaults=values)


def is_draft(entry_file: EntryFile) -> bool:
    return entry_file.front.get("status") == Entry.Status.DRAFT


def merged(base: Snapshot, live: Snapshot, file: Snapshot) -> tuple[Snapshot, list[str]]:
    """The live content with every field the file changed since ``base`` taken from the file, and
    the labels of the fields both sides changed differently (the file's value wins there)."""
    proposal = copy.deepcopy(live)
    conflicts = []
    for part, name in snapshot_fields(file):
        was, now, theirs = (field_value(snapshot, part, name) for snapshot in (base, live, file))
        if theirs == was:
            continue
        if now not in (was, theirs):
            conflicts.append(FIELD_LABELS.get(name, name))
        if part == "causes":
            proposal["causes"] = theirs
        else:
            proposal[part][name] = theirs
    return proposal, conflicts


def snapshot_fields(snapshot: Snapshot) -> list[tuple[str, str]]:
    fields = [("front", name) for name in snapshot["front"] if name != "code"]
    return fields + [("sections", name) for name in snapshot["sections"]] + [("causes", "causes")]


def field_value(snapshot: Snapshot, part: str, name: str):
    return snapshot["causes"] if part == "causes" else snapshot[part].get(name)


def linked_only(snapshot: Snapshot, known_codes: set[str]) -> Snapshot:
    """The snapshot without links to codes that have no entry yet, as the database holds it."""
    front = dict(snapshot["front"])
    for relation in ("related", "refines"):
        front[relation] = [code for code in front[relation] if code in known_codes]
    return {**snapshot, "front": front}


def changed_by_staff(entry: Entry, in_line: int, loader: AbstractBaseUser) -> bool:
    """Is a person's edit live since the load last found the entry in line with its file, or
    waiting on top of what is live? A file version a reviewer published counts as the file's."""
    live = revisions.live_revision(entry)
    if live and live.number > in_line and live.author_id not in (None, loader.pk):
        return True
    pending = entry.revisions.filter(state__in=PENDING, number__gt=live.number if live else 0)
    return pending.exclude(author=None).exclude(author=loader).exists()


def loaded_message(entry_file: EntryFile, conflicts: list[str], waiting: bool = False) -> str:
    message = f"Loaded from {display_path(entry_file.path)}"
    if waiting:
        message += ": the file's changes on top of the published content, waiting for review"
    if conflicts:
        message += f"; staff had changed {', '.join(conflicts)} too, and the file's version is taken"
    return message


def display_path(path: Path) -> str:
    """``fixtures/entries/pip/X.md`` for the shipped files, the path as given for others."""
    parts = path.parts
    return "/".join(parts[-4:]) if parts[-4:-2] == ("fixtures", "entries") else str(path)


def waiting_file_changes() -> list[tuple[Revision, list[FieldDiff]]]:
    """The file versions waiting for review, each with its differences from what readers see now."""
    waiting = Revision.objects.filter(state=Revision.State.SUBMITTED, author__username=LOADER_USERNAME)
    return [
        (revision, compare(snapshot_of(revision.entry), revision.snapshot, "published now", "with the file's changes"))
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
