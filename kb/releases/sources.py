"""Entries' source references: one row per entry, symbol and synced pip release."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kb.models import Entry, SourceReference
from kb.pagecache import content_changed
from kb.releases.pipsource import FIXTURE_DIR, Definition, fixture_versions, read_fixture, read_snippets
from kb.versions import version_key

FindDefinition = Callable[[str], Definition | None]
REFERENCE_FIELDS = ("path", "start_line", "end_line", "snippet", "version_key")


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    missing: set[tuple[str, str]] = field(default_factory=set)  # (entry code, symbol) the release lacks

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed

    @classmethod
    def total(cls, results: Sequence["SyncResult"]) -> "SyncResult":
        """The sum over releases; `missing` is then what no release defines."""
        return cls(
            created=sum(result.created for result in results),
            updated=sum(result.updated for result in results),
            removed=sum(result.removed for result in results),
            unchanged=sum(result.unchanged for result in results),
            missing=set.intersection(*(result.missing for result in results)) if results else set(),
        )

    def __str__(self) -> str:
        return (
            f"{self.changed} changed ({self.created} created, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged)"
        )


def sync_release(entries: Sequence[Entry], version: str, find: FindDefinition) -> SyncResult:
    """Make the entries' rows for one release match where it defines their symbols.

    A symbol the release does not define gets no row, and a row for a symbol the entry
    no longer names, or the release no longer defines, is removed.
    """
    existing = {
        (reference.entry_id, reference.symbol): reference
        for reference in SourceReference.objects.filter(entry__in=entries, pip_version=version)
    }
    result = SyncResult()
    to_create: list[SourceReference] = []
    to_update: list[SourceReference] = []
    for entry in entries:
        for symbol in dict.fromkeys(entry.symbol_list):
            definition = find(symbol)
            if definition is None:
                result.missing.add((entry.code, symbol))
                continue
            wanted = reference_values(definition, version)
            reference = existing.pop((entry.pk, symbol), None)
            if reference is None:
                to_create.append(SourceReference(entry=entry, pip_version=version, symbol=symbol, **wanted))
            elif any(getattr(reference, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(reference, name, value)
                to_update.append(reference)
            else:
                result.unchanged += 1
    removed = list(existing.values())
    with transaction.atomic():
        SourceReference.objects.bulk_create(to_create)
        SourceReference.objects.bulk_update(to_update, REFERENCE_FIELDS)
        SourceReference.objects.filter(pk__in=[reference.pk for reference in removed]).delete()
        # Bulk writes send no signals: touch the entries so their cached pages are rendered anew.
        touched = {reference.entry_id for reference in to_create + to_update + removed}
        Entry.objects.filter(pk__in=touched).update(updated=timezone.now())
    content_changed()
    result.created, result.updated, result.removed = len(to_create), len(to_update), len(existing)
    return result


def reference_values(definition: Definition, version: str) -> dict[str, str | int]:
    return {
        "path": definition.path,
        "start_line": definition.start_line,
        "end_line": definition.end_line,
        "snippet": definition.snippet,
        "version_key": version_key(version),
    }


def load_source_references(entries: Iterable[Entry], directory: Path = FIXTURE_DIR) -> SyncResult:
    """Create the entries' rows for every release in the fixtures, offline."""
    entries = list(entries)
    snippets = read_snippets(directory)
    return SyncResult.total(
        [
            sync_release(entries, version, read_fixture(directory, version, snippets).get)
            for version in fixture_versions(directory)
        ]
    )
