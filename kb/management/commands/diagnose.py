import contextlib
import json
import sys
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.diagnosing import Report, diagnose_file, report_dict
from kb.diagnosis import LogRejected


class Command(BaseCommand):
    help = "Diagnose a pip log of any size: FILE, or - for standard input. --json prints the API's JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the log file, or - for standard input")
        parser.add_argument("--json", action="store_true", help="print exactly what POST /api/diagnose answers")

    def handle(self, *args, file: str, json: bool, **options) -> None:
        try:
            with open_input(file) as stream:
                report = diagnose_file(stream)
        except LogRejected as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(dump_json(report))
        else:
            self.stdout.write(describe(report))


def open_input(file: str) -> contextlib.AbstractContextManager[BinaryIO]:
    """The log to read, of any size: it is read a window at a time."""
    if file == "-":
        return contextlib.nullcontext(sys.stdin.buffer)
    try:
        return Path(file).open("rb")
    except OSError as error:
        raise CommandError(f"Cannot read {file}: {error.strerror}") from None


def dump_json(report: Report) -> str:
    return json.dumps(report_dict(report, settings.KB_SITE_URL), indent=2)


OUTCOME_LINES = {
    "failed": "pip failed.",
    "succeeded": "pip succeeded.",
    "warnings": "This log did not fail: it shows only warnings.",
    "other-tool": "This is {tool}'s output, not pip's.",
    "unknown": "No known pip error found in this log.",
}


def describe(report: Report) -> str:
    diagnosis = report.diagnosis
    lines = [
        f"pip {diagnosis.pip_version or 'version not shown'}, Python {diagnosis.python_version or 'version not shown'}",
    ]
    if diagnosis.redacted:
        lines.append(f"{diagnosis.redacted} secret(s) removed from the log before reading it.")
    lines.append(OUTCOME_LINES[diagnosis.outcome].format(tool=diagnosis.tool))
    if diagnosis.partial:
        lines.append(diagnosis.partial)
    for number, finding in enumerate(report.findings, start=1):
        match = finding.match
        role = "Root cause" if number == 1 and diagnosis.failed else match.severity.capitalize()
        if match.tool != finding.entry.tool.slug:
            role = f"Same cause, other installer ({match.tool})"
        first, last = match.lines
        lines.append(f"\n{role}: {match.code} ({finding.entry.title}), lines {first}-{last}")
        lines += [f"  {name}: {value}" for name, value in match.facts.items()]
        if finding.quick_fix:
            lines.append(f"  try: {finding.quick_fix}")
        lines.append(f"  more: {settings.KB_SITE_URL.rstrip('/')}{finding.entry.get_absolute_url()}")
        if finding.source:
            lines.append(f"  raised in: {finding.source.url}")
    return "\n".join(lines)
