"""Signatures (how an entry is recognised in a log) and their compiled, checked form."""

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import re2

from kb.diagnosis.cleaning import clean_pattern
from kb.diagnosis.redaction import compile_bytes_regex

# A literal shorter than this finds too many candidate lines to be worth indexing.
MIN_LITERAL_LENGTH = 3


@dataclass(frozen=True)
class Signature:
    code: str  # entry code, e.g. "HASH_MISMATCH"
    tool: str  # "pip"
    severity: str  # "error" | "warning"
    pattern: str  # literal text, or an RE2 regex when is_regex
    is_regex: bool = False
    detail: str = ""  # RE2 regex run on the lines after the match; named groups become facts
    only_if_failed: bool = False  # counts only when the log also shows an error
    printed_by: str = ""  # the program that prints the message when it is not pip (Python, a compiler)
    key: int | None = None  # the database id, handed back in matches


class InvalidPattern(ValueError):
    """A signature the matcher refuses; str(error) names the signature and the problem."""


@dataclass(frozen=True)
class CompiledSignature:
    signature: Signature
    literals: tuple[bytes, ...]  # lower-case UTF-8; a candidate line contains one of them
    regex: "re2._Regexp | None"  # None for a literal signature
    detail: "re2._Regexp | None"
    # What a line holds where the regex can match it: one of these branches, each a list of
    # word groups the line holds one word of (lower-case ASCII). Empty: no such test.
    line_test: tuple[tuple[tuple[bytes, ...], ...], ...] = ()
    # For each literal, whether every match holds text before it, and after it: text a
    # wrapped line may have put on the line above, or below.
    literal_sides: tuple[tuple[bool, bool], ...] = ()

    @property
    def scans_every_line(self) -> bool:
        return not self.literals


def compile_signature(signature: Signature) -> CompiledSignature:
    if signature.severity not in ("error", "warning"):
        raise _invalid(signature, f"severity must be error or warning, not {signature.severity!r}")
    detail = _compile_regex(signature, signature.detail, "detail") if signature.detail else None
    if not signature.is_regex:
        literal = clean_pattern(signature.pattern)
        if len(literal) < MIN_LITERAL_LENGTH:
            raise _invalid(signature, f"a literal pattern needs {MIN_LITERAL_LENGTH} characters or more")
        return CompiledSignature(signature, (literal.lower().encode(),), None, detail, (), ((False, False),))
    regex = _compile_regex(signature, signature.pattern, "pattern", case_sensitive=False)
    if regex.search(b""):
        raise _invalid(signature, "the pattern matches an empty line, so it would match every line")
    runs = _candidate_runs(signature.pattern)
    literals = tuple(_indexed(run.literal).lower().encode() for run in runs)
    sides = tuple(_sides(run) for run in runs)
    return CompiledSignature(signature, literals, regex, detail, line_test(signature.pattern), sides)


class _Run(NamedTuple):
    """A branch's longest literal run, with the pattern around it in that branch."""

    before: str
    literal: str
    after: str


def _candidate_runs(pattern: str) -> list[_Run]:
    """The required literals of a pattern, or else of the one group it consists of
    (`^(?:PermissionError|OSError: \\[Errno)`), so that it need not be run on every line."""
    runs = _required_runs(pattern)
    inside = _sole_group(pattern)
    return _candidate_runs(inside) if not runs and inside else runs


def _sides(run: _Run) -> tuple[bool, bool]:
    """Whether every match holds text before the run's literal, and after it."""
    return not _may_be_empty(run.before), not _may_be_empty(run.after)


@functools.lru_cache(maxsize=4096)  # each matcher built compiles mostly the same patterns again
def _may_be_empty(fragment: str) -> bool:
    """Whether a fragment of a pattern can match no text (one that is no pattern of its own,
    such as a `+` cut from its atom, is taken to need some)."""
    try:
        return compile_bytes_regex(fragment.encode(), capture=False).fullmatch(b"") is not None
    except re2.error:
        return False


def _sole_group(pattern: str) -> str | None:
    """What is inside the group that makes up all of `pattern` but its anchors, if one does."""
    body = pattern.removeprefix("^")
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    if not body.startswith("(") or _group_end(body, 0) != len(body):
        return None
    return _inside(body)


def _inside(group: str) -> str:
    """The alternatives of a group, written `(...)` with its name or flags."""
    inside = group[1:-1]
    if inside.startswith(("?P<", "?<")):
        return inside[inside.find(">") + 1 :]
    if inside.startswith("?"):  # flags (`(?i:`, `(?s-i:`); flags alone, `(?i)`, hold nothing
        return inside.partition(":")[2]
    return inside


def _indexed(literal: str) -> str:
    """The literal as looked for: a label's blank (`for url: `) goes, since a word wrap breaks
    the line there and drops it."""
    return literal.rstrip() if literal.endswith(": ") else literal


def _compile_regex(signature: Signature, pattern: str, field: str, case_sensitive: bool = True) -> "re2._Regexp":
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    try:
        return re2.compile(pattern.encode(), options)
    except re2.error as error:
        reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else error
        raise _invalid(
            signature,
            f"the {field} is not a valid RE2 regular expression ({reason}); "
            "RE2 has no look-around and no backreferences",
        ) from None


def _invalid(signature: Signature, problem: str) -> InvalidPattern:
    name = signature.code if signature.key is None else f"{signature.code} (signature {signature.key})"
    return InvalidPattern(f"Signature {name}: {problem}.")


def required_literals(pattern: str) -> list[str]:
    """Literal text every match must contain: one per top-level alternative, or [] if any
    alternative has none long enough (the regex then has to be run on every line).

    >>> required_literals(r"Failed building wheel for (?P<package>\\S+)")
    ['Failed building wheel for ']
    """
    return [run.literal for run in _required_runs(pattern)]


def _required_runs(pattern: str) -> list[_Run]:
    runs = []
    for branch in _top_level_branches(pattern):
        start, end, literal = max(_literal_spans(branch), key=lambda span: len(span[2]))
        if len(literal.strip()) < MIN_LITERAL_LENGTH:
            return []
        runs.append(_Run(branch[:start], literal, branch[end:]))
    return runs


def line_test(pattern: str) -> tuple[tuple[tuple[bytes, ...], ...], ...]:
    """Words a line holds wherever the pattern can match it, so that the lines that hold a
    signature's literal but cannot match (`Building wheel for x ... done` where the pattern
    wants `... error`) are set aside before they are cleaned and searched.

    One test per top-level alternative of the pattern, and a line that matches it passes
    that alternative's test: it holds a word of each group of words. The groups are each word
    of the alternative's own text, and for each group of the pattern that cannot be skipped,
    a word of each of its alternatives. Words are cut at whitespace (cleaning turns tabs
    into spaces). Empty where an alternative holds no word: every line may match it.
    """
    tests = []
    for branch in _top_level_branches(pattern):
        words = [(word,) for run in _literal_runs(branch) for word in _words(run)]
        words += filter(None, (_one_word_each(group) for group in _unskippable_groups(branch)))
        if not words:
            return ()
        tests.append(tuple(dict.fromkeys(words)))
    return tuple(tests)


def _words(text: str) -> list[bytes]:
    # Lower-cased as bytes, like the lines they are looked for in: only ASCII changes case.
    return [word.encode().lower() for word in text.split() if len(word) >= MIN_LITERAL_LENGTH]


def _one_word_each(group: str) -> tuple[bytes, ...]:
    """The longest word of each alternative of a group; empty if one of them has none."""
    longest = [
        max((word for run in _literal_runs(alternative) for word in _words(run)), key=len, default=b"")
        for alternative in _top_level_branches(_inside(group))
    ]
    return () if not all(longest) else tuple(dict.fromkeys(longest))


def _unskippable_groups(branch: str) -> Iterator[str]:
    """The groups at the top level of a branch that every match of it goes through."""
    for index, char, depth in _structure(branch, 0):
        if char == "(" and depth == 1:
            end = _group_end(branch, index)
            if not _skippable(branch, end):
                yield branch[index:end]


def _skippable(pattern: str, index: int) -> bool:
    """Whether the quantifier at `index`, if any, allows no repeat at all."""
    char = pattern[index : index + 1]
    return char in ("?", "*") or (char == "{" and _is_quantifier(pattern, index) and pattern[index + 1] == "0")


def _top_level_branches(pattern: str) -> list[str]:
    branches, start = [], 0
    for index, char, depth in _structure(pattern, 0):
        if char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
    branches.append(pattern[start:])
    return branches


def _structure(pattern: str, index: int) -> Iterator[tuple[int, str, int]]:
    """Each grouping character of ``pattern`` from ``index`` on (`(`, `)`, `|`) with the group
    depth after it, skipping escapes and character classes."""
    depth = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
            continue
        if char in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[char]
            yield index, char, depth
        index += 1


def _literal_runs(branch: str) -> list[str]:
    """Runs of characters that match only themselves, in a branch without top-level `|`."""
    return [text for _, _, text in _literal_spans(branch)]


def _literal_spans(branch: str) -> list[tuple[int, int, str]]:
    """The literal runs of a branch, each with where it starts and ends in the branch."""
    runs: list[tuple[int, int, str]] = []
    current: list[tuple[int, int, str]] = []  # the run's characters, each with its span
    index = 0

    def close_run() -> None:
        runs.append((current[0][0], current[-1][1], "".join(char for _, _, char in current)) if current else (0, 0, ""))
        current.clear()

    while index < len(branch):
        char = branch[index]
        if char in "*?+{" and _is_quantifier(branch, index):
            # The quantified atom may be absent or repeated: it cannot stay in a run.
            if current and char != "+":
                current.pop()
            close_run()
            index = _quantifier_end(branch, index)
        elif char == "\\":
            escaped = branch[index + 1 : index + 2]
            if escaped and not escaped.isalnum():
                current.append((index, index + 2, escaped))
                index += 2
            else:
                close_run()
                index = _escape_end(branch, index)
        elif char == "[":
            close_run()
            index = _class_end(branch, index)
        elif char == "(":
            close_run()
            index = _group_end(branch, index)
        elif char in ".^$)":
            close_run()
            index += 1
        else:
            current.append((index, index + 1, char))
            index += 1
    close_run()
    return runs


def _escape_end(pattern: str, index: int) -> int:
    """The end of an escape such as \\d, \\x41, \\x{263a}, \\pL, \\p{Greek} or \\101."""
    kind = pattern[index + 1 : index + 2]
    index += 2
    if kind in ("x", "p", "P") and pattern[index : index + 1] == "{":
        return pattern.find("}", index) + 1 or len(pattern)
    if kind == "x":
        return index + 2
    if kind in ("p", "P"):
        return index + 1
    while kind.isdigit() and pattern[index : index + 1].isdigit():
        index += 1
    return index


def _is_quantifier(pattern: str, index: int) -> bool:
    if pattern[index] != "{":
        return True
    closing = pattern.find("}", index)
    body = pattern[index + 1 : closing] if closing > 0 else ""
    return bool(body) and body.replace(",", "", 1).isdigit() and body[0].isdigit()


def _quantifier_end(pattern: str, index: int) -> int:
    index = pattern.find("}", index) + 1 if pattern[index] == "{" else index + 1
    return index + 1 if pattern[index : index + 1] in ("?", "+") else index


def _class_end(pattern: str, index: int) -> int:
    index += 1
    if pattern[index : index + 1] == "^":
        index += 1
    if pattern[index : index + 1] == "]":
        index += 1
    while index < len(pattern):
        if pattern.startswith("[:", index):
            index = pattern.find(":]", index) + 2 if ":]" in pattern[index:] else index + 1
        elif pattern[index] == "\\":
            index += 2
        elif pattern[index] == "]":
            return index + 1
        else:
            index += 1
    return index


def _group_end(pattern: str, index: int) -> int:
    for position, char, depth in _structure(pattern, index):
        if char == ")" and depth == 0:
            return position + 1
    return len(pattern)
