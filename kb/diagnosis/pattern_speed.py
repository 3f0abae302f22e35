"""How fast a signature's regex reads the hardest lines a log can hold for it.

RE2 is linear in the text, but its cost per byte grows with the pattern: counted repeats
inside repeated groups (`(?:.*a.{100}){8}`) leave it a slow engine that can take seconds
per megabyte. A log is only read through such a regex on lines that hold its literal, so
the test lines here are its literal followed by the characters it names, in random order,
which is where a pattern that counts them costs most. Timed in this thread's CPU time, so
that other work on the machine does not count; a slow pattern is given up on as soon as
it is known to be too slow.
"""

import random
import re
import time
from collections.abc import Callable

import re2

from kb.diagnosis.signatures import required_literals

# A diagnosis reads at most this many megabytes of candidate lines per second of work.
MIN_MEGABYTES_PER_SECOND = 8.0
_LINES = 16
_LINE_BYTES = 1000
_CLASSES = 4
_ALWAYS = "ab01 :-_/."
_CLASS = re.compile(r"\[([^\]^\\][^\]\\]*)\]")
_CLASS_PART = re.compile(r"(\w)-(\w)|(.)")


def test_lines(pattern: str) -> list[bytes]:
    """Lines a log could hold to make `pattern` slow: its literal, then characters it names,
    all of them or those of one of its character classes."""
    literal = max(required_literals(pattern), key=len, default="")
    named = set(_ALWAYS) | {char for char in pattern if char.isprintable() and char not in "\\()[]{}|*+?^$"}
    alphabets = [sorted(named)] + [sorted(members) for members in _class_members(pattern)[:_CLASSES]]
    generator = random.Random(pattern)  # noqa: S311 -- the same test lines for the same pattern, not a secret
    return [
        (literal + "".join(generator.choice(alphabet) for _ in range(_LINE_BYTES))).encode()
        for alphabet in alphabets
        for _ in range(_LINES)
    ]


def _class_members(pattern: str) -> list[set[str]]:
    """The characters each character class of the pattern names (`[ab]`, `[0-9a-f]`)."""
    classes = []
    for body in _CLASS.findall(pattern):
        members = set()
        for first, last, single in _CLASS_PART.findall(body):
            members |= {chr(code) for code in range(ord(first), ord(last) + 1)} if first else {single}
        if members:
            classes.append(members)
    return classes


def megabytes_per_second(pattern: str, regex: "re2._Regexp", clock: Callable[[], float] = time.thread_time) -> float:
    """How fast `regex` reads the test lines of `pattern`; once too slow, a lower bound.
    `clock` tells the seconds of work done (tests give one that does not depend on the machine)."""
    lines = test_lines(pattern)
    allowed = len(lines) * _LINE_BYTES / (MIN_MEGABYTES_PER_SECOND * 1024 * 1024)
    read, started = 0, clock()
    for line in lines:
        regex.search(line)
        read += len(line)
        if clock() - started > allowed:
            break
    elapsed = max(clock() - started, 1e-9)
    return read / (1024 * 1024) / elapsed
