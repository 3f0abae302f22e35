"""What a changed entry would break, found before it is saved.

Every published entry's example logs (the ```text blocks of its Examples section) and the
successful-run logs in ``settings.KB_CLEAN_LOGS_DIR`` are diagnosed twice: with the published
signatures, and with this entry's signatures replaced by the draft's. A problem the draft has
and the published catalogue does not is a regression:

- an entry's own example no longer has that entry as its root cause (or as a wrapper of it);
- the draft's signatures fire on another entry's example that is not related to it;
- the draft's signatures fire on a clean log.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from kb.catalogue import engine_signatures, example_logs
from kb.diagnosing import current_matcher, published_signatures
from kb.diagnosis import Diagnosis, Matcher
from kb.models import Entry
from kb.staff.snapshots import Snapshot


@dataclass(frozen=True)
class Sample:
    label: str
    text: str
    owner: str = ""  # the code of the entry whose example this is; empty for a clean log


@dataclass(frozen=True)
class Regression:
    sample: Sample
    problem: str
    # Which of the draft's signatures (1-based) fired on the sample; None when none did. Not part
    # of equality: the published catalogue's problems are found the same way, with other keys.
    signature: int | None = field(default=None, compare=False)


@dataclass
class SignatureGroup:
    number: int | None
    pattern: str
    regressions: list[Regression]


@dataclass
class RegressionReport:
    regressions: list[Regression]
    samples_checked: int
    seconds: float
    patterns: list[str] = field(default_factory=list)  # the draft's signatures, in order

    def by_signature(self) -> list[SignatureGroup]:
        """The regressions under the signature that caused them; those none fired on come last."""
        numbers = sorted(
            {regression.signature for regression in self.regressions}, key=lambda n: n or len(self.patterns) + 1
        )
        return [
            SignatureGroup(
                number,
                self.patterns[number - 1] if number else "",
                [regression for regression in self.regressions if regression.signature == number],
            )
            for number in numbers
        ]


def entry_samples(code: str, examples_markdown: str) -> list[Sample]:
    return [
        Sample(f"{code} example {number}", text, owner=code)
        for number, text in enumerate(example_logs(examples_markdown), start=1)
    ]


def clean_samples() -> list[Sample]:
    directory = Path(settings.KB_CLEAN_LOGS_DIR)
    paths = sorted(path for path in directory.rglob("*.log") if path.is_file()) if directory.is_dir() else []
    return [Sample(f"clean log {path.relative_to(directory)}", path.read_text(errors="replace")) for path in paths]


def draft_matcher(snapshot: Snapshot, published: Iterable[Entry]) -> Matcher:
    """The published signatures with this entry's replaced by the draft's. Raises InvalidPattern."""
    code = snapshot["front"]["code"]
    signatures, refines = published_signatures(entry for entry in published if entry.code != code)
    return Matcher(signatures + engine_signatures(snapshot["front"]), {**refines, code: snapshot["front"]["refines"]})


def check_draft(snapshot: Snapshot) -> RegressionReport:
    started = time.perf_counter()
    code = snapshot["front"]["code"]
    published = list(Entry.objects.published().select_related("tool").prefetch_related("signatures", "refines"))
    others = [
        sample for entry in published if entry.code != code for sample in entry_samples(entry.code, entry.examples)
    ]
    own_before = [sample for entry in published if entry.code == code for sample in entry_samples(code, entry.examples)]
    own_after = entry_samples(code, snapshot["sections"].get("examples", ""))
    clean = clean_samples()
    unrelated = unrelated_to(snapshot, published)
    before = problems(current_matcher(), others + own_before + clean, code, unrelated)
    after = problems(draft_matcher(snapshot, published), others + own_after + clean, code, unrelated)
    regressions = [regression for regression in after if regression not in before]
    patterns = [spec["pattern"] for spec in snapshot["front"]["signatures"]]
    return RegressionReport(regressions, len(others + own_after + clean), time.perf_counter() - started, patterns)


def unrelated_to(snapshot: Snapshot, published: list[Entry]) -> set[str]:
    """Codes whose examples this entry's signatures must not fire on."""
    front = snapshot["front"]
    refining = {entry.code for entry in published if front["code"] in {w.code for w in entry.refines.all()}}
    linked = set(front["related"]) | set(front["refines"]) | refining | {front["code"]}
    return {entry.code for entry in published} - linked


def problems(matcher: Matcher, samples: list[Sample], code: str, unrelated: set[str]) -> list[Regression]:
    found = []
    for sample in samples:
        diagnosis = matcher.diagnose(sample.text)
        fired = [match.signature_key for match in diagnosis.matches if match.code == code]
        signature = fired[0] + 1 if fired and fired[0] is not None else None
        if sample.owner and not diagnosed_as(diagnosis, sample.owner):
            found.append(Regression(sample, f"is not diagnosed as {sample.owner}", signature))
        if fired and (not sample.owner or sample.owner in unrelated):
            found.append(Regression(sample, f"{code} fires on it", signature))
    return found


def diagnosed_as(diagnosis: Diagnosis, code: str) -> bool:
    """The code is the root cause, a wrapper pip printed around it, or a warning (an error outranks it)."""
    if not diagnosis.matches:
        return False
    root = diagnosis.matches[0]
    return any(
        match.code == code and (match is root or match.consequence_of == root.code or match.severity == "warning")
        for match in diagnosis.matches
    )
