"""The release matrix and the text index: what dates every header and claim of the catalogue.

Everything here reads committed fixtures (fixtures/pip_releases/); no pip wheel, no network.
"""

import ast
import functools
import http.server
import io
import re
import threading
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import TestCase

from kb.catalogue import EntryFile, parse_entry_file, read_entry_files
from kb.releases.captures import Run, Sweep
from kb.releases.dating import (
    Claim,
    captured_against_source_claim,
    claim_problems,
    claim_sources,
    claims_of,
    computed_pip_versions,
    dated_phrases,
    entry_texts,
    missing_captures,
    neighbour_release,
    printed_outside_pip_versions,
    printing_releases,
    quoted_texts,
    run_claim_problems,
    set_pip_versions,
    unclaimed,
    wordings_by_range,
)
from kb.releases.matrix import (
    RELEASES_FILE,
    Release,
    ReleaseTexts,
    format_ranges,
    parsed_module,
    read_releases,
    release_key,
    releases_from_files,
    split_at_placeholders,
    texts_and_templates,
    versions_in_ranges,
)
from kb.releases.newrelease import new_release_report, read_report
from kb.releases.pipsource import repository_path
from kb.releases.textindex import Cover, TextIndex, Vocabulary, build_index, read_index, template_pattern
from tests.test_staff_revisions import make_staff

ENTRIES = Path(settings.BASE_DIR) / "fixtures" / "entries"
RELEASES = ["19.3.1", "20.0", "20.0.1", "20.1", "21.0", "21.0.1"]


@cache
def entry_files() -> list[EntryFile]:
    return read_entry_files(ENTRIES)


@cache
def shipped_index() -> TextIndex:
    return read_index()


# The release list -----------------------------------------------------------------------------


def test_post_releases_sort_after_their_release_and_before_the_next():
    versions = ["26.3", "26.2.1.post1", "8.0.0", "26.2.1", "26.2.2.post1", "10.0.1"]
    assert sorted(versions, key=release_key) == ["8.0.0", "10.0.1", "26.2.1", "26.2.1.post1", "26.2.2.post1", "26.3"]


def test_the_release_list_keeps_wheels_from_8_0_on_and_marks_the_yanked_ones():
    files = [
        {"filename": "pip-7.1.2-py2.py3-none-any.whl", "yanked": False},
        {"filename": "pip-8.0.0-py2.py3-none-any.whl", "yanked": False},
        {"filename": "pip-20.0-py2.py3-none-any.whl", "yanked": True},
        {"filename": "pip-20.0.tar.gz", "yanked": True},
        {"filename": "pip-20.1b1-py2.py3-none-any.whl", "yanked": False},
        {"filename": "pip-21.2-py3-none-any.whl", "yanked": "See https://github.com/pypa/pip/issues/8711"},
    ]
    assert releases_from_files(files) == [Release("8.0.0"), Release("20.0", True), Release("21.2", True)]


def test_the_shipped_release_list_runs_from_8_0_0_to_the_newest_with_its_yanked_releases():
    releases = read_releases()
    assert releases[0].version == "8.0.0"
    assert [release.version for release in releases if release.yanked] == ["20.0", "20.3.2", "21.2"]
    assert [release.version for release in releases] == sorted((r.version for r in releases), key=release_key)


def test_ranges_show_the_gaps_and_read_back():
    present = {"20.0", "20.0.1", "21.0"}
    assert format_ranges(present, RELEASES) == "20.0–20.0.1, 21.0"
    assert versions_in_ranges("20.0–20.0.1, 21.0", RELEASES) == present


def test_a_range_bound_that_is_no_release_is_refused():
    with pytest.raises(ValueError, match="20.2 in"):
        versions_in_ranges("20.0–20.2", RELEASES)


# Reading a release's texts ----------------------------------------------------------------------


def test_format_strings_are_split_where_pip_puts_a_value():
    assert split_at_placeholders("Could not open %s: %r (%(reason)s)") == ["Could not open ", ": ", " (", ")"]
    assert split_at_placeholders("Directory {!r} is not installable. {}") == ["Directory ", " is not installable. "]


def test_a_modules_texts_are_its_literals_f_string_parts_and_definitions():
    source = b'class HashError(Exception):\n    msg = f"Expected {kind} got " "%s"\n'
    assert texts_and_templates(parsed_module(source))[0] == {"HashError", "Expected ", " got "}


def test_a_message_written_as_bytes_is_a_text_of_its_module():
    source = b'os.write(2, b"ERROR: Pipe to stdout was broken\\n")\n'
    assert "ERROR: Pipe to stdout was broken\n" in texts_and_templates(parsed_module(source))[0]


def test_a_module_that_is_not_python_3_gives_no_text():
    assert texts_and_templates(parsed_module(b'print "pip 8 vendored this"\n')) == (set(), set())


def test_format_strings_are_kept_whole_with_a_value_between_their_words():
    source = (
        'f"Could not open {kind} file: {exc}"\n'
        '"%s %s requires %s, which is not installed." % (a, b, c)\n'
        '"Directory {!r} is not installable. {}".format(a, b)\n'
        '"%s: %s" % (a, b)\n'
        '"No value here"\n'
    )
    assert texts_and_templates(ast.parse(source))[1] == {
        ("Could not open ", " file: "),
        (" requires ", ", which is not installed."),
        ("Directory ", " is not installable. "),
    }


# Pieces and the index -------------------------------------------------------------------------


def test_the_pieces_of_a_line_are_pips_messages_without_the_values():
    vocabulary = Vocabulary(["Could not open requirements file: ", "file", "requirements"])
    line = "ERROR: Could not open requirements file: [Errno 2] No such file: 'requirements.txt'"
    assert vocabulary.pieces_of(line) == ["Could not open requirements file: "]


def test_a_piece_never_starts_inside_a_word_or_a_path():
    vocabulary = Vocabulary(["run successfully", "site-packages"])
    assert vocabulary.pieces_of("did not rerun successfully in /lib/site-packages") == []


def test_a_format_string_prints_its_words_around_a_value():
    vocabulary = Vocabulary(["Could not open "], [template_pattern(("Could not open ", " file: "))])
    line = "ERROR: Could not open requirements file: [Errno 2] No such file: 'requirements.txt'"
    assert vocabulary.cover(line) == Cover(letters=len("Couldnotopenrequirementsfile"), pieces=["Could not open "])


def index_of_a_reworded_format_string() -> TextIndex:
    """pip 26.1 put the kind of file into the message as a value: `f"Could not open {kind} file: {exc}"`."""
    old = ReleaseTexts(frozenset({"Could not open requirements file: "}), frozenset())
    new = ReleaseTexts(
        frozenset({"Could not open ", " file: "}), frozenset(), frozenset({("Could not open ", " file: ")})
    )
    texts = {"19.3.1": old, "20.0": old, "20.0.1": new, "20.1": new, "21.0": new, "21.0.1": new}
    header = "ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'requirements.txt'"
    signatures = ["Could not open requirements file:", "Could not open constraint file:"]
    return build_index([header, *signatures], [], texts, RELEASES)


def test_a_line_a_format_string_prints_is_dated_by_it_like_a_literal():
    index = index_of_a_reworded_format_string()
    header = "ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'requirements.txt'"
    assert index.format(index.releases_printing(header)) == "19.3.1–21.0.1"
    assert index.format(index.releases_printing("Could not open requirements file:")) == "19.3.1–21.0.1"
    assert index.format(index.releases_printing("Could not open constraint file:")) == "20.0.1–21.0.1"
    assert index.pieces(header) == ["Could not open"]  # pip's words; the kind of file is a value now


def small_index() -> TextIndex:
    old, new, option = "Could not install packages due to an EnvironmentError", "due to an OSError", "--prefer-binary"
    texts = {
        "19.3.1": ReleaseTexts(frozenset({old}), frozenset()),
        "20.0": ReleaseTexts(frozenset({old, option}), frozenset()),
        "20.0.1": ReleaseTexts(frozenset({old, option}), frozenset()),
        "20.1": ReleaseTexts(frozenset({old, option}), frozenset({"class BackendError"})),
        "21.0": ReleaseTexts(frozenset({new, option}), frozenset({"class BackendError"})),
        "21.0.1": ReleaseTexts(frozenset({new}), frozenset({"class BackendError"})),
    }
    quoted = ["ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied", "pip: not found"]
    return build_index(quoted, [option, "class BackendError"], texts, RELEASES)


def test_the_index_dates_a_header_line_by_the_releases_that_print_it():
    index = small_index()
    line = "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied"
    assert index.format(index.releases_printing(line)) == "21.0–21.0.1"
    assert index.releases_printing("pip: not found") is None


def test_the_index_survives_its_json_form():
    index = small_index()
    again = TextIndex.from_json(index.to_json(), RELEASES)
    assert again.ranges == index.ranges and again.texts == index.texts
    assert again.format(again.releases_holding("--prefer-binary")) == "20.0–21.0"


# Claims ---------------------------------------------------------------------------------------


def test_a_claim_the_source_bears_out_has_no_problem():
    assert claim_problems(Claim("from pip 20.0", source="--prefer-binary", since="20.0"), small_index()) == []
    assert claim_problems(Claim("until 21.0", source="--prefer-binary", until="21.0"), small_index()) == []


def test_a_claim_may_name_code_as_written():
    claim = Claim("pip 20.1 and later", source="class BackendError", since="20.1")
    assert claim_problems(claim, small_index()) == []


def test_a_claim_dated_a_release_too_late_is_contradicted():
    problems = claim_problems(Claim("from pip 20.1", source="--prefer-binary", since="20.1"), small_index())
    assert problems == [
        "'from pip 20.1': since 20.1, but 20.0.1 holds it too (pip's source holds '--prefer-binary' in 20.0–21.0)"
    ]


def test_a_claim_dated_a_release_that_lacks_the_text_is_contradicted():
    problems = claim_problems(Claim("pip 19.3.1 and later", source="--prefer-binary", since="19.3.1"), small_index())
    assert problems and "since 19.3.1, but pip's source holds '--prefer-binary' in 20.0–21.0" in problems[0]


def test_a_claim_on_a_source_that_is_not_indexed_says_how_to_index_it():
    problems = claim_problems(Claim("from 20.0", source="--only-binary", since="20.0"), small_index())
    assert problems == ["'from 20.0': '--only-binary' is not in the text index (run index_pip_releases)"]


def test_a_claim_without_evidence_is_a_problem():
    assert claim_problems(Claim("from 20.0"), small_index()) == [
        "'from 20.0': a claim needs source (or run) and since or until"
    ]


def test_dated_phrases_are_found_in_prose_but_not_in_code_or_other_programs_versions():
    markdown = (
        "From pip 25.3 the option exists; before 10 it did not, and 24.x behaves the same.\n"
        "Python 3.12 and later lack distutils; setuptools 70.0 and later too.\n\n"
        "```text\npip 24.0 from /usr/lib/python3/dist-packages/pip\n```\n`pip 21.2 and later`"
    )
    found = [phrase.text for phrase in dated_phrases("X", [markdown])]
    assert found == ["pip 25.3", "before 10", "24.x"]


def test_a_phrase_is_claimed_only_by_a_claim_that_holds_it_in_its_paragraph():
    phrases = dated_phrases("X", ["pip 22.2 and later print it.\n\nSince 20.3 the resolver\nbacktracks."])
    claims = [Claim("pip 22.2 and later", source="--dry-run", since="22.2")]
    assert [phrase.text for phrase in unclaimed(phrases, claims)] == ["Since 20.3"]


def test_wordings_are_the_texts_printed_outside_the_headers_releases():
    index = TextIndex(
        RELEASES,
        {
            "error: new-wording": {"pieces": ["error: new-wording"], "printed_in": "21.0–21.0.1"},
            "Old wording": {"pieces": ["Old wording"], "printed_in": "19.3.1–20.1"},
            "Every release's words": {"pieces": ["Every release's words"], "printed_in": "19.3.1–21.0.1"},
        },
        {},
    )
    front = {
        "header": "error: new-wording",
        "signatures": [{"pattern": "Old wording"}, {"pattern": "Every release's words"}],
    }
    assert wordings_by_range(front, index) == [("Old wording", "19.3.1–20.1")]
    assert wordings_by_range(front | {"signatures": [{"pattern": "Every release's words"}]}, index) == []
    assert wordings_by_range(front | {"printed_by": "setuptools"}, index) == []
    assert wordings_by_range(front | {"header": "error: edited since the index"}, index) == []


def test_pip_versions_are_written_into_the_front_matter(tmp_path):
    path = tmp_path / "X.md"
    path.write_text('+++\ncode = "X"\nseverity = "error"\npip_versions = "20.0-26.2.1"\n+++\n\n## Body\n')
    assert set_pip_versions(path, "20.0–26.3")
    assert path.read_text() == '+++\ncode = "X"\nseverity = "error"\npip_versions = "20.0–26.3"\n+++\n\n## Body\n'
    assert not set_pip_versions(path, "20.0–26.3")


# The shipped catalogue --------------------------------------------------------------------------


def test_every_quoted_text_and_claim_source_of_the_entries_is_indexed():
    fronts = [entry_file.front for entry_file in entry_files()]
    index = shipped_index()
    missing = sorted(quoted_texts(fronts) - index.texts.keys()) + sorted(claim_sources(fronts) - index.ranges.keys())
    assert not missing, f"run `manage.py index_pip_releases --offline`; not indexed: {missing}"


def test_every_entrys_pip_versions_is_the_computed_range():
    index = shipped_index()
    wrong = {
        entry_file.code: (entry_file.front.get("pip_versions", ""), computed_pip_versions(entry_file.front, index))
        for entry_file in entry_files()
        if entry_file.front.get("pip_versions", "") != computed_pip_versions(entry_file.front, index)
    }
    assert not wrong, f"run `manage.py index_pip_releases --offline` (typed, computed): {wrong}"


def test_an_entry_whose_header_is_not_pips_says_who_prints_it():
    index = shipped_index()
    unsaid = [
        entry_file.code
        for entry_file in entry_files()
        if printing_releases(entry_file.front, index) is None and not entry_file.front.get("printed_by")
    ]
    assert not unsaid, f"no pip release prints these headers; give them printed_by: {unsaid}"


def test_every_claim_of_the_entries_is_borne_out_by_pips_source():
    index = shipped_index()
    problems = [
        f"{entry_file.code}: {problem}"
        for entry_file in entry_files()
        for claim in claims_of(entry_file.front)
        if not claim.run
        for problem in claim_problems(claim, index)
    ]
    assert not problems, "\n".join(problems)


AWAITING_CAPTURE_FILE = Path(settings.BASE_DIR) / "fixtures" / "pip_releases" / "awaiting_capture.txt"


def run_claims() -> list[tuple[str, Claim]]:
    return [(f.code, claim) for f in entry_files() for claim in claims_of(f.front) if claim.run]


@cache
def shipped_sweep() -> Sweep:
    return Sweep.load()


def test_every_run_claim_is_borne_out_by_the_captures_of_both_sides():
    releases = shipped_index().releases
    problems = [
        f"{code}: {problem}"
        for code, claim in run_claims()
        if not missing_captures(claim, releases, shipped_sweep())
        for problem in run_claim_problems(claim, releases, shipped_sweep())
    ]
    assert not problems, "\n".join(problems)


def test_run_claims_without_captures_are_only_the_recorded_backlog():
    """fixtures/pip_releases/awaiting_capture.txt lists the run claims whose scenario the sweep
    has not run on both sides yet; it may only shrink."""
    releases = shipped_index().releases
    backlog = set(AWAITING_CAPTURE_FILE.read_text(encoding="utf-8").splitlines()) - {""}
    waiting = {
        f"{code}\t{claim.says}" for code, claim in run_claims() if missing_captures(claim, releases, shipped_sweep())
    }
    assert not waiting - backlog, f"run these (tests/logs/sweep.py): {sorted(waiting - backlog)}"
    assert not backlog - waiting, f"captured now, remove from {AWAITING_CAPTURE_FILE.name}: {sorted(backlog - waiting)}"


def test_no_run_of_the_sweep_prints_a_source_claims_text_outside_the_claim():
    problems = [
        f"{entry_file.code}: {problem}"
        for entry_file in entry_files()
        for claim in claims_of(entry_file.front)
        if claim.source
        for problem in captured_against_source_claim(claim, shipped_sweep())
    ]
    assert not problems, "\n".join(problems)


PRINTED_OUTSIDE_FILE = Path(settings.BASE_DIR) / "fixtures" / "pip_releases" / "printed_outside.txt"


def test_runs_print_an_entrys_header_outside_its_pip_versions_only_in_the_recorded_backlog():
    """fixtures/pip_releases/printed_outside.txt lists the releases the sweep saw print an entry's
    header that its computed pip_versions leaves out; it may only shrink."""
    backlog = set(PRINTED_OUTSIDE_FILE.read_text(encoding="utf-8").splitlines()) - {""}
    found = {
        f"{entry_file.code}\t{release}"
        for entry_file in entry_files()
        for release in printed_outside_pip_versions(entry_file.front, shipped_index(), shipped_sweep())
    }
    assert not found - backlog, f"runs print these headers outside pip_versions: {sorted(found - backlog)}"
    assert not backlog - found, f"borne out now, remove from {PRINTED_OUTSIDE_FILE.name}: {sorted(backlog - found)}"


def test_a_header_printed_by_a_run_outside_the_computed_range_is_found():
    line = "ERROR: Could not open requirements file: missing.txt"
    index = TextIndex(["1.0", "2.0"], {line: {"pieces": ["Could not open requirements file"], "printed_in": "1.0"}}, {})
    sweep = Sweep(Path("unused"))
    for release in ("1.0", "2.0"):
        sweep.record("requirements_file_not_found", release, Run(line + "\n", 1, "pip install -r missing.txt"))
    assert printed_outside_pip_versions({"header": line + "\n"}, index, sweep) == ["2.0"]
    assert printed_outside_pip_versions({"header": line + "\n", "printed_by": "a shell"}, index, sweep) == []
    index.texts["[notice] an unread line"] = {"pieces": [], "printed_in": ""}
    assert printed_outside_pip_versions({"header": f"[notice] an unread line\n{line}\n"}, index, sweep) == []


def test_a_header_whose_pieces_an_older_message_prints_is_not_found_in_that_messages_runs():
    line = "ERROR: Failed to build '{package}' when {failed_step}"
    index = TextIndex(["1.0", "2.0"], {line: {"pieces": ["Failed to build"], "printed_in": "2.0"}}, {})
    sweep = Sweep(Path("unused"))
    sweep.record("build_fails", "1.0", Run("Failed to build cext\n", 1, "pip install cext"))
    sweep.record("build_fails", "2.0", Run("ERROR: Failed to build 'cext' when getting requirements\n", 1, "pip"))
    assert printed_outside_pip_versions({"header": line + "\n"}, index, sweep) == []
    index.texts[line]["printed_in"] = "1.0"
    assert printed_outside_pip_versions({"header": line + "\n"}, index, sweep) == ["2.0"]


def test_a_source_claim_is_checked_against_what_the_runs_printed():
    sweep = Sweep(Path("unused"))
    sweep.record("download_timeout", "25.0.1", Run("Collecting six\n", 1, "pip install six"))
    sweep.record("download_timeout", "25.1", Run("error: incomplete-download\n", 1, "pip install six"))
    sweep.record("download_timeout", "26.1.2.post1", Run("error: incomplete-download\n", 1, "pip install six"))
    assert captured_against_source_claim(Claim("from 25.1", source="incomplete-download", since="25.1"), sweep) == []
    assert captured_against_source_claim(Claim("to 26.1.2", source="incomplete-download", until="26.1.2"), sweep) == []
    assert captured_against_source_claim(Claim("from 26.0", source="incomplete-download", since="26.0"), sweep) == [
        "'from 26.0': the sweep's runs on pip 25.1 print 'incomplete-download'"
    ]


def test_a_run_claim_is_checked_on_the_captures_of_both_sides():
    releases = ["20.0", "20.1"]
    sweep = Sweep(Path("unused"))
    for version, output in (("20.0", "Collecting six\n"), ("20.1", "Collecting six\nResuming download\n")):
        sweep.record("download_timeout", version, Run(output, 1, "pip install six"))
    claim = Claim("from 20.1", run="download_timeout", since="20.1", shows="Resuming download")
    assert missing_captures(claim, releases, sweep) == []
    assert run_claim_problems(claim, releases, sweep) == []
    wrong = Claim("until 20.0", run="download_timeout", until="20.0", shows="Collecting six")
    assert run_claim_problems(wrong, releases, sweep) == [
        "'until 20.0': the capture of download_timeout on pip 20.1 shows 'Collecting six' too"
    ]
    assert missing_captures(claim, ["19.3.1", "20.1"], sweep) == ["19.3.1"]


def test_the_sweep_stores_each_distinct_output_once_and_reads_back_who_printed_it(tmp_path):
    sweep = Sweep(tmp_path)
    same = Run("ERROR: No matching distribution found for six\n", 1, "pip install six")
    for version in ("24.0", "22.3.1", "23.3.2"):
        sweep.record("version_not_found", version, same)
    sweep.record("version_not_found", "25.3", Run("error: resolution-impossible\n", 1, "pip install six"))
    sweep.save()
    assert sorted(path.name for path in (tmp_path / "version_not_found").iterdir()) == ["22.3.1.log", "25.3.log"]
    read_back = Sweep.load(tmp_path)
    assert read_back.output("version_not_found", "23.3.2") == same.text
    assert read_back.distinct_outputs("version_not_found")[0] == (["22.3.1", "23.3.2", "24.0"], same)
    assert read_back.output("version_not_found", "21.3.1") is None


def test_a_post_release_is_the_same_side_of_an_until_boundary():
    releases = ["26.1.2", "26.1.2.post1", "26.2"]
    assert neighbour_release("26.1.2", "until", releases) == "26.2"
    assert neighbour_release("26.2", "since", releases) == "26.1.2.post1"


def test_every_claims_words_stand_in_its_entry():
    stale = []
    for entry_file in entry_files():
        text = " ".join(" ".join(entry_texts(entry_file.front, entry_file.sections, entry_file.causes)).split())
        stale += [
            f"{entry_file.code}: {claim.says!r}" for claim in claims_of(entry_file.front) if claim.says not in text
        ]
    assert not stale, f"these claims' `says` is not in their entry's text: {stale}"


UNCLAIMED_FILE = Path(settings.BASE_DIR) / "fixtures" / "pip_releases" / "unclaimed.txt"


def unclaimed_phrases() -> set[str]:
    found = set()
    for entry_file in entry_files():
        sections = {name: body for name, body in entry_file.sections.items() if name != "examples"}
        phrases = dated_phrases(entry_file.code, entry_texts(entry_file.front, sections, entry_file.causes))
        found |= {f"{phrase.code}\t{phrase.text}" for phrase in unclaimed(phrases, claims_of(entry_file.front))}
    return found


def test_no_entry_dates_something_without_a_claim_beyond_the_recorded_backlog():
    """fixtures/pip_releases/unclaimed.txt lists the dated phrases still waiting for a claim;
    a new one fails, and so does a listed one that was claimed or rewritten (shrink the list)."""
    backlog = set(UNCLAIMED_FILE.read_text(encoding="utf-8").splitlines()) - {""}
    found = unclaimed_phrases()
    assert not found - backlog, f"dated without a claim: {sorted(found - backlog)}"
    assert not backlog - found, f"claimed now, remove from {UNCLAIMED_FILE.name}: {sorted(backlog - found)}"


class ComputedVersionsOnThePage(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())

    def test_the_badge_shows_the_computed_range(self):
        response = self.client.get("/pip/hash-mismatch/")
        versions = next(f.front["pip_versions"] for f in entry_files() if f.code == "HASH_MISMATCH")
        self.assertContains(response, f"pip {versions}")

    def test_the_badge_says_who_prints_a_text_that_is_not_pips(self):
        response = self.client.get("/pip/compiler-missing/")
        self.assertContains(response, "printed by setuptools")

    def test_the_page_says_which_releases_print_each_older_wording(self):
        response = self.client.get("/pip/subprocess-exited-with-error/")
        self.assertContains(response, "<code>Command errored out with exit status</code>: pip 19.2–21.3.1", html=False)
        self.assertContains(response, "<code>&quot; failed with error code</code>: pip 8.0.0–19.1.1", html=False)

    def test_an_entry_without_other_wordings_shows_none(self):
        response = self.client.get("/pip/hash-mismatch/")
        self.assertNotContains(response, 'class="wordings"')

    def test_the_api_shows_the_computed_range_and_the_printer(self):
        entry = self.client.get("/api/entries/pip/COMPILER_MISSING").json()
        self.assertEqual((entry["pip_versions"], entry["printed_by"]), ("", "setuptools"))


def test_the_new_release_report_lists_the_texts_the_newest_release_no_longer_prints(tmp_path):
    """Of pip's own texts: words another program prints (Python's) are in pip's source by chance."""
    path, pythons = tmp_path / "OS_ERROR.md", tmp_path / "PYTHONS.md"
    path.write_text(
        '+++\ncode = "OS_ERROR"\ntitle = "t"\nsummary = "s"\ncategory = "c"\n'
        'header = "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied"\n'
        '[[signatures]]\npattern = "--prefer-binary"\n+++\n'
    )
    pythons.write_text(
        '+++\ncode = "PYTHONS"\ntitle = "t"\nsummary = "s"\ncategory = "c"\nprinted_by = "Python"\n'
        'header = "--prefer-binary"\n[[signatures]]\npattern = "--prefer-binary"\n+++\n'
    )
    texts = {
        version: ReleaseTexts(frozenset({"--prefer-binary", "due to an OSError: "}), frozenset())
        for version in RELEASES
    }
    texts[RELEASES[-1]] = ReleaseTexts(frozenset({"due to an OSError: "}), frozenset())
    entry_files = [parse_entry_file(path), parse_entry_file(pythons)]
    index = build_index(quoted_texts([entry_file.front for entry_file in entry_files]), [], texts, RELEASES)
    report = new_release_report(entry_files, index)
    assert (report.newest, report.previous) == ("21.0.1", "21.0")
    assert [(dropped.code, dropped.kind, dropped.text) for dropped in report.dropped] == [
        ("OS_ERROR", "signature", "--prefer-binary")
    ]


# Old releases -----------------------------------------------------------------------------------


def test_before_10_0_a_module_is_where_the_tag_has_it_without_src():
    assert repository_path("9.0.3", "pip/exceptions.py") == "pip/exceptions.py"
    assert repository_path("9.0.3", "pip/_vendor/six.py") is None
    assert repository_path("10.0.1", "pip/_internal/exceptions.py") == "src/pip/_internal/exceptions.py"
    assert repository_path("10.0.1", "pip/_vendor/six.py") is None


OLD_HASH_LOG = (
    "You are using pip version 9.0.3, however version 26.3 is available.\n"
    "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package "
    "versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have "
    "tampered with them.\n"
    "    six==1.16.0 from https://example.org/six-1.16.0.tar.gz:\n"
    "        Expected sha256 " + "1" * 64 + "\n"
    "             Got        " + "2" * 64 + "\n"
)


class OldReleasesSourceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())

    def test_a_log_of_pip_9_links_the_code_at_the_9_0_3_tag(self):
        data = self.client.post("/api/diagnose", OLD_HASH_LOG, content_type="text/plain").json()
        source = data["matches"][0]["source"]
        self.assertEqual(source["version"], "9.0.3")
        self.assertEqual(source["url"], "https://github.com/pypa/pip/blob/9.0.3/pip/exceptions.py#L186-L239")

    def test_the_source_trail_runs_from_8_0_3(self):
        entry = self.client.get("/api/entries/pip/HASH_MISMATCH").json()
        versions = {s["version"]: s["path"] for s in entry["sources"] if s["symbol"] == "HashMismatch"}
        self.assertEqual(versions["8.0.3"], "pip/exceptions.py")
        self.assertEqual(versions["10.0.1"], "src/pip/_internal/exceptions.py")


class NewReleasePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())
        cls.editor = make_staff("eddie")
        cls.nobody = make_staff("nora", group=None)

    def test_staff_see_what_the_newest_release_stopped_printing_and_its_new_errors(self):
        self.client.force_login(self.editor)
        response = self.client.get("/staff/releases/")
        report = read_report()
        self.assertContains(response, f"What pip {report.newest} changed for the catalogue")
        for dropped in report.dropped:
            self.assertContains(response, f"<code>{dropped.code}</code>", html=False)
        for name in report.new_exceptions + report.new_references:
            self.assertContains(response, f"<code>{name}</code>")

    def test_the_staff_menu_leads_to_the_report_for_those_who_may_read_it(self):
        self.client.force_login(self.editor)
        self.assertContains(self.client.get("/staff/"), '<a href="/staff/releases/">New pip release</a>', html=True)
        reader = make_staff("rob", group=None)
        reader.user_permissions.add(Permission.objects.get(codename="view_revision"))
        self.client.force_login(reader)
        self.assertNotContains(self.client.get("/staff/"), "/staff/releases/")

    def test_the_report_is_for_staff_only(self):
        self.assertRedirects(self.client.get("/staff/releases/"), "/staff/login/?next=/staff/releases/")
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get("/staff/releases/").status_code, 403)


@pytest.fixture
def html_only_index(tmp_path: Path):
    """A mirror that serves only PEP 503's HTML pages, on a local port."""
    page = tmp_path / "simple" / "pip" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text('<a href="pip-24.0-py3-none-any.whl">pip-24.0-py3-none-any.whl</a>\n', encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/simple/pip/"
    server.shutdown()
    server.server_close()


def test_an_index_that_cannot_list_releases_is_refused_and_the_release_list_kept(html_only_index: str):
    before = RELEASES_FILE.read_bytes()
    refusals = {
        "http://127.0.0.1:9/simple/pip/": "Could not list pip's releases on PyPI (<urlopen error",
        html_only_index: f"{html_only_index} is no JSON simple API page (PEP 691); use --offline.",
    }
    for url, sentence in refusals.items():
        with pytest.raises(CommandError, match=re.escape(sentence)):
            call_command("index_pip_releases", "--simple-url", url, stdout=io.StringIO())
    assert RELEASES_FILE.read_bytes() == before
