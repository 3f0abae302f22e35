"""The pip commands an entry shows, and whether pip's own command-line parser accepts them.

Plain Python, no Django. The commands are found in the Markdown's fenced blocks: every line of
a shell block (```bash, ```powershell…) and the prompt lines of a ```console or ```text block.
``check_with_pip`` hands them all to one interpreter that imports pip from a release's wheel and
runs this module as a script:

    PYTHONPATH=pip-24.0-py3-none-any.whl python -m kb.releases.commands_check < arguments.json
"""

from __future__ import annotations

import contextlib
import io
import json
import optparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "zsh", "powershell", "ps1", "pwsh", "bat", "cmd", "batch"})
FENCE = re.compile(r"^\s*(?:```|~~~)\s*([\w-]*)")


def prompt_pattern(signs: str) -> re.Pattern[str]:
    """A prompt such as `(.venv) $ ` or `PS C:\\> ` (Windows) before a command."""
    return re.compile(rf"^\s*(?:\([^)]*\)\s*)?(?:PS\s[^>]*>|[A-Za-z]:\\[^>]*>|[{signs}])\s+(?P<command>\S.*)$")


# `#` is root's prompt in a console block but starts a comment in a shell block; a ```text block
# quotes pip's output, where only `$ ` is sure to be a prompt.
CONSOLE_PROMPT = prompt_pattern("$#>%")
SHELL_PROMPT = prompt_pattern("$>%")
PROMPTS = {"console": CONSOLE_PROMPT, "shell-session": CONSOLE_PROMPT, "": CONSOLE_PROMPT, "text": prompt_pattern("$")}
ANGLE_PLACEHOLDER = re.compile(r"<(?P<name>[A-Za-z][\w .-]*)>")
BRACE_PLACEHOLDER = re.compile(r"\{(?P<name>[a-z_]+)\}")
CONTINUATION = ("\\", "`", "^")
COMMAND_SEPARATORS = frozenset({";", "&", "&&", "||", "|", "|&", "(", ")"})
ENVIRONMENT_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
WRAPPERS = frozenset({"sudo", "doas", "env", "exec", "nohup", "time"})
WRAPPER_OPTIONS_WITH_VALUE = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-U"})
PIP_PROGRAM = re.compile(r"^pip(?:\d+(?:\.\d+)?)?$")
PYTHON_PROGRAM = re.compile(r"^(?:python|pypy)(?:\d+(?:\.\d+)?)?w?$|^py$")
PYTHON_OPTIONS_WITH_VALUE = frozenset({"-W", "-X", "--check-hash-based-pycs"})
# Exit status of the script when pip cannot even be imported on this interpreter.
PIP_WONT_IMPORT = 3


@dataclass(frozen=True)
class PipCommand:
    shown: str  # the command line as the entry shows it, placeholders and all
    arguments: tuple[str, ...]  # what follows `pip`, placeholders filled in


class PipWontImport(RuntimeError):
    """The pip release cannot be imported on this interpreter."""


# Finding commands ---------------------------------------------------------------------


def pip_commands_in_markdown(markdown: str) -> list[PipCommand]:
    """Every pip invocation in the fenced blocks of ``markdown``.

    >>> pip_commands_in_markdown("```console\\n$ sudo python3 -m pip install -U <package>\\n```")
    [PipCommand(shown='sudo python3 -m pip install -U <package>', arguments=('install', '-U', 'package'))]
    """
    return [command for line in command_lines_in_markdown(markdown) for command in pip_commands_in_line(line)]


def pip_commands_in_line(line: str) -> list[PipCommand]:
    """The pip invocations of one shell command line; several when joined by ``&&``, ``|`` or ``;``."""
    return [
        PipCommand(shown=line, arguments=tuple(arguments))
        for words in simple_commands(fill_placeholders(line))
        if (arguments := pip_arguments(words)) is not None
    ]


def command_lines_in_markdown(markdown: str) -> Iterator[str]:
    language: str | None = None
    pending = ""
    for line in markdown.splitlines():
        fence = FENCE.match(line)
        if fence:
            language = None if language is not None else fence.group(1).lower()
            pending = ""
            continue
        if language is None:
            continue
        command = pending + line.strip().removeprefix("> ") if pending else command_on_line(line, language)
        if command is None:
            continue
        if command.endswith(CONTINUATION):
            pending = command[:-1]
        else:
            pending = ""
            yield command


def command_on_line(line: str, language: str) -> str | None:
    if language in SHELL_LANGUAGES:
        prompted = SHELL_PROMPT.match(line)
        return prompted.group("command") if prompted else line.strip() or None
    prompted = PROMPTS[language].match(line) if language in PROMPTS else None
    return prompted.group("command") if prompted else None


def fill_placeholders(line: str) -> str:
    """Give ``<package>``, ``<version>`` and the quick fix's ``{package}`` harmless values.

    >>> fill_placeholders('pip install "<package><<first-ignored-version>" --timeout <seconds>')
    'pip install "package<1.0" --timeout 1'
    """
    return BRACE_PLACEHOLDER.sub(placeholder_value, ANGLE_PLACEHOLDER.sub(placeholder_value, line))


def placeholder_value(placeholder: re.Match[str]) -> str:
    name = placeholder.group("name").lower()
    if "version" in name:
        return "1.0"
    if name in {"n", "number", "count", "seconds", "retries", "timeout"}:
        return "1"
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def simple_commands(line: str) -> list[list[str]]:
    """Split a shell line into the words of each simple command, without redirections or comments."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.commenters = ""  # the shell starts a comment only at a word's start
    lexer.escape = ""  # entries show Windows paths (C:\Python311\python.exe) more often than escapes
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # an unbalanced quote: not a command pip could be given
        return []
    commands: list[list[str]] = [[]]
    skip_target = False
    for token in tokens:
        if skip_target:
            skip_target = False
        elif token.startswith("#"):
            break
        elif token in COMMAND_SEPARATORS:
            commands.append([])
        elif is_redirection(token):
            if commands[-1] and commands[-1][-1].isdigit():
                commands[-1].pop()  # the descriptor of `2>`, which the lexer splits off
            skip_target = True
        else:
            commands[-1].append(token)
    return [words for words in commands if words]


def is_redirection(token: str) -> bool:
    return set(token) <= set("<>&") and bool(set(token) & set("<>"))


def pip_arguments(words: list[str]) -> list[str] | None:
    """What follows pip in one simple command, or None when the command does not run pip.

    >>> pip_arguments(["PIP_NO_INPUT=1", "py", "-3.12", "-m", "pip", "--version"])
    ['--version']
    """
    words = without_wrappers(words)
    if not words:
        return None
    program = re.sub(r"\.exe$", "", re.split(r"[\\/]", words[0])[-1], flags=re.IGNORECASE)
    if PIP_PROGRAM.match(program):
        return words[1:]
    if PYTHON_PROGRAM.match(program):
        return arguments_after_module_pip(words[1:])
    return None


def without_wrappers(words: list[str]) -> list[str]:
    """Drop leading environment assignments and ``sudo``-like wrappers with their options."""
    position = 0
    wrapped = False
    while position < len(words):
        word = words[position]
        if ENVIRONMENT_ASSIGNMENT.match(word) or word in WRAPPERS:
            wrapped = wrapped or word in WRAPPERS
            position += 1
        elif wrapped and word.startswith("-"):
            position += 2 if word in WRAPPER_OPTIONS_WITH_VALUE else 1
        else:
            break
    return words[position:]


def arguments_after_module_pip(interpreter_arguments: list[str]) -> list[str] | None:
    position = 0
    while position < len(interpreter_arguments):
        argument = interpreter_arguments[position]
        if argument == "-m":
            module = interpreter_arguments[position + 1 : position + 2]
            return interpreter_arguments[position + 2 :] if module == ["pip"] else None
        if not argument.startswith("-") or argument == "-c":
            return None
        position += 2 if argument in PYTHON_OPTIONS_WITH_VALUE else 1
    return None


# Asking pip ---------------------------------------------------------------------------


def check_with_pip(wheel: Path, argument_lists: list[tuple[str, ...]]) -> list[str | None]:
    """pip's error for each argument list (None where pip accepts it), from one interpreter."""
    with tempfile.TemporaryDirectory() as home:
        # No configuration file or PIP_* variable of this machine may change what pip accepts.
        environment = {"PATH": os.defpath, "HOME": home, "PIP_CONFIG_FILE": os.devnull, "PYTHONPATH": str(wheel)}
        completed = subprocess.run(
            [sys.executable, "-m", "kb.releases.commands_check"],
            input=json.dumps(argument_lists),
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=environment,
        )
    if completed.returncode == PIP_WONT_IMPORT:
        raise PipWontImport(completed.stderr.strip())
    if completed.returncode != 0:
        raise RuntimeError(f"Checking commands with {wheel.name} failed:\n{completed.stderr}")
    report = json.loads(completed.stdout)
    if not wheel.name.startswith(f"pip-{report['pip']}-"):
        raise RuntimeError(f"{wheel.name} was asked, but pip {report['pip']} answered")
    return report["errors"]


def pip_error(arguments: list[str]) -> str | None:
    """What pip's parser says about ``pip ARGUMENTS``, or None when it accepts them.

    Runs inside the interpreter that imports pip from a wheel.
    """
    from pip._internal.cli.main_parser import parse_command
    from pip._internal.commands import create_command

    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said):
            name, command_arguments = parse_command(arguments)
            create_command(name, isolated=True).parse_args(command_arguments)
    except SystemExit as stop:
        if stop.code in (0, None):  # --help, --version
            return None
        return last_line(said.getvalue()) or f"exit status {stop.code}"
    except Exception as error:  # pip's CommandError for an unknown command, and the like
        return f"{type(error).__name__}: {error}"
    return None


def exact_long_option(parser: optparse.OptionParser, option: str) -> str:
    """Refuse the abbreviations optparse would expand (`--no-cache` for `--no-cache-dir`): an
    entry spells options out, and a later release may add an option that makes one ambiguous."""
    if option in parser._long_opt:
        return option
    expansions = sorted(name for name in parser._long_opt if name.startswith(option))
    raise optparse.BadOptionError(
        f"{option} (only an abbreviation of {' or '.join(expansions)})" if expansions else option
    )


def last_line(text: str) -> str:
    return next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "")


def main() -> None:
    try:
        import pip
        import pip._internal.commands  # noqa: F401
    except Exception as error:  # whatever fails, this release cannot run on this interpreter
        print(f"pip cannot be imported on Python {sys.version.split()[0]}: {error!r}", file=sys.stderr)
        sys.exit(PIP_WONT_IMPORT)
    optparse.OptionParser._match_long_opt = exact_long_option
    errors = [pip_error(arguments) for arguments in json.load(sys.stdin)]
    json.dump({"pip": pip.__version__, "errors": errors}, sys.stdout)


if __name__ == "__main__":
    main()
