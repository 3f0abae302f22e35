"""The text index: for every text an entry quotes, the pip releases whose source holds it.

A printed line mixes pip's words with values (a package, a URL, a count). Its *pieces* are
the parts of it that a release's source has as literals (see `matrix.texts_and_templates`), or
that one of its format strings prints with values in their places (`matrix.templates_in`),
chosen longest first without overlap; what is left between them are the values. A release
prints the line when its pieces cover nearly as much of it as the best release's. Claim
sources are looked up as they are.

The index is a committed JSON fixture, so tests and an offline install need no pip wheel.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from kb.releases.matrix import (
    FIXTURE_DIR,
    ReleaseTexts,
    Template,
    format_ranges,
    read_releases,
    versions_in_ranges,
)

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


def printed_shape(line: str) -> re.Pattern[str]:
    """What an output holds where pip prints an entry's line: its words as written, in order,
    with any value in place of each placeholder (pip's level prefix may differ).

    >>> bool(printed_shape("ERROR: Failed to build '{package}' when {step}").search("Failed to build cext"))
    False
    """
    parts = _PLACEHOLDER_IN_ENTRY.split(_LEVEL_PREFIX.sub("", line))
    return re.compile(".+?".join(re.escape(part) for part in parts))


def is_message_like(text: str) -> bool:
    return _MESSAGE_LIKE.search(text) is not None or (len(text) >= 8 and _REFERENCE.fullmatch(text) is not None)


# A text cut inside a format string's first or last part keeps at least a word of it, and
# begins (ends) at most this many words away from the value: a signature quotes a few words
# around it, and each word is a nested group of the pattern.
_LETTERS_AT_A_CUT = 4
_WORDS_AT_A_CUT = 16


def template_pattern(template: Template) -> re.Pattern[str]:
    """What a format string prints: its parts with a value between each two. A text may also
    begin inside its first part and end inside its last one (a signature quotes part of a line).
    A value is taken to be one word (a name, a version, a path): a longer one could hold the
    words of another message, and a format string as short as `pip {} will remove` would then
    date the whole line.

    >>> bool(template_pattern(("Could not open ", " file: ")).fullmatch("open constraint file"))
    True
    """
    first, *middle, last = template
    first_part = f"(?:{re.escape(first.lstrip())}|^{_cut_at_a_word_start(first)})"
    last_part = f"(?:{re.escape(last.rstrip())}|{_cut_at_a_word_end(last)}$)"
    return re.compile(r"(\S+?)".join([first_part, *map(re.escape, middle), last_part]))


def _cut_at_a_word_start(part: str) -> str:
    """A pattern of the ends of `part` that begin at one of its words, as nested optional groups
    (linear in the part's length: an alternation of every end is slow to compile)."""
    starts = [i for i in range(1, len(part)) if _is_cut(part[i - 1], part[i])]
    starts = [i for i in starts if _letter_count([part[i:]]) >= _LETTERS_AT_A_CUT][-_WORDS_AT_A_CUT:]
    if not starts:
        return "(?!)"  # matches nothing: the part is too short to cut
    pattern = ""
    for start, following in itertools.pairwise(starts):
        pattern = f"(?:{pattern}{re.escape(part[start:following])})?"
    return pattern + re.escape(part[starts[-1] :])


def _is_cut(outside: str, inside: str) -> bool:
    """Whether a text may begin (or end) at `inside` next to `outside`: at a word's or a token's edge."""
    return inside.isalnum() and not outside.isalnum() or outside.isspace() and not inside.isspace()


def _cut_at_a_word_end(part: str) -> str:
    """A pattern of the beginnings of `part` that end at the end of one of its words."""
    ends = [i for i in range(1, len(part)) if _is_cut(part[i], part[i - 1])]
    ends = [i for i in ends if _letter_count([part[:i]]) >= _LETTERS_AT_A_CUT][:_WORDS_AT_A_CUT]
    if not ends:
        return "(?!)"
    pattern = ""
    for end, following in reversed(list(itertools.pairwise(ends))):
        pattern = f"(?:{re.escape(part[end:following])}{pattern})?"
    return re.escape(part[: ends[0]]) + pattern


def message_templates(release_texts: Iterable[ReleaseTexts]) -> dict[Template, re.Pattern[str]]:
    """Every format string of the releases whose words make a message, with its pattern."""
    templates = {template for release in release_texts for template in release.templates}
    return {template: template_pattern(template) for template in templates if is_message_like("".join(template))}


@dataclass(frozen=True)
class Cover:
    """What a release's source prints of a line."""

    letters: int  # the letters of the literals and format strings found, values inside them included
    pieces: list[str]  # pip's own words among them, in the order of the line


class Vocabulary:
    """Every message-like literal of the releases read, and the format strings that print
    values between words (`templates`), searchable inside a printed line."""

    def __init__(self, literals: Iterable[str], templates: Iterable[re.Pattern[str]] = ()) -> None:
        self._automaton = ahocorasick.Automaton()
        for literal in literals:
            if is_message_like(literal):
                self._automaton.add_word(literal, len(literal))
        self._automaton.make_automaton()
        self._templates = list(templates)

    def cover(self, line: str) -> Cover:
        """The parts of `line` that are pip's literals, or that one of its format strings prints
        with values in it, chosen longest first without overlap.

        >>> Vocabulary(["Could not open ", "six"]).cover("ERROR: Could not open six")
        Cover(letters=12, pieces=['Could not open '])
        """
        line = _PLACEHOLDER_IN_ENTRY.sub("\x00", line)
        found = [(end + 1 - length, end + 1, []) for end, length in self._automaton.iter(line)]
        for template in self._templates:
            found += [
                (*match.span(), [match.span(gap) for gap in range(1, len(match.groups()) + 1)])
                for match in template.finditer(line)
            ]
        chosen: list[tuple[int, int, list[tuple[int, int]]]] = []
        for start, end, values in sorted(found, key=lambda span: span[0] - span[1]):
            if _whole_words(line, start, end) and all(end <= other[0] or start >= other[1] for other in chosen):
                chosen.append((start, end, values))
        chosen.sort()
        pieces = [piece for start, end, values in chosen for piece in _words_around(line, start, end, values)]
        return Cover(_letter_count([line[start:end] for start, end, _ in chosen]), pieces)

    def pieces_of(self, line: str) -> list[str]:
        return self.cover(line).pieces

    def covers(self, lines: Iterable[str]) -> dict[str, Cover]:
        return {line: self.cover(line) for line in lines}


def _words_around(line: str, start: int, end: int, values: list[tuple[int, int]]) -> list[str]:
    """The text from `start` to `end` without the values in it: a format string's parts that
    make a message (a literal has no value, and is one)."""
    bounds = [start, *(bound for value in values for bound in value), end]
    parts = [line[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    return parts if not values else [part for part in parts if is_message_like(part)]


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
    templates = message_templates(release_texts[version] for version in releases)
    with_words = {message for message in messages.values() if _has_words(message)}
    whole = _releases_holding(with_words, release_literals)
    # A text pip once had as a literal may be printed by a format string since.
    _add_template_holders(whole, templates, release_texts, [message for message in with_words if whole[message]])
    split = [text for text, message in messages.items() if not whole.get(message)]
    in_lines = _printing_in_any(templates, split)
    covers = {version: _vocabulary(release_texts[version], in_lines).covers(split) for version in releases}
    entries = {
        text: {"pieces": [message], "printed_in": format_ranges(whole[message], releases)}
        for text, message in messages.items()
        if whole.get(message)
    }
    entries |= {text: _text_entry(text, releases, covers) for text in split}
    pieces = {piece for entry in entries.values() for piece in entry["pieces"]}
    holding = whole | _releases_holding((pieces | literals) - whole.keys(), release_literals)
    # A piece that a format string prints is held by it; a claim's source only as it is.
    _add_template_holders(holding, templates, release_texts, pieces - whole.keys())
    wanted = pieces | literals
    for version in releases:
        for snippet in release_texts[version].in_code & literals:
            holding[snippet].add(version)
    return TextIndex(releases, entries, {literal: format_ranges(holding[literal], releases) for literal in wanted})


def _text_entry(text: str, releases: list[str], covers: Mapping[str, dict[str, Cover]]) -> dict:
    letters = {version: covers[version][text].letters for version in releases}
    best = max(letters.values(), default=0)
    if best == 0:
        return {"pieces": [], "printed_in": ""}
    printing = [version for version in releases if letters[version] >= PRINTS_THRESHOLD * best]
    newest_best = next(version for version in reversed(releases) if letters[version] == best)
    pieces = [piece.strip(_EDGE_PUNCTUATION) for piece in covers[newest_best][text].pieces]
    pieces = [piece for piece in pieces if piece]
    return {"pieces": pieces, "printed_in": format_ranges(printing, releases)}


def _printing_in_any(templates: Mapping[Template, re.Pattern[str]], lines: list[str]) -> dict[Template, re.Pattern]:
    """The format strings that print inside one of `lines` (few of all: the rest need no search)."""
    lines = [_PLACEHOLDER_IN_ENTRY.sub("\x00", line) for line in lines]
    return {t: pattern for t, pattern in templates.items() if any(pattern.search(line) for line in lines)}


def _vocabulary(release: ReleaseTexts, templates: Mapping[Template, re.Pattern[str]]) -> Vocabulary:
    return Vocabulary(release.literals, [templates[t] for t in release.templates if t in templates])


def _add_template_holders(
    holding: dict[str, set[str]],
    templates: Mapping[Template, re.Pattern[str]],
    release_texts: Mapping[str, ReleaseTexts],
    texts: Iterable[str],
) -> None:
    """Add to `holding` the releases with a format string that prints one of `texts` whole."""
    texts = list(texts)
    printed = {template: [text for text in texts if pattern.fullmatch(text)] for template, pattern in templates.items()}
    printed = {template: found for template, found in printed.items() if found}
    for version, release in release_texts.items():
        for template in release.templates & printed.keys():
            for text in printed[template]:
                holding.setdefault(text, set()).add(version)


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
