"""The diagnosis seen from the web app: the published signatures compiled into one matcher per
process, and the engine's matches joined with their entries and pip source lines.

Each process keeps its compiled matcher until the signature version in the shared cache
changes; any change to a signature or an entry's status sets a new version, so every process
rebuilds once, on its next diagnosis, and never per request otherwise. A large log goes with
the signatures to a process of its own (kb.diagnosis_processes), which does the same.
"""

import functools
import operator
import re
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import BinaryIO

from django.conf import settings
from django.db.models import Q

from kb import diagnosis_processes, pagecache, signature_version
from kb.diagnosis import Diagnosis, Match, Matcher, Signature, log_text, read_log
from kb.diagnosis.streaming import diagnose_stream
from kb.models import Entry, SourceReference
from kb.remembered import Remembered
from kb.serializers import source_dict
from kb.staff.stats import count_root_cause
from kb.versions import nearest_release

# Package names, versions, requirement specifiers, URLs and paths; no spaces, quotes or ;|&$`.
SHELL_SAFE_FACT = re.compile(r"[\w.+\-=<>!~,\[\]:/@%]+\Z")


# Lookups of entries and sources kept per process (see catalogue_lookup), at most.
LOOKUPS_KEPT = 1000
# Diagnoses of logs up to this size kept per process for the matcher that made them: the same
# log sent again (a retried CI step, a page reloaded, an API client polling) costs no second
# scan. Each holds the log as read (its secrets removed), so they take at most 64 x 256 KB.
REMEMBERED_DIAGNOSES = 64
REMEMBERED_LOG_BYTES = 256 * 1024


@dataclass
class CompiledMatcher:
    published: diagnosis_processes.PublishedSignatures | None = None  # what the matcher was compiled from
    matcher: Matcher | None = None
    # What diagnoses were joined with, by codes, pip version and freshness (catalogue_lookup).
    lookups: dict[tuple, tuple[dict[str, Entry], dict[str, SourceReference]]] = field(default_factory=dict)
    diagnoses: Remembered[Diagnosis] = field(default_factory=lambda: Remembered(REMEMBERED_DIAGNOSES))


_compiled = CompiledMatcher()


def current_matcher() -> Matcher:
    version = signature_version.current()
    if _compiled.matcher is None or _compiled.published.version != version:
        entries = Entry.objects.published().select_related("tool").prefetch_related("signatures", "refines")
        _compiled.published = diagnosis_processes.PublishedSignatures(version, *published_signatures(entries))
        _compiled.matcher = Matcher(_compiled.published.signatures, _compiled.published.refines)
        _compiled.lookups = {}
        _compiled.diagnoses = Remembered(REMEMBERED_DIAGNOSES)
    return _compiled.matcher


def forget_matcher() -> None:
    _compiled.published = None
    _compiled.matcher = None
    _compiled.lookups = {}
    _compiled.diagnoses = Remembered(REMEMBERED_DIAGNOSES)


def engine_diagnosis(log: bytes) -> Diagnosis:
    """The engine's diagnosis of a log as read_log returns it. A large log is diagnosed in a
    process of its own (kb.diagnosis_processes): here it would hold up this worker's other requests.
    A small log diagnosed before with the same signatures is answered from memory."""
    matcher = current_matcher()
    if len(log) >= settings.KB_OWN_PROCESS_LOG_BYTES:
        return diagnosis_processes.pool.diagnose(_compiled.published, log, settings.KB_LARGE_LOGS_HELD)
    if len(log) > REMEMBERED_LOG_BYTES:
        return matcher.diagnose(log)
    return _compiled.diagnoses.get_or_make(log, lambda: matcher.diagnose(log))


def published_signatures(entries: Iterable[Entry]) -> tuple[list[Signature], dict[str, list[str]]]:
    """The engine's signatures of ``entries`` and, per code, the wrapper codes it refines."""
    signatures = []
    refines = {}
    for entry in entries:
        refines[entry.code] = [wrapper.code for wrapper in entry.refines.all()]
        signatures += [signature_spec(entry, signature) for signature in entry.signatures.all()]
    return signatures, refines


def signature_spec(entry: Entry, signature) -> Signature:
    return Signature(
        code=entry.code,
        tool=entry.tool.slug,
        severity=entry.severity,
        pattern=signature.pattern,
        is_regex=signature.is_regex,
        detail=signature.detail,
        only_if_failed=signature.only_if_failed,
        printed_by=entry.printed_by,
        key=signature.pk,
    )


@dataclass
class Finding:
    """One match with what the site knows about it."""

    match: Match
    entry: Entry
    source: SourceReference | None
    quick_fix: str
    consequences: list["Finding"] = field(default_factory=list)


@dataclass
class Report:
    diagnosis: Diagnosis
    findings: list[Finding]

    @cached_property
    def text(self) -> str:
        """The log as the engine read it, without secrets."""
        return log_text(self.diagnosis.log)

    @property
    def root_cause(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @cached_property
    def grouped(self) -> list[Finding]:
        """Findings with the wrappers pip printed around a root cause nested under it."""
        by_code = {finding.match.code: finding for finding in self.findings}
        top = []
        for finding in self.findings:
            parent = by_code.get(finding.match.consequence_of or "")
            if parent is not None and parent is not finding:
                parent.consequences.append(finding)
            else:
                top.append(finding)
        return top


def diagnose_log(data: bytes | str, counted: bool = False) -> Report:
    """Decode, redact and diagnose a pasted log. Raises the engine's LogRejected subclasses.

    ``counted`` adds the root cause to the staff's daily counts (the page and the API do, the CLI not).
    """
    diagnosis = engine_diagnosis(read_log(data, settings.KB_MAX_LOG_BYTES))
    if counted and diagnosis.matches:
        count_root_cause(diagnosis.matches[0].code)
    return Report(diagnosis, findings_for(diagnosis))


def diagnose_file(stream: BinaryIO) -> Report:
    """Diagnose a log of any size from a file or a pipe, a window at a time (the command line)."""
    diagnosis = diagnose_stream(current_matcher(), stream)
    return Report(diagnosis, findings_for(diagnosis))


def findings_for(diagnosis: Diagnosis) -> list[Finding]:
    codes = frozenset(match.code for match in diagnosis.matches)
    pip_version = diagnosis.pip_version or release_in_range(diagnosis.facts.get("pip_range"))
    entries, sources = catalogue_lookup(codes, pip_version)
    return [
        Finding(match, entries[match.code], sources.get(match.code), fill(entries[match.code].quick_fix, match.facts))
        for match in diagnosis.matches
        if match.code in entries
    ]


def catalogue_lookup(
    codes: frozenset[str], pip_version: str | None
) -> tuple[dict[str, Entry], dict[str, SourceReference]]:
    """The published entries of ``codes`` and their source references at the release nearest
    ``pip_version``, by code.

    Most diagnoses name the same few entries, so the answer is kept in this process for the
    signatures its matcher was built from (an edited entry changes them everywhere), until a
    change here, and for KB_PAGE_CACHE_SECONDS at most: a source reference edited in another
    process is seen within that delay, as an entry page is.
    """
    lifetime = settings.KB_PAGE_CACHE_SECONDS
    if lifetime <= 0:
        return published_lookup(codes, pip_version)
    key = (codes, pip_version, pagecache.generation(), int(time.monotonic() // lifetime))
    lookups = _compiled.lookups
    found = lookups.get(key)
    if found is None:
        if len(lookups) >= LOOKUPS_KEPT:
            lookups.clear()
        found = lookups[key] = published_lookup(codes, pip_version)
    return found


def published_lookup(
    codes: frozenset[str], pip_version: str | None
) -> tuple[dict[str, Entry], dict[str, SourceReference]]:
    entries = {entry.code: entry for entry in Entry.objects.published().filter(code__in=codes).select_related("tool")}
    return entries, sources_at_release(entries.values(), pip_version)


def sources_at_release(entries: Iterable[Entry], pip_version: str | None) -> dict[str, SourceReference]:
    """Each entry's first symbol at the release nearest the log's pip version, by code.

    An entry has a reference per symbol and synced release (a hundred and more): only the
    releases are read for all of them, and the references at the chosen release only.
    """
    entries = list(entries)
    releases: dict[int, set[str]] = {}
    synced = SourceReference.objects.filter(entry__in=entries).order_by().values_list("entry_id", "pip_version")
    for entry_id, release in synced.distinct():
        releases.setdefault(entry_id, set()).add(release)
    chosen = [
        Q(entry=entry, pip_version=nearest_release(pip_version, sorted(releases[entry.pk])))
        for entry in entries
        if entry.pk in releases
    ]
    at_release: dict[int, dict[str, SourceReference]] = {}
    if chosen:
        for reference in SourceReference.objects.filter(functools.reduce(operator.or_, chosen)).order_by("symbol"):
            at_release.setdefault(reference.entry_id, {})[reference.symbol] = reference
    return {entry.code: first_symbol(entry, at_release[entry.pk]) for entry in entries if entry.pk in at_release}


def first_symbol(entry: Entry, at_release: dict[str, SourceReference]) -> SourceReference:
    """The reference of the entry's first listed symbol, else of the first symbol by name."""
    for symbol in entry.symbol_list:
        if symbol in at_release:
            return at_release[symbol]
    return next(iter(at_release.values()))


def release_in_range(pip_range: str | None) -> str | None:
    """The release whose source stands for a range such as "10.0.0-18.0" (how the engine dates
    an old pip from its traceback): the last one, or the first for an open range ("18.1-")."""
    if not pip_range:
        return None
    first, _, last = pip_range.partition("-")
    return last or first


def fill(template: str, facts: dict[str, str]) -> str:
    """The entry's quick fix with the log's facts filled in; empty when a fact is missing, or
    holds anything a shell would read as more than a word (the log is whatever was pasted)."""
    if not template:
        return ""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not all(SHELL_SAFE_FACT.match(facts.get(name, "")) for name in names):
        return ""
    return template.format_map({name: facts[name] for name in names})


def report_dict(report: Report, base_url: str) -> dict:
    diagnosis = report.diagnosis
    return {
        "outcome": diagnosis.outcome,
        "tool": diagnosis.tool,
        "pip_version": diagnosis.pip_version,
        "python_version": diagnosis.python_version,
        "redacted": report.diagnosis.redacted,
        "partial": report.diagnosis.partial or None,
        "matches": [finding_dict(finding, base_url) for finding in report.findings],
    }


def finding_dict(finding: Finding, base_url: str) -> dict:
    match = finding.match
    return {
        "code": match.code,
        "tool": match.tool,
        "severity": match.severity,
        "title": finding.entry.title,
        "url": base_url.rstrip("/") + finding.entry.get_absolute_url(),
        "lines": list(match.lines),
        "excerpt": match.excerpt,
        "facts": match.facts,
        "source": source_dict(finding.source) if finding.source else None,
    }


@dataclass
class LogLine:
    number: int
    text: str
    matched: bool
    cut: int = 0  # characters left out of a line too long to show whole


@dataclass
class HiddenLines:
    """Lines far from any match, folded; ``lines`` is empty when the log is too large to send back."""

    count: int
    lines: list[LogLine] = field(default_factory=list)


# Logs up to this many lines are shown whole; longer ones only around the matched lines.
WHOLE_LOG_LINES = 400
CONTEXT_LINES = 12
# A line longer than this (a minified blob, a one-line log) is shown only in part.
SHOWN_LINE_CHARS = 2000


def log_view(report: Report) -> list[LogLine | HiddenLines]:
    lines = report.text.split("\n")
    matched = {
        number for finding in report.findings for number in range(finding.match.lines[0], finding.match.lines[1] + 1)
    }
    if len(lines) <= WHOLE_LOG_LINES:
        shown = set(range(1, len(lines) + 1))
    else:
        shown = {n for m in matched for n in range(m - CONTEXT_LINES, m + CONTEXT_LINES + 1) if 1 <= n <= len(lines)}
    # A log small enough to come back in the form also brings its other lines, folded, to
    # unfold on the page; a larger one would make the page as heavy as the log.
    folded = len(report.text.encode()) <= settings.KB_ECHO_LOG_BYTES
    view: list[LogLine | HiddenLines] = []
    hidden = HiddenLines(0)
    for number, text in enumerate(lines, start=1):
        if number not in shown:
            hidden.count += 1
            if folded:
                hidden.lines.append(log_line(number, text, matched=False))
            continue
        if hidden.count:
            view.append(hidden)
            hidden = HiddenLines(0)
        view.append(log_line(number, text, number in matched))
    if hidden.count:
        view.append(hidden)
    return view


def log_line(number: int, text: str, matched: bool) -> LogLine:
    return LogLine(number, text[:SHOWN_LINE_CHARS], matched, max(0, len(text) - SHOWN_LINE_CHARS))


def error_lines(text: str, limit: int = 5) -> list[str]:
    """The log's first few lines that say ERROR, for searching when nothing matched."""
    found = [line.strip() for line in text.split("\n") if "error" in line.lower()]
    return list(dict.fromkeys(found))[:limit]
