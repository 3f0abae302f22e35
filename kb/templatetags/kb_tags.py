import re

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString

from kb import markup
from kb.diagnosis import redact

register = template.Library()


@register.simple_tag
def canonical_url(request: HttpRequest) -> str:
    """The page's own address, without a query string or a password pasted into it."""
    return redact(request.build_absolute_uri(request.path))[0]


FACT_LABELS = {
    "package": "Package",
    "version": "Version",
    "requirement": "Requirement",
    "file": "File",
    "line": "Line",
    "expected_hash": "Expected hash",
    "actual_hash": "Hash of the download",
    "index_host": "Index",
    "url": "URL",
    "status": "HTTP status",
    "path": "Path",
    "pip_version": "pip",
    "python_version": "Python",
    "platform": "Platform",
    "build_backend": "Build backend",
}


@register.filter
def fact_label(name: str) -> str:
    return FACT_LABELS.get(name, name.replace("_", " ").capitalize())


@register.simple_tag
def line_range(lines: tuple[int, int]) -> str:
    first, last = lines
    return f"line {first}" if first == last else f"lines {first}–{last}"


@register.simple_tag
def fact_summary(match) -> str:
    """'sympy 1.12 from www.piwheels.org: expected sha256 1620…, got 924b…' from a match's facts;
    for a resolver conflict, who requires what."""
    facts = match.facts
    if facts.get("conflict"):
        return "; ".join(line.strip() for line in facts["conflict"].splitlines() if line.strip())
    subject = " ".join(facts[name] for name in ("package", "version") if facts.get(name))
    if facts.get("index_host"):
        subject += f" from {facts['index_host']}"
    details = []
    if facts.get("expected_hash"):
        details.append(f"expected {facts.get('hash_name', 'sha256')} {facts['expected_hash'][:4]}…")
    if facts.get("actual_hash"):
        details.append(f"got {facts['actual_hash'][:4]}…")
    if details:
        return f"{subject}: {', '.join(details)}" if subject else ", ".join(details)
    return subject.strip()


@register.simple_tag
def source_note(log_version: str | None, source) -> str:
    if log_version is None:
        return f" (your log does not show its pip version; this is pip {source.pip_version}, the newest we have)"
    if log_version != source.pip_version:
        return f" (your log is from pip {log_version}; this is the nearest release we have, pip {source.pip_version})"
    return ""


@register.simple_tag
def command_html(command: str) -> SafeString:
    return markup.command_html(command)


@register.filter
def is_web_address(value: str) -> bool:
    """Facts that are http(s) addresses become links; nothing else from a log is ever a link."""
    return value.startswith(("https://", "http://")) and not any(char.isspace() for char in value)


@register.filter
def version_range(versions: str) -> str:
    """ "23.0-26.2.1" as a range is written: "23.0–26.2.1"."""
    return re.sub(r"(?<=\d)-(?=\d)", "–", versions)
