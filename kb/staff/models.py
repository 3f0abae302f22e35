"""The staff workflow's records: entry revisions, the audit trail, shared logs, root-cause counts,
readers' "was this helpful?" votes, and the diagnoses readers shared by link.

Revisions and audit events are never deleted: their default permissions leave out ``delete``
and every foreign key to them or from them protects the row.
"""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kb.models import Entry


class Revision(models.Model):
    """One saved version of an entry's editable content, as a snapshot (see ``kb.staff.snapshots``)."""

    class State(models.TextChoices):
        DRAFT = "draft"
        SUBMITTED = "submitted"
        PUBLISHED = "published"
        REJECTED = "rejected"
        REPLACED = "replaced", "published, then replaced by a newer revision"
        SUPERSEDED = "superseded", "never published; a newer revision went live"

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="empty for the content the entry had before its first edit here",
    )
    created = models.DateTimeField(auto_now_add=True)
    message = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    snapshot = models.JSONField()
    base = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="the revision the editor started from",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    reviewer_comment = models.TextField(blank=True)
    reviewed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry", "-number"]
        default_permissions = ("add", "change", "view")
        permissions = [("publish_revision", "Can publish or reject a submitted revision")]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="one_revision_number_per_entry")]

    def __str__(self) -> str:
        return f"{self.entry.code} revision {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("staff:history", args=[self.entry.tool.slug, self.entry.code]) + f"#revision-{self.number}"


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created"
        CHANGED = "changed"
        SUBMITTED = "submitted"
        PUBLISHED = "published"
        REJECTED = "rejected"
        RESTORED = "restored"
        TRIAGED = "triaged"
        DISMISSED = "dismissed"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_events")
    action = models.CharField(max_length=10, choices=Action.choices)
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    shared_log = models.ForeignKey(
        "SharedLog", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.entry or self.shared_log}"


class SharedLogQuerySet(models.QuerySet):
    def waiting(self) -> "SharedLogQuerySet":
        return self.filter(state=SharedLog.State.NEW)


EXCERPT_LINES = 5
EXCERPT_LINE_CHARS = 300


# How other installers say something failed: uv's "× ", Poetry's "Error:" or exception name
# ("SolverProblemError"), conda's and npm's own forms.
OTHER_TOOL_ERROR = re.compile(r"(?:(?i:error)[:!]|× |npm ERR!|[A-Z]\w*Error\b)")


def error_excerpt(text: str) -> str:
    """The log's first few ERROR lines (another installer's error lines when pip printed none),
    each cut short: what the queue shows of it."""
    lines = [line.strip() for line in text.split("\n")]
    chosen = [line for line in lines if line.startswith("ERROR:")] or list(filter(OTHER_TOOL_ERROR.match, lines))
    return "\n".join(line[:EXCERPT_LINE_CHARS] for line in chosen[:EXCERPT_LINES])


class SharedLog(models.Model):
    """A log a person chose to share with support; only its redacted text is stored."""

    class State(models.TextChoices):
        NEW = "new"
        TRIAGED = "triaged"
        DISMISSED = "dismissed"

    class Reason(models.TextChoices):
        UNMATCHED = "unmatched", "nothing matched"
        WRONG = "wrong", "the diagnosis was wrong"
        FEEDBACK = "feedback", "a reader's comment on a page"

    text = models.TextField()
    error_excerpt = models.TextField(blank=True, help_text="its first ERROR lines, cut short, for the queue")
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    diagnosed_code = models.CharField(max_length=80, blank=True, help_text="the root cause we reported, if any")
    pip_version = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = SharedLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        default_permissions = ("change", "view")

    def __str__(self) -> str:
        return f"shared log {self.pk} ({self.get_reason_display()})"

    def get_absolute_url(self) -> str:
        return reverse("staff:shared_log", args=[self.pk])


class RootCauseCount(models.Model):
    """How many diagnoses on one day had this code as their root cause; no log is kept."""

    code = models.CharField(max_length=80)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "code"]
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["code", "day"], name="one_count_per_code_and_day")]

    def __str__(self) -> str:
        return f"{self.code} on {self.day}: {self.count}"


class Feedback(models.Model):
    """One reader's answer to "Was this helpful?" about an entry, on its page or as a diagnosis."""

    class Place(models.TextChoices):
        ENTRY = "entry", "entry page"
        DIAGNOSIS = "diagnosis", "diagnosis"

    code = models.CharField(max_length=80, help_text="the entry the reader judged")
    place = models.CharField(max_length=10, choices=Place.choices)
    helpful = models.BooleanField()
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.code} ({self.place}): {'helpful' if self.helpful else 'not helpful'}"


class SharedDiagnosisQuerySet(models.QuerySet):
    def live(self) -> "SharedDiagnosisQuerySet":
        return self.filter(expires__gt=timezone.now())


class SharedDiagnosis(models.Model):
    """A diagnosis a reader chose to share by link: its findings (matched lines already without
    secrets, facts, versions), never the log. Anyone holding the delete key may remove it."""

    token = models.CharField(max_length=32, unique=True)
    delete_key_hash = models.CharField(max_length=64, help_text="SHA-256 of the key in the delete link")
    report = models.JSONField(help_text="the API's diagnosis, with each finding's quick fix")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(db_index=True)

    objects = SharedDiagnosisQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "shared diagnoses"

    def __str__(self) -> str:
        return f"shared diagnosis {self.token}"

    def get_absolute_url(self) -> str:
        return reverse("kb:shared_diagnosis", args=[self.token])
