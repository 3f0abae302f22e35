"""What the catalogue does not cover yet: codes.md's codes by tier, and the exception classes
and diagnostic references of a pip release that no published entry explains."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.releases.pipsource import ReleaseIndex

TIER_HEADING = re.compile(r"^## Tier (\d+)", re.MULTILINE)
CODE_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \|", re.MULTILINE)
# Classes pip uses for control flow or as bases: a user never sees them as an error.
NOT_SHOWN_TO_USERS = frozenset(
    {
        "BestVersionAlreadyInstalled",
        "HTTPRangeRequestUnsupported",
        "InconsistentCandidate",
        "PipDeprecationWarning",
        "RequirementsConflicted",
    }
)


@dataclass(frozen=True)
class EntryCoverage:
    """What one published entry covers: its code and the pip symbols it names."""

    code: str
    symbols: frozenset[str]


@dataclass
class CoverageReport:
    missing_codes: dict[int, list[str]] = field(default_factory=dict)  # tier -> codes
    missing_classes: list[str] = field(default_factory=list)
    missing_references: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (any(self.missing_codes.values()) or self.missing_classes or self.missing_references)


def codes_by_tier(codes_md: str) -> dict[int, list[str]]:
    """``{1: ["BUILD_DEPENDENCIES_INSTALL_FAILED", ...], 2: [...]}`` from shared/codes.md's tables."""
    tiers: dict[int, list[str]] = {}
    headings = list(TIER_HEADING.finditer(codes_md))
    for heading, following in zip(headings, headings[1:] + [None], strict=True):
        section = codes_md[heading.end() : following.start() if following else len(codes_md)]
        tiers[int(heading.group(1))] = CODE_ROW.findall(section)
    return tiers


def code_for_class(name: str) -> str:
    """``HashMismatch`` -> ``HASH_MISMATCH``; ``SSLVerificationError`` -> ``SSL_VERIFICATION_ERROR``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()


def code_for_reference(reference: str) -> str:
    return reference.replace("-", "_").upper()


def user_visible_classes(release: ReleaseIndex) -> list[str]:
    """Exception classes pip can show: not private, not a base of another pip exception."""
    bases = {base for symbol in release.exception_classes for base in release.class_bases.get(symbol, ())}
    return sorted(
        name
        for name in release.exception_classes
        if not name.startswith("_") and name not in bases and name not in NOT_SHOWN_TO_USERS
    )


def coverage(
    entries: Iterable[EntryCoverage], tiers: dict[int, list[str]], release: ReleaseIndex | None
) -> CoverageReport:
    entries = list(entries)
    codes = {entry.code for entry in entries}
    named = {symbol for entry in entries for symbol in entry.symbols}
    report = CoverageReport({tier: [code for code in wanted if code not in codes] for tier, wanted in tiers.items()})
    if release is None:
        return report
    referenced_by = {diagnostic.symbol: code_for_reference(ref) for ref, diagnostic in release.diagnostics.items()}
    for name in user_visible_classes(release):
        if code_for_class(name) not in codes and name not in named and referenced_by.get(name) not in codes:
            report.missing_classes.append(name)
    report.missing_references = sorted(ref for ref in release.diagnostics if code_for_reference(ref) not in codes)
    return report
