"""The matcher: every signature compiled once, the log scanned once.

One Aho-Corasick automaton holds, in lower case, the literal of every literal signature,
the required literal of every regex signature, and the trigger literals of the built-in
readers (facts, context, other tools). The same literals and the redaction rules, as one
RE2 alternation, find the lines that hold a literal or a secret in a single pass at C
speed; the automaton then names every literal (overlapping ones too) on those runs of
lines only. Secrets are replaced before any line is read, so the regexes (RE2, linear
time, run on their candidate lines only), the fact readers and the excerpts never see
one. A regex with no usable literal runs once over the whole redacted log. The
automaton also holds a piece of each half of every literal: where one is found on a line
a terminal may have wrapped, the signature is tried again on that line joined with the
next ones.
"""

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import NamedTuple

import ahocorasick
import re2

from kb.diagnosis import facts as fact_readers
from kb.diagnosis import redaction, scoping
from kb.diagnosis.cleaning import CleanLine, clean_line, clean_log
from kb.diagnosis.ranking import rank, wrapper_closure
from kb.diagnosis.reading import encode_utf8
from kb.diagnosis.results import Diagnosis, Match
from kb.diagnosis.signatures import CompiledSignature, Signature, compile_signature

# Hits read per signature: the first one places the match, the next ones add facts.
HITS_PER_SIGNATURE = 20
# Candidate lines kept per signature before other tools' lines are set aside.
CANDIDATES_PER_SIGNATURE = 400
# Detail lines read under a message, at most.
DETAIL_LINES = 15
# Context records (Collecting, Downloading...) read back from a message.
CONTEXT_RECORDS = 4
# A line this wide (in bytes, after its CI prefix) may have been wrapped by a terminal.
WRAP_MIN_WIDTH = 60
WRAP_MAX_LINES = 6
# Literals shorter than this are not looked for across wrapped lines.
WRAP_MIN_LITERAL = 12
WRAP_PIECE = 16
# Characters of a long line kept on each side of the matched text in an excerpt.
EXCERPT_REACH = 300
# The wrapper of a build backend's failure: the entries that refine it explain the
# backend's own output, whichever installer ran it.
BUILD_BACKEND_WRAPPER = "SUBPROCESS_EXITED_WITH_ERROR"

# A line that starts a new pip record rather than continuing the one above.
_NEW_RECORD = re.compile(
    rb"\s*(?:(?:ERROR|WARNING|DEPRECATION|INFO|HINT|Hint|error|warning|note|hint):\s|\[notice\]\s|"
    rb"Collecting\s|Requirement already satisfied|Installing collected packages|"
    rb"Successfully (?:installed|uninstalled|built)\s|Building wheels? for\s|Looking in (?:indexes|links):|"
    rb"Downloading\s|Using cached\s|Processing\s|Obtaining\s|Attempting uninstall|"
    rb"Found existing installation|Uninstalling\s|Created wheel for\s|Stored in directory:|"
    rb"Preparing (?:metadata|wheel metadata)|Installing build dependencies|Getting requirements to build|"
    rb"Running setup\.py|Failed to build\s|Could not (?:fetch|find|install|build)\s|Ignoring\s|"
    rb"Defaulting to user installation|Traceback \(most recent call last\))"
)


class _Key(NamedTuple):
    """What one literal of the automaton stands for."""

    length: int
    signatures: tuple[int, ...]
    joins_after: tuple[int, ...]  # signatures that may continue on the next line
    joins_before: tuple[int, ...]  # signatures that may have started on the line before
    fact_trigger: bytes | None
    foreign_trigger: bytes | None
    is_context: bool
    is_pip_marker: bool


class _Hit(NamedTuple):
    signature: int
    first: int  # line numbers
    last: int
    text: bytes  # the cleaned line (or joined wrapped lines) the signature matched
    start: int  # the matched text's span in `text`
    end: int
    groups: dict[bytes, bytes]


class _Candidates(NamedTuple):
    """What the single scan found, by line number."""

    signature_lines: dict[int, list[int]]
    wrap_lines: dict[int, list[int]]  # signature -> lines that may be the first of a wrap
    context: list[int]
    pip_markers: list[int]
    foreign: list[tuple[int, bytes]]
    evidence: dict[bytes, list[int]]


class Matcher:
    def __init__(self, signatures: Iterable[Signature], refines: Mapping[str, Iterable[str]]):
        """Compile every signature; raises InvalidPattern naming the first bad one."""
        self._signatures = tuple(compile_signature(signature) for signature in signatures)
        self._wrappers = wrapper_closure(refines)
        self._automaton = _build_automaton(self._signatures)
        self._stops, self._candidate_run = _scan_regexes(self._automaton)
        self._every_line = {
            index: _whole_text_regex(compiled)
            for index, compiled in enumerate(self._signatures)
            if compiled.scans_every_line
        }

    def diagnose(self, log_data: bytes | str) -> Diagnosis:
        """Diagnose a log (as read_log returns it, or text): matches root cause first, its facts,
        what the log is (its outcome and tool), and the log as the engine read it, without
        terminal noise and secrets."""
        log = _Log(log_data)
        candidates = self._scan(log)
        regions = _foreign_regions(log, candidates)
        hits = self._hits(log, candidates, regions, HITS_PER_SIGNATURE)
        failed = any(self._fails_pip(hit) for hit in hits if hit.first not in regions)
        lone_codes = set() if failed else self._lone_codes(hits)
        matches = [
            _as_found(match, regions, lone_codes)
            for match in self._merge_by_code(log, hits, candidates.context, regions)
        ]
        matches = _pip_first(rank(matches, self._wrappers), regions)
        root_line = matches[0].lines[0] if matches and failed else None
        log_facts = fact_readers.read_log_facts(candidates.evidence, lambda number: log.line(number).text, root_line)
        if log_facts.succeeded and lone_codes:
            # pip got past what those lines report: they explain nothing.
            matches = _pip_first(
                rank([match for match in matches if match.code not in lone_codes], self._wrappers), regions
            )
        outcome, tool = _outcome(failed, log_facts.succeeded, matches, regions)
        return Diagnosis(
            matches,
            failed,
            log_facts.pip_version,
            log_facts.python_version,
            log_facts.facts,
            log=log.data,
            redacted=log.redacted,
            outcome=outcome,
            tool=tool,
        )

    def _fails_pip(self, hit: _Hit) -> bool:
        signature = self._signatures[hit.signature].signature
        return signature.severity == "error" and not signature.only_if_failed

    def _lone_codes(self, hits: list[_Hit]) -> set[str]:
        """Codes found only through lines that count if pip failed: in a log that did not
        fail they are still reported, as warnings."""
        conditional = {self._signatures[hit.signature].signature.code for hit in hits if self._is_conditional(hit)}
        plain = {self._signatures[hit.signature].signature.code for hit in hits if not self._is_conditional(hit)}
        return conditional - plain

    def _is_conditional(self, hit: _Hit) -> bool:
        return self._signatures[hit.signature].signature.only_if_failed

    def every_hit(self, log_data: bytes | str, limit: int) -> list[Match]:
        """Every line each signature fires on (not merged by code), with its facts; a line in
        another tool's output has that tool as its match's tool."""
        log = _Log(log_data)
        candidates = self._scan(log)
        regions = _foreign_regions(log, candidates)
        hits = self._hits(log, candidates, scoping.NO_REGIONS, limit)
        hits = sorted(hits, key=lambda hit: (hit.first, hit.last))
        return [_as_found(self._match(log, hit, candidates.context, [hit]), regions) for hit in hits[:limit]]

    def _scan(self, log: "_Log") -> _Candidates:
        """Find the candidate lines of every signature and reader, and remove the log's secrets."""
        candidates = _Candidates({}, {}, [], [], [], {})
        secrets: list[tuple[int, int]] = []
        for start, end in self._regions(log.data):
            secrets += redaction.secret_spans(log.data, start, end)
            region = log.data[start:end]
            number, counted_up_to = log.number_at(start), 0
            for position, key in self._automaton.iter(region.lower().decode("latin-1")):
                number += region.count(b"\n", counted_up_to, position)
                counted_up_to = position
                self._add_key(candidates, key, number)
        log.remove_secrets(redaction.merge_spans(secrets))
        for index, regex in self._every_line.items():
            candidates.signature_lines[index] = [
                log.number_at(found.start())
                for found in itertools.islice(regex.finditer(log.data), CANDIDATES_PER_SIGNATURE)
            ]
        for lines in candidates.wrap_lines.values():
            lines.sort()
        return candidates

    @staticmethod
    def _add_key(candidates: _Candidates, key: _Key, number: int) -> None:
        """Note what one literal found on line `number` stands for."""
        for index in key.signatures:
            _add_candidate(candidates.signature_lines, index, number)
        for index in key.joins_after:
            _add_candidate(candidates.wrap_lines, index, number)
        for index in key.joins_before:
            _add_candidate(candidates.wrap_lines, index, number - 1)
        if key.fact_trigger:
            lines = candidates.evidence.setdefault(key.fact_trigger, [])
            if len(lines) < fact_readers.EVIDENCE_LINES_PER_KIND and number not in lines[-1:]:
                lines.append(number)
        if key.foreign_trigger:
            candidates.foreign.append((number, key.foreign_trigger))
        if key.is_context and number not in candidates.context[-1:]:
            candidates.context.append(number)
        if key.is_pip_marker and number not in candidates.pip_markers[-1:]:
            candidates.pip_markers.append(number)

    def _regions(self, data: bytes) -> Iterator[tuple[int, int]]:
        """(start, end) of each run of consecutive lines that hold a literal of the automaton
        or a secret, found in one pass.

        Searching line by line is fastest where such lines are rare; taking each run of
        them whole keeps dense stretches (pip's own output) from costing a call per line.
        """
        position = 0
        while found := self._stops.search(data, position):
            start = data.rfind(b"\n", 0, found.start()) + 1
            line_end = data.find(b"\n", found.start()) + 1 or len(data)
            end = max(self._candidate_run.match(data, start).end(), line_end)
            yield start, end
            position = end

    def _hits(self, log: "_Log", candidates: _Candidates, regions: scoping.ForeignRegions, limit: int) -> list[_Hit]:
        accepted: dict[int, int] = {}
        hits = []
        single_line = self._single_line_hits(log, candidates.signature_lines)
        for hit in itertools.chain(single_line, self._wrapped_hits(log, candidates.wrap_lines)):
            if accepted.get(hit.signature, 0) >= limit or self._is_foreign(hit, regions):
                continue
            accepted[hit.signature] = accepted.get(hit.signature, 0) + 1
            hits.append(hit)
        return hits

    def _is_foreign(self, hit: _Hit, regions: scoping.ForeignRegions) -> bool:
        """Whether a hit is another program's output that no entry explains for it. A build
        backend's own error (a missing compiler or header) means the same under any
        installer that runs the backend, so it is kept, marked with that installer."""
        if scoping.has_foreign_logger_header(hit.text[: hit.start]):
            return True
        tool = regions.tool_at(hit.first)
        if not tool:
            return False
        code = self._signatures[hit.signature].signature.code
        return tool not in scoping.BACKEND_RUNNERS or BUILD_BACKEND_WRAPPER not in self._wrappers.get(code, ())

    def _single_line_hits(self, log: "_Log", signature_lines: Mapping[int, list[int]]) -> Iterator[_Hit]:
        for index, numbers in signature_lines.items():
            for number in numbers:
                line = log.line(number)
                for start, end, groups in self._find(index, line.text):
                    yield _Hit(index, number, number, line.text, start, end, groups)

    def _find(self, index: int, text: bytes) -> Iterator[tuple[int, int, dict[bytes, bytes]]]:
        """Where signature `index` matches in one cleaned line (or joined lines)."""
        compiled = self._signatures[index]
        if compiled.regex is None:
            literal = compiled.literals[0]
            start = text.lower().find(literal)
            if start >= 0:
                yield start, start + len(literal), {}
            return
        found = compiled.regex.search(text)
        if found:
            groups = {name: value for name, value in found.groupdict().items() if value}
            yield found.start(), found.end(), groups

    def _wrapped_hits(self, log: "_Log", wrap_lines: Mapping[int, list[int]]) -> Iterator[_Hit]:
        """Matches that only exist once wrapped lines are joined (and span the join)."""
        for index, numbers in wrap_lines.items():
            for number in numbers:
                chain = log.wrapped_chain(number)
                for text, parts in _joined_variants(chain) if chain else ():
                    yield from self._spanning_hits(index, text, parts)

    def _spanning_hits(self, index: int, text: bytes, parts: list[tuple[int, int]]) -> Iterator[_Hit]:
        for start, end, groups in self._find(index, text):
            touched = [number for number, part_start in parts if part_start < end]
            first = max((number for number, part_start in parts if part_start <= start), default=parts[0][0])
            if touched[-1] > first:
                yield _Hit(index, first, touched[-1], text, start, end, groups)

    def _merge_by_code(
        self, log: "_Log", hits: list[_Hit], context: list[int], regions: scoping.ForeignRegions
    ) -> list[Match]:
        """One match per code and program whose output holds it."""
        by_code: dict[tuple[str, str], list[_Hit]] = {}
        for hit in sorted(hits, key=lambda hit: (hit.first, hit.last)):
            code = self._signatures[hit.signature].signature.code
            by_code.setdefault((code, regions.tool_at(hit.first)), []).append(hit)
        return [self._match(log, code_hits[0], context, code_hits) for code_hits in by_code.values()]

    def _match(self, log: "_Log", first: _Hit, context: list[int], hits: list[_Hit]) -> Match:
        signature = self._signatures[first.signature].signature
        last_line, facts = self._hit_facts(log, first, context)
        for later in hits[1:5]:
            for name, value in self._hit_facts(log, later, context)[1].items():
                facts.setdefault(name, value)
        return Match(
            code=signature.code,
            tool=signature.tool,
            severity=signature.severity,
            lines=(first.first, last_line),
            excerpt=_excerpt(log, first, last_line),
            facts={name: fact_readers.bounded(value) for name, value in facts.items()},
            signature_key=signature.key,
        )

    def _hit_facts(self, log: "_Log", hit: _Hit, context: list[int]) -> tuple[int, dict[str, str]]:
        """The last line the message reaches, and the facts it and its context show."""
        facts: dict[str, str] = {}
        _add_groups(facts, hit.groups)
        block = log.detail_block(hit.first, hit.last)
        block_text = b"\n".join(line.text for line in block)
        last_line = hit.last
        detail = self._signatures[hit.signature].detail
        found = detail.search(block_text) if detail and block else None
        if found:
            _add_groups(facts, found.groupdict())
            last_line = block[block_text.count(b"\n", 0, max(found.end() - 1, 0))].number
        for name, value in fact_readers.record_facts(hit.text + b"\n" + block_text).items():
            facts.setdefault(name, value)
        for name, value in fact_readers.context_facts(log.context_before(hit.first, context)).items():
            facts.setdefault(name, value)
        return last_line, fact_readers.complete_package_facts(facts)


def test_signature(signature: Signature, text: str, limit: int = 1000) -> list[Match]:
    """Every line one signature fires on in a sample log, with the facts it reads there.

    For the staff signature tester; raises InvalidPattern like the Matcher.
    """
    return Matcher([signature], {}).every_hit(text, limit)


test_signature.__test__ = False  # not a pytest test, despite its name


class LineIndex:
    """Line numbers of offsets in a text, and where numbered lines start.

    A diagnosis reads few of a log's lines, so newlines are counted per block of bytes up
    front, and the line starts of a block are listed only once a line in it is read.
    """

    BLOCK_BYTES = 4096

    def __init__(self, data: bytes):
        self._data = data
        counts = (data.count(b"\n", start, start + self.BLOCK_BYTES) for start in range(0, len(data), self.BLOCK_BYTES))
        self._newlines_before = list(itertools.accumulate(counts, initial=0))  # newlines before each block
        self._line_starts: dict[int, list[int]] = {}  # block -> offsets just after its newlines
        self.line_count = self._newlines_before[-1] + 1

    def number_at(self, offset: int) -> int:
        block = offset // self.BLOCK_BYTES
        return self._newlines_before[block] + self._data.count(b"\n", block * self.BLOCK_BYTES, offset) + 1

    def line_start(self, number: int) -> int:
        newlines = number - 1
        block = bisect.bisect_left(self._newlines_before, newlines) - 1
        if block < 0:
            return 0
        return self._block_line_starts(block)[newlines - self._newlines_before[block] - 1]

    def _block_line_starts(self, block: int) -> list[int]:
        starts = self._line_starts.get(block)
        if starts is None:
            starts = self._line_starts[block] = []
            position, end = block * self.BLOCK_BYTES, (block + 1) * self.BLOCK_BYTES
            while (newline := self._data.find(b"\n", position, end)) >= 0:
                starts.append(newline + 1)
                position = newline + 1
        return starts


class _Log:
    """One cleaned log and its lines, for the duration of one diagnosis."""

    def __init__(self, log: bytes | str):
        self.data = clean_log(encode_utf8(log) if isinstance(log, str) else log)
        self._index = LineIndex(self.data)
        self.line_count = self._index.line_count
        self.redacted = 0
        self._cleaned: dict[int, CleanLine] = {}

    def number_at(self, offset: int) -> int:
        return self._index.number_at(offset)

    def remove_secrets(self, spans: list[tuple[int, int]]) -> None:
        """Put REDACTED in place of each secret, before any line is read."""
        if spans:
            self.data = redaction.without_secrets(self.data, spans)
            self._index = LineIndex(self.data)
            self.redacted = len(spans)

    def raw_line(self, number: int) -> bytes:
        start = self._index.line_start(number)
        end = self.data.find(b"\n", start)
        return self.data[start : len(self.data) if end < 0 else end]

    def line(self, number: int) -> CleanLine:
        cleaned = self._cleaned.get(number)
        if cleaned is None:
            cleaned = self._cleaned[number] = clean_line(number, self.raw_line(number))
        return cleaned

    def detail_block(self, first: int, last: int) -> list[CleanLine]:
        """The lines under a message that belong to it: up to a blank line or a new record."""
        header = self.line(first)
        block: list[CleanLine] = []
        for number in range(last + 1, min(last + DETAIL_LINES, self.line_count) + 1):
            line = self.line(number)
            if not line.text.strip():
                if block:
                    break
            elif not line.boxed and line.indent <= header.indent and _NEW_RECORD.match(line.text):
                break
            block.append(line)
        while block and not block[-1].text.strip():
            block.pop()
        return block

    def context_before(self, number: int, context: list[int]) -> list[bytes]:
        """The nearest records naming a package (Collecting, Downloading...) before a line."""
        records = []
        for index in range(bisect.bisect_left(context, number) - 1, -1, -1):
            text = self.line(context[index]).text
            if fact_readers.is_context_record(text):
                records.append(text)
                if len(records) == CONTEXT_RECORDS:
                    break
        return records

    def wrapped_chain(self, first: int) -> list[CleanLine] | None:
        """The lines from `first` on that look like one line a terminal wrapped, if any."""
        chain = [self.line(first)]
        while chain[-1].width >= WRAP_MIN_WIDTH and len(chain) < WRAP_MAX_LINES and chain[-1].number < self.line_count:
            following = self.line(chain[-1].number + 1)
            if not _continues(chain[-1], following):
                break
            chain.append(following)
        return chain if len(chain) > 1 else None


def _continues(line: CleanLine, following: CleanLine) -> bool:
    """Whether `following` reads as the wrapped rest of `line`, not a line of its own."""
    allowed_indent = line.indent + (2 if line.boxed else 1)
    return (
        bool(following.text.strip())
        and not following.boxed
        and following.indent <= allowed_indent
        and not _NEW_RECORD.match(following.text)
    )


def _joined_variants(chain: list[CleanLine]) -> list[tuple[bytes, list[tuple[int, int]]]]:
    """The chain joined as a terminal cut it (mid-word) and as a word wrap (with a space),
    each with the offset where every line's part starts."""
    hard_parts = [line.body for line in chain[:-1]] + [chain[-1].text]
    soft_parts = [chain[0].text] + [line.text.strip() for line in chain[1:]]
    return [_join(chain, hard_parts, b""), _join(chain, soft_parts, b" ")]


def _join(chain: list[CleanLine], parts: list[bytes], separator: bytes) -> tuple[bytes, list[tuple[int, int]]]:
    starts = itertools.accumulate((len(part) + len(separator) for part in parts[:-1]), initial=0)
    return separator.join(parts), [(line.number, start) for line, start in zip(chain, starts, strict=True)]


def _add_candidate(lines_by_signature: dict[int, list[int]], index: int, number: int) -> None:
    lines = lines_by_signature.setdefault(index, [])
    if len(lines) < CANDIDATES_PER_SIGNATURE and (not lines or lines[-1] != number) and number > 0:
        lines.append(number)


def _as_found(match: Match, regions: scoping.ForeignRegions, lone_codes: set[str] = frozenset()) -> Match:
    """The match with the program whose output it sits in, and as a warning when only a line
    that counts if pip failed found it in a log where pip did not fail."""
    tool = regions.tool_at(match.lines[0]) or match.tool
    severity = "warning" if match.code in lone_codes else match.severity
    return replace(match, tool=tool, severity=severity)


def _pip_first(matches: list[Match], regions: scoping.ForeignRegions) -> list[Match]:
    """Among errors, pip's own before those found in another installer's output."""
    in_other_tool = set(regions.tools)
    return sorted(matches, key=lambda match: (match.severity != "error", match.tool in in_other_tool))


def _outcome(failed: bool, succeeded: bool, matches: list[Match], regions: scoping.ForeignRegions) -> tuple[str, str]:
    """What the log is: pip's failure, success or warnings, another tool's output, or unknown."""
    if failed:
        return "failed", "pip"
    if succeeded:
        return "succeeded", "pip"
    if regions:
        return "other-tool", regions.tools[0]
    if matches:
        return "warnings", "pip"
    return "unknown", "pip"


def _foreign_regions(log: _Log, candidates: _Candidates) -> scoping.ForeignRegions:
    triggers: dict[int, list[bytes]] = {}
    for number, trigger in candidates.foreign:
        triggers.setdefault(number, []).append(trigger)

    def opens(number: int) -> str:
        text = log.line(number).text
        return next(filter(None, (scoping.foreign_tool(trigger, text) for trigger in triggers[number])), "")

    return scoping.ForeignRegions(
        list(triggers),
        candidates.pip_markers,
        opens=opens,
        closes=lambda number: scoping.closes_foreign_region(log.line(number).text),
    )


def _excerpt(log: _Log, hit: _Hit, last_line: int) -> str:
    lines = []
    for number in range(hit.first, last_line + 1):
        text = log.line(number).text
        if len(text) > 2 * EXCERPT_REACH:
            single_line_hit = hit.first == hit.last == number
            text = _around(text, hit.start, hit.end) if single_line_hit else _around(text, 0, 0)
        lines.append(text.decode("utf-8", "replace"))
    return "\n".join(lines)


def _around(text: bytes, start: int, end: int) -> bytes:
    """The matched text with EXCERPT_REACH bytes on each side; a longer match is cut as well."""
    window_start, window_end = max(0, start - EXCERPT_REACH), min(end, start + EXCERPT_REACH) + EXCERPT_REACH
    before = b"... " if window_start else b""
    after = b" ..." if window_end < len(text) else b""
    return before + text[window_start:window_end] + after


def _add_groups(facts: dict[str, str], groups: Mapping[bytes, bytes | None]) -> None:
    for name, value in groups.items():
        if value:
            facts.setdefault(name.decode(), value.decode("utf-8", "replace").strip())


def _whole_text_regex(compiled: CompiledSignature) -> "re2._Regexp":
    """The regex for one pass over the whole log: `^`/`$` at line ends, never across lines."""
    options = re2.Options()
    options.never_nl = True
    options.log_errors = False
    return re2.compile(b"(?m)" + compiled.signature.pattern.encode(), options)


def _build_automaton(signatures: tuple[CompiledSignature, ...]) -> ahocorasick.Automaton:
    roles: dict[bytes, dict] = {}

    def role(literal: bytes) -> dict:
        empty = {"signatures": [], "after": [], "before": [], "fact": None, "foreign": None, "context": False}
        return roles.setdefault(literal, {**empty, "pip": False})

    for index, compiled in enumerate(signatures):
        for literal in compiled.literals:
            role(literal)["signatures"].append(index)
            if compiled.regex is not None:
                # The regex may match text around its literal on the line before or after.
                role(literal)["after"].append(index)
                role(literal)["before"].append(index)
            pieces = _wrap_pieces(literal)
            if pieces:
                role(pieces[0])["after"].append(index)
                role(pieces[1])["before"].append(index)
    for literal in fact_readers.TRIGGERS:
        role(literal)["fact"] = literal
    for literal in scoping.FOREIGN_TRIGGERS:
        role(literal)["foreign"] = literal
    for literal in fact_readers.CONTEXT_TRIGGERS:
        role(literal)["context"] = True
    for literal in scoping.PIP_TRIGGERS:
        role(literal)["pip"] = True
    automaton = ahocorasick.Automaton()
    for literal, found in roles.items():
        signature_roles = (tuple(found[name]) for name in ("signatures", "after", "before"))
        key = _Key(len(literal), *signature_roles, found["fact"], found["foreign"], found["context"], found["pip"])
        automaton.add_word(literal.decode("latin-1"), key)
    automaton.make_automaton()
    return automaton


def _scan_regexes(automaton: ahocorasick.Automaton) -> tuple["re2._Regexp", "re2._Regexp"]:
    """Any secret or literal of the automaton; and, matched at a line start, the run of
    lines from there on that each hold a literal (empty if the first one holds none)."""
    literals = sorted(key.encode("latin-1") for key in list(automaton.keys()))
    any_literal = b"(?:" + b"|".join(re2.escape(literal) for literal in literals) + b")"
    line_with_literal = rb"[^\n]*" + any_literal + rb"[^\n]*(?:\n|\z)"
    stops = redaction.compile_bytes_regex(redaction.SECRETS_PATTERN + b"|(?i:" + any_literal + b")", capture=False)
    run = redaction.compile_bytes_regex(b"(?:" + line_with_literal + b")*", case_sensitive=False, within_lines=False)
    return stops, run


def _wrap_pieces(literal: bytes) -> tuple[bytes, bytes] | None:
    """A piece from each half of a literal. Wherever a terminal wrapped the literal, the
    line before the break holds the first piece or the line after it holds the second."""
    if len(literal) < WRAP_MIN_LITERAL:
        return None
    middle = (len(literal) + 1) // 2
    return literal[max(0, middle - WRAP_PIECE) : middle], literal[middle : middle + WRAP_PIECE]
