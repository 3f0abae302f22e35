import functools
import importlib.util
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from textwrap import dedent

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from kb.management.commands.sync_pip_sources import pip_wheel
from kb.models import SourceReference
from kb.releases.pipsource import (
    FIXTURE_DIR,
    SNIPPETS_FILE,
    WHEEL_CACHE_DIR,
    Definition,
    ReleaseIndex,
    compare_releases,
    fixture_definitions,
    fixture_versions,
    is_prerelease,
    last_patch_of_each_minor,
    open_release,
    read_fixture,
    read_release,
    read_snippets,
    sort_versions,
    write_fixtures,
)
from kb.releases.sources import load_source_references
from kb.versions import version_key
from tests.helpers import make_entry

INSTALLED_PIP = Path(importlib.util.find_spec("pip").origin).parent
OLD_RELEASE, NEW_RELEASE = "20.3.4", "26.3"  # before and after the errors left exceptions.py

EXCEPTIONS_PACKAGE = {
    "_internal/__init__.py": "",
    "_internal/exceptions/__init__.py": dedent(
        '''
        from pip._internal.exceptions.hashes import HashError, HashMismatch


        class PipError(Exception):
            """The base of pip's errors."""


        class DiagnosticPipError(PipError):
            reference: str


        class ExternallyManagedEnvironment(DiagnosticPipError):
            reference = "externally-managed-environment"

            def __init__(self, error):
                super().__init__(message=Text("This environment is externally managed"), context=error)
        '''
    ),
    "_internal/exceptions/hashes.py": dedent(
        """
        from pip._internal.exceptions import PipError


        class HashError(PipError):
            head = ""


        class HashMismatch(HashError):
            head = "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE."

            def body(self):
                return "    Expected sha256"
        """
    ),
    "_internal/utils/misc.py": dedent(
        '''
        import functools


        class HashMismatch:
            """Not an error: a namesake the exceptions package must win over."""


        @functools.cache
        def check_externally_managed():
            if marker_exists():
                raise ExternallyManagedEnvironment("a marker file")


        def refuse(url):
            message = f"Cannot reach {url}"
            raise DiagnosticPipError(reference="proxy-connection-failed", message=message)


        def helper():
            return 1
        '''
    ),
}


def make_pip_tree(root: Path, version: str, files: dict[str, str]) -> Path:
    """A minimal pip package (`root/pip`) with the given files under it."""
    package = root / "pip"
    for name, text in {"__init__.py": f'__version__ = "{version}"\n', **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"))
    return package


def make_pip_wheel(directory: Path, version: str, files: dict[str, str]) -> Path:
    tree = make_pip_tree(directory / f"tree-{version}", version, files)
    wheel = directory / f"pip-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path in tree.rglob("*.py"):
            archive.write(path, path.relative_to(tree.parent).as_posix())
    return wheel


@functools.cache
def real_wheel(version: str) -> Path | None:
    try:
        return pip_wheel(version, WHEEL_CACHE_DIR)
    except CommandError:
        return None


@functools.cache
def real_index(location: Path) -> ReleaseIndex:
    return open_release(location)


def real_lines(location: Path, path: str) -> list[str]:
    """A file of a release as GitHub numbers its lines, read without kb.releases.pipsource."""
    inner = path.removeprefix("src/")
    if location.is_dir():
        return (location.parent / inner).read_text(encoding="utf-8").splitlines()
    with zipfile.ZipFile(location) as wheel:
        return wheel.read(inner).decode("utf-8").splitlines()


class RealReleaseTests(SimpleTestCase):
    def wheel(self, version: str) -> Path:
        wheel = real_wheel(version)
        if wheel is None:
            self.skipTest(f"pip {version}'s wheel is not in {WHEEL_CACHE_DIR} and PyPI cannot be reached")
        return wheel

    def release(self, version: str) -> ReleaseIndex:
        return real_index(self.wheel(version))

    def assert_definitions_match_the_source(self, location: Path) -> None:
        index = real_index(location)
        definitions = fixture_definitions(index, ["InstallCommand.run", "RequirementCommand"])
        self.assertGreater(len(definitions), 150)
        for symbol, definition in definitions.items():
            lines = real_lines(location, definition.path)
            name = re.escape(symbol.rpartition(".")[2])
            with self.subTest(version=index.version, symbol=symbol):
                self.assertRegex(lines[definition.start_line - 1], rf"^\s*(async def|def|class) {name}\b")
                self.assertEqual(definition.snippet, "\n".join(lines[definition.start_line - 1 : definition.end_line]))
                self.assert_body_ends_at(lines, definition)

    def assert_body_ends_at(self, lines: list[str], definition: Definition) -> None:
        indent = len(lines[definition.start_line - 1]) - len(lines[definition.start_line - 1].lstrip())
        following = [
            line for line in lines[definition.end_line :] if line.strip() and not line.lstrip().startswith("#")
        ]
        if following:
            self.assertLessEqual(len(following[0]) - len(following[0].lstrip()), indent)

    def test_every_kept_definition_of_the_installed_pip_matches_its_source(self):
        self.assert_definitions_match_the_source(INSTALLED_PIP)

    def test_every_kept_definition_of_an_old_and_a_new_wheel_matches_its_source(self):
        for version in (OLD_RELEASE, NEW_RELEASE):
            self.assert_definitions_match_the_source(self.wheel(version))

    def test_a_class_is_found_after_it_moved_to_another_file_and_line(self):
        old = self.release(OLD_RELEASE).find("HashMismatch")
        new = self.release(NEW_RELEASE).find("HashMismatch")
        self.assertEqual((old.path, old.start_line, old.end_line), ("src/pip/_internal/exceptions.py", 309, 365))
        self.assertEqual((new.path, new.start_line, new.end_line), ("src/pip/_internal/exceptions/hashes.py", 160, 215))

    def test_resolvelib_s_resolution_impossible_is_indexed_in_both_layouts(self):
        old = self.release(OLD_RELEASE).find("ResolutionImpossible")
        new = self.release(NEW_RELEASE).find("ResolutionImpossible")
        self.assertEqual(old.path, "src/pip/_vendor/resolvelib/resolvers.py")
        self.assertEqual(new.path, "src/pip/_vendor/resolvelib/resolvers/exceptions.py")

    def test_the_new_release_reports_the_moves_and_its_diagnostic_references(self):
        changes = compare_releases(self.release(OLD_RELEASE), self.release(NEW_RELEASE))
        self.assertIn("ExternallyManagedEnvironment", changes.new_exceptions)
        self.assertIn("externally-managed-environment", changes.new_references)
        self.assertIn(
            ("HashMismatch", "src/pip/_internal/exceptions.py", "src/pip/_internal/exceptions/hashes.py"),
            changes.moved_exceptions,
        )


class FakeTreeTests(SimpleTestCase):
    def setUp(self):
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def test_errors_in_an_exceptions_package_are_found_by_name(self):
        index = open_release(make_pip_tree(self.tmp, "99.0", EXCEPTIONS_PACKAGE))
        mismatch = index.find("HashMismatch")
        self.assertEqual((mismatch.path, mismatch.start_line), ("src/pip/_internal/exceptions/hashes.py", 8))
        self.assertEqual(index.find("HashMismatch.body").start_line, 11)
        self.assertEqual(len(index.definitions["HashMismatch"]), 2)

    def test_a_decorated_function_starts_at_its_def_line(self):
        index = open_release(make_pip_tree(self.tmp, "99.0", EXCEPTIONS_PACKAGE))
        definition = index.find("check_externally_managed")
        self.assertEqual(definition.start_line, 9)
        self.assertTrue(definition.snippet.startswith("def check_externally_managed():"))

    def test_exception_classes_are_found_through_their_bases(self):
        index = open_release(make_pip_tree(self.tmp, "99.0", EXCEPTIONS_PACKAGE))
        self.assertEqual(
            index.exception_classes,
            {"PipError", "DiagnosticPipError", "ExternallyManagedEnvironment", "HashError", "HashMismatch"},
        )

    def test_diagnostic_references_keep_their_literal_message(self):
        index = open_release(make_pip_tree(self.tmp, "99.0", EXCEPTIONS_PACKAGE))
        managed = index.diagnostics["externally-managed-environment"]
        self.assertEqual(
            (managed.symbol, managed.message),
            ("ExternallyManagedEnvironment", "This environment is externally managed"),
        )
        proxy = index.diagnostics["proxy-connection-failed"]
        self.assertEqual((proxy.symbol, proxy.message), ("refuse", "Cannot reach {url}"))

    def test_the_fixture_keeps_errors_and_functions_that_raise_them_but_not_plain_helpers(self):
        index = open_release(make_pip_tree(self.tmp, "99.0", EXCEPTIONS_PACKAGE))
        kept = fixture_definitions(index)
        self.assertLessEqual({"HashMismatch", "check_externally_managed", "refuse"}, kept.keys())
        self.assertNotIn("helper", kept)
        self.assertNotIn("HashMismatch.body", kept)

    def test_the_fixture_keeps_any_symbol_an_entry_names(self):
        index = open_release(make_pip_tree(self.tmp, "99.0", EXCEPTIONS_PACKAGE))
        kept = fixture_definitions(index, named_symbols=["helper", "HashMismatch.body", "NotInPip"])
        self.assertLessEqual({"helper", "HashMismatch.body"}, kept.keys())
        self.assertNotIn("NotInPip", kept)

    def test_files_with_windows_line_ends_are_numbered_like_github(self):
        tree = make_pip_tree(self.tmp, "21.0.1", {"_internal/misc.py": ""})
        (tree / "_internal/misc.py").write_bytes(b"import os\r\n\r\n\r\ndef write_output(msg):\r\n    print(msg)\r\n")
        definition = open_release(tree).find("write_output")
        self.assertEqual((definition.start_line, definition.snippet), (4, "def write_output(msg):\n    print(msg)"))

    def test_a_wheel_and_its_unpacked_tree_index_the_same(self):
        wheel = make_pip_wheel(self.tmp, "99.0", EXCEPTIONS_PACKAGE)
        tree = make_pip_tree(self.tmp / "tree", "99.0", EXCEPTIONS_PACKAGE)
        self.assertEqual(read_release(wheel), read_release(tree))
        self.assertEqual(read_release(tree.parent), read_release(tree))

    def test_changes_between_releases_name_new_gone_moved_and_reworded_errors(self):
        newer_files = dict(EXCEPTIONS_PACKAGE)
        newer_files["_internal/exceptions/__init__.py"] = (
            EXCEPTIONS_PACKAGE["_internal/exceptions/__init__.py"]
            .replace("This environment is externally managed", "This Python is managed by your system")
            .replace("class DiagnosticPipError", "class NewError(PipError):\n    pass\n\n\nclass DiagnosticPipError")
        )
        newer_files["_internal/exceptions/hashes.py"] = "from pip._internal.exceptions import PipError\n"
        newer_files["_internal/hashing.py"] = EXCEPTIONS_PACKAGE["_internal/exceptions/hashes.py"]
        del newer_files["_internal/utils/misc.py"]
        older = open_release(make_pip_tree(self.tmp / "old", "98.0", EXCEPTIONS_PACKAGE))
        newer = open_release(make_pip_tree(self.tmp / "new", "99.0", newer_files))
        changes = compare_releases(older, newer)
        self.assertEqual(changes.new_exceptions, ["NewError"])
        self.assertEqual(changes.gone_exceptions, [])
        self.assertEqual(changes.gone_references, ["proxy-connection-failed"])
        self.assertEqual(
            changes.changed_messages,
            [
                (
                    "externally-managed-environment",
                    "This environment is externally managed",
                    "This Python is managed by your system",
                )
            ],
        )
        self.assertIn(
            ("HashMismatch", "src/pip/_internal/exceptions/hashes.py", "src/pip/_internal/hashing.py"),
            changes.moved_exceptions,
        )


class FixtureTests(SimpleTestCase):
    def setUp(self):
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.index = open_release(make_pip_tree(self.tmp / "tree", "99.0", EXCEPTIONS_PACKAGE))

    def test_a_release_reads_back_as_it_was_written(self):
        definitions = fixture_definitions(self.index)
        write_fixtures(self.tmp / "fixtures", {"99.0": definitions})
        self.assertEqual(read_fixture(self.tmp / "fixtures", "99.0"), definitions)

    def test_a_snippet_shared_by_releases_is_stored_once_and_dropped_when_unused(self):
        fixtures = self.tmp / "fixtures"
        definitions = fixture_definitions(self.index)
        write_fixtures(fixtures, {"98.0": definitions, "99.0": definitions})
        self.assertEqual(len(read_snippets(fixtures)), len({d.snippet_id for d in definitions.values()}))
        write_fixtures(fixtures, {"98.0": {}, "99.0": {"helper": self.index.find("helper")}})
        self.assertEqual(list(read_snippets(fixtures).values()), ["def helper():\n    return 1"])
        self.assertEqual(fixture_versions(fixtures), ["98.0", "99.0"])

    def test_files_hold_one_symbol_per_line_in_sorted_order(self):
        write_fixtures(self.tmp, {"99.0": fixture_definitions(self.index)})
        lines = (self.tmp / "99.0.json").read_text().splitlines()[1:-1]
        self.assertEqual(
            [json.loads("{" + line.rstrip(",") + "}").popitem()[0] for line in lines],
            sorted(fixture_definitions(self.index)),
        )


class CommittedFixtureTests(SimpleTestCase):
    def test_every_release_file_finds_its_snippets_and_the_whole_stays_small(self):
        snippets = read_snippets(FIXTURE_DIR)
        versions = fixture_versions(FIXTURE_DIR)
        self.assertEqual(versions, last_patch_of_each_minor(versions, since="8.0"))
        for version in versions:
            definitions = read_fixture(FIXTURE_DIR, version, snippets)
            self.assertIn("HashMismatch", definitions)
            self.assertTrue(definitions["HashMismatch"].snippet.startswith("class HashMismatch"))
        size = sum(path.stat().st_size for path in FIXTURE_DIR.glob("*.json"))
        self.assertLess(size, 5_000_000)  # 38 releases, 8.0.3 to 26.3, the symbols of 100 entries
        self.assertTrue((FIXTURE_DIR / SNIPPETS_FILE).exists())


class VersionTests(SimpleTestCase):
    def test_versions_sort_as_releases_with_pre_releases_before_their_final(self):
        shuffled = ["24.0", "20.3.4", "25.1", "25.1b1", "20.10", "20.3", "26.3.dev0"]
        self.assertEqual(sort_versions(shuffled), ["20.3", "20.3.4", "20.10", "24.0", "25.1b1", "25.1", "26.3.dev0"])

    def test_the_stored_key_sorts_final_releases_like_the_versions(self):
        finals = ["20.0", "20.0.2", "20.3.4", "20.10", "24.0", "26.2.1"]
        self.assertEqual(sorted(finals, key=version_key), finals)
        self.assertEqual(version_key("20.3.4"), "0020.0003.0004")

    def test_all_minors_picks_the_last_final_patch_of_each_minor_since_20_0(self):
        available = ["19.3.1", "20.0", "20.0.2", "20.1b1", "20.1", "20.1.1", "25.1b1", "24.0", "26.3"]
        self.assertEqual(last_patch_of_each_minor(available), ["20.0.2", "20.1.1", "24.0", "26.3"])
        self.assertTrue(is_prerelease("25.1b1"))
        self.assertFalse(is_prerelease("25.1"))


class SyncCommandTests(TestCase):
    def setUp(self):
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.tree = make_pip_tree(self.tmp / "tree", "99.0", EXCEPTIONS_PACKAGE)
        self.entry = make_entry(symbols="HashMismatch HashMismatch.body NotInPip")

    def sync(self, *args: str) -> str:
        out = io.StringIO()
        call_command("sync_pip_sources", *args, stdout=out)
        return out.getvalue()

    def test_a_second_sync_changes_nothing(self):
        first = self.sync("--wheel", str(self.tree), "--wheel", str(INSTALLED_PIP))
        self.assertIn("4 changed (4 created", first)
        second = self.sync("--wheel", str(self.tree), "--wheel", str(INSTALLED_PIP))
        self.assertIn("Synced 2 releases: 0 changed", second)
        self.assertEqual(SourceReference.objects.count(), 4)

    def test_rows_point_at_the_definitions_and_a_missing_symbol_gets_none(self):
        output = self.sync("--wheel", str(self.tree))
        mismatch = self.entry.sources.get(symbol="HashMismatch")
        self.assertEqual(
            (mismatch.pip_version, mismatch.version_key, mismatch.path, mismatch.start_line),
            ("99.0", version_key("99.0"), "src/pip/_internal/exceptions/hashes.py", 8),
        )
        self.assertTrue(mismatch.snippet.startswith("class HashMismatch(HashError):"))
        self.assertFalse(self.entry.sources.filter(symbol="NotInPip").exists())
        self.assertIn("HASH_MISMATCH: symbol NotInPip is in none of these releases", output)

    def test_a_definition_that_moved_down_gets_its_new_lines_on_the_next_sync(self):
        self.sync("--wheel", str(self.tree))
        hashes = "_internal/exceptions/hashes.py"
        moved = EXCEPTIONS_PACKAGE[hashes].replace("class HashMismatch(", "# one\n# two\n# three\nclass HashMismatch(")
        make_pip_tree(self.tmp / "tree", "99.0", {**EXCEPTIONS_PACKAGE, hashes: moved})
        output = self.sync("--wheel", str(self.tree))
        self.assertIn("2 changed (0 created, 2 updated, 0 removed, 0 unchanged)", output)
        self.assertEqual(self.entry.sources.get(symbol="HashMismatch").start_line, 11)

    def test_a_symbol_the_entry_no_longer_names_loses_its_rows(self):
        self.sync("--wheel", str(self.tree))
        self.entry.symbols = "HashMismatch"
        self.entry.save()
        self.assertIn("1 removed", self.sync("--wheel", str(self.tree)))
        self.assertEqual(list(self.entry.sources.values_list("symbol", flat=True)), ["HashMismatch"])

    def test_a_path_without_pip_is_refused_with_its_name(self):
        with self.assertRaisesMessage(CommandError, f"{self.tmp} holds no pip package"):
            self.sync("--wheel", str(self.tmp))

    def test_all_minors_syncs_the_last_patch_of_each_minor_from_the_cache(self):
        cache = self.tmp / "cache"
        cache.mkdir()
        for version in ("20.3.3", "20.3.4", "21.0"):
            make_pip_wheel(cache, version, EXCEPTIONS_PACKAGE)
        output = self.sync("--all-minors", "20.3.3", "20.3.4", "21.0", "--cache-dir", str(cache))
        self.assertEqual(set(self.entry.sources.values_list("pip_version", flat=True)), {"20.3.4", "21.0"})
        self.assertNotIn("pip 20.3.3", output)

    def test_saved_fixtures_load_the_same_rows_without_the_wheels(self):
        fixtures = self.tmp / "fixtures"
        self.sync("--wheel", str(self.tree), "--save-fixtures", "--fixtures-dir", str(fixtures))
        synced = set(
            SourceReference.objects.values_list("pip_version", "symbol", "path", "start_line", "end_line", "snippet")
        )
        SourceReference.objects.all().delete()
        result = load_source_references([self.entry], fixtures)
        self.assertEqual(result.created, 2)
        self.assertEqual(
            set(
                SourceReference.objects.values_list(
                    "pip_version", "symbol", "path", "start_line", "end_line", "snippet"
                )
            ),
            synced,
        )

    def test_the_committed_fixtures_give_an_entry_a_row_per_release(self):
        result = load_source_references([self.entry])
        versions = fixture_versions(FIXTURE_DIR)
        self.assertEqual(result.created, 2 * len(versions))
        self.assertEqual(result.missing, {("HASH_MISMATCH", "NotInPip")})
        self.assertEqual(load_source_references([self.entry]).changed, 0)
