"""Putting the root cause first.

Errors come before warnings. Among errors, one that another present error is a more
specific cause of (through `refines`, followed transitively) is a consequence and goes
after the causes; otherwise the one earliest in the log wins, because pip prints the
fatal error first and its summaries after. A warning that refines an error present in the
log says why pip failed (an index skipped as untrusted, then no version found): it is
reported as an error, that error's cause.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace

from kb.diagnosis.results import Match


def wrapper_closure(refines: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """For each code, every wrapper code it is a more specific cause of, directly or not."""
    direct = {code: set(wrappers) for code, wrappers in refines.items()}
    closure: dict[str, frozenset[str]] = {}
    for code in direct:
        seen: set[str] = set()
        pending = list(direct[code])
        while pending:
            wrapper = pending.pop()
            if wrapper not in seen:
                seen.add(wrapper)
                pending.extend(direct.get(wrapper, ()))
        seen.discard(code)
        closure[code] = frozenset(seen)
    return closure


def rank(matches: list[Match], wrappers: Mapping[str, frozenset[str]]) -> list[Match]:
    """Order matches root cause first and mark the wrappers a root cause explains.

    Errors come before warnings (a warning that refines a present error counts as an error);
    within each, a specific cause comes before the wrappers it refines, and otherwise the
    first in the log comes first.
    """
    promoted = [_as_cause_of_an_error(match, matches, wrappers) for match in matches]
    by_position = sorted(promoted, key=lambda match: match.lines)
    errors, error_causes = _causes_first([match for match in by_position if match.severity == "error"], wrappers)
    warnings, warning_causes = _causes_first([match for match in by_position if match.severity != "error"], wrappers)
    causes = error_causes + warning_causes
    return [_mark_consequence(match, causes, wrappers) for match in errors + warnings]


def _as_cause_of_an_error(match: Match, matches: list[Match], wrappers: Mapping[str, frozenset[str]]) -> Match:
    explains_an_error = any(
        other.severity == "error" and other.code in wrappers.get(match.code, ()) for other in matches
    )
    return replace(match, severity="error") if match.severity != "error" and explains_an_error else match


def _causes_first(matches: list[Match], wrappers: Mapping[str, frozenset[str]]) -> tuple[list[Match], list[Match]]:
    causes = [match for match in matches if not _explained(match, matches, wrappers)]
    consequences = [match for match in matches if not any(match is cause for cause in causes)]
    return causes + consequences, causes


def explains(cause: str, code: str, wrappers: Mapping[str, frozenset[str]]) -> bool:
    """Whether `cause` is a more specific cause of `code`. Two codes that refine each other
    explain neither: both stay causes."""
    return code in wrappers.get(cause, ()) and cause not in wrappers.get(code, ())


def _explained(match: Match, others: list[Match], wrappers: Mapping[str, frozenset[str]]) -> bool:
    return any(explains(other.code, match.code, wrappers) for other in others if other is not match)


def _mark_consequence(match: Match, causes: list[Match], wrappers: Mapping[str, frozenset[str]]) -> Match:
    for cause in causes:
        if cause is not match and match.code in wrappers.get(cause.code, ()):
            return replace(match, consequence_of=cause.code)
    return match
