"""Removing secrets from a pasted log before anything else sees it."""

import functools
import heapq
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import AnyStr, NamedTuple

import re2

from kb.diagnosis.reading import encode_utf8
from kb.diagnosis.secret_rules import PRINTS_A_SECRET, RULES, SecretRule

REDACTED = "[redacted]"

# A private key's body runs over the lines after its BEGIN line, up to its END line.
_KEY_BODY_LINES = 200
# What a random token looks like: long, mixed case, digits, and few repeats.
_RANDOMNESS_SAMPLE = 256
_DIGITS = tuple(str(digit).encode() for digit in range(10))
GUESSED_RULE = "high-entropy"
# Its pattern reads the line below a command. The alternation reads within lines, so it holds
# the command alone, and the whole pattern is tried only where the command is.
PRINTED_RULE = "printed-secret"
_MIN_ENTROPY_BITS = 4.0
# Random characters change kind (upper, lower, digit) at about 6 in 10; words far less often.
_MIN_KIND_CHANGES = 0.45
# Candidates turned down in one log before the guess at random tokens is given up.
_MAX_TURNED_DOWN = 5000
# Commands that print a secret read where the alternation finds them, one at a time, before
# a pass of their own finds the rest's at C speed.
_MAX_COMMANDS = 100


def compile_bytes_regex(
    pattern: bytes, case_sensitive: bool = True, capture: bool = True, within_lines: bool = True
) -> "re2._Regexp":
    """An RE2 regex over log bytes; unless told otherwise, it never matches across a line end.

    It reads byte by byte (Latin-1), so text that is not valid UTF-8 can be matched too.
    """
    options = re2.Options()
    options.never_nl = within_lines
    options.log_errors = False
    options.encoding = re2.Options.Encoding.LATIN1
    options.case_sensitive = case_sensitive
    options.never_capture = not capture
    # Room for the DFA of thousands of alternatives; RE2 falls back to a slower (still
    # linear) engine if it needs more.
    options.max_mem = 256 << 20
    return re2.compile(pattern, options)


# A run of the guess's token characters (the high-entropy rule's) with a capital letter among
# 32 of them in a row: each of the 32 places the capital can hold in the 32 is one alternative.
_RUN_CHARACTER = "[A-Za-z0-9+/=_-]"
_RUN_WITH_CAPITAL = compile_bytes_regex(
    (
        f"{_RUN_CHARACTER}*(?:"
        + "|".join(f"{_RUN_CHARACTER}{{{before}}}[A-Z]{_RUN_CHARACTER}{{{31 - before}}}" for before in range(32))
        + ")"
    ).encode(),
    capture=False,
)


class _Alternation(NamedTuple):
    regex: "re2._Regexp | None"
    rule_by_group: dict[int, str]


def _alternation(rules: Iterable[SecretRule]) -> _Alternation:
    """The rules in one RE2 alternation, each with its own name for its `secret` group."""
    rules = list(rules)
    names = [f"secret{index}" for index in range(len(rules))]
    pattern = "|".join(
        "(?:" + _within_line(rule).replace("(?P<secret>", f"(?P<{name}>") + ")"
        for rule, name in zip(rules, names, strict=True)
    ).encode()
    regex = compile_bytes_regex(pattern) if rules else None
    groups = (regex.groupindex[name.encode()] for name in names) if regex else ()
    return _Alternation(regex, {group: rule.name for group, rule in zip(groups, rules, strict=True)})


def _within_line(rule: SecretRule) -> str:
    """The part of the rule's pattern the alternation reads: for a printed secret, the command
    (with an empty secret group: the line below is read apart)."""
    if rule.name == PRINTED_RULE:
        return "(?P<secret>)" + PRINTS_A_SECRET
    return rule.pattern


class SecretFinder:
    """The rules compiled into one RE2 alternation, so that one pass finds them all, and the
    guess at random tokens (``high-entropy``) in a regex of its own: inside the alternation,
    random text made RE2 build new states byte after byte (1 s per MB of random words).

    The alternation reads within lines, so for a secret printed on the line below a command
    it finds the command, and the line below is read there; a log of commands by the thousand
    is searched for them in a pass of its own instead, past the first _MAX_COMMANDS.

    Values never contain a newline, so redaction never changes the line count.
    """

    def __init__(self, rules: Iterable[SecretRule]):
        self._rules = tuple(rules)
        self._named = _alternation(rule for rule in self._rules if rule.name != GUESSED_RULE)
        guessed = [rule.pattern.encode() for rule in self._rules if rule.name == GUESSED_RULE]
        self._guess = compile_bytes_regex(guessed[0]) if guessed else None
        printed = [rule.pattern.encode() for rule in self._rules if rule.name == PRINTED_RULE]
        self._printed = compile_bytes_regex(printed[0], within_lines=False) if printed else None

    @functools.cached_property
    def _named_but_printed(self) -> _Alternation:
        return _alternation(rule for rule in self._rules if rule.name not in (GUESSED_RULE, PRINTED_RULE))

    def spans(self, data: bytes) -> Iterator[tuple[int, int]]:
        """Where the secrets in data are, in order. pip's own `****` masks and low-entropy
        words are not secrets."""
        return heapq.merge(self._named_spans(data), self._guessed_spans(data))

    def _named_spans(self, data: bytes) -> Iterator[tuple[int, int]]:
        below: list[tuple[int, int]] = []  # secrets printed below a command, yielded in their place
        rest: list[int] = []  # where the alternation gave the commands up, and where they are unread
        for span in self._spans_as_found(self._named, data, 0, below, rest):
            while below and below[0] < span:
                yield heapq.heappop(below)
            yield span
        if not rest:
            yield from sorted(below)
            return
        resume, unread = rest
        after = self._spans_as_found(self._named_but_printed, data, resume, [], [])
        yield from heapq.merge(sorted(below), after, self._printed_spans(data, unread))

    def _spans_as_found(
        self, alternation: _Alternation, data: bytes, start: int, below: list[tuple[int, int]], rest: list[int]
    ) -> Iterator[tuple[int, int]]:
        """The alternation's secrets in order from `start`, but for those printed on the line
        below a command, which go on the heap `below`. Past _MAX_COMMANDS commands it stops,
        and `rest` gets where, and from where the commands are unread."""
        # Finding the rule that matched asks RE2's binding group by group; a log's secrets are
        # mostly of one kind, so the last rule found is asked first.
        groups = list(alternation.rule_by_group)
        key_body_from, key_body = -1, []  # the lines below the last key opening read
        commands, printed_until = 0, 0  # the commands found, and up to where they were read
        while alternation.regex and (match := alternation.regex.search(data, start)):
            group = next(group for group in groups if match.start(group) >= 0)
            if group != groups[0]:
                groups.remove(group)
                groups.insert(0, group)
            secret_start, secret_end = match.span(group)
            rule = alternation.rule_by_group[group]
            if rule == PRINTED_RULE:
                if commands == _MAX_COMMANDS:
                    rest += (match.start(), max(match.start(), printed_until))
                    return
                commands += 1
                if match.start() >= printed_until:
                    printed_until = self._read_printed(data, match.start(), below)
                start = match.start() + 1  # other rules' secrets may sit inside the command
                continue
            if rule == "private-key":
                if secret_start < secret_end:
                    yield secret_start, secret_end
                if not data.startswith(b"-----END", secret_end):
                    # A line of thousands of key openings reads the lines below it once.
                    if secret_end >= key_body_from:
                        key_body_from = data.find(b"\n", secret_end) + 1 or len(data) + 1
                        key_body = list(_key_body_spans(data, key_body_from))
                    yield from key_body
            else:
                yield secret_start, secret_end
            start = max(secret_end, match.start() + 1)

    def _read_printed(self, data: bytes, command: int, below: list[tuple[int, int]]) -> int:
        """Put the secret printed below the command at `command` on the heap `below`, if there
        is one; return where the next command is worth reading from. Every command on a line
        prints the same line below it, so the line is read once."""
        printed = self._printed.match(data, command) if self._printed else None
        if printed is None:
            line_end = data.find(b"\n", command)
            return len(data) if line_end < 0 else line_end
        heapq.heappush(below, printed.span(1))  # the secret group
        return printed.end()

    def _printed_spans(self, data: bytes, start: int) -> Iterator[tuple[int, int]]:
        """The secrets commands print on the line below them, from `start`."""
        while self._printed and (match := self._printed.search(data, start)):
            yield match.span(1)  # the secret group
            start = match.end()

    def _guessed_spans(self, data: bytes) -> Iterator[tuple[int, int]]:
        """Long tokens that look random, to the token's end."""
        turned_down = 0
        start: int | None = 0
        while self._guess and start is not None and (match := self._guess.search(data, start)):
            secret_start, start = match.span(1)  # the secret group: names are for str patterns
            token = data[secret_start:start]
            if token.lower() == token:
                # Tokens without a capital (wheel names, hashes, paths) come by the thousand:
                # one search skips them all, rather than one call of the guess each.
                start = _start_of_run_with_capital(data, start)
                continue
            if token.upper() == token or not any(digit in token for digit in _DIGITS):
                continue  # words and names lack a case or the digits: turned down at C speed
            if _looks_random(token):
                yield secret_start, start
            else:
                turned_down += 1
                if turned_down == _MAX_TURNED_DOWN:
                    return  # a log made of near-random words: the guess costs more than it finds

    def redact(self, log: AnyStr) -> tuple[AnyStr, int]:
        """Replace every secret with REDACTED; return the new log and how many were removed.

        >>> redact("pip install -i https://me:hunter2@pypi.example.org/simple x")
        ('pip install -i https://[redacted]@pypi.example.org/simple x', 1)
        """
        data = encode_utf8(log) if isinstance(log, str) else log
        spans = merge_spans(self.spans(data))
        if not spans:
            return log, 0
        redacted = without_secrets(data, spans)
        return (redacted.decode("utf-8", "surrogatepass") if isinstance(log, str) else redacted), len(spans)


_FINDER = SecretFinder(RULES)
secret_spans = _FINDER.spans
redact = _FINDER.redact


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted, without the ones inside another (a key body found twice)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def without_secrets(data: bytes, spans: Iterable[tuple[int, int]]) -> bytes:
    """`data` with REDACTED in place of each span (in order, not overlapping)."""
    pieces: list[bytes] = []
    copied_up_to = 0
    for start, end in spans:
        pieces += (data[copied_up_to:start], REDACTED.encode())
        copied_up_to = end
    pieces.append(data[copied_up_to:])
    return b"".join(pieces)


def _key_body_spans(data: bytes, line_start: int) -> Iterator[tuple[int, int]]:
    """Each line of a private key's body, from `line_start` up to the END line."""
    line_end = line_start - 1
    for _ in range(_KEY_BODY_LINES):
        if line_end < 0:
            return
        line_start, line_end = line_end + 1, data.find(b"\n", line_end + 1)
        line = data[line_start : len(data) if line_end < 0 else line_end]
        body = line.split(b"-----END", 1)[0]
        if body.strip():
            yield line_start, line_start + len(body.rstrip())
        if len(body) < len(line):
            return


def _start_of_run_with_capital(data: bytes, start: int) -> int | None:
    """Where the guess may find a random token next: just before the first run of 32 token
    characters or more that holds a capital letter (from `start`), or None if there is none.
    A random token has a capital, so the tokens before that run cannot be one."""
    found = _RUN_WITH_CAPITAL.search(data, start)
    # The guess's match starts at the character before its token.
    return None if found is None else max(start, found.start() - 1)


def _looks_random(token: bytes) -> bool:
    """Mixed case and digits, changing kind often, with high entropy: a random token.

    A hash (hex), a path, or a CamelCase name with a version in it is not. The guess's pattern
    hands over only tokens long enough to judge (32 characters or more).
    """
    # A random token is random from its start; reading more only costs time.
    text = token[:_RANDOMNESS_SAMPLE].decode("latin-1")
    kinds = [_kind(char) for char in text]
    if min(kinds.count("upper"), kinds.count("lower"), kinds.count("digit")) < 2:
        return False
    changes = sum(1 for kind, following in itertools.pairwise(kinds) if kind != following)
    shares = [count / len(text) for count in Counter(text).values()]
    entropy = -sum(share * math.log2(share) for share in shares)
    return changes / (len(text) - 1) >= _MIN_KIND_CHANGES and entropy >= _MIN_ENTROPY_BITS


def _kind(char: str) -> str:
    if char.isupper():
        return "upper"
    if char.islower():
        return "lower"
    return "digit" if char.isdigit() else "other"
