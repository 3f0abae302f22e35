"""Facts a log shows: versions, platform, index, build backend, and the package in trouble.

The matcher's single scan finds the lines that may hold a fact through the trigger
literals below; the functions here read those lines. All patterns are RE2 (linear time)
because a line may be megabytes long.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import re2

# Reads the cleaned text of a line, by its 1-based number.
LineReader = Callable[[int], bytes]

# Lines read per kind of evidence: enough to decide, bounded for logs of any size.
EVIDENCE_LINES_PER_KIND = 40
# A fact is a name, a version, a hash, a URL or a path: longer text was not written by pip,
# and copying it whole would make a one-line log's answer several times the log's size.
FACT_CHARACTERS = 400
ELLIPSIS = "…"


def bounded(value: str) -> str:
    """A fact cut to FACT_CHARACTERS, ending in an ellipsis where it was cut."""
    if len(value) <= FACT_CHARACTERS:
        return value
    return value[: FACT_CHARACTERS - len(ELLIPSIS)] + ELLIPSIS


# Runs only while the module is imported, before mutmut can switch a mutant on (see the README).
def _re(pattern: bytes) -> "re2._Regexp":  # pragma: no mutate block
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


class Evidence(NamedTuple):
    kind: str  # which fact the line may show
    pattern: "re2._Regexp"  # group `value` (or `major` and `minor`) is the fact
    value: str = ""  # the fact itself when the pattern has no group (platform, backend)
    rank: int = 0  # lower is stronger evidence for the same kind


# Strongest evidence first within each kind.
_PIP_RUNNING = (
    Evidence("pip", _re(rb"\bpip (?P<value>\d+(?:\.\d+)+\w*) from \S.*\(python \d"), rank=0),
    Evidence("pip", _re(rb"new release of pip (?:is )?available: (?P<value>\d[\w.]*) ->"), rank=1),
    Evidence("pip", _re(rb"You are using pip version (?P<value>\d[\w.]*)"), rank=1),
    Evidence(
        "pip",
        _re(rb"(?i)Requirement already (?:satisfied|up-to-date): pip(?:[<>=!~ ]\S*)? in .*\((?P<value>\d[\w.]*)\)"),
        rank=2,
    ),
    Evidence("pip", _re(rb"Found existing installation: pip (?P<value>\d[\w.]*)"), rank=2),
    Evidence("pip", _re(rb"pip-(?P<value>\d[\w.]*?)-py\d[\w.]*-none-any\.whl[/\\]pip\b"), rank=3),
    # `pip freeze` output; `pip install pip==X` names the version it installs, not the one running.
    Evidence("pip", _re(rb"^\s*pip==(?P<value>\d[\w.]*)\s*$"), rank=4),
)
_PIP_UPGRADED = _re(rb"^\s*Successfully installed .*\bpip-(?P<value>\d[\w.]*)")
_SUCCESS = Evidence("success", _re(rb"^\s*Successfully (?:installed|built|downloaded) \S"), "yes")
# Where pip's own modules sat, by release (checked in each release's wheel): a traceback
# through them dates an old pip that printed no version.
_PIP_LAYOUT = (
    Evidence("pip_range", _re(rb"[/\\]pip[/\\]basecommand\.py"), "8.0-9.0.3"),
    Evidence("pip_range", _re(rb"[/\\]pip[/\\]_internal[/\\]basecommand\.py"), "10.0.0-18.0"),
    Evidence("pip_range", _re(rb"[/\\]pip[/\\]_internal[/\\]cli[/\\]base_command\.py"), "18.1-"),
)
_PYTHON = (
    Evidence("python", _re(rb"\(python (?P<value>\d+\.\d+)\)"), rank=0),
    Evidence("python", _re(rb"requires a different Python: (?P<value>\d+\.\d+(?:\.\d+)?)"), rank=1),
    Evidence("python", _re(rb"\bPython (?P<value>[23]\.\d+(?:\.\d+)?)\b"), rank=2),
    Evidence("python", _re(rb"[/\\][Pp]ython(?P<major>[23])\.?(?P<minor>\d{1,2})(?:[/\\:\s]|$)"), rank=3),
    Evidence("python", _re(rb"-cp(?P<major>3)(?P<minor>\d{1,2})-cp3"), rank=4),
)
_ANY = _re(rb".")
_WINDOWS_DRIVE = _re(rb"(?:^|[^\w])[A-Za-z]:\\")
_INDEX_URL = _re(rb"https?://(?:[^\s/@]+@)?(?P<value>[A-Za-z0-9.-]+\.[A-Za-z0-9-]+|localhost)")

# Trigger literals (lower case, as the scan sees them) and what their line may show.
TRIGGERS: Mapping[bytes, tuple[Evidence, ...]] = {
    b"(python ": (_PIP_RUNNING[0], _PYTHON[0]),
    b"new release of pip": (_PIP_RUNNING[1],),
    b"you are using pip version": (_PIP_RUNNING[2],),
    b"already satisfied: pip": (_PIP_RUNNING[3],),
    b"already up-to-date: pip": (_PIP_RUNNING[3],),
    b"found existing installation: pip ": (_PIP_RUNNING[4],),
    b"-none-any.whl/pip": (_PIP_RUNNING[5],),
    b"-none-any.whl\\pip": (_PIP_RUNNING[5],),
    b"pip==": (_PIP_RUNNING[6],),
    b"successfully installed": (Evidence("pip_upgrade", _PIP_UPGRADED), _SUCCESS),
    b"successfully built ": (_SUCCESS,),
    b"successfully downloaded ": (_SUCCESS,),
    b"pip/basecommand.py": (_PIP_LAYOUT[0],),
    b"pip\\basecommand.py": (_PIP_LAYOUT[0],),
    b"_internal/basecommand.py": (_PIP_LAYOUT[1],),
    b"_internal\\basecommand.py": (_PIP_LAYOUT[1],),
    b"cli/base_command.py": (_PIP_LAYOUT[2],),
    b"cli\\base_command.py": (_PIP_LAYOUT[2],),
    b"requires a different python": (_PYTHON[1],),
    b"python 3.": (_PYTHON[2],),
    b"python 2.": (_PYTHON[2],),
    b"lib/python3": (_PYTHON[3],),
    b"bin/python3": (_PYTHON[3],),
    b"\\python3": (_PYTHON[3],),
    b"lib/python2": (_PYTHON[3],),
    b"\\python2": (_PYTHON[3],),
    b"-cp3": (_PYTHON[4],),
    b":\\": (Evidence("platform", _WINDOWS_DRIVE, "windows"),),
    b"win_amd64": (Evidence("platform", _ANY, "windows"),),
    b"win_arm64": (Evidence("platform", _ANY, "windows"),),
    b"-win32": (Evidence("platform", _ANY, "windows"),),
    b"\\appdata\\": (Evidence("platform", _ANY, "windows"),),
    b".exe": (Evidence("platform", _ANY, "windows"),),
    b"/library/frameworks/": (Evidence("platform", _ANY, "macos"),),
    b"/opt/homebrew/": (Evidence("platform", _ANY, "macos"),),
    b"/usr/local/cellar/": (Evidence("platform", _ANY, "macos"),),
    b"macosx_": (Evidence("platform", _ANY, "macos"),),
    b"/users/": (Evidence("platform", _ANY, "macos"),),
    b".dylib": (Evidence("platform", _ANY, "macos"),),
    b"manylinux": (Evidence("platform", _ANY, "linux"),),
    b"musllinux": (Evidence("platform", _ANY, "linux"),),
    b"linux_x86_64": (Evidence("platform", _ANY, "linux"),),
    b"linux_aarch64": (Evidence("platform", _ANY, "linux"),),
    b"/usr/lib/python": (Evidence("platform", _ANY, "linux"),),
    b"/dist-packages": (Evidence("platform", _ANY, "linux"),),
    b"/home/": (Evidence("platform", _ANY, "linux"),),
    b"apt-get ": (Evidence("platform", _ANY, "linux"),),
    b"looking in indexes:": (Evidence("index", _INDEX_URL),),
    b" from http": (Evidence("index_fallback", _INDEX_URL),),
    b"downloading http": (Evidence("index_fallback", _INDEX_URL),),
    b"could not fetch url http": (Evidence("index_fallback", _INDEX_URL),),
    b"for url: http": (Evidence("index_fallback", _INDEX_URL),),
    b"while getting http": (Evidence("index_fallback", _INDEX_URL),),
    b"setuptools.build_meta": (Evidence("backend", _ANY, "setuptools"),),
    b"setuptools_rust": (Evidence("backend", _ANY, "setuptools-rust"),),
    b"setuptools-rust": (Evidence("backend", _ANY, "setuptools-rust"),),
    b"maturin": (Evidence("backend", _ANY, "maturin"),),
    b"hatchling": (Evidence("backend", _ANY, "hatchling"),),
    b"poetry.core": (Evidence("backend", _ANY, "poetry-core"),),
    b"flit_core": (Evidence("backend", _ANY, "flit-core"),),
    b"scikit_build_core": (Evidence("backend", _ANY, "scikit-build-core"),),
    b"mesonpy": (Evidence("backend", _ANY, "meson-python"),),
    b"pdm.backend": (Evidence("backend", _ANY, "pdm-backend"),),
    b"(pyproject.toml)": (Evidence("generic_backend", _ANY, "pyproject.toml (PEP 517)"),),
    b"preparing wheel metadata": (Evidence("generic_backend", _ANY, "pyproject.toml (PEP 517)"),),
    b"(pep 517)": (Evidence("generic_backend", _ANY, "pyproject.toml (PEP 517)"),),
    b"(setup.py)": (Evidence("generic_backend", _ANY, "setup.py (legacy)"),),
    b"running setup.py install": (Evidence("generic_backend", _ANY, "setup.py (legacy)"),),
}

# Lines that name the package pip is working on, for errors that do not name it; and those of
# other installers that run a build backend (Poetry's `- Installing cext (1.0)`, PDM's
# `✖ Install cext 1.0 failed`, uv's `Failed to build `cext==1.0``), for the same build failures.
CONTEXT_TRIGGERS = (
    b"collecting ",
    b"building wheel for ",
    b"building editable for ",
    b"downloading ",
    b"using cached ",
    b"- installing ",
    "• installing ".encode(),
    "✖ install ".encode(),
    b"failed to build `",
)
_CONTEXT_RECORD = _re(
    rb"^\s*(?:Collecting (?P<requirement>(?:[^\s(]| @ )+)(?: \(from (?P<parents>.*)\))?"
    rb"|Building (?:wheel|editable) for (?P<package>\S+) \("
    rb"|(?:Downloading|Using cached) (?:\S*/)?(?P<file>[^\s/]+\.(?:whl|tar\.gz|zip|tar\.bz2|tgz)))"
)
_INSTALLER_RECORDS = tuple(
    _re(pattern.encode())
    for pattern in (
        r"^\s*[-•] Installing (?P<package>[A-Za-z0-9][\w.-]*) \((?P<version>[^)\s]+)\)",
        r"^\s*✖ Install (?P<package>[A-Za-z0-9][\w.-]*) (?P<version>\S+) failed",
        r"^\s*(?:× )?Failed to build `(?P<requirement>[^`\s]+)`",
    )
)
_REQUIREMENTS_FILE = _re(rb"-r (?P<requirements_file>[^\s()]+) \(line (?P<requirements_line>\d+)\)")
_RECORD_PATTERNS = (
    _REQUIREMENTS_FILE,
    _re(
        rb"Expected (?P<hash_algorithm>sha\d+|md5) (?P<expected_hash>[0-9a-fA-F]+)\s+"
        rb"Got\s+(?P<actual_hash>[0-9a-fA-F]+)"
    ),
    _re(rb"(?m)^\s+(?P<requirement>[A-Za-z0-9][\w.\[\],-]*(?:[=<>!~]=?[^\s=<>!~]+)*) from https?://"),
    _re(rb"(?m)^\s*(?P<failed_step>\S[^\n]*?) did not run successfully"),
)
# A name ends where a requirement's version, extras, marker or ` @ ` begin; a URL's scheme
# (`https:`, `git+https:`) or a Windows drive is no name (pip names an sdist's URL by the URL).
_PROJECT_NAME = _re(rb"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:$|[^:+A-Za-z0-9._-])")
_PINNED_VERSION = _re(rb"===?(?P<version>[^\s,;]+)")
_DISTRIBUTION_FILE = _re(
    rb"(?:^|/)(?P<name>[A-Za-z0-9][A-Za-z0-9._]*?)-(?P<version>\d[\w.+!]*?)"
    rb"(?:-[^-/]+-[^-/]+-[^-/]+\.whl|\.tar\.gz|\.zip|\.tar\.bz2|\.tgz)"
)


# Kinds counted over every line that shows them; the others take the strongest evidence's
# first line (lines come in the log's order), so later lines of a trigger whose evidence all
# showed its value are not read.
_EVERY_LINE_KINDS = frozenset({"platform", "pip_upgrade"})


class LogFacts(NamedTuple):
    pip_version: str | None
    python_version: str | None
    facts: dict[str, str]  # platform, index_host, build_backend, pip_range
    succeeded: bool = False  # pip printed a success line


def read_log_facts(evidence_lines: Mapping[bytes, Sequence[int]], read: LineReader, root_line: int | None) -> LogFacts:
    """Decide the log-wide facts from the lines the scan found for each trigger."""
    found: dict[str, list[tuple[int, int, str]]] = {}  # kind -> (rank, line, value)
    for trigger, lines in evidence_lines.items():
        unread = list(TRIGGERS[trigger])
        for number in lines:
            text = read(number)
            for evidence in tuple(unread):
                value = _evidence_value(evidence, text)
                if value:
                    found.setdefault(evidence.kind, []).append((evidence.rank, number, value))
                    if evidence.kind not in _EVERY_LINE_KINDS:
                        unread.remove(evidence)
            if not unread:
                break
    facts = {
        name: bounded(value)
        for name, value in (
            ("platform", _most_common(found.get("platform", []))),
            ("index_host", _first(found.get("index", []) or found.get("index_fallback", []))),
            ("build_backend", _first(found.get("backend", []) or found.get("generic_backend", []))),
            ("pip_range", _first(found.get("pip_range", []))),
        )
        if value
    }
    pip_version = _pip_version(found.get("pip", []), found.get("pip_upgrade", []), root_line)
    python_version = _first(found.get("python", []))
    return LogFacts(
        pip_version and bounded(pip_version),
        python_version and bounded(python_version),
        facts,
        bool(found.get("success")),
    )


def _evidence_value(evidence: Evidence, text: bytes) -> str:
    found = evidence.pattern.search(text)
    if not found:
        return ""
    if evidence.value:
        return evidence.value
    if evidence.pattern.groupindex.get(b"major"):
        return f"{found.group(b'major').decode()}.{found.group(b'minor').decode()}"
    return found.group(b"value").decode()  # every value group is ASCII: digits, word characters, host names


def _first(found: list[tuple[int, int, str]]) -> str | None:
    return min(found)[2] if found else None


def _most_common(found: list[tuple[int, int, str]]) -> str | None:
    counts: dict[str, int] = {}
    for _, _, value in sorted(found, key=lambda item: item[1]):
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _pip_version(
    running: list[tuple[int, int, str]], upgrades: list[tuple[int, int, str]], root_line: int | None
) -> str | None:
    version = _first(running)
    # A log that upgrades pip and then fails or warns ran the new pip for what it reports.
    if root_line is not None:
        evidence_line = min(running)[1] if running else 0
        later_upgrades = [item for item in upgrades if evidence_line < item[1] < root_line]
        if later_upgrades:
            version = max(later_upgrades, key=lambda item: item[1])[2]
    return version


_URL = _re(rb"https?://[^\s'\")]*[^\s'\"),.;:]")
# Pages a message points the reader to, not URLs pip fetched: never the `url` fact.
_DOCUMENTATION = _re(
    rb"^https?://(?:pip\.pypa\.io|setuptools\.pypa\.io|packaging\.python\.org|docs\.python\.org|peps\.python\.org|"
    rb"www\.python\.org|visualstudio\.microsoft\.com|learn\.microsoft\.com|aka\.ms|rustup\.rs|www\.rust-lang\.org|"
    rb"github\.com/pypa/pip/issues)(?:[:/]|$)"
)

# Where a command pip ran was told to look (`-i URL`), where pip says it looks, and what it
# downloaded: none of them a URL that failed.
_AFTER_OPTION = _re(rb"(?:^|\s)(?:-i|-f|--index-url|--extra-index-url|--find-links)[ =]$")
_OPTION_REACH = len(b" --extra-index-url ")
_WHERE_PIP_LOOKS = (b"Looking in indexes: ", b"Looking in links: ", b"Downloading ")


def record_facts(record: bytes) -> dict[str, str]:
    """Facts inside one message: the header line and the detail lines under it."""
    facts: dict[str, str] = {}
    for pattern in _RECORD_PATTERNS:
        found = pattern.search(record)
        if found:
            add_groups(facts, found.groupdict())
    urls = [url.group(0) for url in _URL.finditer(record) if not _where_told_to_look(record, url.start())]
    pointed_to = [url for url in urls if _DOCUMENTATION.search(url)]
    # A piece of such a page's address, where a terminal cut the line, is not fetched either.
    fetched = next((url for url in urls if not any(page.startswith(url) for page in pointed_to)), None)
    if fetched:
        facts["url"] = fetched.decode(errors="replace")
    return facts


def _where_told_to_look(record: bytes, position: int) -> bool:
    line = record[record.rfind(b"\n", 0, position) + 1 : position]
    return bool(_AFTER_OPTION.search(line[-_OPTION_REACH:])) or line.lstrip().startswith(_WHERE_PIP_LOOKS)


def is_context_record(text: bytes) -> bool:
    return bool(_context_record(text)) and not text.lstrip().startswith(b"Collecting package metadata")


def _context_record(text: bytes) -> "re2._Match | None":
    return next(filter(None, (pattern.search(text) for pattern in (_CONTEXT_RECORD, *_INSTALLER_RECORDS))), None)


def context_facts(records_before: Sequence[bytes]) -> dict[str, str]:
    """Package facts from the nearest context records before a message, nearest first."""
    facts: dict[str, str] = {}
    for text in records_before:
        found = _context_record(text)
        groups = {name: value for name, value in found.groupdict().items() if value}
        fields = _context_fields(groups)
        if "package" in facts and _normalise(fields.get("package", "")) != _normalise(facts["package"]):
            break
        for name, value in fields.items():
            facts.setdefault(name, value)
        if "requirement" in facts:
            break
    return facts


def _context_fields(groups: Mapping[bytes, bytes]) -> dict[str, str]:
    fields: dict[str, str] = {}
    if b"requirement" in groups:
        fields["requirement"] = groups[b"requirement"].decode(errors="replace")
        requirements_file = _REQUIREMENTS_FILE.search(groups.get(b"parents", b""))
        if requirements_file:
            add_groups(fields, requirements_file.groupdict())
    if b"package" in groups:
        fields["package"] = groups[b"package"].decode(errors="replace")
    if b"version" in groups:
        fields["version"] = groups[b"version"].decode(errors="replace")
    if b"file" in groups:
        _add_distribution_file(fields, groups[b"file"])
    return complete_package_facts(fields)


# Facts that show a message is about pip itself, not about the package pip was working on.
_ABOUT_PIP_ITSELF = ("pip_version",)


def with_context(own: dict[str, str], context: dict[str, str]) -> dict[str, str]:
    """A message's own facts, completed from the records before it only when those name the
    same package (a build's inner `Collecting setuptools` is not the project that failed) and
    the message is about a package at all (pip's self-check is not about the last download)."""
    if any(name in own for name in _ABOUT_PIP_ITSELF):
        return own
    if "package" in own and "package" in context and _normalise(own["package"]) != _normalise(context["package"]):
        return own
    return {**context, **own}


def complete_package_facts(facts: dict[str, str]) -> dict[str, str]:
    """Fill `package` and `version` from a requirement or a distribution URL when missing."""
    requirement = facts.get("requirement", "").encode()
    if requirement:
        name = _PROJECT_NAME.search(requirement)
        pinned = _PINNED_VERSION.search(requirement)
        if name:
            facts.setdefault("package", name.group(b"name").decode())
        if pinned:
            facts.setdefault("version", pinned.group(b"version").decode())
    if "url" in facts and "version" not in facts:
        distribution = _DISTRIBUTION_FILE.search(facts["url"].encode())
        if distribution and _same_project(distribution.group(b"name").decode(), facts.get("package")):
            _add_distribution_file(facts, distribution.group(0))
    return facts


def _add_distribution_file(facts: dict[str, str], file_name: bytes) -> None:
    distribution = _DISTRIBUTION_FILE.search(file_name)
    if distribution:
        facts.setdefault("package", distribution.group(b"name").decode())
        facts.setdefault("version", distribution.group(b"version").decode())


def _same_project(name: str, package: str | None) -> bool:
    return package is None or _normalise(name) == _normalise(package)


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def add_groups(facts: dict[str, str], groups: Mapping[bytes, bytes | None]) -> None:
    """Each named group a pattern matched, as a fact, unless a fact of that name is known."""
    for name, value in groups.items():
        if value:
            facts.setdefault(name.decode(), value.decode(errors="replace").strip())
