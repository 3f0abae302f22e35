"""The text index: for every text an entry quotes, the pip releases whose source holds it.

A printed line mixes pip's words with values (a package, a URL, a count). Its *pieces* are
the parts of it that a release's source has as literals (see `matrix.module_texts`), chosen
longest first without overlap; what is left between them are the values. A release prints
the line when its pieces cover nearly as much of it as the best release's. Claim sources
are looked up as they are.

The index is a committed JSON fixture, so tests and an offline install need no pip wheel.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from kb.releases.matrix import FIXTURE_DIR, ReleaseTexts, format_ranges, read_releases, versions_in_ranges

INDEX_FILE = FIXTURE_DIR / "index.json"
# A piece is a message, not a lone word that any printed value could contain: two words
# or more, or a diagnostic reference such as `connection-failed`.
_MESSAGE_LIKE = re.compile(r"[A-Za-z]\W*\s+\W*[A-Za-z]")
_REFERENCE = re.compile(r"[a-z]+(?:-[a-z]+)+")
# What pip's logging puts before a message; the source does not hold it with the message.
_LEVEL_PREFIX = re.compile(r"^(?:ERROR|WARNING|INFO|error|warning|note|hint): ")
_PLACEHOLDER_IN_ENTRY = re.compile(r"\{\w+\}")
# Quotes and punctuation at a piece's ends are often the value's (`{name!r}`), not the message's.
_EDGE_PUNCTUATION = " '\"`.,:;()[]"


def is_message_like(text: str) -> bool:
    return _MESSAGE_LIKE.search(text) is not None or (len(text) >= 8 and _REFERENCE.fullmatch(text) is not None)


class Vocabulary:
    """Every message-like literal of the releases read, searchable inside a printed line."""

    def __init__(self, literals: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for literal in literals:
            if is_message_like(literal):
                self._automaton.add_word(literal, len(literal))
        self._automaton.make_automaton()

    def pieces_of(self, line: str) -> list[str]:
        """The parts of `line` that are pip's literals, in the order they appear.

        >>> Vocabulary(["Could not open ", "six"]).pieces_of("ERROR: Could not open six")
        ['Could not open ']
        """
        line = _PLACEHOLDER_IN_ENTRY.sub("\x00", line)
        found = [(end + 1 - length, end + 1) for end, length in self._automaton.iter(line)]
        chosen: list[tuple[int, int]] = []
        for start, end in sorted(found, key=lambda span: span[0] - span[1]):
            if _whole_words(line, start, end) and all(end <= other[0] or start >= other[1] for other in chosen):
                chosen.append((start, end))
        return [line[start:end] for start, end in sorted(chosen)]

    def covers(self, lines: Iterable[str]) -> dict[str, list[str]]:
        return {line: self.pieces_of(line) for line in lines}


def _whole_words(line: str, start: int, end: int) -> bool:
    """A piece may not start or end inside a word or a path of the line (`full` in
    `successfully`, `site-packages` in `lib/python3.12/site-packages`)."""
    cuts_start = start > 0 and (line[start - 1] == "/" or line[start].isalnum() and line[start - 1].isalnum())
    cuts_end = end < len(line) and (line[end] == "/" or line[end - 1].isalnum() and line[end].isalnum())
    return not (cuts_start or cuts_end)


# A release prints a line when its literals cover nearly as many of the line's letters as
# the best release's do: a value pip fills in from a constant (`Could not find a %s that`
# with "version") is then not taken for a changed message.
PRINTS_THRESHOLD = 0.85


@dataclass
class TextIndex:
    releases: list[str]  # every release of the matrix, oldest first
    texts: dict[str, dict]  # a quoted text -> {"pieces": [...], "printed_in": ranges}; no pieces: not pip's
    ranges: dict[str, str]  # a piece or a claim's source -> the releases that hold it, as ranges

    def pieces(self, text: str) -> list[str]:
        return self.texts[text]["pieces"]

    def releases_holding(self, literal: str) -> set[str]:
        return versions_in_ranges(self.ranges[literal], self.releases)

    def releases_printing(self, text: str) -> set[str] | None:
        """The releases that print `text`; None when no release holds any of its words."""
        if not self.texts[text]["pieces"]:
            return None
        return versions_in_ranges(self.texts[text]["printed_in"], self.releases)

    def format(self, versions: Iterable[str]) -> str:
        return format_ranges(versions, self.releases)

    def to_json(self) -> str:
        # One key a line, so that a new release shows in a diff as the lines it changed.
        document = {"texts": dict(sorted(self.texts.items())), "ranges": dict(sorted(self.ranges.items()))}
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str, releases: list[str]) -> TextIndex:
        document = json.loads(text)
        return cls(releases, document["texts"], document["ranges"])


def build_index(
    texts: Iterable[str], literals: Iterable[str], release_texts: Mapping[str, ReleaseTexts], releases: list[str]
) -> TextIndex:
    """Index quoted `texts` by the releases that print them, and `literals` (claim sources) by
    the releases that hold them as they are, in a literal or in the code as written. A text
    that one literal of a release holds whole (a signature, a header line without values) is
    dated by that; others by their pieces."""
    literals = set(literals)
    messages = {text: _LEVEL_PREFIX.sub("", text) for text in sorted(set(texts))}
    release_literals = {version: release_texts[version].literals for version in releases}
    whole = _releases_holding({message for message in messages.values() if _has_words(message)}, release_literals)
    split = [text for text, message in messages.items() if not whole.get(message)]
    covers = {version: Vocabulary(release_literals[version]).covers(split) for version in releases}
    entries = {
        text: {"pieces": [message], "printed_in": format_ranges(whole[message], releases)}
        for text, message in messages.items()
        if whole.get(message)
    }
    entries |= {text: _text_entry(text, releases, covers) for text in split}
    wanted = {piece for entry in entries.values() for piece in entry["pieces"]} | literals
    holding = whole | _releases_holding(wanted - whole.keys(), release_literals)
    for version in releases:
        for snippet in release_texts[version].in_code & literals:
            holding[snippet].add(version)
    return TextIndex(releases, entries, {literal: format_ranges(holding[literal], releases) for literal in wanted})


def _text_entry(text: str, releases: list[str], covers: Mapping[str, dict[str, list[str]]]) -> dict:
    letters = {version: _letter_count(covers[version][text]) for version in releases}
    best = max(letters.values(), default=0)
    if best == 0:
        return {"pieces": [], "printed_in": ""}
    printing = [version for version in releases if letters[version] >= PRINTS_THRESHOLD * best]
    newest_best = next(version for version in reversed(releases) if letters[version] == best)
    pieces = [piece.strip(_EDGE_PUNCTUATION) for piece in covers[newest_best][text]]
    pieces = [piece for piece in pieces if piece]
    return {"pieces": pieces, "printed_in": format_ranges(printing, releases)}


def _releases_holding(literals: set[str], release_texts: Mapping[str, frozenset[str]]) -> dict[str, set[str]]:
    holding: dict[str, set[str]] = {literal: set() for literal in literals}
    if not literals:
        return holding
    finder = ahocorasick.Automaton()
    for literal in literals:
        finder.add_word(literal, literal)
    finder.make_automaton()
    for version, release in release_texts.items():
        # \x00 never occurs in a literal, so no match spans two of the release's texts.
        for _, literal in finder.iter("\x00".join(release)):
            holding[literal].add(version)
    return holding


def _has_words(text: str) -> bool:
    """Whether a text says anything on its own (`Exception:` does, a caret line `   ^` not)."""
    return _letter_count([text]) >= 4


def _letter_count(pieces: list[str]) -> int:
    return sum(character.isalpha() for piece in pieces for character in piece)


def read_index(path: Path = INDEX_FILE, releases: list[str] | None = None) -> TextIndex:
    versions = releases if releases is not None else [release.version for release in read_releases()]
    return TextIndex.from_json(path.read_text(), versions)
