"""Telling pip's output apart from other tools' output that looks like it.

Two rules. A region of the log belongs to another tool (uv, Poetry, conda, npm) from a
line only that tool prints until a line only pip prints (or a pip command). And a single
line belongs to another program when, before the matched text, it carries a logging
framework's header (`WARNING (worker) [urllib3.connectionpool] Retrying ...`), which pip
never prints: pip writes `WARNING: ` and `ERROR: ` with nothing but indentation before.
"""

import bisect
from collections.abc import Callable, Iterable, Sequence

import re2


# Runs only while the module is imported, before mutmut can switch a mutant on (see the README).
def _re(pattern: bytes) -> "re2._Regexp":  # pragma: no mutate block
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


# Trigger literals (lower case) for lines that may open a region of another tool, the
# pattern the cleaned, unindented line must then match, and the tool it names ("" when
# the line is a command: its program names the tool).
_FOREIGN_LINES: tuple[tuple[bytes, tuple[bytes, ...], str], ...] = (
    (rb"^No solution found when resolving", (b"no solution found when resolving",), "uv"),
    (rb"^error: Failed to \w+[^`\n]*`", (b"error: failed to ",), "uv"),
    (rb"^error: (?:Failed to fetch: |Request failed after )", (b"error: request failed after",), "uv"),
    (
        rb"^(?:Using (?:Python \d+\.\d+\.\d+ environment at|CPython \d)|Resolved \d+ packages? in \d|"
        rb"Prepared \d+ packages? in \d|help: `)",
        (b"using python ", b"using cpython ", b"resolved ", b"prepared ", b"help: `"),
        "uv",
    ),
    (rb"^(?:cause|Caused by): ", (b"cause: ", b"caused by: "), "uv"),
    (
        rb"SolverProblemError|version solving failed|ChefBuildError|likely not a problem with poetry|"
        rb"^PEP517 build of a dependency failed|^Installing dependencies from lock file|"
        rb"^Updating dependencies|^Package operations: \d",
        (
            b"solverproblemerror",
            b"version solving failed",
            b"chefbuilderror",
            b"not a problem with poetry",
            b"pep517 build of a dependency failed",
            b"installing dependencies from lock file",
            b"updating dependencies",
            b"package operations:",
        ),
        "poetry",
    ),
    (
        rb"PackagesNotFoundError|UnsatisfiableError|ResolvePackageNotFound|CondaHTTPError|CondaError|"
        rb"^Collecting package metadata \(|^Solving environment: ",
        (
            b"packagesnotfounderror",
            b"unsatisfiableerror",
            b"resolvepackagenotfound",
            b"condahttperror",
            b"condaerror",
            b"collecting package metadata",
            b"solving environment: ",
        ),
        "conda",
    ),
    (
        rb"^WARNING: Lockfile (?:does not exist|doesn't satisfy|hash doesn't match)|^Updating the lock file\.\.\.|"
        rb"^STATUS: Resolving packages from lockfile|^Synchronizing working set with resolved packages|"
        rb"pdm\.exceptions\.|/pdm/log/pdm-|Lock (?:successful|failed)\.|"
        rb"^\[(?:ResolutionError|InstallationError|PdmUsageError|PdmException|BuildError)\]: ",
        (
            b"lockfile does not exist",
            b"lockfile doesn't satisfy",
            b"lockfile hash doesn't match",
            b"updating the lock file",
            b"status: resolving packages from lockfile",
            b"synchronizing working set",
            b"pdm.exceptions.",
            b"/pdm/log/pdm-",
            b"lock successful.",
            b"lock failed.",
            b"[resolutionerror]: ",
            b"[installationerror]: ",
            b"[pdmusageerror]: ",
            b"[pdmexception]: ",
            b"[builderror]: ",
        ),
        "pdm",
    ),
    (
        rb"Pipfile\.lock|pipenv\.exceptions\.|^\[DeployException\]|^Creating a virtualenv for this project|"
        rb"Locking Failed!",
        (
            b"pipfile.lock",
            b"pipenv.exceptions.",
            b"[deployexception]",
            b"creating a virtualenv for this",
            b"locking failed!",
        ),
        "pipenv",
    ),
    (rb"^npm (?:ERR!|error|warn|WARN) ", (b"npm err!", b"npm error ", b"npm warn "), "npm"),
    (
        rb"\b(?:uv (?:pip|sync|add|lock)|poetry (?:install|add|lock|update)|"
        rb"(?:conda|mamba|micromamba) (?:install|create|env|update)|npm (?:install|ci)|"
        rb"yarn (?:install|add)|pdm (?:install|add|sync|lock|update)|pipenv (?:install|sync|lock)|"
        rb"pixi (?:install|add|run)|hatch (?:env|run|build))\b",
        (
            b"uv pip ",
            b"uv sync",
            b"uv add ",
            b"uv lock",
            b"poetry install",
            b"poetry add ",
            b"poetry lock",
            b"poetry update",
            b"conda install",
            b"conda create",
            b"conda env ",
            b"conda update",
            b"mamba install",
            b"mamba create",
            b"npm install",
            b"npm ci",
            b"yarn install",
            b"yarn add ",
            b"pdm install",
            b"pdm add ",
            b"pdm sync",
            b"pdm lock",
            b"pdm update",
            b"pipenv install",
            b"pipenv sync",
            b"pipenv lock",
            b"pixi install",
            b"pixi add ",
            b"pixi run ",
            b"hatch env ",
            b"hatch run ",
            b"hatch build",
        ),
        "",
    ),
)
FOREIGN_TRIGGERS: dict[bytes, tuple["re2._Regexp", str]] = {
    literal: (_re(pattern), tool) for pattern, literals, tool in _FOREIGN_LINES for literal in literals
}
# Installers that run a Python build backend (their build failures are the backend's own).
BACKEND_RUNNERS = frozenset({"uv", "poetry", "pdm", "pipenv", "hatch", "pixi"})
# The names tools go by in the diagnosis, by the program a command runs.
_TOOL_OF_PROGRAM = {b"micromamba": "mamba"}

# Lines only pip prints (or a command that runs pip): they end another tool's region.
# (`Collecting package metadata` is conda's; RE2 has no look-ahead to say so.)
_PIP_RECORD = _re(
    rb"^(?:ERROR: |WARNING: |error: [a-z0-9]+(?:-[a-z0-9]+)+\s*$|Collecting (?:[^p]|p[^a])|"
    rb"Requirement already satisfied|Successfully installed |Installing collected packages|"
    rb"Looking in indexes|\[notice\] A new release of pip|Pip subprocess (?:error|output):)"
)
_PIP_COMMAND = _re(rb"(?:^|\s)(?:pip[\d.]*|-m pip) (?:install|download|wheel)\b")
_OTHER_INSTALLER = _re(rb"\b(?:uv|poetry|pdm) ")
PIP_TRIGGERS = (
    b"error: ",
    b"warning: ",
    b"collecting ",
    b"requirement already satisfied",
    b"successfully installed ",
    b"installing collected packages",
    b"looking in indexes",
    b"[notice] a new release of pip",
    b"pip subprocess ",
    b"pip install",
    b"pip3 install",
    b"-m pip ",
)

# A logging framework's record header: a level name not written pip's way (`LEVEL: `),
# or a dotted logger name in brackets.
_LOGGER_HEADER = _re(
    rb"\b(?:DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\b(?:[^:]|:\S|$)|\[[A-Za-z_][\w-]*(?:\.[\w-]+)+\]"
    rb"|^npm (?:ERR!|error|warn|WARN)\b"
)
_LOGGER_HEADER_REACH = 300
# The headers any program's logging may write itself: urllib3's retries, its own downloads, a
# logged exception. Behind a logger's record, a line that holds one (or names an exception) is
# that program's own.
ANY_PROGRAMS_HEADERS = rb"Retrying|Traceback|Exception:|Downloading|Processing"
_ANY_PROGRAMS_MESSAGE = _re(ANY_PROGRAMS_HEADERS + rb"|Exception|\w(?:Error|Warning)\b")
# Lines that might close another tool's region, read per log before regions are taken to end.
CLOSING_CANDIDATES = 5000


def foreign_tool(trigger: bytes, text: bytes) -> str:
    """The tool whose region a line opens, or "" when it opens none."""
    pattern, tool = FOREIGN_TRIGGERS[trigger]
    found = pattern.search(text.lstrip())
    if not found or tool:
        return tool if found else ""
    program = found.group(0).split()[0]
    return _TOOL_OF_PROGRAM.get(program, program.decode())


def closes_foreign_region(text: bytes) -> bool:
    unindented = text.lstrip()
    if _PIP_RECORD.search(unindented):
        return True
    return bool(_PIP_COMMAND.search(unindented)) and not _OTHER_INSTALLER.search(unindented)


def has_foreign_logger_header(text_before_match: bytes) -> bool:
    return bool(_LOGGER_HEADER.search(text_before_match[-_LOGGER_HEADER_REACH:]))


def is_another_programs_record(line: bytes, start: int, end: int) -> bool:
    """Whether the match line[start:end] sits in a logging framework's record whose message any
    program may log itself: that program's own line. Behind such a record a message only pip
    prints is pip's output, which a program relays through its logger."""
    return has_foreign_logger_header(line[:start]) and bool(_ANY_PROGRAMS_MESSAGE.search(line[:end]))


class ForeignRegions:
    """Line ranges owned by another tool, found from candidate start and end lines.

    `opens` names the tool whose region a candidate line opens ("" for none) and `closes`
    checks a candidate end line; only the candidates needed are checked.
    """

    def __init__(
        self,
        start_candidates: Sequence[int],
        end_candidates: Callable[[int], Iterable[int]],
        opens: Callable[[int], str],
        closes: Callable[[int], bool],
    ):
        self._starts: list[int] = []
        self._ends: list[int] = []  # exclusive
        self.tools: list[str] = []  # the tool of each region, in the log's order
        reads_left = CLOSING_CANDIDATES
        for start in sorted(set(start_candidates)):
            if self._ends and start < self._ends[-1]:
                continue
            tool = opens(start)
            if tool:
                end, reads = _first_closing(end_candidates, start, closes, reads_left)
                reads_left -= reads
                self._starts.append(start)
                self._ends.append(end)
                self.tools.append(tool)

    def __contains__(self, line: int) -> bool:
        return bool(self.tool_at(line))

    def tool_at(self, line: int) -> str:
        """The tool whose region holds the line, or "" for pip's output."""
        index = bisect.bisect_right(self._starts, line) - 1
        return self.tools[index] if index >= 0 and line < self._ends[index] else ""

    def __bool__(self) -> bool:
        return bool(self._starts)


def _first_closing(
    end_candidates: Callable[[int], Iterable[int]], start: int, closes: Callable[[int], bool], reads_left: int
) -> tuple[int, int]:
    """The first line after `start` that closes its region, and how many candidates were read.
    Once the log's CLOSING_CANDIDATES were read, a region ends at its first candidate: a
    region is never read for ever, and a log cannot make them cost more than that."""
    read = 0
    for read, candidate in enumerate(end_candidates(start), start=1):
        if read >= reads_left or closes(candidate):
            return candidate, read
    return 2**62, read


# For reading every line as pip's (the staff's signature tester marks other tools' lines itself).
NO_REGIONS = ForeignRegions((), (), opens=lambda number: "", closes=lambda number: False)
