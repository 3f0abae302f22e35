"""Every pip release from 8.0 to the newest, and the texts each one's source holds.

The release list (with the yanked ones marked) is a committed fixture. The texts of a
release are its string literals split where pip's format strings put a value (`%s`,
`{name}`, an f-string's expression), plus the names of its classes and functions: what
"pip's source contains X" means for a header line, a signature or a dated claim. Its
templates are those format strings whole, a value between their parts, so that a printed
line whose words pip fills in (`f"Could not open {kind} file: {exc}"`) is found too. Plain
Python: no Django; the network only in `releases_on_pypi`.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from kb.releases.pipsource import FIXTURE_DIR as SOURCES_FIXTURE_DIR

FIXTURE_DIR = SOURCES_FIXTURE_DIR.parent / "pip_releases"
RELEASES_FILE = FIXTURE_DIR / "releases.txt"
OLDEST_RELEASE = "8.0"
PYPI_SIMPLE_PIP = "https://pypi.org/simple/pip/"
RANGE_DASH = "–"

# pip's own code (under pip/ before 10.0, pip/_internal/ since) and the vendored libraries
# whose messages pip prints as they are; the other vendored code prints nothing of its own.
_PRINTING_VENDORED = tuple(f"pip/_vendor/{name}/" for name in ("urllib3", "resolvelib", "packaging", "requests"))
_RELEASE = re.compile(r"^(\d+(?:\.\d+)*)(?:\.post(\d+))?$")
_WHEEL = re.compile(r"^pip-([^-]+)-.*\.whl$")
# %s, %(name)r, %-10s, %.2f ... and {}, {0}, {name!r:>10}: where a value is put into a message.
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgxXeEcu]|\{[^{}]*\}")


@dataclass(frozen=True)
class Release:
    version: str
    yanked: bool = False

    def __str__(self) -> str:
        return f"{self.version} yanked" if self.yanked else self.version


def release_key(version: str) -> tuple[tuple[int, ...], int]:
    """Sort key of a final release: `26.2.1` < `26.2.1.post1` < `26.2.2.post1` < `26.3`."""
    match = _RELEASE.match(version.strip())
    if not match:
        raise ValueError(f"{version!r} is not a final pip release number")
    numbers = tuple(int(part) for part in match.group(1).split("."))
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers = numbers[:-1]
    return numbers, int(match.group(2) or 0)


def is_final_release(version: str) -> bool:
    return _RELEASE.match(version.strip()) is not None


# The release list ---------------------------------------------------------------------


def read_releases(path: Path = RELEASES_FILE) -> list[Release]:
    """The committed list: one release a line, oldest first, `yanked` after the yanked ones."""
    releases = []
    for line in path.read_text().splitlines():
        version, *mark = line.split()
        releases.append(Release(version, mark == ["yanked"]))
    return releases


def write_releases(releases: Iterable[Release], path: Path = RELEASES_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(releases, key=lambda release: release_key(release.version))
    path.write_text("".join(f"{release}\n" for release in ordered))


def releases_on_pypi(url: str = PYPI_SIMPLE_PIP) -> list[Release]:
    """pip's final releases with a wheel, from 8.0 on, as PyPI's JSON simple API lists them."""
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (an https URL of ours)
        files = json.load(response)["files"]
    return releases_from_files(files)


def releases_from_files(files: list[dict]) -> list[Release]:
    yanked: dict[str, bool] = {}
    for file in files:
        match = _WHEEL.match(file["filename"])
        if match and is_final_release(match.group(1)) and release_key(match.group(1)) >= release_key(OLDEST_RELEASE):
            yanked[match.group(1)] = bool(file.get("yanked"))
    return sorted((Release(v, y) for v, y in yanked.items()), key=lambda release: release_key(release.version))


# Ranges ---------------------------------------------------------------------------------


def format_ranges(present: Iterable[str], releases: list[str]) -> str:
    """The releases in `present` as runs of consecutive releases of the list.

    >>> format_ranges({"20.0", "20.1", "21.0"}, ["19.3", "20.0", "20.1", "20.2", "21.0"])
    '20.0–20.1, 21.0'
    """
    wanted = set(present)
    runs: list[list[str]] = []
    previous_present = False
    for version in releases:
        if version in wanted:
            if previous_present:
                runs[-1].append(version)
            else:
                runs.append([version])
        previous_present = version in wanted
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}{RANGE_DASH}{run[-1]}" for run in runs)


def versions_in_ranges(ranges: str, releases: list[str]) -> set[str]:
    """The inverse of `format_ranges`; a bound that is not in the list is a ValueError."""
    position = {version: index for index, version in enumerate(releases)}
    present: set[str] = set()
    for run in filter(None, (part.strip() for part in ranges.split(","))):
        first, _, last = run.partition(RANGE_DASH)
        for bound in (first, last or first):
            if bound not in position:
                raise ValueError(f"{bound} in {ranges!r} is not a known pip release")
        present.update(releases[position[first] : position[last or first] + 1])
    return present


# The texts of a release -------------------------------------------------------------------


def split_at_placeholders(text: str) -> list[str]:
    """The literal parts of a format string: `"Could not open %s: %s"` -> `['Could not open ', ': ']`."""
    return [part for part in _PLACEHOLDER.split(text) if part.strip()]


# A format string's literal parts, in order, with a value printed between each two of them.
Template = tuple[str, ...]


@dataclass(frozen=True)
class ReleaseTexts:
    literals: frozenset[str]  # the split string literals and definition names of pip's printing code
    in_code: frozenset[str]  # which of the looked-for snippets its code holds as written
    templates: frozenset[Template] = frozenset()  # its format strings with a value inside


class ReleaseReader:
    """Reads the texts of wheels; a module that did not change since a release read before is
    not parsed again (most of pip's files are the same from one patch release to the next).
    `snippets` (claim sources) are also looked for as written in every module of pip."""

    def __init__(self, snippets: Iterable[str] = ()) -> None:
        self._module_texts: dict[bytes, tuple[frozenset[str], frozenset[Template]]] = {}
        self._module_snippets: dict[bytes, frozenset[str]] = {}
        self._finder = ahocorasick.Automaton()
        for snippet in snippets:
            self._finder.add_word(snippet, snippet)
        if len(self._finder):
            self._finder.make_automaton()

    def read(self, wheel: Path) -> ReleaseTexts:
        literals: set[str] = set()
        in_code: set[str] = set()
        templates: set[Template] = set()
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.startswith("pip/") and name.endswith(".py"):
                    source = archive.read(name)
                    key = hashlib.blake2b(source, digest_size=16).digest()
                    in_code |= self._snippets_in(key, source)
                    if is_printing_module(name):
                        module_literals, module_templates = self._texts_of_module(key, source)
                        literals |= module_literals
                        templates |= module_templates
        return ReleaseTexts(frozenset(literals), frozenset(in_code), frozenset(templates))

    def _texts_of_module(self, key: bytes, source: bytes) -> tuple[frozenset[str], frozenset[Template]]:
        if key not in self._module_texts:
            texts, templates = texts_and_templates(parsed_module(source))
            self._module_texts[key] = (frozenset(texts), frozenset(templates))
        return self._module_texts[key]

    def _snippets_in(self, key: bytes, source: bytes) -> frozenset[str]:
        if not len(self._finder):
            return frozenset()
        if key not in self._module_snippets:
            text = source.decode("utf-8", "replace")
            self._module_snippets[key] = frozenset(snippet for _, snippet in self._finder.iter(text))
        return self._module_snippets[key]


def is_printing_module(name: str) -> bool:
    own = name.startswith("pip/") and not name.startswith("pip/_vendor/")
    return name.endswith(".py") and (own or name.startswith(_PRINTING_VENDORED))


def parsed_module(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # a vendored file of an old release written for Python 2 only
        return None


def texts_and_templates(tree: ast.Module | None) -> tuple[set[str], set[Template]]:
    """A module's texts, and its format strings (`%s`, `{}` and f-strings) with a value between words.

    >>> texts_and_templates(ast.parse('f"Could not open {kind} file: {exc}"'))[1]
    {('Could not open ', ' file: ')}
    """
    collector = _StringCollector()
    if tree:
        collector.visit(tree)
    return collector.texts, {template for template in collector.templates if len(template) > 1}


_VALUE = None  # where a format string puts a value, in the sequence `template_of` reads


class _StringCollector(ast.NodeVisitor):
    """Collects the texts and templates of a module. An f-string's field that is a constant of
    its function (`packages = ("setuptools", "wheel")` ... `{' and '.join(packages)}`) is
    text, not a value: pip always prints the same words there."""

    def __init__(self) -> None:
        self.texts: set[str] = set()
        self.templates: set[Template] = set()
        self._constants: list[dict[str, object]] = [{}]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.texts.add(node.name)
        self._constants.append(_constants_of(node))
        self.generic_visit(node)
        self._constants.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.texts.add(node.name)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # An f-string's literal parts are Constant nodes of their own. A message pip writes
        # straight to a file descriptor (`os.write(2, b"...")`) is a bytes literal.
        value = node.value.decode("utf-8", "replace") if isinstance(node.value, bytes) else node.value
        if isinstance(value, str):
            self.texts.update(split_at_placeholders(value))
            self.templates.add(template_of(_with_values(value)))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        sequence = [part for value in node.values for part in self._f_string_part(value)]
        self.texts.update(text for text in _texts_between_values(sequence) if text.strip())
        self.templates.add(template_of(sequence))
        self.generic_visit(node)

    def _f_string_part(self, node: ast.expr) -> list[str | None]:
        if isinstance(node, ast.Constant):
            return _with_values(node.value)
        if isinstance(node, ast.FormattedValue) and node.conversion == -1 and node.format_spec is None:
            constant = _constant_value(node.value, self._constants[-1])
            if isinstance(constant, str):
                return [constant]
        return [_VALUE]


def _constants_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, object]:
    """The names a function binds once, to a literal (a string, or a tuple or list of them)."""
    bound: dict[str, int] = {argument.arg: 2 for argument in ast.walk(function.args) if isinstance(argument, ast.arg)}
    values: dict[str, object] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound[node.id] = bound.get(node.id, 0) + 1
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = _constant_value(node.value, {})
    return {name: value for name, value in values.items() if bound.get(name) == 1 and value is not None}


def _constant_value(node: ast.expr, constants: dict[str, object]) -> object:
    """The value of a string expression made of literals and `constants`; None if it has none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Tuple | ast.List):
        items = [_constant_value(item, constants) for item in node.elts]
        return tuple(items) if all(isinstance(item, str) for item in items) else None
    is_join = (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
        and len(node.args) == 1
    )
    if is_join:
        items = _constant_value(node.args[0], constants)
        return node.func.value.value.join(items) if isinstance(items, tuple) else None
    return None


def _texts_between_values(sequence: list[str | None]) -> list[str]:
    texts = [""]
    for item in sequence:
        if item is _VALUE:
            texts.append("")
        else:
            texts[-1] += item
    return texts


def _with_values(text: str) -> list[str | None]:
    parts: list[str | None] = []
    for index, part in enumerate(_PLACEHOLDER.split(text)):
        parts += [_VALUE, part] if index else [part]
    return parts


def template_of(sequence: list[str | None]) -> Template:
    """The literal parts of a format string, given as texts and values (None) in order. Parts
    with no letter at either end go with the values beside them (`"%s: %s"` is no message)."""
    parts: list[str] = []
    value_before = False
    for item in sequence:
        if item is _VALUE or item == "":
            value_before = value_before or item is _VALUE
        elif parts and not value_before:
            parts[-1] += item
        else:
            parts.append(item)
            value_before = False
    while parts and not any(character.isalpha() for character in parts[0]):
        parts.pop(0)
    while parts and not any(character.isalpha() for character in parts[-1]):
        parts.pop()
    return tuple(parts)
