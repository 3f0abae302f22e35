"""A three-way merge of two editors' versions of an entry, field by field.

When someone saved while another person was editing, each field is compared with the revision
both started from: a field only one side changed takes that side's value, and only a field both
changed (differently) needs a person to decide. Text compares line by line, so a browser's CRLF
line ends never count as a change.
"""

import copy
from dataclasses import dataclass

from kb.models import Entry
from kb.staff.diffs import FRONT_LABELS, SECTION_LABELS
from kb.staff.snapshots import Snapshot

FieldPath = tuple[str, ...]
FIELD_LABELS: dict[FieldPath, str] = {
    **{("front", name): label for name, label in FRONT_LABELS.items()},
    **{("sections", name): SECTION_LABELS[name] for name in Entry.SECTIONS},
    ("causes",): "Causes",
    ("front", "signatures"): "Signatures",
}


@dataclass
class Merge:
    snapshot: Snapshot
    theirs_taken: list[FieldPath]  # the fields only the other person changed
    both_changed: list[FieldPath]  # the fields both changed; the merge holds this person's version

    @property
    def theirs_taken_labels(self) -> list[str]:
        return [FIELD_LABELS[path] for path in self.theirs_taken]

    @property
    def both_changed_labels(self) -> list[str]:
        return [FIELD_LABELS[path] for path in self.both_changed]

    @property
    def both_changed_names(self) -> set[str]:
        """The editor's names for those fields: a form field's, or "causes" and "signatures"."""
        return {path[-1] for path in self.both_changed}


def merge_snapshots(base: Snapshot | None, mine: Snapshot, theirs: Snapshot) -> Merge:
    """``mine`` with the other person's changes folded in. Without ``base`` every difference
    counts as changed by both."""
    merged = copy.deepcopy(mine)
    merge = Merge(merged, [], [])
    for path in FIELD_LABELS:
        own, other = value_at(mine, path), value_at(theirs, path)
        if same(own, other):
            continue
        if base is not None and same(own, value_at(base, path)):
            set_value(merged, path, copy.deepcopy(other))
            merge.theirs_taken.append(path)
        elif base is None or not same(other, value_at(base, path)):
            merge.both_changed.append(path)
    return merge


def value_at(snapshot: Snapshot, path: FieldPath) -> object:
    found = snapshot
    for key in path:
        found = found.get(key, "")
    return found


def set_value(snapshot: Snapshot, path: FieldPath, value: object) -> None:
    *parents, last = path
    target = snapshot
    for key in parents:
        target = target[key]
    target[last] = value


def same(one: object, other: object) -> bool:
    return comparable(one) == comparable(other)


def comparable(value: object) -> object:
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    return value
