"""Dating an entry by pip itself: its computed `pip_versions` and its checked claims.

An entry's front matter is a dict as read from its file (see fixtures/entries/README.md).
`pip_versions` is the set of releases that print every header line that holds pip's words;
an entry whose header is another program's text says so with `printed_by` instead. Every
dated phrase of the text ("from pip 25.3", "until 24.0", "20.x") is backed by a claim:

    [[claims]]
    says = "from pip 25.3"            # the dated phrase exactly as the text has it
    source = "--build-constraint"     # a literal of pip's source...
    since = "25.3"                    # ...present from this release, absent in the one before
    # until = "24.3.1"                # or: the last release holding it
    # run = "download_timeout"        # or: a scenario of tests/logs/scenarios.py, as the sweep
    # shows = "text"                  # captured it on both sides: `shows` only on the claimed side
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from kb.diagnosis.signatures import required_literals
from kb.releases.captures import Sweep
from kb.releases.matrix import format_ranges, release_key
from kb.releases.textindex import TextIndex, printed_shape

# "pip 25.3", "pip 26", "from 21.2", "since pip 20.3", "until 24.0", "25.x", "24.1 and later",
# "before pip 10": a version of pip the text dates something by.
_VERSION = r"\d{1,2}(?:\.\d+){0,2}"
DATED_PHRASE = re.compile(
    rf"\bpip\s+(?:{_VERSION}|\d{{1,2}}\.x)\b(?:\s+and\s+(?:later|newer|earlier|older|above|below))?"
    rf"|\b(?:from|since|until|before|after|through|up\s+to|as\s+of|older\s+than|newer\s+than)\s+{_VERSION}\b"
    r"|\b\d{1,2}\.x\b"
    rf"|\b{_VERSION}\s+and\s+(?:later|newer|earlier|older|above|below)\b",
    re.IGNORECASE,
)
# Versions of other programs the pattern would otherwise take for pip's.
_OTHER_PROGRAM = re.compile(
    r"(?:python|setuptools|wheel|numpy|scipy|cmake|cython|urllib3|requests|virtualenv|ubuntu|debian|fedora"
    r"|centos|alpine|macos|windows|msvc|visual\s+studio|gcc|clang|openssl|rust|cargo|maturin|poetry|uv|conda"
    r"|pypy|pep|packaging|truststore|certifi|manylinux|glibc|musl|psycopg2?|setuptools-rust|hatchling|ninja"
    r"|meson|tox|nox|pipenv|pipx|twine|build|flit|pdm|docker|node|git|scikit-build|pybind11|pillow|lxml"
    r"|cryptography|django|flask|six|[A-Za-z][\w.-]*==)\W{0,2}(?:version\s+)?$",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
T = TypeVar("T")


@dataclass(frozen=True)
class DatedPhrase:
    code: str
    text: str  # the phrase as the entry has it
    sentence: str  # the paragraph it is in, on one line


@dataclass(frozen=True)
class Claim:
    says: str
    source: str = ""
    since: str = ""
    until: str = ""
    run: str = ""
    shows: str = ""


def from_table(kind: type[T], values: dict) -> T:
    """A front matter table (`[[claims]]`, `[[examples]]`) as its dataclass; absent keys are ""."""
    return kind(**{name: str(values.get(name, "")) for name in kind.__dataclass_fields__})


# What an entry quotes ---------------------------------------------------------------------


def header_lines(front: dict) -> list[str]:
    """The header's lines that pip prints; `header_not_pip` names those another program adds."""
    others = set(front.get("header_not_pip", []))
    lines = [line.rstrip() for line in front.get("header", "").splitlines()]
    return [line for line in lines if line.strip() and line.strip() not in others]


def signature_texts(front: dict) -> list[str]:
    texts = []
    for signature in front.get("signatures", []):
        if signature.get("regex"):
            texts += [literal.strip() for literal in required_literals(signature["pattern"])]
        else:
            texts.append(signature["pattern"])
    return [text for text in texts if text]


def claims_of(front: dict) -> list[Claim]:
    return [from_table(Claim, values) for values in front.get("claims", [])]


def quoted_texts(fronts: Iterable[dict]) -> set[str]:
    return {text for front in fronts for text in header_lines(front) + signature_texts(front)}


def claim_sources(fronts: Iterable[dict]) -> set[str]:
    return {claim.source for front in fronts for claim in claims_of(front) if claim.source}


# Computed versions ------------------------------------------------------------------------


def printing_releases(front: dict, index: TextIndex) -> set[str] | None:
    """The releases that print the entry's header; None when no header line holds pip's words."""
    printing: set[str] | None = None
    for line in header_lines(front):
        releases = index.releases_printing(line)
        if releases is not None:
            printing = releases if printing is None else printing & releases
    return printing


def computed_pip_versions(front: dict, index: TextIndex) -> str:
    if front.get("printed_by"):
        return ""
    printing = printing_releases(front, index)
    return index.format(printing) if printing is not None else ""


def printed_outside_pip_versions(front: dict, index: TextIndex, sweep: Sweep) -> list[str]:
    """The releases whose sweep runs print the entry's header (every piece of pip's words in it,
    each line in its shape) although the text index says they do not: a message whose words pip
    fills in from a constant, which the source alone cannot date. A header with a line of which
    the index knows no piece (rich markup around the words) is not checked: its other pieces may
    be too few words to tell its wording from an older one. The shape tells apart a header whose
    pieces an older message prints too (`Failed to build '{package}' when ...` and `Failed to
    build {packages}`), since the pieces leave out the quotes and short words between values."""
    lines = [line for line in header_lines(front) if line in index.texts]
    if front.get("printed_by") or not lines or not all(index.pieces(line) for line in lines):
        return []
    pieces = [piece for line in lines for piece in index.pieces(line)]
    shapes = [printed_shape(line) for line in lines]
    printed = {
        release
        for _, releases, run in sweep.all_outputs()
        if all(piece in run.text for piece in pieces) and all(shape.search(run.text) for shape in shapes)
        for release in releases
    }
    return sorted(printed - (printing_releases(front, index) or set()), key=release_key)


def wordings_by_range(front: dict, index: TextIndex) -> list[tuple[str, str]]:
    """The entry's older (or other) wordings: each pip text it recognises that only some of the
    header's releases print, oldest first, with the releases that print it. Empty unless one
    of them is printed by a release that does not print the header."""
    if front.get("printed_by") or not all(line in index.texts for line in header_lines(front)):
        return []  # another program's text, or a header edited since the index was built
    header = printing_releases(front, index)
    if not header:
        return []
    ranged = {}
    for text in dict.fromkeys(signature_texts(front)):
        releases = index.releases_printing(text) if text in index.texts else None
        if releases and not releases >= header:
            ranged[text] = releases
    if not any(releases - header for releases in ranged.values()):
        return []
    oldest_first = sorted(ranged.items(), key=lambda item: min(map(release_key, item[1])))
    return [(text, index.format(releases)) for text, releases in oldest_first]


def set_pip_versions(path: Path, pip_versions: str) -> bool:
    """Write `pip_versions` into an entry file's front matter; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("+++", 2)
    line = f'pip_versions = "{pip_versions}"\n' if pip_versions else ""
    if re.search(r"^pip_versions = .*\n", front, re.MULTILINE):
        new_front = re.sub(r"^pip_versions = .*\n", line, front, count=1, flags=re.MULTILINE)
    else:
        new_front = re.sub(r"^(severity = .*\n)", rf"\1{line}", front, count=1, flags=re.MULTILINE)
    if new_front == front:
        return False
    path.write_text(f"+++{new_front}+++{body}", encoding="utf-8")
    return True


# Dated phrases and claims -------------------------------------------------------------------


def prose_paragraphs(markdown: str) -> Iterator[str]:
    """The paragraphs of Markdown outside fenced blocks, each on one line, inline code blanked."""
    in_fence = False
    paragraph: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.strip():
            paragraph.append(line.strip())
            continue
        if paragraph:
            yield without_inline_code(" ".join(paragraph))
            paragraph = []


def without_inline_code(text: str) -> str:
    """Inline code blanked, length kept: code is quoted, not the text's own dating. A claim's
    words may end inside a code span: its start is blanked too."""
    return re.sub(r"`[^`]*(?:`|$)", lambda match: "_" * len(match.group()), text)


def dated_phrases(code: str, texts: Iterable[str]) -> list[DatedPhrase]:
    phrases = []
    for text in texts:
        for paragraph in prose_paragraphs(text):
            for match in DATED_PHRASE.finditer(paragraph):
                if not _OTHER_PROGRAM.search(paragraph[: match.start()]):
                    phrases.append(DatedPhrase(code, match.group(), paragraph))
    return phrases


def entry_texts(front: dict, sections: dict[str, str], causes: list[tuple[str, str]]) -> list[str]:
    return [front.get("summary", ""), *sections.values(), *(f"{title}\n{body}" for title, body in causes)]


def unclaimed(phrases: Iterable[DatedPhrase], claims: list[Claim]) -> list[DatedPhrase]:
    """Phrases no claim's `says` covers: the claim's words hold the phrase and stand in its paragraph."""
    return [
        phrase
        for phrase in phrases
        if not any(phrase.text in claim.says and without_inline_code(claim.says) in phrase.sentence for claim in claims)
    ]


def claim_problems(claim: Claim, index: TextIndex) -> list[str]:
    """What the matrix says against a claim on pip's source (`run_claim_problems` for runs)."""
    if not claim.source or not (claim.since or claim.until):
        return [f"{claim.says!r}: a claim needs source (or run) and since or until"]
    if claim.source not in index.ranges:
        return [f"{claim.says!r}: {claim.source!r} is not in the text index (run index_pip_releases)"]
    holding = index.releases_holding(claim.source)
    problems = []
    for bound, word in ((claim.since, "since"), (claim.until, "until")):
        if bound and bound not in index.releases:
            problems.append(f"{claim.says!r}: {word} = {bound!r} is not a pip release")
        elif bound:
            problems += _boundary_problems(claim, bound, word, holding, index.releases)
    return problems


def neighbour_release(bound: str, word: str, releases: list[str]) -> str | None:
    """The release on the other side of a boundary: the one before `since`, or the first after
    `until` that is not a post release of it (`26.1.2.post1` is 26.1.2 re-uploaded)."""
    position = releases.index(bound)
    if word == "since":
        return releases[position - 1] if position > 0 else None
    later = (version for version in releases[position + 1 :] if release_key(version)[0] != release_key(bound)[0])
    return next(later, None)


def _boundary_problems(claim: Claim, bound: str, word: str, holding: set[str], releases: list[str]) -> list[str]:
    neighbour = neighbour_release(bound, word, releases)
    actual = f"pip's source holds {claim.source!r} in {format_ranges(holding, releases) or 'no release'}"
    if bound not in holding:
        return [f"{claim.says!r}: {word} {bound}, but {actual}"]
    if neighbour is not None and neighbour in holding:
        return [f"{claim.says!r}: {word} {bound}, but {neighbour} holds it too ({actual})"]
    return []


def boundary_sides(claim: Claim, releases: list[str]) -> list[str]:
    """The releases on both sides of a claim's boundary (the bound alone when it has no neighbour)."""
    bound, word = (claim.since, "since") if claim.since else (claim.until, "until")
    if bound not in releases:
        return []
    return [version for version in (bound, neighbour_release(bound, word, releases)) if version]


def missing_captures(claim: Claim, releases: list[str], sweep: Sweep) -> list[str]:
    """The releases on both sides of a run claim's boundary that the sweep has not run yet."""
    bound = claim.since or claim.until
    if bound not in releases:
        return [bound]
    return [version for version in boundary_sides(claim, releases) if sweep.output(claim.run, version) is None]


def captured_against_source_claim(claim: Claim, sweep: Sweep) -> list[str]:
    """The sweep's runs that print a source claim's text on a release outside the claim: what
    pip really printed, against what its source was read to hold."""
    printing = {release for _, releases, run in sweep.all_outputs() if claim.source in run.text for release in releases}
    outside = sorted((release for release in printing if not _within_claim(claim, release)), key=release_key)
    if not outside:
        return []
    return [f"{claim.says!r}: the sweep's runs on pip {', '.join(outside)} print {claim.source!r}"]


def _within_claim(claim: Claim, release: str) -> bool:
    """Whether a release is on the claimed side of both bounds (a `.postN` sides with its release)."""
    numbers = release_key(release.partition(".post")[0])
    return not (claim.since and numbers < release_key(claim.since)) and not (
        claim.until and numbers > release_key(claim.until)
    )


def run_claim_problems(claim: Claim, releases: list[str], sweep: Sweep) -> list[str]:
    """What the sweep's captures say against a run claim: `shows` on the claimed side only."""
    if not claim.shows or not (claim.since or claim.until):
        return [f"{claim.says!r}: a run claim needs shows (the text its captures differ by) and since or until"]
    bound, *others = boundary_sides(claim, releases)
    problems = []
    if claim.shows not in (sweep.output(claim.run, bound) or ""):
        problems.append(f"{claim.says!r}: the capture of {claim.run} on pip {bound} does not show {claim.shows!r}")
    for neighbour in others:
        if claim.shows in (sweep.output(claim.run, neighbour) or ""):
            problems.append(f"{claim.says!r}: the capture of {claim.run} on pip {neighbour} shows {claim.shows!r} too")
    return problems
