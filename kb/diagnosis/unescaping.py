"""Logs that a tool passed on escaped, read as the text pip printed.

Ansible prints a failed task's result as JSON (`"stderr": "ERROR: ...\\nERROR: ..."`, and the
same lines again as `"stderr_lines": [...]`, one per line with `-v`); log shippers keep each
line as a JSON object (`{"log": "...\\n", "stream": "stderr"}` from Docker's json-file driver,
`message` or `msg` from most others, `MESSAGE` from `journalctl -o json`, which writes a line
holding a control character, as a colour's escape, or bytes that are not UTF-8 as the array of
its bytes' values). A program that runs pip through Python's `subprocess` prints what it captured
as Python's repr of it: `stderr: b'ERROR: ...\\nERROR: ...\\n'` below the CalledProcessError,
`CompletedProcess(args=[...], returncode=1, stdout=b'Collecting ...\\n', stderr=b'...')`, pytest's
`stdout = b'...'`, an exception's `(b'...', b'...')`, or a str's repr (`output = '...'`, in double
quotes where the text holds a single one). Each such line is replaced by the text it carries, so
the engine reads pip's own lines. The log's line numbers are then those of the unescaped text,
which is the log the diagnosis shows.
"""

import codecs
import heapq
import json
import re
from collections.abc import Callable, Iterator

import re2

from kb.diagnosis.redaction import compile_bytes_regex


# Runs only while the module is imported, before mutmut can switch a mutant on (see the README).
def _re2(pattern: bytes) -> "re2._Regexp":  # pragma: no mutate block
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


# Keys whose string value is output a program printed, in the order they are read: pip
# writes its progress to stdout and its errors to stderr, so stdout comes first. The
# `_lines` lists repeat them; `msg` repeats them too where they are present.
_TEXT_KEYS = ("stdout", "module_stdout", "stderr", "module_stderr", "log", "message", "MESSAGE", "textPayload", "msg")
_LINE_LISTS = {"stdout_lines": "stdout", "stderr_lines": "stderr"}
# Keys whose output may come as the values of its bytes, where it is no text JSON can hold.
_BYTES_KEYS = {"MESSAGE"}
_REPEATED_BY_MSG = {"stdout", "stderr", "stdout_lines", "stderr_lines"}
_KEYS_READ = (*_TEXT_KEYS, *_LINE_LISTS)
_KEYS_READ_SET = frozenset(_KEYS_READ)
_DECODER = json.JSONDecoder()
_JSON_BLANKS = " \t\n\r"
# Marks of lines that may be escaped: a JSON object, an escaped newline, or (in a log that
# shows Ansible's keys) a JSON string on a line of its own, as pretty-printed results have them.
# Each starts with one byte, so it is found at memchr's speed; one alternation of them
# would read every byte. Each takes the rest of its line, so a line of a million marks is
# one mark. Python's `re` (none of them can backtrack: each is a byte and runs of one class)
# hands over a log's hundreds of thousands of marks ten times faster than RE2's binding.
_OBJECT = re.compile(rb"\{[\t\n\f\r ]*\"[^\n]*")
_ESCAPED_NEWLINE = re.compile(rb"\\n[^\n]*")
_STRING_ALONE = re.compile(rb"(?m)^[ \t]*\"")
_BYTE_IN_EVERY_MARK = {_OBJECT: b"{", _ESCAPED_NEWLINE: b"\\", _STRING_ALONE: b'"'}
# One RE2 search: `key in data` for each is four passes, slow where `"` is common.
_ANSIBLE_KEYS = _re2(rb'"stderr_lines"|"stdout_lines"|"module_stderr"|"msg": "')
# A JSON string alone on its line, in RE2: `re` would retry a string that is never closed
# from each escape in it, seconds for a line of a few megabytes.
_STRING_LINE = compile_bytes_regex(rb"[ \t]*(?:\"[\w-]+\"[ \t]*:[ \t]*)?(\"(?:[^\"\\\n]|\\.)*\")[ \t]*,?[ \t]*")
# A JSON value (after a key, whose closing quote comes before the colon) in a line too long or
# cut to parse, read where it holds escaped newlines; one the paste cut (no closing quote,
# perhaps half an escape) is read to the line's end. The key's quote keeps a repr of pip's output
# whose traceback quotes a line of code (`ask_input("User for {}: ".format(...))`) for the Python
# literals below. In `re`, as those and for the same reasons: its body is possessive, so a value
# never closed is read once.
_STRING_VALUE = re.compile(rb"(?<=\")([ \t]*:[ \t]*)\"((?:[^\"\\\n]|\\.)*+)(?:\"|\\?\Z)")
# A Python string or bytes literal after a blank or the punctuation a repr puts before it
# (`stderr=b'`, `(b'`, `: '`), not inside a word (`pip's`) nor right after a quote (the shell
# quoting of pip's old `-c '...replace('"'"'\\r\\n'"'"', ...'` command lines), then what it runs
# straight into if that is a quote, a word or a backslash: such a literal is part of something
# else. An escape never takes a byte past ASCII (Python keeps `\\é` as two characters), so the
# str decoding below is Python's. In `re`, whose matches cost a tenth of RE2's binding's (a line
# may hold a million literals): the body is possessive, so a literal that is never closed is read
# once, and it reads no quote of its own kind, so one left open to the line's end is the only one
# to start there.
_PYTHON_LITERAL = re.compile(
    rb"(^|[\t (,:=\[{])([bBrRuU]{0,2})"
    rb"(?:'((?:[^'\\\n]|\\[\x00-\x7f])*+)'|\"((?:[^\"\\\n]|\\[\x00-\x7f])*+)\")(?=([\w'\"\\])?)"
)
# The JSON values and Python literals read in a log at most: a program's repr of pip's output
# is a few of them, but each costs microseconds, and a 5 MB line holds a million short ones.
_STRINGS_PER_LOG = 100_000
# Newlines written as code, not output: the setup.py shim pip 8 to 21 print in its commands
# (`-c "...code.replace('\\r\\n', '\\n')..."`, alone or inside a literal of the whole code).
_QUOTED_NEWLINES = re.compile(rb"'(?:\\r|\\n)+'")
# Whether each prefix reads bytes; a raw literal's `\\n` is no newline, so none is read.
_DECODED_PREFIXES = {b"": False, b"u": False, b"U": False, b"b": True, b"B": True}


def unescape_log(data: bytes) -> bytes:
    """The log with each escaped line replaced by the text it carries; others are kept as they are."""
    marks = (_OBJECT, _ESCAPED_NEWLINE, _STRING_ALONE) if _ANSIBLE_KEYS.search(data) else (_OBJECT, _ESCAPED_NEWLINE)
    pieces: list[bytes | memoryview] = []
    view = memoryview(data)
    kept_from = next_line = 0
    strings = _Strings()
    for mark_start, mark_end in heapq.merge(*(_spans(pattern, data) for pattern in marks)):
        if mark_start < next_line:
            continue
        start = data.rfind(b"\n", 0, mark_start) + 1
        end = data.find(b"\n", mark_end)
        end = len(data) if end < 0 else end
        unescaped = _unescape_line(data[start:end], strings)
        if unescaped is not None:
            pieces += [view[kept_from:start], unescaped]
            kept_from = end
        next_line = end + 1
    return b"".join([*pieces, view[kept_from:]]) if pieces else data


def _spans(pattern: "re.Pattern[bytes]", data: bytes) -> Iterator[tuple[int, int]]:
    # `re` reads byte by byte up to the byte every mark holds; bytes.find reads at memchr's
    # speed (ten times faster), so a log without that byte, as most are, is passed at once.
    first = data.find(_BYTE_IN_EVERY_MARK[pattern])
    if first < 0:
        return iter(())
    line_start = data.rfind(b"\n", 0, first) + 1
    return map(re.Match.span, pattern.finditer(data, line_start))


def _unescape_line(line: bytes, strings: "_Strings") -> bytes | None:
    """The text an escaped line carries, or None when it carries none."""
    opening = line.find(b"{")
    if opening >= 0:
        texts = _texts_of(_json_or_none(line[opening:].rstrip().rstrip(b",")))
        if texts:
            before = line[:opening].rstrip()
            return b"\n".join([before, *texts] if before else texts)
    string = _STRING_LINE.fullmatch(line)
    text = _json_or_none(string.group(1)) if string else None
    if isinstance(text, str):
        return _encoded(text.rstrip("\n"))
    if b"\\n" not in line:
        return None
    return strings.read(_STRING_VALUE, _decoded_string, line) or strings.read(_PYTHON_LITERAL, _literal_read, line)


def _decoded_string(found: "re.Match[bytes]") -> bytes:
    if b"\\n" not in found.group(2):
        return found.group(0)
    text = _json_or_none(b'"' + found.group(2) + b'"')
    return found.group(1) + b"\n" + _encoded(text.rstrip("\n")) if isinstance(text, str) else found.group(0)


class _Strings:
    """Reads the escaped strings (JSON values, Python literals) of a log's lines, up to
    _STRINGS_PER_LOG of them."""

    def __init__(self) -> None:
        self.left = _STRINGS_PER_LOG

    def read(
        self, string: "re.Pattern[bytes]", text_of: Callable[["re.Match[bytes]"], bytes], line: bytes
    ) -> bytes | None:
        """The line with each string whose text holds a newline replaced by that text, on lines of
        its own (for a Python literal, what stood around it too: `, stderr=` and the closing `)`
        stay off pip's lines)."""
        if not self.left:
            return None
        read, found = string.subn(text_of, line, count=self.left)
        self.left -= found
        # A line holds no newline: those at either end of the result came before or after a literal.
        return read.strip(b"\n") if read != line else None


def _literal_read(found: "re.Match[bytes]") -> bytes:
    if b"\\n" not in found[0]:  # most literals of a line hold none: the cheapest test first
        return found[0]
    if b"\\n" not in _QUOTED_NEWLINES.sub(b"", found[0]):
        return found[0]
    before, prefix, single_quoted, double_quoted, runs_on = found.groups()
    text = None if runs_on else _literal_text(prefix, single_quoted, double_quoted)
    return before + b"\n" + text.rstrip(b"\n") + b"\n" if text and b"\n" in text else found[0]


def _literal_text(prefix: bytes, single_quoted: bytes | None, double_quoted: bytes | None) -> bytes | None:
    """The text a Python literal carries, as the log's bytes, or None where Python would not read it."""
    reads_bytes = _DECODED_PREFIXES.get(prefix)
    if reads_bytes is None:
        return None
    body = double_quoted if single_quoted is None else single_quoted
    if double_quoted is not None and not prefix and (b"\\u" in body or b"\\/" in body):
        # A JSON string, read as JSON: Python reads these two escapes apart (a surrogate pair as
        # two halves, `\\/` as itself); every other escape both read alike.
        text = _json_or_none(b'"' + body + b'"')
        if isinstance(text, str):
            return _encoded(text)
    try:
        if reads_bytes:
            # Python reads a bytes literal's escapes with this very function; it holds ASCII only.
            return codecs.escape_decode(body)[0] if body.isascii() else None
        if not body.isascii():  # its own characters past ASCII, as escapes the codec reads back
            body = body.decode("utf-8").encode("ascii", "backslashreplace")
        return _encoded(body.decode("unicode_escape"))
    except ValueError:  # not UTF-8, or an escape cut short (`\\x4`): Python would not read it either
        return None


def _json_or_none(text: bytes) -> object:
    """What `json.loads(text)` returns, or None where it fails.

    These are json.loads' own steps, except that the blanks around the value are stripped
    here rather than skipped by a regex, which cost more than the decoding itself.
    """
    # Every text here starts with `{` or `"`: only a NUL byte after it makes it UTF-16 or 32.
    encoding = "utf-8" if text[1:2] != b"\0" else json.detect_encoding(text)
    try:
        decoded = text.decode(encoding, "surrogatepass").strip(_JSON_BLANKS)
        value, end = _DECODER.scan_once(decoded, 0)
    except (ValueError, StopIteration):
        return None
    return value if end == len(decoded) else None


def _texts_of(value: object) -> list[bytes]:
    """The printed output inside a decoded JSON value, in the order of its keys."""
    texts: list[bytes] = []
    if isinstance(value, list):
        for item in value:
            texts += _texts_of(item)
    elif isinstance(value, dict):
        for key in sorted(_KEYS_READ_SET.intersection(value), key=_KEYS_READ.index):
            texts += _lines_under(key, value)
        for item in value.values():
            if isinstance(item, (dict, list)):
                texts += _texts_of(item)
    return texts


def _lines_under(key: str, value: dict) -> list[bytes]:
    """The printed lines that one of the keys read holds in an object."""
    text = value[key]
    if key in _LINE_LISTS:
        if isinstance(text, list) and not isinstance(value.get(_LINE_LISTS[key]), str):
            return [_encoded(line) for line in text if isinstance(line, str)]
    elif isinstance(text, str) and not (key == "msg" and _REPEATED_BY_MSG & value.keys()):
        return [_encoded(text.rstrip("\n"))]
    elif key in _BYTES_KEYS and isinstance(text, list) and _are_bytes(text):
        return [bytes(text).rstrip(b"\n")]
    return []


def _are_bytes(numbers: list) -> bool:
    """Whether a decoded JSON array is the values of some bytes (anything else is kept as it is)."""
    return all(type(number) is int and 0 <= number <= 255 for number in numbers)


def _encoded(text: str) -> bytes:
    # A lone surrogate (`\ud800` escaped, or its bytes decoded by _json_or_none) goes back
    # to the bytes it stands for, as the log held them, rather than failing the diagnosis.
    return text.encode("utf-8", "surrogatepass")
