"""Every entry's quoted pip output (the ```text blocks of its Examples section) is a captured
log, written by `manage.py take_examples`, and is diagnosed with that entry; no entry's
signatures fire on an unrelated entry's examples or on the pip runs that succeeded
(tests/logs/success/)."""

import io
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kb.catalogue import example_logs, matcher_from_files, parse_entry_file, read_entry_files
from kb.diagnosis import Diagnosis
from kb.diagnosis.ranking import wrapper_closure
from kb.releases.examples import LOGS_DIR as LOGS
from kb.releases.examples import ExampleSource, captured_text, example_sources, source_problems

ENTRIES = Path(settings.BASE_DIR) / "fixtures" / "entries"
SUCCESSFUL_RUNS = sorted((LOGS / "success").glob("*.log"))


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


def test_every_example_is_a_captured_log_unless_its_entry_says_why_not():
    problems = [
        f"{code}: {problem}"
        for code, entry_file in entry_files().items()
        for problem in source_problems(entry_file.front, example_logs(entry_file.sections.get("examples", "")))
    ]
    assert problems == []


def test_the_examples_not_taken_from_captures_are_listed_by_their_entries():
    not_captured = {
        code: [source.not_captured for source in example_sources(entry_file.front) if not source.log]
        for code, entry_file in entry_files().items()
    }
    assert all(reason for reasons in not_captured.values() for reason in reasons)
    assert {code for code, reasons in not_captured.items() if reasons} == {"MSVC_REQUIRED", "PIP_COMMAND_NOT_FOUND"}


def entry_copy(tmp_path: Path, code: str) -> Path:
    source = next(ENTRIES.glob(f"*/{code}.md"))
    copy = tmp_path / source.parent.name / source.name
    copy.parent.mkdir()
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def test_take_examples_writes_each_block_from_its_log_and_check_names_the_stale_ones(tmp_path):
    copy = entry_copy(tmp_path, "HASH_MISMATCH")
    log = example_sources(parse_entry_file(copy).front)[0].log
    captured = (LOGS / log).read_text(encoding="utf-8")
    got = next(line for line in captured.splitlines() if line.strip().startswith("Got"))
    copy.write_text(copy.read_text(encoding="utf-8").replace(got, "Got something else", 1))
    with pytest.raises(CommandError, match=f"HASH_MISMATCH: example 1 is not the text of {log}"):
        call_command("take_examples", "--check", "--entries", str(tmp_path), stdout=io.StringIO())
    call_command("take_examples", "--entries", str(tmp_path), stdout=io.StringIO())
    examples = example_logs(parse_entry_file(copy).sections["examples"])
    assert examples[0] == captured.rstrip("\n") + "\n"


def test_take_examples_leaves_an_entry_whose_blocks_are_its_logs_as_it_is(tmp_path):
    copy = entry_copy(tmp_path, "HASH_MISMATCH")
    before = copy.read_bytes()
    out = io.StringIO()
    call_command("take_examples", "--entries", str(tmp_path), stdout=out)
    assert (copy.read_bytes(), out.getvalue().strip().endswith("0 files rewritten")) == (before, True)


def test_take_examples_refuses_an_entry_whose_blocks_and_sources_do_not_pair(tmp_path):
    copy = entry_copy(tmp_path, "HASH_MISMATCH")
    copy.write_text(copy.read_text(encoding="utf-8").replace("[[examples]]\nlog =", "[[unused]]\nlog =", 1))
    with pytest.raises(CommandError, match="HASH_MISMATCH: 2 example blocks but 1 \\[\\[examples\\]\\]"):
        call_command("take_examples", "--entries", str(tmp_path), stdout=io.StringIO())


def test_an_example_may_be_some_lines_of_its_log(tmp_path):
    (tmp_path / "CODE").mkdir()
    (tmp_path / "CODE" / "26.3.log").write_text("Collecting six\nERROR: one\nERROR: two\n\n")
    assert captured_text(ExampleSource(log="CODE/26.3.log", lines="2-3"), tmp_path) == "ERROR: one\nERROR: two"
    assert captured_text(ExampleSource(log="CODE/26.3.log"), tmp_path) == "Collecting six\nERROR: one\nERROR: two"
