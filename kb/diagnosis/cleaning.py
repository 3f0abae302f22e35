"""Removing terminal and CI noise from a log without ever adding or removing a line.

Two stages, both on UTF-8 bytes. `clean_log` runs once over the whole log and removes
what can split a message inside a line (escape codes, backspaces, Windows line ends), and
puts back what a web page, a chat client or a word processor replaced (no-break spaces,
curly quotes, HTML entities); it keeps every newline, so line N of its result is line N
as submitted. `clean_line` cleans one line the engine reads: it keeps the last text a
progress bar or spinner drew over it with carriage returns, and strips what sits at its
start (CI prefixes, quoting, prompts, rich's box characters). A redrawn line holds its last
text whole, so the engine can look for messages before `clean_line` has picked it out.
"""

import io
import re
from collections.abc import Sequence
from typing import NamedTuple

from kb.diagnosis.scoping import ANY_PROGRAMS_HEADERS, has_foreign_logger_header

# Python `re` is used here (not RE2) because every pattern below is fixed, and each
# one either starts with a literal or is anchored, so none can backtrack quadratically.
# CSI sequences, then strings (OSC `ESC ]`, APC `ESC _` such as Buildkite's per-line
# `ESC _bk;t=<ms> BEL` timestamps, DCS, PM), then the short escapes.
_ANSI = re.compile(
    rb"\x1b(?:\[[0-9;:?<=>]*[ -/]*[@-~]|[\]_P^][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[()#][0-9A-Za-z]|[=>78cDEHMNOZ])"
)
# Colour codes whose escape byte was lost on the way to a web form.
_BARE_SGR = re.compile(rb"\[[0-9]{1,3}(?:;[0-9]{1,3})*m")
# Escape codes whose escape byte a pager or `cat -v` showed as `^[`, or a font as the symbol
# for escape (U+241B). Apart from _BARE_SGR: `re` finds a pattern that starts with one byte at
# memchr's speed, and one that may start with three different ones forty times slower.
_SHOWN_ESCAPES = ((b"^[", b"^"), ("\u241b".encode(), b"\x9b"))  # each with its byte rarest in logs
_SHOWN_ESCAPE = re.compile(rb"(?:\^\[|\xe2\x90\x9b)\[[0-9;?]*[@-~]")
_ERASED_CHARACTER = re.compile(rb"[^\n\x08]\x08")
# What a log pasted through a rich-text editor or smart punctuation holds in place of pip's
# blanks and quotes (no-break spaces are replaced apart, by bytes.replace), and the entities
# of a log copied from a page's HTML source. Each pattern starts with one byte (see
# _SHOWN_ESCAPES).
_NO_BREAK_SPACE = "\u00a0".encode()
_TYPESET = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
_TYPESET_BYTES = {typeset.encode(): plain.encode() for typeset, plain in _TYPESET.items()}
_TYPESET_CHARACTER = re.compile(b"|".join(map(re.escape, _TYPESET_BYTES)))
_HTML_ENTITIES = {
    b"&quot;": b'"',
    b"&#34;": b'"',
    b"&#39;": b"'",
    b"&#x27;": b"'",
    b"&apos;": b"'",
    b"&lt;": b"<",
    b"&gt;": b">",
    b"&nbsp;": b" ",
    b"&amp;": b"&",
}
_HTML_ENTITY = re.compile(b"|".join(map(re.escape, _HTML_ENTITIES)))
# Runs of asterisks, found at memchr's speed; _without_bold decides which are Markdown bold.
_ASTERISKS = re.compile(rb"\*+")
_QUOTES = (b'"', b"`")
_BACKSPACE_PASSES = 3
# The log is cleaned a megabyte at a time (cut at a newline): cleaning it whole would hold
# the regex engine's pieces of the whole log next to the result.
_CHUNK_BYTES = 1 << 20

# What wrappers put before every line they pass on, from their documentation and output.
# Their blanks are `[^\S\n]`, never a line end: the redaction reads them on the line below
# a command (secret_rules.py), in a regex that reads across lines.
CI_PREFIXES = (
    # Actions, kubectl --timestamps; then GitLab 17's stream, CRI log files
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?[^\S\n]"
    r"(?:[0-9a-f]{2}[OE][+ ]|(?:stdout|stderr) [FP] )?",
    r"\[\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?Z?\][^\S\n]?",  # Jenkins timestamper, Buildkite
    r"\[\d{4}-\d\d-\d\d,?[^\S\n]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:[^\S\n][A-Z]{3,4})?\][^\S\n]\{[^}\n]*\}[^\S\n][A-Z]+"
    r"[^\S\n]-[^\S\n]",  # Airflow's task log
    r"\[\d\d:\d\d:\d\d\][ iWEF]:[^\S\n]+(?:\[[^\]\n]*\][^\S\n])?",  # TeamCity: clock, status, block
    r"\[?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?[^\S\n]",  # console clocks
    r"##\[[a-z]+\]",  # Azure Pipelines, Actions
    r"::[a-z-]+(?:[^\S\n][^:\n]*)?::",  # workflow commands
    r"#\d+[^\S\n](?:\d+\.\d+[^\S\n])?",  # Docker BuildKit
    r"[^\S\n]*=>[^\S\n]=>[^\S\n]#[^\S\n]?",  # BuildKit's terminal view: a running step's last lines
    r"Step[^\S\n]\d+/\d+[^\S\n]:[^\S\n]",  # classic docker build
    r"section_(?:start|end):\d+:[\w.-]+(?:\[[^\]\n]*\])?[^\S\n]?",  # GitLab, CR already lost
    r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s:\[]+(?:\[\d+\])?: ",  # journald, syslog
    r"\[pod/[^\]\s]+\] ",  # kubectl logs --prefix
    r"[\w.-]+ +\| ",  # docker compose service
    r"[^\S\n]*STD(?:OUT|ERR): ",  # Chef
    r"\[(?:stdout|stderr)\] ?",  # runners that tag streams
    r"INFO\[\d+\] ",  # Kaniko
    r"(?:pip[\d.]*|python[\d.]*|py)(?:\.exe)? : ",  # PowerShell's error record
    r"\[pipenv\.exceptions\.InstallError\]:[^\S\n]?",  # pipenv 2018 to 2022, pip's output when it failed
)
_CI_PREFIX = re.compile(("(?:" + "|".join(CI_PREFIXES) + ")+").encode())
# The end of a compiler's or build tool's diagnostic before its level: `file.ext:line:column: `.
_SOURCE_LOCATION = re.compile(rb"[^\s:]*\.[A-Za-z]\w*:\d+:\d+: \Z")
# pip's prompt for an index's user name, left without its line end where no one answered it:
# `User for host: ERROR: Exception:` is pip's output, the prompt not a wrapper's prefix.
_PIP_PROMPT = re.compile(rb"User for [^\s/@]+: \Z")
# A header of pip's that may sit after a wrapper's prefix the table above does not know
# (Vagrant's machine name, ssh's host, a JSON key, a logger's record): the text before it
# is that prefix. So do the messages that stand for pip's output when pip did not start:
# Python's for a missing module, the shell's for a missing command; and those of old pips
# that open a record with no `ERROR:` (usage errors, a pyproject.toml against PEP 518).
_HEADER_INSIDE = re.compile(
    rb"""(?:^|(?<=[\s:|>\]\)"'`]))(?:
        (?:ERROR|WARNING|DEPRECATION):\ | Collecting\ | Requirement\ already\ satisfied | Successfully\ installed\
      | Downloading\ | Using\ cached\ | Processing\ | Building\ wheels?\ for\ | Installing\ build\ dependencies
      | Installing\ collected\ packages | \xc3\x97\  | Traceback\ \(most\ recent\ call\ last\) | Exception:$
      | Command\ "[^"\n]*"\ failed | Could\ not\ (?:fetch|find|install|build)\  | Retrying\ \(Retry\(
      | Usage:(?:\ |$) | (?:pip[\d.]*|__main__\.py):\ error:\  | no\ such\ option:\ (?=-)
      | \S+\ has\ a\ pyproject\.toml\ file\ that\ does\ not\ comply | Can't\ verify\ hashes\ for\ these\ (?=\S)
      | Requirement\ '[^'\n]*'\ looks\ like\ a\ filename
      | error:\ [a-z0-9]+(?:-[a-z0-9]+)+\s*$
      | (?:(?:[A-Za-z]:)?[\\/][^\s:]*)?python[\w.]*:\ No\ module\ named\ pip\b
      | (?:[^\s:]*/)?(?:ba|da|z|k)?sh:\ (?:line\ )?(?:\d+:\ )?
        (?:pip[\d.]*:\ (?:command\ )?not\ found|command\ not\ found:\ pip)
      | (?:The\ term\ )?'pip[\d.]*'\ is\ not\ recognized
    )""",
    re.X,
)
# Headers any program's logging may write itself (urllib3's retries, a logged exception, its
# own downloads): behind a logger's record, such a line is that program's, not pip's.
_ANY_PROGRAMS_HEADER = re.compile(ANY_PROGRAMS_HEADERS)
_LEVEL = rb"\b(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\b"
# What changes between the prefixes a wrapper puts on its lines: clocks and counters, and the
# level a logger gives each line (stdout's as INFO, stderr's as ERROR).
_VARYING = re.compile(rb"\d+|" + _LEVEL + rb" *")
# Where a logger's record starts in a prefix: its clock, its level or its logger's name. A
# program that logs pip's whole output as one message (Ray) puts the record on its first line.
_RECORD = re.compile(rb"\[?\d{2,4}[-/]\d\d[-/]\d\d|" + _LEVEL + rb"|\[[A-Za-z_][\w-]*(?:\.[\w-]+)+\]")
_PREFIX_REACH = 160
_FENCE = re.compile(rb"\s*(?:```|~~~)")
_FENCE_INFO = re.compile(rb"[\w+.#-]*\s*")  # what may follow a fence on its line: a language's name
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
    prefix: "re.Pattern[bytes] | None" = None  # an unknown wrapper's prefix it had (learned before a header)

    @property
    def text(self) -> bytes:
        return self.body.rstrip()

    @property
    def indent(self) -> int:
        return len(self.body) - len(self.body.lstrip())

    @property
    def width(self) -> int:
        return len(self.body)


def clean_log(data: bytes) -> bytes:
    """The log without the noise that can split a message inside a line (escape codes,
    backspaces, Windows line ends); the number of newlines never changes."""
    if len(data) <= _CHUNK_BYTES:
        return bytes(_clean_chunk(data))  # bytes even from a bytearray (encode_utf8's)
    # Each cleaned chunk goes straight into the growing result, and is then let go.
    cleaned = io.BytesIO()
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + _CHUNK_BYTES)
        end = len(data) if end < 0 else end + 1
        cleaned.write(_clean_chunk(data[start:end]))
        start = end
    return cleaned.getvalue()


def _clean_chunk(data: bytes) -> bytes:
    if any(_holds(data, shown, rare) for shown, rare in _SHOWN_ESCAPES):  # first: each holds a bare colour code
        data = _SHOWN_ESCAPE.sub(b"", data)
    if b"\x1b" in data:
        data = _ANSI.sub(b"", data)
    elif _BARE_SGR.search(data):  # only a log that lost its escape bytes has these
        data = _BARE_SGR.sub(b"", data)
    if b"\x08" in data:
        data = _apply_backspaces(data)
    if _holds(data, _NO_BREAK_SPACE, b"\xa0"):
        data = data.replace(_NO_BREAK_SPACE, b" ")
    if _holds(data, b"\xe2\x80", b"\x80"):  # the first two bytes of each curly quote
        data = _TYPESET_CHARACTER.sub(lambda found: _TYPESET_BYTES[found.group()], data)
    if b"&" in data:
        data = _HTML_ENTITY.sub(lambda found: _HTML_ENTITIES[found.group()], data)
    if _holds(data, b"**", b"*"):
        data = _ASTERISKS.sub(_without_bold, data)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")  # Windows line ends; other returns are redraws
    return data


def _holds(data: bytes, text: bytes, rare_byte: bytes) -> bool:
    """Whether data holds text. One byte is found at memchr's speed, two or more ten times
    slower: a log without text's rarest byte is answered at the first speed."""
    return rare_byte in data and text in data


def _without_bold(found: re.Match[bytes]) -> bytes:
    """Nothing for the Markdown bold a reporter put around the line that matters or around a
    quoted part of it (`Command **"python setup.py egg_info"** failed`); the run itself for
    asterisks that are text: one, three or more (pip's `****` for a password, a CI's mask),
    or two inside a line (`f(**kwargs)`)."""
    run, text, start, end = found.group(), found.string, found.start(), found.end()
    if len(run) != 2:
        return run
    line_end = text.find(b"\n", end)
    before = text[text.rfind(b"\n", 0, start) + 1 : start]
    after = text[end : len(text) if line_end < 0 else line_end]
    opens_line = not before.strip(b" \t") and bool(after.strip())
    closes_line = bool(before.strip()) and not after.strip(b" \t")
    by_a_quote = after[:1] in _QUOTES or before[-1:] in _QUOTES
    return b"" if opens_line or closes_line or by_a_quote else run


def _last_shown(line: bytes) -> bytes:
    """Of a line a progress bar or spinner redrew with carriage returns, the last text it showed."""
    last = line.rpartition(b"\r")[2]
    if last.strip():
        return last
    # A return followed by nothing (or blanks) only ended the line: skip such segments.
    return next((segment for segment in reversed(line.split(b"\r")) if segment.strip()), b"")


def _apply_backspaces(data: bytes) -> bytes:
    for _ in range(_BACKSPACE_PASSES):
        data = _ERASED_CHARACTER.sub(b"", data)
        if b"\x08" not in data:
            return data
    return data.replace(b"\x08", b"")


def clean_line(number: int, raw: bytes, learned: "Sequence[re.Pattern[bytes]]" = ()) -> CleanLine:
    """The last text drawn on a line, without what sits at its start: CI prefixes, quoting,
    prompts, box characters. `learned` are prefixes read off pip's headers elsewhere (the
    header of the line's record, the log's first headers); when none starts the line, a
    prefix before a header of pip's is learned from the line itself."""
    line = _last_shown(raw) if b"\r" in raw else raw
    if b"\t" in line:
        line = line.expandtabs(8)
    prefix = _CI_PREFIX.match(line)
    if prefix:
        line = line[prefix.end() :]
    known = next((found for found in (pattern.match(line) for pattern in learned) if found and found.end()), None)
    if known:
        learned_here, line = known.re, line[known.end() :]
    else:
        learned_here, line = _learn_prefix(line)
    fence = _FENCE.match(line)
    if fence:
        if _FENCE_INFO.fullmatch(line, fence.end()):
            return CleanLine(number, b"", False)
        line = line[fence.end() :]
    # Text written on a fence's line (```ERROR: ...```), or a line quoted as ```code```: the text is the line.
    line = line.removesuffix(b"```")
    for noise in (_QUOTE, _PROMPT):
        found = noise.match(line)
        if found:
            line = line[found.end() :]
    box = _BOX.match(line)
    if box:
        indent = len(line) - len(line.lstrip(b" "))
        return CleanLine(number, line[:indent] + line[box.end() :], True, learned_here)
    return CleanLine(number, line, False, learned_here)


def widest_clean_line(raw: bytes) -> int:
    """The most clean_line's width of a raw line can be, found without cleaning it: cleaning
    only removes text, but for expanding tabs."""
    tabs = raw.count(b"\t")
    prefix = None if tabs or b"\r" in raw else _CI_PREFIX.match(raw)
    return len(raw) + 7 * tabs - (prefix.end() if prefix else 0)


def without_ci_prefix(raw: bytes) -> bytes:
    """A raw line without the CI prefix clean_line would strip first (a line redrawn with
    carriage returns or holding tabs is cleaned differently: clean it instead)."""
    prefix = _CI_PREFIX.match(raw)
    return raw[prefix.end() :] if prefix else raw


def longest_clean_word(raw: bytes) -> int:
    """The most the length of any space-separated word of a raw line can be once it is cleaned."""
    return max(map(len, raw.replace(b"\t", b" ").split(b" ")))


def _learn_prefix(line: bytes) -> tuple["re.Pattern[bytes] | None", bytes]:
    """A wrapper's prefix before a header of pip's, as a pattern for the lines that follow,
    and the line without it. A logger's record in the prefix may be missing from them."""
    header = _HEADER_INSIDE.search(line, 0, _PREFIX_REACH)
    if header is None:
        return None, line
    prompt = _PIP_PROMPT.search(line, 0, header.start())
    text_start = prompt.start() if prompt else header.start()
    if not line[:text_start].strip():
        return None, line
    prefix = line[:text_start]
    if _SOURCE_LOCATION.search(prefix):
        return None, line  # a build tool's diagnostic (`../meson.build:32:7: ERROR: ...`), not a prefix
    if not has_foreign_logger_header(prefix):
        return re.compile(_shape(prefix)), line[text_start:]
    if _ANY_PROGRAMS_HEADER.match(line, header.start()):
        return None, line  # another program's own log record, not a wrapper's prefix
    record = _RECORD.search(prefix)
    starts_at = record.start() if record else 0
    wrapper, record_header = prefix[:starts_at], prefix[starts_at:]
    return re.compile(_shape(wrapper) + b"(?:" + _shape(record_header) + b")?"), line[text_start:]


def _shape(prefix: bytes) -> bytes:
    """A prefix as a pattern that its clocks, counters and logger's level may change in."""
    pattern, start = b"", 0
    for varying in _VARYING.finditer(prefix):
        changes_as = rb"\d+" if varying.group()[:1].isdigit() else _LEVEL + rb" *"
        pattern += re.escape(prefix[start : varying.start()]) + changes_as
        start = varying.end()
    return pattern + re.escape(prefix[start:])


def clean_pattern(pattern: str) -> str:
    """A literal pattern as it appears in a cleaned line (without a leading box character)."""
    return clean_line(0, pattern.strip().encode()).text.strip().decode()
