"""Every entry's quoted pip output (the ```text blocks of its Examples section) is diagnosed
with that entry; no entry's signatures fire on an unrelated entry's examples or on the pip runs
that succeeded (tests/logs/success/)."""

from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

from kb.catalogue import example_logs, matcher_from_files, read_entry_files
from kb.diagnosis import Diagnosis
from kb.diagnosis.ranking import wrapper_closure

ENTRIES = Path(settings.BASE_DIR) / "fixtures" / "entries"
SUCCESSFUL_RUNS = sorted((Path(settings.BASE_DIR) / "tests" / "logs" / "success").glob("*.log"))


@cache
def entry_files() -> dict[str, object]:
    return {entry_file.code: entry_file for entry_file in read_entry_files(ENTRIES)}


def examples() -> list[tuple[str, int, str]]:
    return [
        (code, number, text)
        for code, entry_file in entry_files().items()
        for number, text in enumerate(example_logs(entry_file.sections.get("examples", "")), start=1)
    ]


def diagnose(text: str) -> Diagnosis:
    matcher, _ = matcher_from_files(ENTRIES)
    return matcher.diagnose(text)


@cache
def linked_codes() -> dict[str, set[str]]:
    """For each code, the codes it may share a log with: related or refining either way."""
    _, refines = matcher_from_files(ENTRIES)
    closure = wrapper_closure(refines)
    links: dict[str, set[str]] = {code: set() for code in entry_files()}
    for code, entry_file in entry_files().items():
        for other in set(entry_file.front.get("related", [])) | closure.get(code, frozenset()):
            links[code].add(other)
            links.setdefault(other, set()).add(code)
    return links


@pytest.mark.parametrize(("code", "number", "text"), examples(), ids=lambda value: str(value)[:30])
def test_an_entrys_example_is_diagnosed_with_that_entry(code: str, number: int, text: str):
    diagnosis = diagnose(text)
    codes = [match.code for match in diagnosis.matches]
    assert code in codes, f"{code} example {number}: got {codes}"
    _, refines = matcher_from_files(ENTRIES)
    own = next(match for match in diagnosis.matches if match.code == code)
    if own.severity == "error" or not diagnosis.failed:
        root = codes[0]
        assert root == code or code in wrapper_closure(refines).get(root, ()), f"root {root}, expected {code}"


@pytest.mark.parametrize(("code", "number", "text"), examples(), ids=lambda value: str(value)[:30])
def test_no_unrelated_entry_fires_on_an_example(code: str, number: int, text: str):
    strangers = [match.code for match in diagnose(text).matches if match.code not in linked_codes()[code] | {code}]
    assert strangers == [], f"{code} example {number} also matched unrelated {strangers}"


@pytest.mark.parametrize("log", SUCCESSFUL_RUNS, ids=lambda path: path.name)
def test_no_error_fires_on_a_successful_pip_run(log: Path):
    errors = [match.code for match in diagnose(log.read_text()).matches if match.severity == "error"]
    assert errors == []


def test_every_published_entry_quotes_real_output():
    without = [
        code for code, entry_file in entry_files().items() if not example_logs(entry_file.sections.get("examples", ""))
    ]
    assert without == []
