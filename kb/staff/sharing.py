"""Storing a log a person chose to share: redacted here, whatever the page sent."""

from django.conf import settings

from kb.diagnosing import current_matcher
from kb.diagnosis import log_text, read_log, redact
from kb.staff.models import SharedLog


def share_log(data: str, note: str, reason: str) -> SharedLog:
    """Raises the engine's LogRejected subclasses for a log it cannot read."""
    diagnosis = current_matcher().diagnose(read_log(data, settings.KB_MAX_LOG_BYTES))
    return SharedLog.objects.create(
        text=log_text(diagnosis.log),
        note=redact(note)[0],
        reason=reason,
        diagnosed_code=diagnosis.matches[0].code if diagnosis.matches else "",
        pip_version=diagnosis.pip_version or "",
    )


def selected_lines(shared_log: SharedLog, numbers: list[str]) -> list[str]:
    """The log's lines with the given 1-based numbers, in log order; bad numbers are ignored."""
    lines = shared_log.text.split("\n")
    wanted = {int(number) for number in numbers if number.isdigit()}
    return [lines[number - 1] for number in sorted(wanted) if 1 <= number <= len(lines)]
