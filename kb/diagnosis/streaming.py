"""Diagnosing a log of any size in bounded memory, a window of lines at a time.

The web takes logs up to a size limit; the command line takes a CI job's whole output.
A stream is read in windows of WINDOW_BYTES, each one starting with the last
OVERLAP_LINES lines of the one before (a quarter of the window at most), and every window
is diagnosed on its own. Of the lines two windows share, a match starting in the first
half is kept from the earlier window, which still has the lines under it, and one
starting in the second half from the later window, which has the lines above it. Line
numbers are those of the whole stream.

What a window cannot see: the lines that name a package (Collecting...) more than a
window before a message, and another tool's output that began in an earlier window.
"""

import codecs
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

from kb.diagnosis.matcher import Lines, Matcher, unread_note
from kb.diagnosis.reading import EmptyLog, read_log
from kb.diagnosis.results import Diagnosis, Match

WINDOW_BYTES = 16 << 20
OVERLAP_LINES = 200
# Most important first: one window's outcome stands for the whole log.
_OUTCOMES = ("failed", "succeeded", "warnings", "other-tool", "unknown")


@dataclass
class Window:
    data: bytes
    first_line: int  # the stream's number of the window's first line
    owned_from: int  # matches starting on this line or later are this window's
    owned_to: int | None  # ...and before this one (None for the last window)

    def to_diagnose(self) -> bytes:
        """The data but for a last line the window ends inside of that the next window owns:
        that one starts with the line and reads more of it (a cut line can give a fact the whole
        one does not)."""
        if self.owned_to is None or self.owned_to > self.first_line + self.data.count(b"\n"):
            return self.data
        return self.data[: self.data.rfind(b"\n") + 1]


def diagnose_stream(
    matcher: Matcher, stream: BinaryIO, window_bytes: int = WINDOW_BYTES, overlap_lines: int = OVERLAP_LINES
) -> Diagnosis:
    """The diagnosis of everything `stream` holds; raises the engine's LogRejected subclasses."""
    diagnoses, unread = [], []
    for window in windows(utf8_chunks(stream, window_bytes), window_bytes, overlap_lines):
        data = window.to_diagnose()
        if window.first_line == 1 and not data.isspace():
            data = read_log(data, len(data))  # refuses a binary file
        diagnosis = matcher.diagnose(data)
        diagnoses.append(_in_stream(diagnosis, window))
        unread.append(_unread_in_stream(diagnosis, window))
    return merge(matcher, diagnoses, unread)


def utf8_chunks(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """The stream's bytes, as UTF-8 when it starts with a UTF-16 BOM (PowerShell's `>`).

    A window's worth is read at once: a log that fits in one window is then never copied.
    """
    first = stream.read(chunk_bytes)
    chunks = itertools.chain([first], iter(lambda: stream.read(chunk_bytes), b""))
    if not first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield from chunks
        return
    decoder = codecs.getincrementaldecoder("utf-16")("replace")  # never yields a lone surrogate
    for chunk in chunks:
        yield decoder.decode(chunk).encode()
    yield decoder.decode(b"", final=True).encode()


def windows(chunks: Iterable[bytes], window_bytes: int, overlap_lines: int = OVERLAP_LINES) -> Iterator[Window]:
    """The stream in windows of `window_bytes` (the last one shorter), each starting with
    the end of the one before."""
    chunks = iter(chunks)
    buffer, first_line, owned_from, seen_text = b"", 1, 1, False
    while True:
        parts, size = ([buffer] if buffer else []), len(buffer)
        while size < window_bytes and (chunk := next(chunks, b"")):
            parts.append(chunk)
            size += len(chunk)
        buffer = b"".join(parts)
        window, buffer = (buffer[:window_bytes], buffer[window_bytes:]) if size > window_bytes else (buffer, b"")
        seen_text = seen_text or not window.isspace()
        if len(window) < window_bytes:
            if not seen_text:
                raise EmptyLog("The log is empty: paste the output of the pip command that failed.")
            yield Window(window, first_line, owned_from, None)
            return
        tail_start = _tail_start(window, overlap_lines, window_bytes // 4)
        tail_first_line = first_line + window.count(b"\n", 0, tail_start)
        starts_inside_a_line = window[tail_start - 1 : tail_start] != b"\n"
        owned_to = tail_first_line + window.count(b"\n", tail_start) // 2 + starts_inside_a_line
        yield Window(window, first_line, owned_from, owned_to)
        buffer, first_line = window[tail_start:] + buffer, tail_first_line
        owned_from = owned_to - starts_inside_a_line


def _tail_start(buffer: bytes, overlap_lines: int, overlap_bytes: int) -> int:
    """Where the lines the next window starts with begin: the last `overlap_lines` lines, or
    fewer if they are long; inside the last line if that one alone is too long."""
    start = len(buffer)
    for _ in range(overlap_lines):
        previous = buffer.rfind(b"\n", 0, start - 1) + 1
        if previous == 0 or len(buffer) - previous > overlap_bytes:
            break
        start = previous
    return start if start < len(buffer) else len(buffer) - overlap_bytes


def _in_stream(diagnosis: Diagnosis, window: Window) -> Diagnosis:
    """A window's diagnosis with the stream's line numbers, and only the matches it owns."""
    shift = window.first_line - 1
    matches = [replace(match, lines=(match.lines[0] + shift, match.lines[1] + shift)) for match in diagnosis.matches]
    owned = [
        match
        for match in matches
        if match.lines[0] >= window.owned_from and (window.owned_to is None or match.lines[0] < window.owned_to)
    ]
    return replace(diagnosis, matches=owned, log=b"")


@dataclass(frozen=True)
class _Unread:
    """What a window did not read, as unread_note takes it, by the stream's line numbers."""

    removed: Lines | None
    unscanned: Lines | None
    reasons: tuple[str, ...]


def _unread_in_stream(diagnosis: Diagnosis, window: Window) -> _Unread:
    """What the window did not read: the lines it removed past the secrets limit and those it
    left unread once its scan stopped, by the stream's numbers, and only those it owns: the
    next window reads on."""
    shift = window.first_line - 1
    removed = None if diagnosis.removed_from is None else _owned_on(window, shift + diagnosis.removed_from)
    unscanned = None if diagnosis.cut_at is None else _owned_on(window, shift + diagnosis.cut_at + 1)
    return _Unread(removed, unscanned, diagnosis.unread_reasons)


def _unread_note(unread: list[_Unread]) -> str:
    """The windows' reasons for what they did not read, as one sentence; lines that follow on
    across windows are named as one range."""
    return unread_note(
        _joined(part.removed for part in unread),
        _joined(part.unscanned for part in unread),
        dict.fromkeys(reason for part in unread for reason in part.reasons),
    )


def _joined(ranges: Iterable[Lines | None]) -> list[Lines]:
    """The ranges in order, each joined to the one before where it starts on the line after."""
    joined: list[Lines] = []
    for first, last in filter(None, ranges):
        before = joined[-1][1] if joined else None
        if before is not None and before + 1 == first:
            joined[-1] = (joined[-1][0], last)
        else:
            joined.append((first, last))
    return joined


def _owned_on(window: Window, first: int) -> Lines | None:
    """The first and the last of the window's own lines from line `first` on; None if it owns none."""
    first = max(first, window.owned_from)
    last = None if window.owned_to is None else window.owned_to - 1
    return (first, last) if last is None or first <= last else None


def merge(matcher: Matcher, diagnoses: list[Diagnosis], unread: list[_Unread]) -> Diagnosis:
    """One diagnosis from the windows' own: the first match of each code, ranked again."""
    by_code: dict[tuple[str, str], Match] = {}
    for match in (match for diagnosis in diagnoses for match in diagnosis.matches):
        first = by_code.setdefault((match.code, match.tool), match)
        for name, value in match.facts.items():
            first.facts.setdefault(name, value)
    matches = matcher.rank([replace(match, consequence_of=None) for match in by_code.values()])
    matches.sort(key=lambda match: (match.severity != "error", match.tool != "pip"))
    deciding = min(diagnoses, key=lambda diagnosis: _OUTCOMES.index(diagnosis.outcome))
    facts: dict[str, str] = {}
    for name, value in itertools.chain.from_iterable(diagnosis.facts.items() for diagnosis in diagnoses):
        facts.setdefault(name, value)
    return Diagnosis(
        matches,
        any(diagnosis.failed for diagnosis in diagnoses),
        deciding.pip_version or next((d.pip_version for d in diagnoses if d.pip_version), None),
        deciding.python_version or next((d.python_version for d in diagnoses if d.python_version), None),
        facts,
        redacted=sum(diagnosis.redacted for diagnosis in diagnoses),
        outcome=deciding.outcome,
        tool=deciding.tool,
        partial=_unread_note(unread),
    )
