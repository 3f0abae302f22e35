"""The matcher: every signature compiled once, the log scanned once.

Secrets are replaced first, in one RE2 pass, before any line is read, so the regexes,
the fact readers and the excerpts never see one. One Aho-Corasick automaton holds, in
lower case, the literal of every literal signature, the required literal of every regex
signature, and the trigger literals of the fact and other-tool readers; one RE2
alternation of the same literals finds the lines that hold one at C speed, and the
automaton names every literal (overlapping ones too) on a stretch of lines from there.
A literal whose readers have all the lines they keep is then no longer looked for, so a
log dense with pip's own records costs little more than a sparse one. The regexes (RE2,
linear time) run on their candidate lines only, within a budget of bytes per log; a
regex with no usable literal runs once over the whole redacted log. The automaton also
holds a piece of each half of every literal: where one is found on a line a terminal may
have wrapped, the signature is tried again on that line joined with the next ones. The
lines that name a package (Collecting...) and that end another tool's output are looked
up only near the lines that need them.
"""

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import NamedTuple

import ahocorasick
import re2

from kb.diagnosis import facts as fact_readers
from kb.diagnosis import redaction, scoping
from kb.diagnosis.cleaning import (
    CleanLine,
    clean_line,
    clean_log,
    longest_clean_word,
    widest_clean_line,
    without_ci_prefix,
)
from kb.diagnosis.ranking import explains, rank, wrapper_closure
from kb.diagnosis.reading import encode_utf8
from kb.diagnosis.results import Diagnosis, Match
from kb.diagnosis.signatures import CompiledSignature, Signature, compile_signature
from kb.diagnosis.unescaping import unescape_log

# Hits read per signature: the first one places the match, the next ones add facts.
HITS_PER_SIGNATURE = 20
# Candidate lines kept per signature before other tools' lines are set aside.
CANDIDATES_PER_SIGNATURE = 100
# Lines set aside per signature by its line test before its literal is no longer looked for.
SET_ASIDE_PER_SIGNATURE = 10 * CANDIDATES_PER_SIGNATURE
# Lines noted that may open another tool's output.
FOREIGN_LINES = 1000
# Secrets replaced one by one; past them, every further line is replaced whole. A log with
# more secrets than this was made to cost time, and the place of each one would cost most.
SECRETS_PER_LOG = 10_000
# Literal occurrences the scan notes per log: past them it stops and says where.
KEYS_PER_LOG = 1_000_000
# Bytes of candidate lines the signatures are run on per log; past them the rest are skipped.
# Staff patterns read at least pattern_speed.MIN_MEGABYTES_PER_SECOND: this and one 5 MB line
# take under 2 s.
MATCH_BYTES_PER_LOG = 8 << 20
# Occurrences of literals nothing needs more lines of, read before the scan stops looking for them.
SPENT_KEYS_BEFORE_NARROWING = 256
# Bytes left to read below which the search is not narrowed any more.
NARROWING_MIN_BYTES = 1 << 20
# Narrowed searches kept for the next log; each holds the DFA states it built (a few MB).
NARROWED_SEARCHES = 8
# Candidate lines a message's context is looked for in, nearest first.
CONTEXT_CANDIDATES = 64
# Detail lines read under a message, at most.
DETAIL_LINES = 15
# Context records (Collecting, Downloading...) read back from a message.
CONTEXT_RECORDS = 4
# A line this wide (in bytes, after its CI prefix) may have been wrapped by a terminal; a
# shorter one may have been wrapped at a word boundary (by a chat client, an issue form)
# when the next line's first word would have made it this wide.
WRAP_MIN_WIDTH = 60
# A wider line was not cut by a terminal: no terminal is that wide.
WRAP_MAX_WIDTH = 1000
WRAP_MAX_LINES = 6
# Literals shorter than this are not looked for across wrapped lines.
WRAP_MIN_LITERAL = 12
WRAP_MIN_PIECE = WRAP_MIN_LITERAL // 2
# What pip prints for every package of a run that goes well, in lower case. A dense log is
# mostly these: a literal's wrap pieces are chosen outside them where the literal allows, or
# nearly every line would be tried as the start of a wrapped message.
ORDINARY_RECORDS = (
    b"collecting ",
    b"downloading ",
    b"using cached ",
    b"requirement already satisfied: ",
    b"(from ",
    b"installing build dependencies: started",
    b"installing build dependencies: finished with status 'done'",
    b"getting requirements to build wheel: finished with status 'done'",
    b"preparing metadata (pyproject.toml): finished with status 'done'",
    b"building wheels for collected packages: ",
    b"building wheel for ",
    b"created wheel for ",
    b"stored in directory: ",
    b"successfully built ",
    b"installing collected packages: ",
    b"attempting uninstall: ",
    b"found existing installation: ",
    b"uninstalling ",
    b"successfully uninstalled ",
    b"successfully installed ",
    b"running setup.py install for ",
)
# Lines looked at on each side of a line cut in two for another line the terminal cut at that column.
CUT_WIDTH_REACH = 20
# Characters of a long line kept on each side of the matched text in an excerpt.
EXCERPT_REACH = 300
# The wrapper of a build backend's failure: the entries that refine it explain the
# backend's own output, whichever installer ran it.
BUILD_BACKEND_WRAPPER = "SUBPROCESS_EXITED_WITH_ERROR"

REDACTED = redaction.REDACTED.encode()
# Lines of an unknown wrapper's prefix is learned from, at most.
PREFIX_SAMPLE_LINES = 5
# The lines of PowerShell's error record for a native command's first stderr line (it
# ends with a line of one space).
_POWERSHELL_RECORD = re.compile(rb"At line:\d+ char:\d+\s*$|\s*\+ | $")
_NOT_BLANK = re.compile(rb"\S")
# A line that starts a new pip record rather than continuing the one above.
_NEW_RECORD = re.compile(
    rb"\s*(?:(?:ERROR|WARNING|DEPRECATION|INFO|HINT|Hint|error|warning|note|hint):\s|\[notice\]\s|"
    rb"Collecting\s|Requirement already satisfied|Installing collected packages|"
    rb"Successfully (?:installed|uninstalled|built)\s|Building wheels? for\s|Looking in (?:indexes|links):|"
    rb"Downloading\s|Using cached\s|Processing\s|Obtaining\s|Attempting uninstall|"
    rb"Found existing installation|Uninstalling\s|Created wheel for\s|Stored in directory:|"
    rb"Preparing (?:metadata|wheel metadata)|Installing build dependencies|Getting requirements to build|"
    rb"Running setup\.py|Failed to build\s|Could not (?:fetch|find|install|build)\s|Ignoring\s|"
    rb"Defaulting to user installation|Traceback \(most recent call last\)|Retrying \(Retry\()"
)

# The headers clean_line may learn a prefix before that _NEW_RECORD does not take for a record.
_HEADERS_NOT_RECORDS = (
    b"Exception:",
    b'Command "',
    b"Usage:",
    b": error: ",
    b"no such option: ",
    b" has a pyproject.toml",
    b"Can't verify hashes for these",
    b"' looks like a filename",
)


LineTest = tuple[tuple[tuple[bytes, ...], ...], ...]  # as CompiledSignature.line_test


class _Key(NamedTuple):
    """What one literal of the automaton stands for."""

    length: int
    signatures: tuple[int, ...]
    line_tests: tuple[LineTest, ...] | None  # each signature's test, if one has a test
    joins_after: tuple[int, ...]  # signatures that may continue on the next line
    joins_before: tuple[int, ...]  # signatures that may have started on the line before
    fact_trigger: bytes | None
    foreign_trigger: bytes | None


class _Hit(NamedTuple):
    signature: int
    first: int  # line numbers
    last: int
    text: bytes  # the cleaned line (or joined wrapped lines) the signature matched
    start: int  # the matched text's span in `text`
    end: int
    groups: dict[bytes, bytes]


class _Unwrapped(NamedTuple):
    """A line as pip printed it, from the pieces a terminal cut it into."""

    text: bytes
    first: int  # the numbers of its first and last pieces
    last: int


class _Candidates(NamedTuple):
    """What the single scan found, by line number."""

    signature_lines: dict[int, list[int]]
    wrap_lines: dict[int, list[int]]  # signature -> lines that may be the first of a wrap
    context: "_LinesHolding"
    pip_markers: "_LinesHolding"
    foreign: list[tuple[int, bytes]]
    evidence: dict[bytes, list[int]]
    # The signatures whose candidate lines (or lines that may start a wrap) are all found.
    full_signatures: set[int]
    full_wraps: set[int]
    set_aside: dict[int, int]  # signature -> lines its line test set aside


class Matcher:
    def __init__(self, signatures: Iterable[Signature], refines: Mapping[str, Iterable[str]]):
        """Compile every signature; raises InvalidPattern naming the first bad one."""
        self._signatures = tuple(compile_signature(signature) for signature in signatures)
        self._wrappers = wrapper_closure(refines)
        self._automaton = _build_automaton(self._signatures)
        self._scan_literals = frozenset(literal.encode("latin-1") for literal, _ in self._automaton.items())
        self._inside = _literals_inside(self._automaton)
        # The scan narrows its search the same way on logs alike (and windows of one log): the
        # searches it narrowed to are kept, compiled and with the DFA states they built.
        self._search_for = functools.lru_cache(maxsize=NARROWED_SEARCHES)(self._search_holding)
        self._pip_marker_search = _literal_search(scoping.PIP_TRIGGERS)
        self._every_line = {
            index: _whole_text_regex(compiled)
            for index, compiled in enumerate(self._signatures)
            if compiled.scans_every_line
        }

    def _search_holding(self, wanted: frozenset[bytes]) -> "re2._Regexp":
        """The search for the lines that hold a wanted literal."""
        return _literal_search(_searched_literals(wanted, self._inside))

    def diagnose(self, log_data: bytes | str) -> Diagnosis:
        """Diagnose a log (as read_log returns it, or text): matches root cause first, its facts,
        what the log is (its outcome and tool), and the log as the engine read it, without
        terminal noise and secrets."""
        log = _Log(log_data)
        candidates = self._scan(log)
        regions = _foreign_regions(log, candidates)
        hits = self._hits(log, candidates, regions, HITS_PER_SIGNATURE)
        failed = any(self._fails_pip(hit) for hit in hits if hit.first not in regions)
        conditional_codes = self._conditional_only_codes(hits)
        lone_codes = set() if failed else conditional_codes
        matches = [
            _as_found(match, regions, lone_codes)
            for match in self._merge_by_code(log, hits, candidates.context, regions)
        ]
        matches = _pip_first(rank(matches, self._wrappers), regions)
        if failed:
            matches = self._hints_after_errors(matches, conditional_codes)
        else:
            matches = _cut_short_first(matches, lone_codes)
        root_line = matches[0].lines[0] if matches else None
        log_facts = fact_readers.read_log_facts(candidates.evidence, log.unwrapped, root_line)
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
            partial=log.partial,
            removed_from=log.removed_from,
            cut_at=log.cut_at,
            unread_reasons=log.unread_reasons,
        )

    def _fails_pip(self, hit: _Hit) -> bool:
        signature = self._signatures[hit.signature].signature
        return signature.severity == "error" and not signature.only_if_failed

    def _conditional_only_codes(self, hits: list[_Hit]) -> set[str]:
        """Codes found only through lines that count if pip failed: in a log that did not
        fail they are still reported, as warnings; in one that did, after pip's other errors."""
        conditional = {self._signatures[hit.signature].signature.code for hit in hits if self._is_conditional(hit)}
        plain = {self._signatures[hit.signature].signature.code for hit in hits if not self._is_conditional(hit)}
        return conditional - plain

    def _hints_after_errors(self, matches: list[Match], conditional_codes: set[str]) -> list[Match]:
        """In a log pip failed, what only lines that count if it failed found (maturin's `Rust
        not found, installing into a temporary directory`) causes only the errors it refines that
        no other error explains: pip's other errors come first. (Retries refine pip's OSError,
        which explains a legacy install's failure; they do not explain a compiler's.)"""
        errors = {match.code for match in matches if match.severity == "error" and match.code not in conditional_codes}
        unexplained = {code for code in errors if not any(explains(other, code, self._wrappers) for other in errors)}

        def idle_hint(match: Match) -> bool:
            return match.code in conditional_codes and not self._wrappers.get(match.code, frozenset()) & unexplained

        return sorted(matches, key=lambda match: (match.severity != "error", idle_hint(match)))

    def _is_conditional(self, hit: _Hit) -> bool:
        return self._signatures[hit.signature].signature.only_if_failed

    def rank(self, matches: list[Match]) -> list[Match]:
        """Matches found apart (in windows of one log) ordered root cause first."""
        return rank(matches, self._wrappers)

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
        """Remove the log's secrets, then find the candidate lines of every signature and reader.

        Lines that hold a literal are read in runs. A literal whose every role has all the
        lines it keeps (a fact seen 40 times, a signature's 100 candidates) stops being
        looked for, so a log dense with one message costs what a sparse one does.
        """
        log.remove_secrets(redaction.secret_spans(log.data), SECRETS_PER_LOG)
        candidates = _Candidates(
            {},
            {},
            _LinesHolding(log, fact_readers.CONTEXT_TRIGGERS),
            _LinesHolding(log, scoping.PIP_TRIGGERS),
            [],
            {},
            set(),
            set(),
            {},
        )
        self._read_literals(log, candidates)
        for index, regex in self._every_line.items():
            candidates.signature_lines[index] = [
                log.number_at(found.start())
                for found in itertools.islice(regex.finditer(log.data), CANDIDATES_PER_SIGNATURE)
            ]
        for lines in candidates.wrap_lines.values():
            lines.sort()
        markers = log.lines_found(self._pip_marker_search, after=log.first_line)
        log.learn_prefixes([log.first_line, *itertools.islice(markers, PREFIX_SAMPLE_LINES - 1)])
        return candidates

    def _read_literals(self, log: "_Log", candidates: _Candidates) -> None:
        """Note every literal of the automaton on the lines that hold one, until the log's
        budget of literals is spent."""
        scan = _LiteralScan(log.data, self._scan_literals, self._search_for)
        for start, end in scan:
            if not self._read_region(log, candidates, scan, start, end):
                return

    def _read_region(self, log: "_Log", candidates: _Candidates, scan: "_LiteralScan", start: int, end: int) -> bool:
        """Note the literals of the lines log.data[start:end]; False once the budget is spent.
        Once the scan narrows its search, the narrower search reads on from the next line."""
        region = log.data[start:end].lower()
        number, counted_up_to = log.number_at(start), 0
        on_line: set[int] = set()  # ids of the keys already noted on line `number`
        narrowed_line_end = None  # the end of the line the search was narrowed on
        for position, key in self._automaton.iter(region.decode("latin-1")):
            if narrowed_line_end is not None and position > narrowed_line_end:
                scan.position = start + narrowed_line_end + 1
                break
            scan.keys_left -= 1
            if scan.keys_left < 0:
                log.cut_at = number
                return False
            if id(key) in scan.spent:
                if narrowed_line_end is None and scan.narrowed_after_spent_key(start + position):
                    # The literals still wanted later on this line are read before leaving it.
                    newline = region.find(b"\n", position)
                    narrowed_line_end = newline if newline >= 0 else len(region)
                continue
            newlines = region.count(b"\n", counted_up_to, position)
            counted_up_to = position
            if newlines:
                number += newlines
                on_line.clear()
            elif id(key) in on_line:
                continue
            on_line.add(id(key))
            self._add_key(candidates, key, number, _line_around(region, position) if key.line_tests else None)
            if _is_spent(key, candidates):
                scan.spend(key, region[position + 1 - key.length : position + 1])
        return True

    @staticmethod
    def _add_key(candidates: _Candidates, key: _Key, number: int, line: bytes | None) -> None:
        """Note what one literal found on line `number` stands for; `line` is the line in
        lower case where one of its signatures has a line test, else None."""
        for position, index in enumerate(key.signatures):
            if index in candidates.full_signatures:
                continue
            if line is not None and not _passes(key.line_tests[position], line):
                _set_aside(candidates, index)
            else:
                _add_candidate(candidates.signature_lines, candidates.full_signatures, index, number)
        for index in key.joins_after:
            _add_candidate(candidates.wrap_lines, candidates.full_wraps, index, number)
        for index in key.joins_before:
            _add_candidate(candidates.wrap_lines, candidates.full_wraps, index, number - 1)
        if key.fact_trigger:
            lines = candidates.evidence.setdefault(key.fact_trigger, [])
            if len(lines) < fact_readers.EVIDENCE_LINES_PER_KIND:
                lines.append(number)
        if key.foreign_trigger and len(candidates.foreign) < FOREIGN_LINES:
            candidates.foreign.append((number, key.foreign_trigger))

    def _hits(self, log: "_Log", candidates: _Candidates, regions: scoping.ForeignRegions, limit: int) -> list[_Hit]:
        accepted: dict[int, int] = {}
        hits = []
        alone: set[tuple[int, int]] = set()  # (signature, line) of the hits a line holds alone
        single_line = self._single_line_hits(log, candidates.signature_lines, accepted, limit)
        wrapped = self._wrapped_hits(log, candidates.wrap_lines, accepted, limit)
        for hit in itertools.chain(single_line, wrapped):
            if hit.first == hit.last:
                alone.add((hit.signature, hit.first))
            elif (hit.signature, hit.last) in alone:
                continue  # a pattern's loose start took the line above as the start of a message its line holds
            if accepted.get(hit.signature, 0) >= limit or self._is_foreign(hit, regions):
                continue
            accepted[hit.signature] = accepted.get(hit.signature, 0) + 1
            hits.append(hit)
        return hits

    def _is_foreign(self, hit: _Hit, regions: scoping.ForeignRegions) -> bool:
        """Whether a hit is another program's output that no entry explains for it. A build
        backend's own error (a missing compiler or header), or its failing with no such cause
        named, means the same under any installer that runs the backend, so it is kept,
        marked with that installer. A retry or an exception in another program's logged record is
        that program's own (urllib3's retries in an app's log); a message Python or a compiler prints
        is what its entry explains whoever logged it."""
        signature = self._signatures[hit.signature].signature
        if not signature.printed_by and scoping.is_another_programs_record(hit.text, hit.start, hit.end):
            return True
        tool = regions.tool_at(hit.first)
        if not tool:
            return False
        code = signature.code
        explains_a_build = code == BUILD_BACKEND_WRAPPER or BUILD_BACKEND_WRAPPER in self._wrappers.get(code, ())
        return tool not in scoping.BACKEND_RUNNERS or not explains_a_build

    def _single_line_hits(
        self, log: "_Log", signature_lines: Mapping[int, list[int]], accepted: Mapping[int, int], limit: int
    ) -> Iterator[_Hit]:
        for index, numbers in signature_lines.items():
            for number in numbers:
                line = log.line(number)
                if accepted.get(index, 0) >= limit or not log.spend(len(line.text)):
                    break
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

    def _wrapped_hits(
        self, log: "_Log", wrap_lines: Mapping[int, list[int]], accepted: Mapping[int, int], limit: int
    ) -> Iterator[_Hit]:
        """Matches that only exist once wrapped lines are joined (and span the join)."""
        for index, numbers in wrap_lines.items():
            for number in numbers:
                if accepted.get(index, 0) >= limit:
                    break
                for text, parts in log.joined_variants(number):
                    if not log.spend(len(text)):
                        return
                    yield from self._spanning_hits(index, text, parts)

    def _spanning_hits(self, index: int, text: bytes, parts: list[tuple[int, int]]) -> Iterator[_Hit]:
        for start, end, groups in self._find(index, text):
            touched = [number for number, part_start in parts if part_start < end]
            # The first part starts at 0. A hit starting in a later part keeps none of the lines above.
            first, offset = max((number, part_start) for number, part_start in parts if part_start <= start)
            if touched[-1] > first:
                yield _Hit(index, first, touched[-1], text[offset:], start - offset, end - offset, groups)

    def _merge_by_code(
        self, log: "_Log", hits: list[_Hit], context: "_LinesHolding", regions: scoping.ForeignRegions
    ) -> list[Match]:
        """One match per code and program whose output holds it."""
        by_code: dict[tuple[str, str], list[_Hit]] = {}
        for hit in sorted(hits, key=lambda hit: (hit.first, hit.last)):
            code = self._signatures[hit.signature].signature.code
            by_code.setdefault((code, regions.tool_at(hit.first)), []).append(hit)
        return [self._match(log, code_hits[0], context, code_hits) for code_hits in by_code.values()]

    def _match(self, log: "_Log", first: _Hit, context: "_LinesHolding", hits: list[_Hit]) -> Match:
        signature = self._signatures[first.signature].signature
        last_line, facts = self._hit_facts(log, first)
        for later in hits[1:5]:
            for name, value in self._hit_facts(log, later)[1].items():
                facts.setdefault(name, value)
        around = fact_readers.context_facts(log.context_before(first.first, context))
        facts = fact_readers.complete_package_facts(fact_readers.with_context(facts, around))
        return Match(
            code=signature.code,
            tool=signature.tool,
            severity=signature.severity,
            lines=(first.first, last_line),
            excerpt=_excerpt(log, first, last_line),
            facts={name: fact_readers.bounded(value) for name, value in facts.items()},
            signature_key=signature.key,
        )

    def _hit_facts(self, log: "_Log", hit: _Hit) -> tuple[int, dict[str, str]]:
        """The last line the message reaches, and the facts its own lines show, read with the
        lines a terminal cut joined back (a URL or a hash cut at the terminal's width)."""
        header = log.line(hit.first)
        block = log.detail_block(hit.first, hit.last)
        lines = [log.line_under(number, header) for number in range(log.cut_line_start(hit.first), hit.last + 1)]
        message = [line for line in log.unwrapped_lines(lines + block) if line.last >= hit.first]
        header_end = next(index for index, line in enumerate(message) if line.last >= hit.last) + 1
        # The signature's own groups, read again where a terminal cut the line they are on short.
        found_again = next(self._find(hit.signature, message[0].text), None) if header_end == 1 else None
        facts: dict[str, str] = {}
        fact_readers.add_groups(facts, found_again[2] if found_again else hit.groups)
        last_line = hit.last
        detail = self._signatures[hit.signature].detail
        as_pasted = [_Unwrapped(line.text, line.number, line.number) for line in block]
        for detail_lines in (message[header_end:], as_pasted) if detail else ():
            text = _text(detail_lines)
            found = detail.search(text) if detail_lines else None
            if found:
                fact_readers.add_groups(facts, found.groupdict())
                last_line = detail_lines[text.count(b"\n", 0, max(found.end() - 1, 0))].last
                break
        # A hit across lines read last: a word wrap's lines are joined there, with a blank.
        joined_hit = hit.text if hit.last > hit.first else b""
        for name, value in fact_readers.record_facts(_text(message) + b"\n" + joined_hit).items():
            facts.setdefault(name, value)
        return last_line, fact_readers.complete_package_facts(facts)


def test_signature(signature: Signature, text: str, limit: int = 1000) -> list[Match]:
    """Every line one signature fires on in a sample log, with the facts it reads there.

    For the staff signature tester; raises InvalidPattern like the Matcher.
    """
    return Matcher([signature], {}).every_hit(text, limit)


test_signature.__test__ = False  # not a pytest test, despite its name


Lines = tuple[int, int | None]  # the first and the last of some lines (None: to the end of the log)


def unread_note(removed: Iterable[Lines], unscanned: Iterable[Lines] = (), other_reasons: Iterable[str] = ()) -> str:
    """Why some of a log was not read, in one sentence for a person; empty when all of it was.
    `removed`: the lines removed unread past the secrets limit, `unscanned`: those left unread
    where the scan stopped."""
    reasons = []
    if removed := list(removed):
        reasons.append(f"it holds more than {SECRETS_PER_LOG:,} secrets, so {_lines_phrase(removed)} removed unread")
    if unscanned := list(unscanned):
        reasons.append(f"it repeats what the engine looks for so often that {_lines_phrase(unscanned)} not read")
    reasons.extend(other_reasons)
    return f"Part of this log was not read: {'; '.join(reasons)}." if reasons else ""


def _lines_phrase(ranges: list[Lines]) -> str:
    """'lines 3 to 9 were', 'line 5 and every line from line 80 on were': the subject and its verb."""
    names = [_range_name(*lines) for lines in ranges]
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]} were"
    first, last = ranges[0]
    return f"{names[0]} {'were' if last is not None and first != last else 'was'}"


def _range_name(first: int, last: int | None) -> str:
    if last is None:
        return f"every line from line {first:,} on"
    return f"line {first:,}" if first == last else f"lines {first:,} to {last:,}"


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
        self.data = clean_log(unescape_log(encode_utf8(log) if isinstance(log, str) else log))
        self._index = LineIndex(self.data)
        self.line_count = self._index.line_count
        self.redacted = 0
        self.cut_at: int | None = None  # the line the scan stopped at, if it had to
        self.removed_from: int | None = None  # the line from which on every line was removed as a secret
        self.cut_short = False  # some candidate lines were not read: the budget below was spent
        self.match_bytes_left = MATCH_BYTES_PER_LOG
        self._cleaned: dict[int, CleanLine] = {}
        self._joined: dict[int, list[tuple[bytes, list[tuple[int, int]]]]] = {}
        self._wrapper_prefixes: tuple[re.Pattern[bytes], ...] = ()

    def learn_prefixes(self, pip_lines: list[int]) -> None:
        """Learn an unknown wrapper's prefix (a Vagrant machine, an ssh host) from lines that
        may be pip's (the log's first ones), and strip it from every line from now on."""
        learned: dict[bytes, re.Pattern[bytes]] = {}
        for number in pip_lines:
            prefix = self.line(number).prefix
            if prefix is not None:
                learned.setdefault(prefix.pattern, prefix)
        if learned:
            self._wrapper_prefixes = tuple(learned.values())
            self._cleaned.clear()
            self._joined.clear()

    def number_at(self, offset: int) -> int:
        return self._index.number_at(offset)

    @functools.cached_property
    def first_line(self) -> int:
        """The number of the log's first line that shows text once cleaned: a paste may start
        with blank lines, or a Markdown fence and blank lines."""
        position = 0
        for _ in range(PREFIX_SAMPLE_LINES):
            text = _NOT_BLANK.search(self.data, position)
            if text is None:
                break
            number = self.number_at(text.start())
            if self.line(number).text:
                return number
            position = self.data.find(b"\n", text.start()) + 1 or len(self.data)
        return 1

    def lines_found(self, search: "re2._Regexp", after: int) -> Iterator[int]:
        """The lines after line `after` where `search` finds something, in order."""
        position = self.data.find(b"\n", self.line_start(after)) + 1
        while position and (found := search.search(self.data, position)):
            yield self.number_at(found.start())
            position = self.data.find(b"\n", found.start()) + 1

    def remove_secrets(self, spans: Iterable[tuple[int, int]], limit: int) -> None:
        """Put REDACTED in place of each secret, before any line is read; from the line of
        the secret past `limit` on, in place of every line."""
        spans = list(itertools.islice(spans, limit + 1))
        if not spans:
            return
        over_limit = len(spans) > limit
        spans = redaction.merge_spans(spans)
        rest = b""
        if over_limit:
            rest_start = self.data.rfind(b"\n", 0, spans[-1][0]) + 1
            self.removed_from = self.number_at(rest_start)
            rest = b"\n".join(itertools.repeat(REDACTED, self.data.count(b"\n", rest_start) + 1))
            self.data = self.data[:rest_start]
            spans = [span for span in spans if span[1] <= rest_start]
            self.redacted = rest.count(b"\n") + 1
        self.data = redaction.without_secrets(self.data, spans) + rest
        self._index = LineIndex(self.data)
        self.redacted += len(spans)

    @property
    def partial(self) -> str:
        """Why some of the log was not read, for a person; empty when all of it was."""
        return unread_note(
            [(self.removed_from, None)] if self.removed_from else [],
            [(self.cut_at + 1, None)] if self.cut_at else [],
            self.unread_reasons,
        )

    @property
    def unread_reasons(self) -> tuple[str, ...]:
        """Why some of the log was not read, but for its secrets and where the scan stopped."""
        if self.cut_short:
            return ("it holds more long lines to try than one diagnosis reads, so some were skipped",)
        return ()

    def joined_variants(self, first: int) -> list[tuple[bytes, list[tuple[int, int]]]]:
        """The ways the lines from `first` on may join into one line a terminal wrapped."""
        variants = self._joined.get(first)
        if variants is None:
            chain = self.wrapped_chain(first)
            variants = self._joined[first] = _joined_variants(chain) if chain else []
        return variants

    def spend(self, size: int) -> bool:
        """Take `size` bytes of signature matching from the log's budget; False once it is spent
        (a line longer than what is left is still read), and the diagnosis is then cut short."""
        if self.match_bytes_left <= 0:
            self.cut_short = True
        self.match_bytes_left -= size
        return not self.cut_short

    def line_start(self, number: int) -> int:
        return self._index.line_start(number)

    def raw_line(self, number: int) -> bytes:
        start = self._index.line_start(number)
        end = self.data.find(b"\n", start)
        return self.data[start : len(self.data) if end < 0 else end]

    def line(self, number: int) -> CleanLine:
        cleaned = self._cleaned.get(number)
        if cleaned is None:
            cleaned = self._cleaned[number] = clean_line(number, self.raw_line(number), self._wrapper_prefixes)
        return cleaned

    def line_under(self, number: int, header: CleanLine) -> CleanLine:
        """A line of the record `header` opens, without the prefix learned from the header."""
        if header.prefix is None or number == header.number:
            return self.line(number)
        return clean_line(number, self.raw_line(number), (header.prefix, *self._wrapper_prefixes))

    def detail_block(self, first: int, last: int) -> list[CleanLine]:
        """The lines under a message that belong to it: up to a blank line after its text, or a
        new record. The blank lines before its text may be several: VS Code's Output channel
        adds one after each chunk of pip's output, which starts its next record with one. The
        rest of the message's last line, where a terminal wrapped it (pipenv's 80 columns cut
        pip's help URL), is not its text: the blank line after it does not end the block."""
        header = self.line(first)
        chain = self.wrapped_chain(last) or [header]
        block: list[CleanLine] = []
        for number in range(last + 1, min(last + DETAIL_LINES, self.line_count) + 1):
            line = self.line_under(number, header)
            if not block and _POWERSHELL_RECORD.match(line.body):
                continue  # PowerShell's record of pip's first stderr line, between it and the rest
            if not line.text.strip():
                if block and block[-1].text.strip() and block[-1].number > chain[-1].number:
                    break
            elif not line.boxed and line.indent <= header.indent and _NEW_RECORD.match(line.text):
                break
            block.append(line)
        while block and not block[-1].text.strip():
            block.pop()
        return block

    def context_before(self, number: int, context: "_LinesHolding") -> list[bytes]:
        """The nearest records naming a package (Collecting, Downloading...) before a line."""
        records = []
        for candidate in itertools.islice(context.before(number), CONTEXT_CANDIDATES):
            text = self.unwrapped(candidate)
            if fact_readers.is_context_record(text):
                records.append(text)
                if len(records) == CONTEXT_RECORDS:
                    break
        return records

    def wrapped_chain(self, first: int) -> list[CleanLine] | None:
        """The lines from `first` on that look like one line a terminal wrapped, if any."""
        if first >= self.line_count:
            return None
        raw_following = self.raw_line(first + 1)
        if not _may_wrap(self.raw_line(first), raw_following):
            return None
        if not self._wrapper_prefixes and _opens_record(raw_following):
            return None
        chain = [self.line(first)]
        while chain[-1].number < self.line_count and _extends(chain, following := self.line(chain[-1].number + 1)):
            chain.append(following)
        return chain if len(chain) > 1 else None

    def cut_line_start(self, number: int) -> int:
        """The first line of the line a terminal cut into pieces, line `number` among them. The
        pieces above it are as wide as the terminal; line `number` may be the last, shorter one,
        but only below two of them: below one wider line, it is as likely a line of its own (pip's
        `Exception:` under its `Downloading ...` line)."""
        width = self.line(number - 1).width if number > 1 else 0
        start = number
        while (
            number - start < WRAP_MAX_LINES - 1
            and start > 1
            and self.line(start - 1).width == width
            and self.wrapped_chain(start - 1)
        ):
            start -= 1
        own_width = self.line(number).width
        return start if own_width == width or (own_width < width and number - start >= 2) else number

    def unwrapped(self, number: int) -> bytes:
        """Line `number`'s text, with the rest a terminal cut off it joined back."""
        chain = self.wrapped_chain(number)
        return self.unwrapped_lines(chain)[0].text if chain else self.line(number).text

    def unwrapped_lines(self, lines: list[CleanLine]) -> list[_Unwrapped]:
        """Consecutive lines, the pieces of each line a terminal cut joined back into one."""
        chains: list[list[CleanLine]] = []
        for line in lines:
            if chains and _rest_of(chains[-1], line):
                chains[-1].append(line)
            else:
                chains.append([line])
        unwrapped = []
        for chain in chains:
            if len(chain) == 1 or self._cut_by_terminal(chain):
                unwrapped.append(_Unwrapped(b"".join(_cut_parts(chain)), chain[0].number, chain[-1].number))
            else:
                unwrapped += [_Unwrapped(line.text, line.number, line.number) for line in chain]
        return unwrapped

    def _cut_by_terminal(self, pieces: list[CleanLine]) -> bool:
        """Whether lines that read as the pieces of one line are. They are where the pieces end in
        the blank each was broken at, and where the terminal's width shows twice: two pieces as
        wide, or another line as wide nearby. One line above a narrower one, alone, is as likely
        pip's last line and a line of the program that ran it (`nox > Command ... failed`)."""
        if len(pieces) > 2 or all(piece.body[-1:].isspace() for piece in pieces[:-1]):
            return True
        first, last = pieces[0].number, pieces[-1].number
        before = range(max(1, first - CUT_WIDTH_REACH), first)
        after = range(last + 1, min(self.line_count, last + CUT_WIDTH_REACH) + 1)
        return any(self.line(number).width == pieces[0].width for number in itertools.chain(before, after))


class _LinesHolding:
    """The numbers of the lines that hold one of some lower-case literals, found a stretch of
    the log at a time as a diagnosis asks for those near a line: most stretches never are."""

    STRETCH_BYTES = 8 * 1024

    def __init__(self, log: _Log, literals: tuple[bytes, ...]):
        self._log = log
        self._literals = literals
        self._longest = max(map(len, literals))
        self._stretches: dict[int, list[int]] = {}

    def before(self, number: int) -> Iterator[int]:
        """The lines before line `number`, nearest first."""
        stretches = range(self._log.line_start(number) // self.STRETCH_BYTES, -1, -1)
        found = (found for stretch in stretches for found in reversed(self._stretch(stretch)) if found < number)
        return _once_each(found)

    def after(self, number: int) -> Iterator[int]:
        """The lines after line `number`, nearest first."""
        last = len(self._log.data) // self.STRETCH_BYTES
        stretches = range(self._log.line_start(number) // self.STRETCH_BYTES, last + 1)
        return _once_each(found for stretch in stretches for found in self._stretch(stretch) if found > number)

    def _stretch(self, stretch: int) -> list[int]:
        numbers = self._stretches.get(stretch)
        if numbers is None:
            numbers = self._stretches[stretch] = self._find(stretch * self.STRETCH_BYTES)
        return numbers

    def _find(self, start: int) -> list[int]:
        """The lines with a literal that starts in the stretch from `start`. Each literal is
        looked for once per line that holds it: a dense stretch has one on every line."""
        stretch = self._log.data[start : start + self.STRETCH_BYTES + self._longest - 1].lower()
        line_starts = set()
        for literal in self._literals:
            limit = self.STRETCH_BYTES + len(literal) - 1
            position = stretch.find(literal, 0, limit)
            while position >= 0:
                line_starts.add(stretch.rfind(b"\n", 0, position) + 1)
                next_line = stretch.find(b"\n", position) + 1
                position = stretch.find(literal, next_line, limit) if next_line else -1
        numbers = []
        number, counted_up_to = self._log.number_at(start), 0
        for offset in sorted(line_starts):
            number += stretch.count(b"\n", counted_up_to, offset)
            counted_up_to = offset
            numbers.append(number)
        return numbers


def _once_each(numbers: Iterable[int]) -> Iterator[int]:
    """Line numbers in order without repeats: a line across two stretches that holds a literal
    in each is found in both."""
    return (number for number, _ in itertools.groupby(numbers))


class _LiteralScan:
    """The stretches of whole lines that start with a line holding a literal still wanted,
    in order, and what the scan spent.

    Searching line by line is fastest where such lines are rare; reading a stretch of lines
    from each one found keeps dense stretches from costing a search per line. Once keys
    nothing needs any more were read often enough, the search drops their literals.
    """

    BYTES = 512

    def __init__(
        self, data: bytes, literals: frozenset[bytes], search_for: Callable[[frozenset[bytes]], "re2._Regexp"]
    ):
        self.data = data
        self.position = 0  # where the search goes on from; the reader may move it
        self.keys_left = KEYS_PER_LOG
        self.spent: set[int] = set()  # ids of the keys whose roles have all their lines
        self._spent_seen = 0
        self._wanted = set(literals)
        self._searched = len(literals)
        self._search_for = search_for
        self._search = search_for(literals)

    def spend(self, key: _Key, literal: bytes) -> None:
        self.spent.add(id(key))
        self._wanted.discard(literal)

    def narrowed_after_spent_key(self, offset: int) -> bool:
        """Count one more spent key read at `offset`; True when the search was narrowed because
        of them. Near the end of the log, reading on costs less than compiling a narrower search."""
        self._spent_seen += 1
        if self._spent_seen <= SPENT_KEYS_BEFORE_NARROWING or len(self.data) - offset < NARROWING_MIN_BYTES:
            return False
        self._spent_seen = 0
        if len(self._wanted) < self._searched:
            self._search = self._search_for(frozenset(self._wanted))
            self._searched = len(self._wanted)
        return True

    def __iter__(self) -> Iterator[tuple[int, int]]:
        self.position = 0
        while self._wanted and (found := self._search.search(self.data, self.position)):
            start = self.data.rfind(b"\n", 0, found.start()) + 1
            self.position = self.data.find(b"\n", found.start() + self.BYTES) + 1 or len(self.data)
            yield start, self.position


def _is_spent(key: _Key, candidates: _Candidates) -> bool:
    """Whether every role of a literal has all the lines it keeps."""
    return (
        candidates.full_signatures.issuperset(key.signatures)
        and candidates.full_wraps.issuperset(key.joins_after)
        and candidates.full_wraps.issuperset(key.joins_before)
        and (
            not key.fact_trigger
            or len(candidates.evidence.get(key.fact_trigger, ())) >= fact_readers.EVIDENCE_LINES_PER_KIND
        )
        and (not key.foreign_trigger or len(candidates.foreign) >= FOREIGN_LINES)
    )


def _continues(line: CleanLine, following: CleanLine) -> bool:
    """Whether `following` reads as the wrapped rest of `line`, not a line of its own."""
    allowed_indent = line.indent + (2 if line.boxed else 1)
    first_word = following.text.lstrip().split(b" ", 1)[0]
    return (
        line.width + 1 + len(first_word) > WRAP_MIN_WIDTH
        and bool(following.text.strip())
        and not following.boxed
        and following.indent <= allowed_indent
        and not _NEW_RECORD.match(following.text)
    )


def _extends(chain: list[CleanLine], following: CleanLine) -> bool:
    """Whether `following` may be one more piece of the line a terminal wrapped into `chain`."""
    return chain[-1].width <= WRAP_MAX_WIDTH and len(chain) < WRAP_MAX_LINES and _continues(chain[-1], following)


def _rest_of(pieces: list[CleanLine], following: CleanLine) -> bool:
    """Whether `following` is the next piece of the line cut into `pieces`, and joins them as is.
    A terminal cuts every piece but the last at the same column: a wider line is a line of its
    own (a framing tool's after pip's last line), and joined as is it would run into the last
    word above. A piece that ends in the blank it was broken at joins as is whatever its width
    (pipenv breaks a long `Collecting` line after `(from -r `)."""
    same_column = pieces[-1].width == pieces[0].width >= following.width
    return (same_column or pieces[-1].body[-1:].isspace()) and _extends(pieces, following)


def _text(lines: list[_Unwrapped]) -> bytes:
    return b"\n".join(line.text for line in lines)


def _may_wrap(raw: bytes, raw_following: bytes) -> bool:
    """Whether two lines, still uncleaned, may pass the width test of _continues. Most lines
    a literal's piece is found on are short records followed by short records: this spares
    cleaning both."""
    room = WRAP_MIN_WIDTH - 1 - widest_clean_line(raw)
    return room < 0 or longest_clean_word(raw_following) > room


def _opens_record(raw: bytes) -> bool:
    """Whether a raw line surely opens a record of pip's once cleaned (so it continues no
    line), found without cleaning it. Past its CI prefix, clean_line (with no prefix learned
    from the log) cuts a line that opens a record only before a header found further on,
    which opens a record too, unless it is one of _HEADERS_NOT_RECORDS or ends the line
    (and loses its space)."""
    if raw[-1:].isspace() or b"\r" in raw or b"\t" in raw or any(header in raw for header in _HEADERS_NOT_RECORDS):
        return False
    return bool(_NEW_RECORD.match(without_ci_prefix(raw)))


def _joined_variants(chain: list[CleanLine]) -> list[tuple[bytes, list[tuple[int, int]]]]:
    """The chain joined as a terminal cut it (mid-word) and as a word wrap (with a space),
    each with the offset where every line's part starts."""
    soft_parts = [chain[0].text] + [line.text.strip() for line in chain[1:]]
    return [_join(chain, _cut_parts(chain), b""), _join(chain, soft_parts, b" ")]


def _cut_parts(chain: list[CleanLine]) -> list[bytes]:
    """The pieces of a line a terminal cut, as they join back: with the blanks it cut at."""
    return [line.body for line in chain[:-1]] + [chain[-1].text]


def _join(chain: list[CleanLine], parts: list[bytes], separator: bytes) -> tuple[bytes, list[tuple[int, int]]]:
    starts = itertools.accumulate((len(part) + len(separator) for part in parts[:-1]), initial=0)
    return separator.join(parts), [(line.number, start) for line, start in zip(chain, starts, strict=True)]


def _line_around(region: bytes, position: int) -> bytes:
    """The line of `region` that holds `position`. Cleaning keeps a piece of it (what follows
    its prefix, the last text a progress bar drew), so every word the cleaned line holds is
    in it, tabs being blanks either way."""
    end = region.find(b"\n", position)
    return region[region.rfind(b"\n", 0, position) + 1 : end if end >= 0 else len(region)]


def _passes(test: LineTest, line: bytes) -> bool:
    """Whether a line holds a word of each group of one of the test's branches (loops, not
    generators: this runs for every line a tested literal is on)."""
    if not test:
        return True
    for branch in test:
        for group in branch:
            for word in group:
                if word in line:
                    break
            else:
                break  # a group without a word on the line: the next branch
        else:
            return True
    return False


def _set_aside(candidates: _Candidates, index: int) -> None:
    """Count a line a signature's line test set aside: past enough of them its literal is
    spent like one whose candidates are all found, so a log dense with them costs little."""
    candidates.set_aside[index] = candidates.set_aside.get(index, 0) + 1
    if candidates.set_aside[index] == SET_ASIDE_PER_SIGNATURE:
        candidates.full_signatures.add(index)


def _add_candidate(lines_by_signature: dict[int, list[int]], full: set[int], index: int, number: int) -> None:
    lines = lines_by_signature.setdefault(index, [])
    if len(lines) < CANDIDATES_PER_SIGNATURE and (not lines or lines[-1] != number) and number > 0:
        lines.append(number)
        if len(lines) == CANDIDATES_PER_SIGNATURE:
            full.add(index)


def _as_found(match: Match, regions: scoping.ForeignRegions, lone_codes: set[str] = frozenset()) -> Match:
    """The match with the program whose output it sits in, and as a warning when only a line
    that counts if pip failed found it in a log where pip did not fail."""
    tool = regions.tool_at(match.lines[0]) or match.tool
    severity = "warning" if match.code in lone_codes else match.severity
    return replace(match, tool=tool, severity=severity)


def _cut_short_first(matches: list[Match], lone_codes: set[str]) -> list[Match]:
    """In a log that did not fail, what fails pip once it gives up (retries that end in an SSL
    error) before notices: the log was most likely cut before pip's error."""
    return sorted(matches, key=lambda match: match.code not in lone_codes)


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
    if any(match.tool not in regions.tools for match in matches):
        return "warnings", "pip"  # pip's own, outside the other tool's output
    if regions:
        return "other-tool", regions.tools[0]
    return "unknown", "pip"


def _closes(line: CleanLine, log_prefix: "re.Pattern[bytes] | None") -> bool:
    # A pip header behind a prefix (Poetry's `  | ` before a build's own pip) is inside the
    # region, unless the log's first line has the prefix too: a wrapper's (Vagrant's machine).
    return (line.prefix is None or line.prefix == log_prefix) and scoping.closes_foreign_region(line.text)


def _foreign_regions(log: _Log, candidates: _Candidates) -> scoping.ForeignRegions:
    triggers: dict[int, list[bytes]] = {}
    for number, trigger in candidates.foreign:
        triggers.setdefault(number, []).append(trigger)

    def opens(number: int) -> str:
        text = log.line(number).text
        return next(filter(None, (scoping.foreign_tool(trigger, text) for trigger in triggers[number])), "")

    return scoping.ForeignRegions(
        list(triggers),
        candidates.pip_markers.after,
        opens=opens,
        closes=lambda number: _closes(log.line(number), log.line(log.first_line).prefix),
    )


def _excerpt(log: _Log, hit: _Hit, last_line: int) -> str:
    lines = []
    header = log.line(hit.first)
    for number in range(hit.first, last_line + 1):
        text = log.line_under(number, header).text
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


def _whole_text_regex(compiled: CompiledSignature) -> "re2._Regexp":
    """The regex for one pass over the whole log: `^`/`$` at line ends, never across lines."""
    options = re2.Options()
    options.never_nl = True
    options.log_errors = False
    options.case_sensitive = False
    return re2.compile(b"(?m)" + compiled.signature.pattern.encode(), options)


def _build_automaton(signatures: tuple[CompiledSignature, ...]) -> ahocorasick.Automaton:
    roles: dict[bytes, dict] = {}

    def role(literal: bytes) -> dict:
        return roles.setdefault(literal, {"signatures": [], "after": [], "before": [], "fact": None, "foreign": None})

    for index, compiled in enumerate(signatures):
        for literal, (text_before, text_after) in zip(compiled.literals, compiled.literal_sides, strict=True):
            role(literal)["signatures"].append(index)
            # A match's text around its literal may be on the line before or after.
            if text_after:
                role(literal)["after"].append(index)
            if text_before:
                role(literal)["before"].append(index)
            pieces = _wrap_pieces(literal)
            if pieces:
                role(pieces[0])["after"].append(index)
                role(pieces[1])["before"].append(index)
                if text_before:
                    # The match may have started on the line above the one its literal starts on.
                    role(pieces[0])["before"].append(index)
    for literal in fact_readers.TRIGGERS:
        role(literal)["fact"] = literal
    for literal in scoping.FOREIGN_TRIGGERS:
        role(literal)["foreign"] = literal
    automaton = ahocorasick.Automaton()
    for literal, found in roles.items():
        line_tests = tuple(signatures[index].line_test for index in found["signatures"])
        key = _Key(
            len(literal),
            tuple(found["signatures"]),
            line_tests if any(line_tests) else None,
            tuple(found["after"]),
            tuple(found["before"]),
            found["fact"],
            found["foreign"],
        )
        automaton.add_word(literal.decode("latin-1"), key)
    automaton.make_automaton()
    return automaton


def _literals_inside(automaton: ahocorasick.Automaton) -> dict[bytes, frozenset[bytes]]:
    """Each literal of the automaton, with the other literals it holds."""
    inside = {}
    for word, _ in automaton.items():
        held = {word[end + 1 - key.length : end + 1] for end, key in automaton.iter(word)} - {word}
        inside[word.encode("latin-1")] = frozenset(literal.encode("latin-1") for literal in held)
    return inside


def _searched_literals(wanted: Iterable[bytes], inside: Mapping[bytes, frozenset[bytes]]) -> list[bytes]:
    """The wanted literals that hold no other wanted one: every line that holds a wanted
    literal holds one of these, and a smaller search compiles and runs faster."""
    wanted = set(wanted)
    return [literal for literal in wanted if not inside[literal] & wanted]


# The scan compiles a search again each time it narrows it: its literals are escaped once.
_escaped = functools.lru_cache(maxsize=8192)(re2.escape)


def _literal_search(literals: Iterable[bytes]) -> "re2._Regexp":
    any_literal = b"|".join(_escaped(literal) for literal in sorted(literals))
    return redaction.compile_bytes_regex(any_literal, case_sensitive=False, capture=False)


# Each matcher built (on every publish, every staff check of a signature) asks again for the
# pieces of mostly the same literals.
@functools.lru_cache(maxsize=8192)
def _wrap_pieces(literal: bytes) -> tuple[bytes, bytes] | None:
    """The literal's start up to some point, and its end from the character before that point.
    Wherever a terminal cut the literal, the line before the cut holds the start or the line
    after it holds the end (at a word wrap, without the blank it was broken at). The point is
    the one nearest the middle where pip's ordinary records hold neither piece."""
    if len(literal) < WRAP_MIN_LITERAL:
        return None
    middle = (len(literal) + 1) // 2
    points = sorted(range(WRAP_MIN_PIECE, len(literal) - WRAP_MIN_PIECE + 2), key=lambda point: abs(point - middle))
    pieces = [(literal[:point].rstrip(), literal[point - 1 :].lstrip()) for point in points]
    return next((pair for pair in pieces if not any(map(_is_ordinary, pair))), pieces[0])


def _is_ordinary(piece: bytes) -> bool:
    return any(piece.strip() in record for record in ORDINARY_RECORDS)
