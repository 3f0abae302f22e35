"""Saving, reviewing and restoring revisions, each step written to the audit trail.

Saves are a compare-and-set on the revision number: the editor says which revision it started
from, and a save whose base is no longer the newest raises ``RevisionConflict`` instead of
overwriting. The entry row is locked while the check runs, and the unique (entry, number)
constraint stops the second of two simultaneous saves where the database has no row locks.

Publishing is checked under the same lock: only a submitted revision newer than the live one
goes live, never one its reviewer wrote (unless ``KB_ALLOW_SELF_PUBLISH``), and the revisions
it folds in stop waiting. So of two publishes at once, the newer revision ends up live.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from kb.models import Entry
from kb.staff.models import AuditEvent, Revision, SharedLog
from kb.staff.snapshots import Snapshot, apply_snapshot, blank_snapshot, snapshot_of

FIRST_EDIT_MESSAGE = "The content before its first edit in the staff editor"


class RevisionConflict(Exception):
    """Another revision was saved after the one the editor started from."""

    def __init__(self, newest: Revision) -> None:
        super().__init__(f"{newest} was saved in the meantime")
        self.newest = newest


class PublishRefused(Exception):
    """The revision may not go live; the message tells the reviewer why."""


def newest_revision(entry: Entry) -> Revision | None:
    return entry.revisions.order_by("-number").first()


def live_revision(entry: Entry) -> Revision | None:
    return entry.revisions.filter(state=Revision.State.PUBLISHED).order_by("-number").first()


def live_content(entry: Entry) -> Snapshot:
    """What readers see now: the entry's own content once published, nothing before that."""
    return snapshot_of(entry) if entry.status == Entry.Status.PUBLISHED else blank_snapshot()


def unpublished_since_live(revision: Revision) -> list[Revision]:
    """The revisions after the live one, up to this one: all their changes go live with it."""
    live = live_revision(revision.entry)
    later = revision.entry.revisions.filter(number__gt=live.number if live else 0, number__lte=revision.number)
    return list(later.select_related("author").order_by("number"))


def started_from(entry: Entry, base_number: int) -> Revision | None:
    """The revision an editor started from. Base 0 is the entry before its first edit, which
    the first save keeps as revision 1."""
    return entry.revisions.filter(number=max(base_number, 1)).first()


def editable_content(entry: Entry) -> tuple[Snapshot, int]:
    """What the editor starts from: the newest revision, or the entry itself before its first edit."""
    newest = newest_revision(entry)
    if newest is None:
        return snapshot_of(entry), 0
    return newest.snapshot, newest.number


def record(actor: AbstractBaseUser, action: str, entry: Entry | None = None, **details) -> AuditEvent:
    return AuditEvent.objects.create(actor=actor, action=action, entry=entry, **details)


@transaction.atomic
def create_entry(snapshot: Snapshot, author: AbstractBaseUser, message: str) -> Revision:
    """A new entry is a draft ``Entry`` row, hidden from readers, plus its first revision."""
    entry = apply_snapshot(snapshot, Entry.Status.DRAFT)
    revision = Revision.objects.create(entry=entry, number=1, author=author, message=message, snapshot=snapshot)
    record(author, AuditEvent.Action.CREATED, entry, revision=revision)
    return revision


@transaction.atomic
def save_revision(
    entry: Entry,
    snapshot: Snapshot,
    author: AbstractBaseUser,
    base_number: int,
    message: str,
    action: str = AuditEvent.Action.CHANGED,
) -> Revision:
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    base = newest_revision(locked)
    if (base.number if base else 0) != base_number:
        raise RevisionConflict(base)
    try:
        with transaction.atomic():
            if base is None:
                base = keep_content_before_first_edit(locked)
            revision = Revision.objects.create(
                entry=locked, number=base.number + 1, author=author, message=message, snapshot=snapshot, base=base
            )
    except IntegrityError:
        raise RevisionConflict(newest_revision(locked)) from None
    record(author, action, locked, revision=revision)
    return revision


def keep_content_before_first_edit(entry: Entry) -> Revision:
    published = entry.status == Entry.Status.PUBLISHED
    return Revision.objects.create(
        entry=entry,
        number=1,
        message=FIRST_EDIT_MESSAGE,
        snapshot=snapshot_of(entry),
        state=Revision.State.PUBLISHED if published else Revision.State.DRAFT,
        reviewed=timezone.now() if published else None,
    )


@transaction.atomic
def submit(revision: Revision, actor: AbstractBaseUser) -> None:
    revision.state = Revision.State.SUBMITTED
    revision.save(update_fields=["state"])
    record(actor, AuditEvent.Action.SUBMITTED, revision.entry, revision=revision)


@transaction.atomic
def publish(revision: Revision, reviewer: AbstractBaseUser, reviewed_as_file: bool = False) -> None:
    """Readers and the diagnosis see the revision's content from now on. Raises PublishRefused.
    ``reviewed_as_file``: an entry file's change, reviewed in the repository, published by the load."""
    entry = Entry.objects.select_for_update().get(pk=revision.entry_id)
    revision = Revision.objects.select_related("entry").get(pk=revision.pk)
    live = live_revision(entry)
    refuse_unless_publishable(revision, live)
    included = unpublished_since_live(revision)
    own = [str(earlier.number) for earlier in included if earlier.author_id == reviewer.pk and not reviewed_as_file]
    if own and not settings.KB_ALLOW_SELF_PUBLISH:
        raise PublishRefused(f"You wrote revision {', '.join(own)}: another reviewer must publish it.")
    apply_snapshot(revision.snapshot, Entry.Status.PUBLISHED)
    mark_reviewed(revision, reviewer, Revision.State.PUBLISHED, comment="")
    set_state(included[:-1], Revision.State.SUPERSEDED)
    set_state([live] if live else [], Revision.State.REPLACED)
    note = publish_note(included, live, self_published=bool(own))
    record(reviewer, AuditEvent.Action.PUBLISHED, entry, revision=revision, note=note)


def refuse_unless_publishable(revision: Revision, live: Revision | None) -> None:
    if live and live.number >= revision.number:
        raise PublishRefused(
            f"Revision {live.number} is live and is newer than revision {revision.number}. "
            f"To bring revision {revision.number} back, restore it and have the new revision reviewed."
        )
    if revision.state != Revision.State.SUBMITTED:
        raise PublishRefused(f"Revision {revision.number} is {revision.state}, not waiting for review.")


def set_state(found: list[Revision], state: str) -> None:
    Revision.objects.filter(pk__in=[revision.pk for revision in found]).exclude(state=Revision.State.REJECTED).update(
        state=state
    )


def publish_note(included: list[Revision], live: Revision | None, self_published: bool) -> str:
    notes = [f"Replaces revision {live.number}" if live else "First publication"]
    folded = [str(revision.number) for revision in included[:-1]]
    if folded:
        notes.append(f"includes the changes of revision {', '.join(folded)}")
    if self_published:
        notes.append("the reviewer wrote part of it (KB_ALLOW_SELF_PUBLISH is on)")
    return "; ".join(notes) + "."


@transaction.atomic
def save_file_change(entry: Entry, snapshot: Snapshot, loader: AbstractBaseUser, message: str) -> Revision:
    """An entry file changed while nobody changed the entry here: its change was reviewed in the
    repository, so it goes live at once, as a revision by ``loader``."""
    revision = propose_file_change(entry, snapshot, loader, message)
    publish(revision, loader, reviewed_as_file=True)
    return revision


@transaction.atomic
def propose_file_change(entry: Entry, snapshot: Snapshot, loader: AbstractBaseUser, message: str) -> Revision:
    """An entry file changed after staff changed the entry: the file's version waits for a reviewer."""
    newest = newest_revision(entry)
    revision = save_revision(entry, snapshot, loader, newest.number if newest else 0, message)
    submit(revision, loader)
    return revision


@transaction.atomic
def reject(revision: Revision, reviewer: AbstractBaseUser, comment: str) -> None:
    mark_reviewed(revision, reviewer, Revision.State.REJECTED, comment)
    record(reviewer, AuditEvent.Action.REJECTED, revision.entry, revision=revision, note=comment)


def mark_reviewed(revision: Revision, reviewer: AbstractBaseUser, state: str, comment: str) -> None:
    revision.state = state
    revision.reviewer = reviewer
    revision.reviewer_comment = comment
    revision.reviewed = timezone.now()
    revision.save(update_fields=["state", "reviewer", "reviewer_comment", "reviewed"])


def restore(revision: Revision, actor: AbstractBaseUser, base_number: int) -> Revision:
    """A new draft with an old revision's content; the history itself never changes."""
    return save_revision(
        revision.entry,
        revision.snapshot,
        actor,
        base_number,
        message=f"Restored revision {revision.number}",
        action=AuditEvent.Action.RESTORED,
    )


@transaction.atomic
def set_log_state(shared_log: SharedLog, state: str, actor: AbstractBaseUser) -> bool:
    """Move the log to ``state`` and audit it; False, with nothing recorded, if it already was there
    (two people pressing the same button at once get one audit event)."""
    moved = SharedLog.objects.filter(pk=shared_log.pk).exclude(state=state).update(state=state)
    if not moved:
        return False
    shared_log.state = state
    action = AuditEvent.Action.TRIAGED if state == SharedLog.State.TRIAGED else AuditEvent.Action.DISMISSED
    record(actor, action, shared_log=shared_log)
    return True
