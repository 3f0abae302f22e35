"""Diagnosing a log larger than the engine's window, a window at a time, with the line
numbers of the whole log. The pip output is real (tests/logs/, made by tests/logs/capture.py);
the windows are made small so that a few kilobytes cross several of them."""

import codecs
import io
import itertools
from pathlib import Path

import pytest

from kb.diagnosis import Diagnosis, EmptyLog, Matcher, NotText
from kb.diagnosis import matcher as matcher_module
from kb.diagnosis.streaming import diagnose_stream, windows
from tests.logs import expect, wrappers
from tests.test_diagnosis_engine import REFINES, SIGNATURES

LOGS = Path(__file__).parent / "logs"
HASH_FAILURE = (LOGS / "HASH_MISMATCH" / "24.0.log").read_text()
# The successful runs these tests' line numbers were counted on, by name: another capture in
# success/ would move them all.
SUCCESS_RUNS = [
    f"{pip}-{run}.log"
    for pip in ("20.3.4", "23.3.2", "26.3")
    for run in ("download", "ffiext", "install", "uninstall", "wheel")
]
SUCCESS = "".join(
    (LOGS / "success" / name).read_text()
    for name in sorted([*SUCCESS_RUNS, "25.3-import-during-install.log", "26.3-require-hashes.log"])
)
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


def lines_of(width: int, count: int) -> str:
    return "".join(f"line {number:04d} {'x' * (width - 11)}\n" for number in range(count))


def shared_lines(window: bytes) -> list[bytes]:
    """What the next window starts with: the last OVERLAP lines, or as many of them as fit
    in a quarter of a window."""
    lines = window.splitlines(keepends=True)[-OVERLAP:]
    while len(b"".join(lines)) > WINDOW // 4:
        lines.pop(0)
    return lines


@pytest.mark.parametrize(
    "text",
    [filler(300), lines_of(64, 300), lines_of(128, 100), filler(150).replace("\n", "\n\n"), lines_of(600, 30)],
    ids=[
        "windows-end-inside-a-line",
        "windows-end-at-a-line-end",
        "eight-lines-fill-a-quarter",
        "blank-lines",
        "the-line-cut-and-the-one-before-fill-a-quarter",
    ],
)
def test_each_window_starts_with_the_last_lines_of_the_one_before_and_owns_from_their_middle(text: str) -> None:
    """Every line is one window's: the earlier window keeps the first half of the lines it
    holds whole of those the two share, so a match there still has the lines under it. It
    leaves the line it ends inside to the next window, which starts with it."""
    data = text.encode()
    parts = list(windows((data[start : start + 1000] for start in range(0, len(data), 1000)), WINDOW, OVERLAP))
    assert [len(window.data) for window in parts[:-1]] == [WINDOW] * (len(parts) - 1)
    assert (parts[0].first_line, parts[0].owned_from, parts[-1].owned_to) == (1, 1, None)
    lines = data.splitlines(keepends=True)
    for window in parts:
        assert b"".join(lines[window.first_line - 1 :]).startswith(window.data)
    for before, after in itertools.pairwise(parts):
        shared = shared_lines(before.data)
        assert after.data.startswith(b"".join(shared))
        held_whole = sum(line.endswith(b"\n") for line in shared)
        assert after.owned_from == before.owned_to == after.first_line + held_whole // 2
        assert before.to_diagnose() == before.data[: before.data.rfind(b"\n") + 1]


def test_a_line_longer_than_the_overlap_is_owned_by_every_window_holding_a_piece_of_it() -> None:
    """The next window starts inside the line, with the last quarter of the window."""
    long_line = "".join(f"{number:07d} " for number in range(3 * WINDOW // 8)).encode()
    parts = list(windows([b"first line\n" + long_line + b"\nlast line\n"], WINDOW, OVERLAP))
    assert [(window.first_line, window.owned_from, window.owned_to) for window in parts] == [
        (1, 1, 3),
        (2, 2, 3),
        (2, 2, 3),
        (2, 2, None),
    ]
    for before, after in itertools.pairwise(parts):
        assert after.data.startswith(before.data[-WINDOW // 4 :])
    assert [window.to_diagnose() for window in parts] == [window.data for window in parts]


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
        "BUILD_TOOL_FAILED/24.0-uv.log",
        "other-tools/24.0-uv-no-solution.log",
        "BUILD_TOOL_FAILED/24.0-uv.log+HASH_MISMATCH/26.3.log",
        "BUILD_TOOL_FAILED/24.0-uv.log+DEPENDENCY_CONFLICT_WARNING/26.3.log",
    ],
)
def test_a_captured_log_read_in_windows_is_diagnosed_as_it_is_whole(log: str) -> None:
    """What the command line says of a big log is what the page and the API say of it
    (`a+b`: one job's output that ran one command, then the other)."""
    matcher, _ = expect.catalogue()
    text = filler(60) + "".join((LOGS / name).read_text(encoding="utf-8") for name in log.split("+")) + filler(60)
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
    with pytest.raises(EmptyLog, match=r"^The log is empty: paste the output of the pip command that failed\.$"):
        streamed(matcher, b" \n" * (3 * WINDOW))
    with pytest.raises(NotText):
        streamed(matcher, bytes(range(256)) * 100)


def test_windows_not_read_whole_for_different_reasons_give_each_reason_in_one_sentence(
    monkeypatch, matcher: Matcher
) -> None:
    monkeypatch.setattr(matcher_module, "MATCH_BYTES_PER_LOG", 1000)
    monkeypatch.setattr(matcher_module, "SECRETS_PER_LOG", 2)
    secrets = "pip install --index-url https://me:s3cret@example.org/simple x\n" * 3
    long_line = f"{'x' * 1500} ERROR: Could not find a version that satisfies the requirement six==99\n"
    diagnosis = streamed(matcher, secrets + filler(100) + long_line + "ERROR: Exception:\n" + long_line + filler(100))
    assert diagnosis.partial == (
        "Part of this log was not read: it holds more than 2 secrets, so lines 3 to 59 were removed unread; "
        "it holds more long lines to try than one diagnosis reads, so some were skipped."
    )


def test_a_window_not_read_whole_for_two_reasons_gives_both_in_one_sentence(monkeypatch, matcher: Matcher) -> None:
    monkeypatch.setattr(matcher_module, "MATCH_BYTES_PER_LOG", 1000)
    monkeypatch.setattr(matcher_module, "SECRETS_PER_LOG", 2)
    secrets = "pip install --index-url https://me:s3cret@example.org/simple x\n" * 3
    long_line = f"{'x' * 1500} ERROR: Could not find a version that satisfies the requirement six==99\n"
    diagnosis = streamed(matcher, long_line + "ERROR: Exception:\n" + long_line + secrets + filler(100))
    assert diagnosis.partial == (
        "Part of this log was not read: it holds more than 2 secrets, so lines 6 to 12 were removed unread; "
        "it holds more long lines to try than one diagnosis reads, so some were skipped."
    )


def test_the_unread_note_names_a_single_line_and_ranges_apart_in_one_sentence() -> None:
    assert matcher_module.unread_note([(5, 5)], [(7, 9), (12, None)], ["some were skipped"]) == (
        "Part of this log was not read: it holds more than 10,000 secrets, so line 5 was removed unread; "
        "it repeats what the engine looks for so often that lines 7 to 9 and every line from line 12 on were "
        "not read; some were skipped."
    )
    assert matcher_module.unread_note([], []) == ""


def catalogue_streamed(log: str | bytes) -> Diagnosis:
    """The shipped entries' diagnosis of a log read in small windows."""
    data = log.encode() if isinstance(log, str) else log
    return diagnose_stream(expect.catalogue()[0], io.BytesIO(data), window_bytes=WINDOW, overlap_lines=OVERLAP)


@pytest.mark.parametrize("lines_before", range(44, 60))
def test_a_message_of_several_lines_is_reported_once_whole_wherever_two_windows_share_it(lines_before: int) -> None:
    """pip's conflict (five lines) moved a line at a time through the lines two windows share:
    the window that owns it reports it, on its lines and with its facts."""
    log = filler(lines_before) + (LOGS / "RESOLUTION_IMPOSSIBLE" / "26.3.log").read_text(encoding="utf-8")
    log += filler(200)
    assert catalogue_streamed(log).to_dict() == expect.catalogue()[0].diagnose(log).to_dict()


def test_a_log_whose_first_line_is_its_error_is_read_from_that_line() -> None:
    text = (LOGS / "INVALID_REQUIREMENT" / "24.0.log").read_text(encoding="utf-8")
    assert catalogue_streamed(text).to_dict() == expect.catalogue()[0].diagnose(text).to_dict()
    assert catalogue_streamed(text).matches[0].lines[0] == 1


def test_a_log_that_starts_with_more_than_a_window_of_blank_lines_is_read(matcher: Matcher) -> None:
    log = "\n" * (2 * WINDOW) + HASH_FAILURE
    match = streamed(matcher, log).matches[0]
    assert (match.code, match.lines[0]) == ("HASH_MISMATCH", line_of(log, "DO NOT MATCH THE HASHES"))


def test_a_powershell_log_cut_inside_a_character_is_still_read(matcher: Matcher) -> None:
    """A UTF-16 file cut at an odd byte (a copy taken while pip still wrote it) ends in one
    character that cannot be decoded; it is shown replaced, never refused."""
    data = codecs.BOM_UTF16_LE + (filler(300) + HASH_FAILURE).encode("utf-16-le") + b"x"
    assert streamed(matcher, data).matches[0].code == "HASH_MISMATCH"


def test_a_powershell_log_without_a_final_newline_keeps_its_last_lines_facts() -> None:
    text = (LOGS / "HASH_MISMATCH" / "26.3.log").read_text(encoding="utf-8").rstrip("\n")
    data = codecs.BOM_UTF16_LE + (filler(100) + text).encode("utf-16-le")
    whole = expect.catalogue()[0].diagnose(filler(100) + text)
    assert catalogue_streamed(data).to_dict() == whole.to_dict()
    assert catalogue_streamed(data).matches[0].facts["actual_hash"] == whole.matches[0].facts["actual_hash"]


def test_facts_only_a_later_repeat_shows_fill_the_first_match() -> None:
    """The error box was pasted first on its own, then the whole log, windows later: the one
    match reported has the package that only the whole log's Collecting line names."""
    text = (LOGS / "METADATA_GENERATION_FAILED" / "26.3.log").read_text(encoding="utf-8")
    box, _, _ = wrappers.box_only(text)
    match = catalogue_streamed(box + filler(1000) + text).matches[0]
    assert (match.code, match.lines) == ("METADATA_GENERATION_FAILED", (1, 1))
    assert (match.facts["failed_step"], match.facts["package"]) == ("Preparing metadata (pyproject.toml)", "intreemeta")


def test_a_window_that_could_not_be_read_whole_says_so(monkeypatch, matcher: Matcher) -> None:
    monkeypatch.setattr(matcher_module, "MATCH_BYTES_PER_LOG", 1000)
    not_found = "ERROR: Could not find a version that satisfies the requirement six==99\n"
    long_line = f"{'x' * 2000} {not_found}"
    diagnosis = streamed(matcher, filler(100) + long_line + "ERROR: Exception:\n" + long_line + filler(100))
    assert "some were skipped" in diagnosis.partial
    assert streamed(matcher, filler(100) + not_found).partial == ""


def test_a_line_a_window_ends_inside_gives_no_fact_that_the_whole_line_does_not() -> None:
    """The first window ends inside pip's last line, its documentation link cut to
    `https://pip.py`: cut, it no longer reads as pip's documentation, and would be the
    conflict's URL."""
    log = filler(51) + (LOGS / "RESOLUTION_IMPOSSIBLE" / "26.3.log").read_text(encoding="utf-8") + filler(200)
    assert next(windows([log.encode()], WINDOW, OVERLAP)).data.endswith(b"for help visit https://pip.py")
    whole = expect.catalogue()[0].diagnose(log)
    assert catalogue_streamed(log).matches[0].facts == whole.matches[0].facts


def test_lines_removed_past_the_secrets_limit_are_named_by_their_lines_in_the_whole_log(
    monkeypatch, matcher: Matcher
) -> None:
    """A later window holds too many secrets: the note names the lines in the whole log's
    numbers, and only those that window answers for, since the next window reads on."""
    monkeypatch.setattr(matcher_module, "SECRETS_PER_LOG", 2)
    secrets = "pip install --index-url https://me:s3cret@example.org/simple x\n" * 3
    log = filler(200) + secrets + filler(100) + HASH_FAILURE + filler(100)
    holding = next(window for window in windows([log.encode()], WINDOW, OVERLAP) if window.owned_to > 203)
    diagnosis = streamed(matcher, log)
    assert diagnosis.partial == (
        f"Part of this log was not read: it holds more than 2 secrets, so lines 203 to {holding.owned_to - 1} "
        "were removed unread."
    )
    assert diagnosis.matches[0].lines[0] == line_of(log, "DO NOT MATCH THE HASHES")


@pytest.mark.parametrize(
    ("secret_lines", "note"),
    [
        ((50, 61, 62), ""),
        (
            (57, 58, 59),
            "Part of this log was not read: it holds more than 2 secrets, so lines 59 to 113 were removed unread.",
        ),
        (
            (280, 281, 282),
            "Part of this log was not read: it holds more than 2 secrets, so every line from line 282 on was "
            "removed unread.",
        ),
    ],
    ids=["the-next-window-reads-them", "two-windows-remove-lines-that-follow-on", "in-the-last-window"],
)
def test_lines_removed_past_the_secrets_limit_are_named_once_by_the_window_they_belong_to(
    monkeypatch, matcher: Matcher, secret_lines: tuple[int, ...], note: str
) -> None:
    """64 lines of 64 bytes fill a window: the second starts at line 55 and owns from line 60,
    the third starts at line 109 and owns from line 114; the last one starts at line 271. Lines
    two windows removed one after the other are named as one range."""
    monkeypatch.setattr(matcher_module, "SECRETS_PER_LOG", 2)
    lines = lines_of(64, 300).splitlines(keepends=True)
    for number in secret_lines:
        lines[number - 1] = "pip install --index-url https://me:s3cret@example.org/simple xy\n"
    assert streamed(matcher, "".join(lines)).partial == note


@pytest.mark.parametrize(
    ("keys", "unread"),
    [
        (40, "lines 281 to 289 were not read"),
        (
            20,
            "lines 250 to 289 and lines 325 to 356 were not read",
        ),
    ],
    ids=["in-one-window", "in-two-windows-apart"],
)
def test_lines_left_unread_where_a_window_stopped_scanning_are_named_by_their_lines_in_the_whole_log(
    monkeypatch, matcher: Matcher, keys: int, unread: str
) -> None:
    """pip's output repeats what the engine looks for: with a small budget the windows that
    hold its success lines stop scanning them. The note names the lines left unread in the
    whole log's numbers, and only those each window answers for, since the next windows read
    on (and find the hash failure)."""
    monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", keys)
    log = filler(200) + SUCCESS + filler(200) + HASH_FAILURE + filler(100)
    diagnosis = streamed(matcher, log)
    assert (
        diagnosis.partial
        == f"Part of this log was not read: it repeats what the engine looks for so often that {unread}."
    )
    assert [(match.code, match.lines[0]) for match in diagnosis.matches] == [
        ("HASH_MISMATCH", line_of(log, "DO NOT MATCH THE HASHES"))
    ]


def test_a_last_window_that_stops_scanning_names_the_rest_of_the_log_from_its_first_line_unread(
    monkeypatch, matcher: Matcher
) -> None:
    """Earlier windows name lines unread deep in the log, so the last one cannot say that only
    the log's first lines were read: it names where its unread rest begins."""
    monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 20)
    log = filler(200) + SUCCESS + filler(200) + HASH_FAILURE + SUCCESS
    assert streamed(matcher, log).partial == (
        "Part of this log was not read: it repeats what the engine looks for so often that lines 250 to 289, "
        "lines 325 to 356, lines 593 to 626, lines 658 to 690 and every line from line 729 on were not read."
    )


def test_lines_left_unread_by_windows_one_after_the_other_are_named_as_one_range(monkeypatch, matcher: Matcher) -> None:
    """With a budget of two literals, the windows from line 163 on stop scanning on their first
    lines, before those they own: their lines left unread follow on, up to the hash failure's
    window, which reads some of its own."""
    monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 2)
    log = filler(200) + SUCCESS + filler(200) + HASH_FAILURE + filler(100)
    assert streamed(matcher, log).partial == (
        "Part of this log was not read: it repeats what the engine looks for so often that lines 204 to 410 and "
        "lines 565 to 616 were not read."
    )
