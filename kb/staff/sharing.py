"""Storing a log a person chose to share: redacted here, whatever the page sent.

The queue is bounded: a shared log may be at most ``KB_SHARED_LOG_MAX_BYTES``, and while
``KB_SHARED_LOG_QUEUE_LIMIT`` logs wait for triage no more are taken, so anonymous sharing can
fill neither the database nor the staff's pages.
"""

from django.conf import settings

from kb.diagnosing import engine_diagnosis
from kb.diagnosis import log_text, read_log, redact
from kb.staff.models import Feedback, SharedLog, error_excerpt


class ShareRefused(Exception):
    """The log cannot be shared now; the message says why, for the person sharing it."""


def share_log(data: str, note: str, reason: str) -> SharedLog:
    """Raises ShareRefused, or the engine's LogRejected subclasses for a log it cannot read."""
    refuse_unless_room(len(data.encode()))
    diagnosis = engine_diagnosis(read_log(data, settings.KB_MAX_LOG_BYTES))
    text, note = log_text(diagnosis.log), redact(note)[0]
    # A second click, or a reload of the answer, sends the same share again: it waits once.
    waiting = SharedLog.objects.waiting().filter(text=text, note=note, reason=reason).first()
    if waiting:
        return waiting
    return SharedLog.objects.create(
        text=text,
        error_excerpt=error_excerpt(text),
        note=note,
        reason=reason,
        diagnosed_code=diagnosis.matches[0].code if diagnosis.matches else "",
        pip_version=diagnosis.pip_version or "",
    )


def refuse_unless_room(size: int) -> None:
    limit = settings.KB_SHARED_LOG_MAX_BYTES
    if size > limit:
        raise ShareRefused(
            f"A shared log may be at most {limit // 1024:,} KB and this one is {size / 1024:,.0f} KB. "
            "Share the part from the first error to the end; the diagnosis itself takes the whole log."
        )
    if SharedLog.objects.waiting().count() >= settings.KB_SHARED_LOG_QUEUE_LIMIT:
        raise ShareRefused("Support has too many shared logs to read right now. Please try again tomorrow.")


def selected_lines(shared_log: SharedLog, numbers: list[str]) -> list[str]:
    """The log's lines with the given 1-based numbers, in log order; bad numbers are ignored."""
    lines = shared_log.text.split("\n")
    wanted = {int(number) for number in numbers if number.isdecimal()}
    return [lines[number - 1] for number in sorted(wanted) if 1 <= number <= len(lines)]


def line_choice_problem(shared_log: SharedLog, numbers: list[str]) -> str:
    """Why these line numbers cannot make a signature, for the person who ticked them; "" if they can."""
    if not numbers:
        return f"Tick the lines of shared log {shared_log.pk} that show the error, then add the signature."
    count = shared_log.text.count("\n") + 1
    unknown = [number for number in numbers if not (number.isdecimal() and 1 <= int(number) <= count)]
    if unknown:
        return f"Shared log {shared_log.pk} has lines 1 to {count}; there is no line “{unknown[0]}”."
    return ""


def record_feedback(code: str, place: str, helpful: bool, comment: str, counted: bool) -> None:
    """Counts the vote (once: ``counted`` says the comment follows a vote already counted) and
    puts a comment in the shared-logs queue for the reviewers. Raises ShareRefused when full."""
    if not counted:
        Feedback.objects.create(code=code, place=place, helpful=helpful)
    if comment.strip():
        refuse_unless_room(len(comment.encode()))
        verdict = "helpful" if helpful else "not helpful"
        SharedLog.objects.create(
            text=redact(comment)[0],
            note=f"A reader found the {Feedback.Place(place).label} for {code} {verdict}.",
            reason=SharedLog.Reason.FEEDBACK,
            diagnosed_code=code,
        )
