"""Diagnosing a log larger than the engine's window, a window at a time, with the line
numbers of the whole log. The pip output is real (tests/logs/, made by tests/logs/capture.py);
the windows are made small so that a few kilobytes cross several of them."""

import codecs
import io
from pathlib import Path

import pytest

from kb.diagnosis import Diagnosis, EmptyLog, Matcher, NotText
from kb.diagnosis.streaming import diagnose_stream
from tests.logs import expect
from tests.test_diagnosis_engine import REFINES, SIGNATURES

LOGS = Path(__file__).parent / "logs"
HASH_FAILURE = (LOGS / "HASH_MISMATCH" / "24.0.log").read_text()
SUCCESS = "".join(path.read_text() for path in sorted((LOGS / "success").glob("*.log")))
WINDOW = 4096
OVERLAP = 10


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(SIGNATURES, REFINES)


def streamed(matcher: Matcher, log: str | bytes) -> Diagnosis:
    data = log.encode() if isinstance(log, str) else log
    return diagnose_stream(matcher, io.BytesIO(data), window_bytes=WINDOW, overlap_lines=OVERLAP)


def filler(lines: int) -> str:
    return "".join(
        f"compiling module_{index}.c with gcc -O2 -Wall into build/module_{index}.o\n" for index in range(lines)
    )


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), 1) if needle in line)


def test_a_root_cause_many_windows_in_is_found_on_its_line_with_its_facts(matcher: Matcher) -> None:
    log = filler(2000) + HASH_FAILURE
    assert len(log) > 20 * WINDOW
    match = streamed(matcher, log).matches[0]
    assert match.code == "HASH_MISMATCH"
    assert match.lines[0] == line_of(log, "DO NOT MATCH THE HASHES")
    assert match.facts["package"] == "tinypkg"
    assert match.facts["actual_hash"].startswith("09e40014")


@pytest.mark.parametrize("shift", range(0, 700, 37))
def test_a_message_across_a_window_boundary_is_read_whole(matcher: Matcher, shift: int) -> None:
    """The window ends inside the hash block, at every line of it."""
    message_start = HASH_FAILURE.index("ERROR:")
    padding = "x" * (WINDOW - 300 + shift - message_start - len(filler(50)))
    log = filler(50) + padding + "\n" + HASH_FAILURE + filler(200)
    whole = matcher.diagnose(log)
    parts = streamed(matcher, log)
    assert [(match.code, match.lines) for match in parts.matches] == [(m.code, m.lines) for m in whole.matches]
    assert parts.matches[0].facts["expected_hash"] == whole.matches[0].facts["expected_hash"]


def test_a_stream_of_many_windows_reads_like_the_whole_log(matcher: Matcher) -> None:
    log = SUCCESS * 3 + HASH_FAILURE + SUCCESS
    whole, parts = matcher.diagnose(log), streamed(matcher, log)
    assert [(match.code, match.lines) for match in parts.matches] == [(m.code, m.lines) for m in whole.matches]
    assert (parts.outcome, parts.pip_version, parts.facts) == (whole.outcome, whole.pip_version, whole.facts)


@pytest.mark.parametrize(
    "log",
    [
        "BUILD_DEPENDENCIES_INSTALL_FAILED/20.3.4.log",
        "PYTHON_H_MISSING/20.3.4.log",
        "RUST_TOOLCHAIN_MISSING/26.3.log",
        "RESOLUTION_IMPOSSIBLE/26.3.log",
    ],
)
def test_a_captured_log_read_in_windows_is_diagnosed_as_it_is_whole(log: str) -> None:
    """What the command line says of a big log is what the page and the API say of it."""
    matcher, _ = expect.catalogue()
    text = filler(60) + (LOGS / log).read_text(encoding="utf-8") + filler(60)
    parts = diagnose_stream(matcher, io.BytesIO(text.encode()), window_bytes=WINDOW, overlap_lines=OVERLAP)
    assert parts.to_dict() == matcher.diagnose(text).to_dict()


def test_each_code_is_reported_once_at_its_first_line(matcher: Matcher) -> None:
    log = HASH_FAILURE + filler(1000) + HASH_FAILURE
    matches = streamed(matcher, log).matches
    assert [(match.code, match.lines[0]) for match in matches] == [("HASH_MISMATCH", 4)]


def test_a_line_longer_than_the_window_keeps_its_number(matcher: Matcher) -> None:
    error = "ERROR: Could not find a version that satisfies the requirement six==99"
    log = "first line\n" + "y" * (5 * WINDOW) + " " + error + "\nlast line\n"
    assert [(m.code, m.lines) for m in streamed(matcher, log).matches] == [("DISTRIBUTION_NOT_FOUND", (2, 2))]
    log = "first line\n" + error + " " + "y" * (5 * WINDOW) + "\nlast line\n"
    assert [(m.code, m.lines) for m in streamed(matcher, log).matches] == [("DISTRIBUTION_NOT_FOUND", (2, 2))]


def test_secrets_are_counted_in_every_window(matcher: Matcher) -> None:
    log = "pip install --index-url https://me:s3cret@example.org/simple x\n" + filler(1000)
    diagnosis = streamed(matcher, log * 3)
    assert diagnosis.redacted == 3


def test_powershells_utf16_output_is_read(matcher: Matcher) -> None:
    data = codecs.BOM_UTF16_LE + (filler(300) + HASH_FAILURE).encode("utf-16-le")
    assert streamed(matcher, data).matches[0].code == "HASH_MISMATCH"


def test_an_empty_stream_and_a_binary_file_are_refused_with_a_sentence(matcher: Matcher) -> None:
    with pytest.raises(EmptyLog):
        streamed(matcher, b"")
    with pytest.raises(EmptyLog):
        streamed(matcher, b" \n" * (3 * WINDOW))
    with pytest.raises(NotText):
        streamed(matcher, bytes(range(256)) * 100)
