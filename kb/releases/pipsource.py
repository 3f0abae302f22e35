"""Where pip defines each class and function, release by release.

Reads a pip release (a wheel or an unpacked tree), indexes every class, function and
method with its path in pip's GitHub repository and its exact lines, and stores the
chosen definitions of many releases as compact fixtures. Plain Python: no Django, no
network.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kb.versions import version_tuple

# The packages whose sources are indexed; resolvelib is vendored and raises
# ResolutionImpossible, which pip prints as its own error.
INDEXED_PACKAGES = ("pip/_internal/", "pip/_vendor/resolvelib/")
# pip's repository keeps the package under src/ in every release since 10.0 (see repository_path).
REPOSITORY_PREFIX = "src/"
FIRST_SYNCED_VERSION = "20.0"
FIXTURE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "pip_sources"
SNIPPETS_FILE = "snippets.json"
WHEEL_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb-pip-wheels"

# Calls through which pip shows a problem (or a notable step) to the user.
REPORTING_CALLS = frozenset({"info", "warning", "warn", "error", "critical", "exception", "deprecated"})
# Longer functions change in nearly every release and would swell the fixtures; they
# are kept only when an entry names them.
MAX_FIXTURE_LINES = 40

_BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, Exception)
)


# Versions ---------------------------------------------------------------------------

_PRERELEASE_SUFFIX = re.compile(r"(a|b|rc|\.dev)\d+$")


def is_prerelease(version: str) -> bool:
    return _PRERELEASE_SUFFIX.search(version.strip()) is not None


def release_order(version: str) -> tuple[tuple[int, int, int], bool]:
    """Sort key for pip versions: `25.1b1` before `25.1`, `20.3.4` before `24.0`."""
    return version_tuple(version), not is_prerelease(version)


def sort_versions(versions: Iterable[str]) -> list[str]:
    return sorted(versions, key=release_order)


def last_patch_of_each_minor(versions: Iterable[str], since: str = FIRST_SYNCED_VERSION) -> list[str]:
    """The newest final release of every minor series from `since` on, oldest first.

    >>> last_patch_of_each_minor(["20.3", "20.3.4", "21.0b1", "21.0", "19.3.1"])
    ['20.3.4', '21.0']
    """
    newest_per_minor: dict[tuple[int, int], str] = {}
    for version in sort_versions(versions):
        if not is_prerelease(version) and version_tuple(version) >= version_tuple(since):
            newest_per_minor[version_tuple(version)[:2]] = version
    return list(newest_per_minor.values())


def cached_wheel(version: str, cache_dir: Path) -> Path | None:
    return next(iter(sorted(cache_dir.glob(f"pip-{version}-*.whl"))), None)


def cached_versions(cache_dir: Path) -> list[str]:
    return sort_versions(path.name.split("-")[1] for path in cache_dir.glob("pip-*-*.whl"))


# Reading a release ------------------------------------------------------------------


@dataclass(frozen=True)
class PipRelease:
    version: str
    sources: dict[str, str]  # repository path -> source text


def read_release(location: Path) -> PipRelease:
    """Read a pip wheel, or a directory holding pip's package (`pip/`, `src/pip/` or itself)."""
    if location.is_dir():
        files = dict(_package_files_in_directory(_package_directory(location)))
    elif zipfile.is_zipfile(location):
        files = dict(_package_files_in_wheel(location))
    else:
        raise ValueError(f"{location} is neither a wheel nor a directory")
    if "pip/__init__.py" not in files:
        raise ValueError(f"{location} holds no pip package")
    version = _declared_version(files["pip/__init__.py"], location)
    sources = {path: files[name] for name in files if (path := repository_path(version, name))}
    return PipRelease(version, sources)


def repository_path(version: str, name: str) -> str | None:
    """Where a module of a release's wheel lives in pip's repository at that release's tag,
    or None when it is not indexed. Before 10.0 the package sat at the root, with no
    `_internal` and no resolvelib: `pip/exceptions.py`."""
    if not name.endswith(".py"):
        return None
    if version_tuple(version) < (10, 0, 0):
        return name if name.startswith("pip/") and not name.startswith("pip/_vendor/") else None
    return REPOSITORY_PREFIX + name if name.startswith(INDEXED_PACKAGES) else None


def _package_directory(location: Path) -> Path:
    for candidate in (location, location / "pip", location / "src" / "pip"):
        if candidate.name == "pip" and (candidate / "_internal").is_dir():
            return candidate
    raise ValueError(f"{location} holds no pip package")


def _package_files_in_directory(package: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(package.rglob("*.py")):
        name = "pip/" + path.relative_to(package).as_posix()
        yield name, path.read_text(encoding="utf-8")


def _package_files_in_wheel(wheel: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("pip/") and name.endswith(".py"):
                yield name, archive.read(name).decode("utf-8")


def _declared_version(init_source: str, location: Path) -> str:
    for node in ast.parse(init_source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise ValueError(f"{location} does not declare pip's __version__")


# Indexing a release -----------------------------------------------------------------


DefinitionNode = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Definition:
    symbol: str  # "HashMismatch", "HashMismatch.body" or "_log_preparing_link"
    path: str  # as in pip's repository: "src/pip/_internal/exceptions.py"
    start_line: int  # the `class`/`def` line; decorators are not part of it
    end_line: int
    snippet: str  # exactly the lines start_line to end_line

    @property
    def line_count(self) -> int:
        return self.end_line - self.start_line + 1

    @property
    def snippet_id(self) -> str:
        return hashlib.sha256(self.snippet.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class DiagnosticReference:
    reference: str  # "externally-managed-environment"
    symbol: str  # the class that carries it, or the function that raises it
    message: str | None  # the literal message, with `{expression}` for f-string parts


@dataclass
class ReleaseIndex:
    version: str
    definitions: dict[str, list[Definition]] = field(default_factory=dict)
    exception_classes: set[str] = field(default_factory=set)
    class_bases: dict[str, set[str]] = field(default_factory=dict)  # class name -> its bases' names
    diagnostics: dict[str, DiagnosticReference] = field(default_factory=dict)
    reporting_symbols: set[str] = field(default_factory=set)  # functions that raise or log

    def find(self, symbol: str) -> Definition | None:
        """The definition a link should show; pip's exceptions module wins, then the shortest path."""
        candidates = self.definitions.get(symbol)
        return min(candidates, key=_preference) if candidates else None

    def preferred_definitions(self) -> dict[str, Definition]:
        return {symbol: min(candidates, key=_preference) for symbol, candidates in self.definitions.items()}


def _preference(definition: Definition) -> tuple[bool, bool, int, str]:
    path = definition.path
    return ("/_internal/exceptions" not in path, "/_vendor/" in path, len(path), path)


def open_release(location: Path) -> ReleaseIndex:
    return index_release(read_release(location))


def index_release(release: PipRelease) -> ReleaseIndex:
    index = ReleaseIndex(release.version)
    for path, source in sorted(release.sources.items()):
        _index_module(index, path, source, index.class_bases)
    index.exception_classes = _exception_classes(index.class_bases)
    return index


def _index_module(index: ReleaseIndex, path: str, source: str, class_bases: dict[str, set[str]]) -> None:
    lines = re.split(r"\r\n?|\n", source)  # the line breaks ast counts; some wheels have CRLF files
    for node in _definitions_in(ast.parse(source, filename=path).body):
        _add_definition(index, node.name, node, path, lines)
        if isinstance(node, ast.ClassDef):
            class_bases.setdefault(node.name, set()).update(map(_base_name, node.bases))
            for method in _definitions_in(node.body):
                if not isinstance(method, ast.ClassDef):
                    _add_definition(index, f"{node.name}.{method.name}", method, path, lines)
        _collect_diagnostics(index, node)


def _definitions_in(body: list[ast.stmt]) -> Iterator[DefinitionNode]:
    """Definitions of one scope, including those under `if`, `try` and `with` blocks."""
    for node in body:
        if isinstance(node, DefinitionNode):
            yield node
        elif isinstance(node, ast.If):
            yield from _definitions_in(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            handler_bodies = [statement for handler in node.handlers for statement in handler.body]
            yield from _definitions_in(node.body + handler_bodies + node.orelse + node.finalbody)
        elif isinstance(node, ast.With):
            yield from _definitions_in(node.body)


def _add_definition(index: ReleaseIndex, symbol: str, node: DefinitionNode, path: str, lines: list[str]) -> None:
    end_line = node.end_lineno or node.lineno
    same_file = [known for known in index.definitions.get(symbol, []) if known.path == path]
    if same_file:  # a fallback defined under `else:` or `except:`; the first one is the main one
        return
    snippet = "\n".join(lines[node.lineno - 1 : end_line])
    index.definitions.setdefault(symbol, []).append(Definition(symbol, path, node.lineno, end_line, snippet))
    if _raises_or_reports(node):
        index.reporting_symbols.add(symbol)


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):  # Generic[...] and the like
        return _base_name(node.value)
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _exception_classes(class_bases: Mapping[str, set[str]]) -> set[str]:
    exceptions: set[str] = set()
    known = set(_BUILTIN_EXCEPTIONS)
    while True:
        found = {name for name, bases in class_bases.items() if bases & known} - exceptions
        if not found:
            return exceptions
        exceptions |= found
        known |= found


def _own_nodes(node: DefinitionNode) -> Iterator[ast.AST]:
    """The nodes of a definition's body, without those of definitions nested in it."""
    pending: list[ast.AST] = list(node.body)
    while pending:
        child = pending.pop()
        yield child
        if not isinstance(child, DefinitionNode):
            pending.extend(ast.iter_child_nodes(child))


def _raises_or_reports(node: DefinitionNode) -> bool:
    """Whether a function raises one of pip's own errors or logs a message."""
    if isinstance(node, ast.ClassDef):
        return False
    return any(_raises_own_error(child) or _is_reporting_call(child) for child in _own_nodes(node))


def _raises_own_error(node: ast.AST) -> bool:
    if not isinstance(node, ast.Raise) or node.exc is None:
        return False
    raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return _base_name(raised) not in _BUILTIN_EXCEPTIONS


def _is_reporting_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    return name in REPORTING_CALLS


# Diagnostic references ---------------------------------------------------------------


def _collect_diagnostics(index: ReleaseIndex, node: DefinitionNode) -> None:
    if not isinstance(node, ast.ClassDef):
        _collect_reference_keywords(index, node, node.name)
        return
    reference = _class_reference(node)
    if reference is not None:
        index.diagnostics[reference] = DiagnosticReference(reference, node.name, _first_message(node))
    for method in _definitions_in(node.body):
        _collect_reference_keywords(index, method, f"{node.name}.{method.name}")


def _collect_reference_keywords(index: ReleaseIndex, node: DefinitionNode, symbol: str) -> None:
    """Errors raised as `DiagnosticPipError(reference="...", message=...)`."""
    for call in (child for child in ast.walk(node) if isinstance(child, ast.Call)):
        reference = _keyword_literal(call, "reference")
        if reference is not None:
            index.diagnostics[reference] = DiagnosticReference(reference, symbol, _message_of(call, node))


def _class_reference(node: ast.ClassDef) -> str | None:
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == "reference" for target in targets):
            return _string_constant(statement.value)
    return None


def _first_message(node: ast.ClassDef) -> str | None:
    calls = sorted(
        (child for child in ast.walk(node) if isinstance(child, ast.Call) and _keyword_value(child, "message")),
        key=lambda call: (call.lineno, call.col_offset),
    )
    return _message_of(calls[0], node) if calls else None


def _message_of(call: ast.Call, scope: DefinitionNode) -> str | None:
    """The literal `message=` of a call, also when it is first assigned to a variable."""
    value = _keyword_value(call, "message")
    if isinstance(value, ast.Name):
        value = _first_assignment(scope, value.id)
    return None if value is None else literal_text(value)


def _first_assignment(scope: DefinitionNode, name: str) -> ast.expr | None:
    assignments = [
        node
        for node in ast.walk(scope)
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    ]
    return min(assignments, key=lambda node: node.lineno).value if assignments else None


def _keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _keyword_literal(call: ast.Call, name: str) -> str | None:
    value = _keyword_value(call, name)
    return None if value is None else _string_constant(value)


def _string_constant(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def literal_text(node: ast.expr) -> str | None:
    """The text of a literal message: a string, an f-string, a sum with a string in it,
    or one of those wrapped in a call like `Text("...")`. The parts that are not text
    read as `{expression}`, as in an f-string.

    >>> literal_text(ast.parse('Text(f"Cannot uninstall {name}" + hint)', mode="eval").body)
    'Cannot uninstall {name}{hint}'
    """
    if isinstance(node, ast.Constant):
        return _string_constant(node)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else _placeholder(part.value)
            for part in node.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        if literal_text(node.left) is None and literal_text(node.right) is None:
            return None
        return _text_or_placeholder(node.left) + _text_or_placeholder(node.right)
    if isinstance(node, ast.Call) and node.args:
        return literal_text(node.args[0])
    return None


def _text_or_placeholder(node: ast.expr) -> str:
    text = literal_text(node)
    return _placeholder(node) if text is None else text


def _placeholder(node: ast.expr) -> str:
    return "{" + ast.unparse(node) + "}"


# Comparing releases -----------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseChanges:
    new_exceptions: list[str]
    gone_exceptions: list[str]
    moved_exceptions: list[tuple[str, str, str]]  # name, old path, new path
    new_references: list[str]
    gone_references: list[str]
    changed_messages: list[tuple[str, str | None, str | None]]  # reference, old, new


def compare_releases(previous: ReleaseIndex, current: ReleaseIndex) -> ReleaseChanges:
    old_exceptions, new_exceptions = previous.exception_classes, current.exception_classes
    old_references, new_references = previous.diagnostics, current.diagnostics
    moved = []
    for name in sorted(old_exceptions & new_exceptions):
        old_path, new_path = _path_of(previous, name), _path_of(current, name)
        if old_path != new_path:
            moved.append((name, old_path, new_path))
    changed = [
        (reference, old_references[reference].message, new_references[reference].message)
        for reference in sorted(old_references.keys() & new_references.keys())
        if old_references[reference].message != new_references[reference].message
    ]
    return ReleaseChanges(
        new_exceptions=sorted(new_exceptions - old_exceptions),
        gone_exceptions=sorted(old_exceptions - new_exceptions),
        moved_exceptions=moved,
        new_references=sorted(new_references.keys() - old_references.keys()),
        gone_references=sorted(old_references.keys() - new_references.keys()),
        changed_messages=changed,
    )


def _path_of(index: ReleaseIndex, symbol: str) -> str:
    definition = index.find(symbol)
    return definition.path if definition else ""


# Fixtures ---------------------------------------------------------------------------


def fixture_definitions(index: ReleaseIndex, named_symbols: Iterable[str] = ()) -> dict[str, Definition]:
    """The definitions worth keeping for a release, so that an entry naming another
    symbol rarely needs the fixtures regenerated: the symbols entries name, every
    exception class, and every function or method of at most MAX_FIXTURE_LINES lines
    that raises one of pip's errors or logs a message."""
    named = set(named_symbols)
    return {
        symbol: definition
        for symbol, definition in index.preferred_definitions().items()
        if symbol in named
        or symbol in index.exception_classes
        or (symbol in index.reporting_symbols and definition.line_count <= MAX_FIXTURE_LINES)
    }


def write_fixtures(directory: Path, releases: Mapping[str, Mapping[str, Definition]]) -> None:
    """Write one `<version>.json` per release and the shared `snippets.json`.

    Releases already in the directory stay; `snippets.json` keeps exactly the snippets
    that some release file refers to, each once.
    """
    directory.mkdir(parents=True, exist_ok=True)
    snippets = read_snippets(directory)
    for version, definitions in releases.items():
        rows = {}
        for symbol, definition in definitions.items():
            snippets[definition.snippet_id] = definition.snippet
            rows[symbol] = {
                "path": definition.path,
                "start_line": definition.start_line,
                "end_line": definition.end_line,
                "snippet_id": definition.snippet_id,
            }
        (directory / f"{version}.json").write_text(_one_entry_per_line(rows), encoding="utf-8")
    used = {
        row["snippet_id"] for version in fixture_versions(directory) for row in _read_rows(directory, version).values()
    }
    missing = used - snippets.keys()
    if missing:
        raise ValueError(f"{directory / SNIPPETS_FILE} lacks snippets {sorted(missing)}")
    kept = {snippet_id: snippets[snippet_id] for snippet_id in used}
    (directory / SNIPPETS_FILE).write_text(_one_entry_per_line(kept), encoding="utf-8")


def fixture_versions(directory: Path) -> list[str]:
    versions = [path.stem for path in directory.glob("*.json") if path.name != SNIPPETS_FILE]
    return sort_versions(versions)


def read_fixture(directory: Path, version: str, snippets: Mapping[str, str] | None = None) -> dict[str, Definition]:
    """One release's definitions; pass `read_snippets(directory)` when reading many."""
    texts = read_snippets(directory) if snippets is None else snippets
    return {
        symbol: Definition(symbol, row["path"], row["start_line"], row["end_line"], texts[row["snippet_id"]])
        for symbol, row in _read_rows(directory, version).items()
    }


def read_snippets(directory: Path) -> dict[str, str]:
    path = directory / SNIPPETS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _read_rows(directory: Path, version: str) -> dict[str, dict]:
    return json.loads((directory / f"{version}.json").read_text(encoding="utf-8"))


def _one_entry_per_line(mapping: Mapping[str, object]) -> str:
    """JSON with one key per line, sorted, so a diff shows what changed."""
    lines = [
        f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}"
        for key, value in sorted(mapping.items())
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"
