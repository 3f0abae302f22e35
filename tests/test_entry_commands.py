"""Every pip command an entry shows is accepted by pip's own command-line parser, in the newest
pip release the entry says it was verified with: no entry recommends an option or a command that
this pip does not have. One interpreter per release parses all of that release's commands."""

import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError

from kb.catalogue import EntryFile, read_entry_files
from kb.management.commands.sync_pip_sources import pip_wheel
from kb.releases.commands_check import (
    PipCommand,
    PipWontImport,
    check_with_pip,
    pip_commands_in_line,
    pip_commands_in_markdown,
)
from kb.releases.pipsource import WHEEL_CACHE_DIR, release_order

ENTRIES = Path(settings.BASE_DIR) / "fixtures" / "entries"
BEFORE_DRY_RUN = "20.3.4"  # `pip install --dry-run` came in 22.2
RECENT_RELEASE = "26.3"

EntryCommand = tuple[str, PipCommand]  # the entry's code, and one command it shows


def commands_shown_by(entry_file: EntryFile) -> list[PipCommand]:
    texts = [*entry_file.sections.values(), *(body for _, body in entry_file.causes)]
    shown = [command for text in texts for command in pip_commands_in_markdown(text)]
    return shown + pip_commands_in_line(entry_file.front.get("quick_fix", ""))


def newest_verified_release(entry_file: EntryFile) -> str | None:
    return max(entry_file.front.get("verified_with", []), key=release_order, default=None)


@cache
def commands_by_release() -> dict[str, list[EntryCommand]]:
    """The commands of every entry, under the newest pip release that entry was verified with."""
    by_release: dict[str, list[EntryCommand]] = {}
    for entry_file in read_entry_files(ENTRIES):
        release = newest_verified_release(entry_file)
        if release:
            by_release.setdefault(release, []).extend((entry_file.code, c) for c in commands_shown_by(entry_file))
    return by_release


def wheel_of(release: str) -> Path:
    try:
        return pip_wheel(release, WHEEL_CACHE_DIR)
    except CommandError as error:
        pytest.skip(f"no wheel of pip {release} in {WHEEL_CACHE_DIR} and none could be downloaded: {error}")


def rejected_commands(release: str, commands: list[EntryCommand]) -> list[str]:
    """One line per command pip `release` rejects: the entry, the command as shown, pip's error."""
    try:
        errors = check_with_pip(wheel_of(release), [command.arguments for _, command in commands])
    except PipWontImport as error:
        pytest.skip(f"pip {release} cannot run on this interpreter: {error}")
    return [
        f"{code}: `{command.shown}` — pip {release}: {error}"
        for (code, command), error in zip(commands, errors, strict=True)
        if error is not None
    ]


# The entries' commands -----------------------------------------------------------------


@pytest.mark.parametrize("release", sorted(commands_by_release(), key=release_order))
def test_pip_accepts_every_command_of_the_entries_verified_with_it(release: str):
    rejected = rejected_commands(release, commands_by_release()[release])
    if rejected:
        pytest.fail(f"pip {release} rejects commands that entries show ({len(rejected)}):\n" + "\n".join(rejected))


def test_every_entry_that_shows_pip_commands_names_the_releases_it_was_verified_with():
    unverified = [
        entry_file.code
        for entry_file in read_entry_files(ENTRIES)
        if commands_shown_by(entry_file) and newest_verified_release(entry_file) is None
    ]
    assert not unverified, f"these entries show pip commands but have no verified_with: {', '.join(unverified)}"


def test_the_entries_show_pip_commands_to_check():
    assert sum(map(len, commands_by_release().values())) > 100


# Asking pip --------------------------------------------------------------------------------


def test_a_made_up_option_is_reported_with_its_entry_command_and_pip_release():
    markdown = "```console\n$ python -m pip install --no-such-option <package>\n```"
    commands = [("MADE_UP", command) for command in pip_commands_in_markdown(markdown)]
    assert rejected_commands(RECENT_RELEASE, commands) == [
        "MADE_UP: `python -m pip install --no-such-option <package>` — pip 26.3: no such option: --no-such-option"
    ]


def test_pip_judges_options_commands_and_general_flags_as_the_release_does():
    shown = [
        "pip install --dry-run package",
        "pip --version",
        "pip install --help",
        "pip --isolated download --no-deps -d /tmp/probe package",
        "pip no-such-command",
        "pip install --timeout soon package",
        "pip install --no-cache package",
    ]
    commands = [("EXAMPLE", command) for line in shown for command in pip_commands_in_line(line)]
    rejected = rejected_commands(BEFORE_DRY_RUN, commands)
    assert rejected[0] == "EXAMPLE: `pip install --dry-run package` — pip 20.3.4: no such option: --dry-run"
    assert 'unknown command "no-such-command"' in rejected[1]
    assert "invalid" in rejected[2] and "soon" in rejected[2]
    assert rejected[3].endswith("no such option: --no-cache (only an abbreviation of --no-cache-dir)")
    assert len(rejected) == 4


# Finding commands in Markdown ------------------------------------------------------------


def arguments_in(markdown: str) -> list[tuple[str, ...]]:
    return [command.arguments for command in pip_commands_in_markdown(markdown)]


def test_console_blocks_give_prompted_lines_and_leave_pips_output():
    markdown = """
Run `pip install --not-in-a-fence x` first.

```console
$ python -m pip --version
pip 26.3 from /home/user/.venv/lib/python3.12/site-packages/pip (python 3.12)
(.venv) $ python -m pip install --user six
# python -m pip install --root-user-action=ignore six
> py -m pip list
```
"""
    assert arguments_in(markdown) == [
        ("--version",),
        ("install", "--user", "six"),
        ("install", "--root-user-action=ignore", "six"),
        ("list",),
    ]


def test_shell_blocks_give_every_line_but_comments():
    markdown = """
   ```bash
   # pip install --commented-out x
   export PATH="/opt/venv/bin:$PATH"
   pip install six  # a trailing remark
   ```
"""
    assert arguments_in(markdown) == [("install", "six")]


def test_text_blocks_give_only_dollar_prompted_lines():
    markdown = "```text\n$ pip index versions demo\n> pip install quoted\nERROR: pip install failed\n```"
    assert arguments_in(markdown) == [("index", "versions", "demo")]


def test_a_continued_line_is_one_command():
    markdown = "```console\n$ python -m pip download \\\n>   --no-deps -d ./wheels six\n```"
    assert arguments_in(markdown) == [("download", "--no-deps", "-d", "./wheels", "six")]


def test_each_pip_run_of_a_compound_line_is_a_command():
    line = "python -m pip download -d d six && pip3 install --no-index -f d six 2>&1 | tee log; pip check > out.txt"
    assert [command.arguments for command in pip_commands_in_line(line)] == [
        ("download", "-d", "d", "six"),
        ("install", "--no-index", "-f", "d", "six"),
        ("check",),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "sudo -H pip3 install six",
        "sudo -E -u deploy python3 -m pip install six",
        "PIP_NO_INPUT=1 python3.11 -m pip install six",
        "env PIP_INDEX_URL=https://example.org/simple pip3.12 install six",
        "py -3.12 -m pip install six",
        r"C:\Python311\python.exe -m pip install six",
        ".venv/bin/python -s -m pip install six",
        "/opt/venv/bin/pip install six",
    ],
)
def test_pip_is_found_behind_interpreters_wrappers_and_assignments(line: str):
    assert [command.arguments for command in pip_commands_in_line(line)] == [("install", "six")]


@pytest.mark.parametrize(
    "line",
    [
        "pip-compile --generate-hashes requirements.in",
        "pipx install black",
        "uv pip install six",
        "python -m pipx install black",
        'python -c "import pip; print(pip.__file__)"',
        "python get-pip.py",
        "sudo apt install python3-pip",
        "command -v pip",
    ],
)
def test_other_tools_are_not_pip(line: str):
    assert pip_commands_in_line(line) == []


def test_placeholders_get_values_pip_can_parse_and_the_command_is_shown_as_written():
    (command,) = pip_commands_in_line('pip install --timeout <seconds> -d <wheel dir> "<package><<version>"')
    assert command.arguments == ("install", "--timeout", "1", "-d", "wheel-dir", "package<1.0")
    assert command.shown == 'pip install --timeout <seconds> -d <wheel dir> "<package><<version>"'


def test_a_quick_fix_fact_gets_a_value_too():
    (command,) = pip_commands_in_line("pip download {package}=={version} --no-deps -d ./check")
    assert command.arguments == ("download", "package==1.0", "--no-deps", "-d", "./check")


READER_PLACEHOLDER = re.compile(r"<[\w-]+>")  # <package> in an entry's text
FACT_PLACEHOLDER = re.compile(r"\{\w+\}")  # {package} or {requirement} in a quick fix


def test_every_quick_fix_is_a_step_of_the_entrys_own_fix():
    # "Try this first" stands for the fix section's advice: a diagnostic command, or one the
    # section does not recommend, would send the reader the wrong way. A placeholder may name
    # the fact the diagnosis fills in ({requirement}) where the text says <package>.
    strays = [
        f"{entry_file.code}: {part}"
        for entry_file in read_entry_files(ENTRIES)
        for part in entry_file.front.get("quick_fix", "").split(" && ")
        if part
        and FACT_PLACEHOLDER.sub("<>", part) not in READER_PLACEHOLDER.sub("<>", entry_file.sections.get("fix", ""))
    ]
    assert strays == []
