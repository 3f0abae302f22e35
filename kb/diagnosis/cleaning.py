"""Removing terminal and CI noise from a log without ever adding or removing a line.

Two stages, both on UTF-8 bytes. `clean_log` runs once over the whole log and removes
what can hide a message inside a line (escape codes, carriage-return overwrites,
backspaces); it keeps every newline, so line N of its result is line N as submitted.
`clean_line` removes what only sits at the start of a line (CI prefixes, quoting,
prompts, rich's box characters); the engine applies it only to the lines it reads.
"""

import re
from typing import NamedTuple

from kb.diagnosis.reading import encode_utf8

# Python `re` is used here (not RE2) because every pattern below is fixed, and each
# one either starts with a literal or is anchored, so none can backtrack quadratically.
_ANSI = re.compile(
    rb"\x1b(?:\[[0-9;:?<=>]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[()#][0-9A-Za-z]|[=>78cDEHMNOZ])"
)
# Colour codes whose escape byte was lost on the way to a web form.
_BARE_SGR = re.compile(rb"\[[0-9]{1,3}(?:;[0-9]{1,3})*m")
_ERASED_CHARACTER = re.compile(rb"[^\n\x08]\x08")
_BACKSPACE_PASSES = 3
# The log is encoded and cleaned this many characters at a time (cut at a newline), so
# the whole log is held only once more, cleaned, next to the text.
_CHUNK_CHARACTERS = 1 << 20

_CI_PREFIX = re.compile(
    rb"""(?:
        \d{4}-\d\d-\d\d[T\ ]\d\d:\d\d:\d\d(?:[.,]\d+)?Z?\s          # GitHub Actions, pip --log
      | \[\d{4}-\d\d-\d\d[T\ ]\d\d:\d\d:\d\d(?:[.,]\d+)?Z?\]\s?     # Jenkins timestamper
      | \d\d:\d\d:\d\d(?:[.,]\d+)?\s                               # console clocks
      | \#\#\[[a-z]+\]                                             # Azure Pipelines, Actions
      | ::[a-z-]+(?:\s[^:\n]*)?::                                  # workflow commands
      | \#\d+\s(?:\d+\.\d+\s)?                                     # Docker BuildKit
      | Step\s\d+/\d+\s:\s                                         # classic docker build
      | section_(?:start|end):\d+:[\w.-]+(?:\[[^\]\n]*\])?\s?      # GitLab, CR already lost
    )+""",
    re.X,
)
_FENCE = re.compile(rb"\s*(?:```|~~~)")
_QUOTE = re.compile(rb"(?:[ \t]*>(?=[ \t]|$)[ \t]?)+")
_PROMPT = re.compile(
    rb"""(?:\([\w.-]+\)\ )?                           # an active virtualenv
        (?:[\w.-]+@[\w.-]+(?::[^\s$#%]*)?\ ?[$#%]     # user@host:~/dir$
          | [~/][^\s$#%>]*\ ?[$#%]                    # ~/dir $
          | PS\ [A-Za-z]:\\[^>\n]*>                   # PowerShell
          | [A-Za-z]:\\[^>\n\s]*>                     # cmd.exe
          | [$%]                                      # bare prompt
        )\ +""",
    re.X,
)
_BOX = re.compile(" *(?:×|│|┃|║|╰─>|╰─▶|├─▶|╰─|├─)(?: |$)".encode())


class CleanLine(NamedTuple):
    number: int  # 1-based, in the text as submitted
    body: bytes  # cleaned, with its indentation and any trailing padding
    boxed: bool  # it carried one of rich's box characters (it belongs to the record above)

    @property
    def text(self) -> bytes:
        return self.body.rstrip()

    @property
    def indent(self) -> int:
        return len(self.body) - len(self.body.lstrip())

    @property
    def width(self) -> int:
        return len(self.body)


def clean_log(text: str) -> bytearray:
    """The log as UTF-8 without the noise that can sit inside a line (escape codes,
    overwritten progress bars, backspaces); the number of newlines never changes."""
    cleaned = bytearray()
    start = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK_CHARACTERS)
        end = len(text) if end < 0 else end + 1
        cleaned += _clean_chunk(encode_utf8(text[start:end]))
        start = end
    return cleaned


def _clean_chunk(data: bytes | bytearray) -> bytes | bytearray:
    if b"\x1b" in data:
        data = _ANSI.sub(b"", data)
    if b"m" in data and _BARE_SGR.search(data):
        data = _BARE_SGR.sub(b"", data)
    if b"\x08" in data:
        data = _apply_backspaces(data)
    if b"\r\n" in data:
        data = data.replace(b"\r\n", b"\n")
    if b"\r" in data:
        data = _apply_carriage_returns(data)
    return data


def _apply_carriage_returns(data: bytes | bytearray) -> bytes:
    """Keep, of each line a progress bar or spinner redrew, the last text it showed."""
    pieces: list[bytes | memoryview] = []
    unchanged = memoryview(data)  # slices of it are not copies
    copied_up_to = 0
    position = data.find(b"\r")
    while position >= 0:
        line_start = data.rfind(b"\n", 0, position) + 1
        line_end = data.find(b"\n", position)
        if line_end < 0:
            line_end = len(data)
        pieces += (unchanged[copied_up_to:line_start], _last_shown(data[line_start:line_end]))
        copied_up_to = line_end
        position = data.find(b"\r", line_end)
    pieces.append(unchanged[copied_up_to:])
    return b"".join(pieces)


def _last_shown(line: bytes) -> bytes:
    last = line.rpartition(b"\r")[2]
    if last.strip():
        return last
    # A return followed by nothing (or blanks) only ended the line: skip such segments.
    return next((segment for segment in reversed(line.split(b"\r")) if segment.strip()), b"")


def _apply_backspaces(data: bytes | bytearray) -> bytes | bytearray:
    for _ in range(_BACKSPACE_PASSES):
        data = _ERASED_CHARACTER.sub(b"", data)
        if b"\x08" not in data:
            return data
    return data.replace(b"\x08", b"")


def clean_line(number: int, raw: bytes) -> CleanLine:
    """Strip what sits at the start of a line: CI prefixes, quoting, prompts, box characters."""
    line = raw.expandtabs(8) if b"\t" in raw else raw
    prefix = _CI_PREFIX.match(line)
    if prefix:
        line = line[prefix.end() :]
    if _FENCE.match(line):
        return CleanLine(number, b"", False)
    for noise in (_QUOTE, _PROMPT):
        found = noise.match(line)
        if found:
            line = line[found.end() :]
    box = _BOX.match(line)
    if box:
        indent = len(line) - len(line.lstrip(b" "))
        return CleanLine(number, line[:indent] + line[box.end() :], True)
    return CleanLine(number, line, False)


def clean_pattern(pattern: str) -> str:
    """A literal pattern as it appears in a cleaned line (without a leading box character)."""
    return clean_line(0, pattern.strip().encode()).text.strip().decode()
