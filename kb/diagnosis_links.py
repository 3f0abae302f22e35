"""A diagnosis a reader chose to share: the findings as the API reports them, never the log.

The result page carries the diagnosis signed (so a link can only ever show what this site
diagnosed, not text someone made up); "Copy a link" stores it with an expiry and a secret
delete key, of which only a hash is kept.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from kb.diagnosing import Report, report_dict
from kb.staff.models import SharedDiagnosis

SIGNING_SALT = "kb.shared-diagnosis"
# A result page may be shared within a day of the diagnosis.
SIGNED_FOR_SECONDS = 24 * 3600


def shareable_report(report: Report, base_url: str) -> dict:
    shared = report_dict(report, base_url)
    for match, finding in zip(shared["matches"], report.findings, strict=True):
        match["quick_fix"] = finding.quick_fix
    return shared


def signed_report(shared: dict) -> str:
    return signing.dumps(shared, salt=SIGNING_SALT, compress=True)


def unsigned_report(value: str) -> dict:
    """Raises signing.BadSignature (or its SignatureExpired) for anything this site did not sign."""
    return signing.loads(value, salt=SIGNING_SALT, max_age=SIGNED_FOR_SECONDS)


def delete_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def store(shared: dict) -> tuple[SharedDiagnosis, str]:
    """Keeps the diagnosis; returns it and its delete key, which is not stored and shown only once."""
    SharedDiagnosis.objects.filter(expires__lte=timezone.now()).delete()
    key = secrets.token_urlsafe(24)
    stored = SharedDiagnosis.objects.create(
        token=secrets.token_urlsafe(12),
        delete_key_hash=delete_key_hash(key),
        report=shared,
        expires=timezone.now() + timedelta(days=settings.KB_SHARED_DIAGNOSIS_DAYS),
    )
    return stored, key


def may_delete(stored: SharedDiagnosis, key: str) -> bool:
    return secrets.compare_digest(stored.delete_key_hash, delete_key_hash(key))


def fenced(text: str, language: str = "text") -> str:
    """``text`` in a Markdown code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def diagnosis_markdown(shared: dict) -> str:
    """The diagnosis for an issue tracker or a chat: root cause, fix, matched lines, entry links."""
    versions = ", ".join(
        part
        for part in (
            f"pip {shared['pip_version']}" if shared.get("pip_version") else "",
            f"Python {shared['python_version']}" if shared.get("python_version") else "",
        )
        if part
    )
    lines = [f"**pip log diagnosis**{f' ({versions})' if versions else ''}", ""]
    if not shared["matches"]:
        return "\n".join(lines + ["No known pip error was found in this log."])
    for number, match in enumerate(shared["matches"], start=1):
        first, last = match["lines"]
        where = f"line {first}" if first == last else f"lines {first}–{last}"
        label = "Root cause" if number == 1 else f"Also found ({match['severity']})"
        lines += [f"{label}: `{match['code']}`: {match['title']} ({match['url']})", "", f"Matched on {where}:"]
        lines += [fenced(match["excerpt"]), ""]
        if match.get("quick_fix"):
            lines += ["Try this first:", fenced(match["quick_fix"], "shell"), ""]
    return "\n".join(lines).rstrip() + "\n"
