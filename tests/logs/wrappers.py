"""Captured pip output passed on the way other programs pass it on, and cut the way people paste it.

Each wrapper takes a log as pip printed it and returns it as the named program shows it:
per-line prefixes (CI timestamps, container builders, log shippers, remote shells), framing
lines around it (task runners, builders), escaping (Ansible's JSON, JSON lines), or characters
replaced (curly quotes, no-break spaces, HTML entities). The forms
follow each program's documentation and real output: GitHub Actions' raw logs put an
RFC 3339 time with 7 fractional digits before each line; GitLab Runner 17 (FF_TIMESTAMPS) a time
with 6 digits, then 2 hex digits of stream number, `O` or `E` and a space (or `+` for a
continued line); Jenkins' timestamper `[ISO time] `; Buildkite an APC escape `ESC _bk;t=<ms> BEL`;
BuildKit `#<step> <seconds> ` (and ` => => # ` in its terminal view, before the last lines of a
running step); Docker Compose `<service>-<n>  | `; `kubectl logs --timestamps`
RFC 3339 with 9 digits and `--prefix` `[pod/<name>/<container>] `; journald
`<Mon> <dd> <hh:mm:ss> <host> <identifier>[<pid>]: ` (and `journalctl -o json` an object a line,
the line under `MESSAGE` without its newline, as the numbers of its bytes where it holds a control
character or bytes that are not UTF-8: systemd's docs/JOURNAL_EXPORT_FORMATS.md); Vagrant's provisioners
`    <machine>: `; pdsh `<host>: `; Chef's ShellCommandFailed `STDOUT: `/`STDERR: ` on the first
line of each stream; PowerShell an error record `<program> : <first stderr line>` with its
`At line:1 char:1` block when a native command's stderr is redirected; Salt's highstate output
of a `cmd.run` state nests stderr, then stdout, 18 columns in under `Changes:`; PyCharm's run
console shows the interpreter's command line first and `Process finished with exit code N` last;
invoke echoes the command in bold white (`echo_format`); CircleCI's step output starts with the
step's shell and command and ends `Exited with code exit status N` / `CircleCI received exit code
N`; Travis CI's raw log folds and times the command (`travis_fold:start:`, `travis_time:start:`,
each ended by `\r` and ANSI's clear-line) and ends with travis_assert's `The command "..." failed
and exited with N during install.`;
a Python program that runs pip through `subprocess` and prints what it captured shows the output
as Python's repr of it, the whole of it on one line with `\\n` escapes (bytes, `\\xNN` for each
byte past ASCII, unless run with `text=True`): the CalledProcessError and each stream (pytest shows
a failing test's `stdout = b'...'` and `stderr = b'...'`, an exception made from them
`PipError: (b'...', b'...')`), or the CompletedProcess itself (`CompletedProcess(args=..., returncode=1,
stdout=b'...', stderr=b'...')`), as quoted in public bug reports and tutorials;
VS Code's Python extension logs the output of the pip its "Create Environment" runs to its Output
channel a chunk at a time, `YYYY-MM-DD hh:mm:ss.mmm [info] ` before each chunk (VS Code's log line
format) and an empty line after it.

Parts are what people paste instead of the whole log: the `×` box, the traceback, the last
`ERROR:` line (alone, retyped in lower case, quoted as inline code in a sentence, or set in bold),
a line quoting a command with the quote set in bold, a Markdown block missing its first lines, lines
re-wrapped by a chat client.
Each part function returns (text, first, last): the part and the lines of the original (1-based,
inclusive) it holds, or None when the log has no such part.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import textwrap
from collections.abc import Callable

Wrapper = Callable[[str], str]
COMMAND = "pip install -r requirements.txt"


def _each_line(prefix: Callable[[int, str], str]) -> Wrapper:
    def wrap(text: str) -> str:
        return "".join(prefix(index, line) + line for index, line in enumerate(text.splitlines(True)))

    return wrap


def _stderr_line(line: str) -> bool:
    return bool(re.match(r"\s*(?:ERROR|WARNING|error|DEPRECATION|×|│|╰|Traceback|  File |\S+Error\b)", line))


def _streams(text: str) -> list[tuple[bool, str]]:
    """Each line with whether pip wrote it to stderr: a record that starts there goes on there."""
    lines, on_stderr = [], False
    for line in text.splitlines(True):
        if _stderr_line(line):
            on_stderr = True
        elif line.strip() and not line[0].isspace():
            on_stderr = False
        lines.append((on_stderr, line))
    return lines


def azure_pipelines(text: str) -> str:
    return "".join(
        f"2024-05-01T10:11:{index % 60:02d}.1234567Z " + ("##[error]" if line.startswith("ERROR") else "") + line
        for index, line in enumerate(text.splitlines(True))
    )


def teamcity(text: str) -> str:
    """TeamCity's build log: the time, the message's status (` ` for stdout, `W` for stderr), a
    tab and the step's block name before each line, as in the downloaded build logs quoted in
    public READMEs (`[14:36:30]W:\t [Step 1/5] From https://...`)."""
    return "".join(
        f"[10:11:{index % 60:02d}]{'W' if on_stderr else ' '}:\t [Step 1/2] " + line
        for index, (on_stderr, line) in enumerate(_streams(text))
    )


def airflow_task(text: str) -> str:
    """An Airflow task's log of the pip its PythonVirtualenvOperator runs: each output line is
    a record of Airflow's logger, `[<date>, <time> UTC] {<file>:<line>} INFO - ` before it (as
    in the task logs quoted in its users' bug reports, `... {process_utils.py:190} INFO -
    [notice] A new release of pip is available`)."""
    return "".join(
        f"[2023-10-07, 03:57:{index % 60:02d} UTC] {{process_utils.py:190}} INFO - " + line
        for index, line in enumerate(text.splitlines(True))
    )


def python_logging(text: str) -> str:
    """A Python program that runs pip and logs each line it prints, stdout's as INFO and
    stderr's as ERROR, with the format of the logging HOWTO's "Configuring Logging" example
    (docs.python.org/3/howto/logging.html): `%(asctime)s - %(name)s - %(levelname)s - %(message)s`,
    shown there as `2005-03-19 15:10:26,618 - simple_example - DEBUG - debug message`."""
    return "".join(
        f"2024-05-01 10:11:{index % 60:02d},{index * 37 % 1000:03d} - runner - {'ERROR' if on_stderr else 'INFO'} - "
        + line
        for index, (on_stderr, line) in enumerate(_streams(text))
    )


def ray_runtime_env(text: str) -> str:
    """The pip a Ray runtime environment installs with, as the driver shows it: Ray logs pip's
    whole output as one record (`logger.info("Output of cmd[%s]: %s", ...)` in
    runtime_env/utils.py), so the record's header stands on pip's first line only, and the
    driver puts `(pid=runtime_env) ` before every line (Ray's "Handling Dependencies" guide
    shows `(pid=runtime_env) 2022-02-28 14:12:34,267\tINFO utils.py:97 -- Output of cmd[1]: ...`)."""
    record = "2024-05-01 10:11:12,345\tINFO utils.py:97 -- Output of cmd[3]: "
    return "".join(
        "(pid=runtime_env) " + (record if index == 0 else "") + line for index, line in enumerate(text.splitlines(True))
    )


def colours_shown_as_carets(text: str) -> str:
    """pip's colours in a terminal, red for its errors and yellow for its warnings, written
    the way pip 24 wrote an error line in the terminal capture of tests/test_diagnosis_engine.py
    (`ESC[31mERROR: ...ESC[0mESC[31m`, the line end, then `ESC[0m`), pasted from `cat -v` or
    less, which show the escape byte as `^[`."""
    colours = {"ERROR:": "31", "WARNING:": "33"}

    def coloured(line: str) -> str:
        colour = next((code for header, code in colours.items() if line.lstrip().startswith(header)), None)
        body = line.rstrip("\n")
        return f"^[[{colour}m{body}^[[0m^[[{colour}m\n^[[0m" if colour else line

    return "".join(coloured(line) for line in text.splitlines(True))


def gitlab_timestamps(text: str) -> str:
    return "".join(
        f"2024-05-30T14:30:{index % 60:02d}.{index:06d}Z 0{1 if _stderr_line(line) else 0}{'E' if _stderr_line(line) else 'O'} "
        + line
        for index, line in enumerate(text.splitlines(True))
    )


def framed(before: str, after: str) -> Wrapper:
    return lambda text: before + text + ("" if text.endswith("\n") else "\n") + after


def vscode_python_output(text: str) -> str:
    """The Python extension's Output channel running pip for "Create Environment": the merged
    streams are logged a chunk at a time, the clock and `[info]` on a chunk's first line only,
    an empty line after each; pip writes a record at a time, so a record starts each chunk."""
    chunks: list[str] = []
    for line in text.splitlines(True):
        if not chunks or (line.strip() and not line[0].isspace()):
            chunks.append("")
        chunks[-1] += line
    clock = "2025-05-06 10:11:{:02d}.{:03d} [info] "
    logged = "".join(clock.format(index % 60, index * 37 % 1000) + chunk + "\n" for index, chunk in enumerate(chunks))
    return (
        "2025-05-06 10:11:00.001 [info] Running: /home/user/project/.venv/bin/python -m pip install -r "
        "/home/user/project/requirements.txt\n\n" + logged
    )


def chef(text: str) -> str:
    lines = text.splitlines()
    shown = [f"    STDOUT: {lines[0]}", *lines[1:]] if lines else []
    return (
        "    Mixlib::ShellOut::ShellCommandFailed\n    ------------------------------------\n"
        "    Expected process to exit with [0], but received '1'\n"
        f"    ---- Begin output of {COMMAND} ----\n" + "\n".join(shown) + "\n    STDERR: \n"
        f"    ---- End output of {COMMAND} ----\n    Ran {COMMAND} returned 1\n"
    )


def salt_cmd_run(text: str) -> str:
    """A `cmd.run` state's highstate result: stderr, then stdout, each nested under its key."""
    streams = _streams(text)

    def nested(on_stderr: bool) -> str:
        return "".join(" " * 18 + line for line_on_stderr, line in streams if line_on_stderr == on_stderr)

    return (
        f"local:\n----------\n          ID: install_requirements\n    Function: cmd.run\n        Name: {COMMAND}\n"
        f'      Result: False\n     Comment: Command "{COMMAND}" run\n     Started: 10:11:12.345678\n'
        "    Duration: 2345.678 ms\n     Changes:\n              ----------\n              pid:\n"
        "                  2817\n              retcode:\n                  1\n              stderr:\n"
        + nested(True)
        + "              stdout:\n"
        + nested(False)
        + "\nSummary for local\n------------\nSucceeded: 0 (changed=1)\nFailed:    1\n------------\n"
        "Total states run:     1\nTotal run time:   2.346 s\n"
    )


def pipenv_install_error(text: str) -> str:
    """pipenv 2018 to 2022 when pip failed under `pipenv install`: its InstallError shows pip's
    stdout then stderr, each stripped as a whole and split into lines, every line behind the
    exception's name; then pipenv's own message (pipenv/exceptions.py, InstallError and show())."""
    streams = _streams(text)
    out, err = ("".join(line for on_stderr, line in streams if on_stderr == wanted).strip() for wanted in (False, True))
    lines = [*out.splitlines(), *err.splitlines()]
    pipenvs_message = "ERROR: Couldn't install package: requirements\n Package installation failed...\n"
    return "".join(f"[pipenv.exceptions.InstallError]: {line}\n" for line in lines) + pipenvs_message


def stream_tags(text: str) -> str:
    return "".join(("[stderr] " if on_stderr else "[stdout] ") + line for on_stderr, line in _streams(text))


def powershell(text: str) -> str:
    lines = text.splitlines()
    first_error = next((index for index, line in enumerate(lines) if _stderr_line(line)), None)
    if first_error is None:
        return text
    line = lines[first_error]
    record = [
        f"pip : {line}",
        "At line:1 char:1",
        f"+ {COMMAND}",
        "+ " + "~" * len(COMMAND),
        f"    + CategoryInfo          : NotSpecified: ({line[:16]}...:String) [], RemoteException",
        "    + FullyQualifiedErrorId : NativeCommandError",
        " ",
    ]
    return "\n".join(lines[:first_error] + record + lines[first_error + 1 :]) + "\n"


def ansible_json(text: str) -> str:
    stdout = "".join(line for on_stderr, line in _streams(text) if not on_stderr)
    stderr = "".join(line for on_stderr, line in _streams(text) if on_stderr)
    result = {
        "changed": False,
        "cmd": COMMAND.split(),
        "msg": "non-zero return code",
        "rc": 1,
        "stderr": stderr,
        "stderr_lines": stderr.splitlines(),
        "stdout": stdout,
        "stdout_lines": stdout.splitlines(),
    }
    return f"TASK [Install requirements] ****\nfatal: [web1]: FAILED! => {json.dumps(result)}\n\nPLAY RECAP ****\n"


def ansible_verbose(text: str) -> str:
    """`-v` prints the result indented; the output is both one escaped string and a list."""
    lines = text.splitlines()
    body = ",\n".join(f"        {json.dumps(line, ensure_ascii=False)}" for line in lines)
    return (
        "fatal: [web1]: FAILED! => {\n"
        '    "changed": false,\n'
        '    "rc": 1,\n'
        f'    "stdout": {json.dumps(text, ensure_ascii=False)},\n'
        '    "stdout_lines": [\n' + body + "\n    ]\n}\n"
    )


def json_lines(key: str) -> Wrapper:
    def wrap(text: str) -> str:
        return "".join(
            json.dumps({key: line, "stream": "stderr", "time": f"2024-05-01T10:11:{index % 60:02d}.123456789Z"}) + "\n"
            for index, line in enumerate(text.splitlines(True))
        )

    return wrap


# What journald counts as a control character (systemd's unichar_is_control): a field holding one
# is written as the numbers of its bytes.
_JOURNAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def journal_json(text: str) -> str:
    """`journalctl -o json`: an object a line, the line under `MESSAGE` without its newline; a line
    holding a control character (pip's colours, forced) as an array of its bytes' values."""
    return "".join(
        json.dumps(
            {
                "__REALTIME_TIMESTAMP": str(1714558272123456 + index * 1000),
                "_HOSTNAME": "build01",
                "SYSLOG_IDENTIFIER": "pip",
                "_PID": "2817",
                "MESSAGE": list(line.encode()) if _JOURNAL_CONTROL.search(line) else line,
            }
        )
        + "\n"
        for index, line in enumerate(text.splitlines())
    )


PIP_COMMAND = ["/home/user/venv/bin/python", "-m", "pip", "install", "-r", "requirements.txt"]


def python_called_process_error(text: str) -> str:
    """`subprocess.run(PIP_COMMAND, capture_output=True, check=True)` failing, the program printing
    the exception and each stream it captured: Python's repr of pip's bytes."""
    stdout = "".join(line for on_stderr, line in _streams(text) if not on_stderr).encode()
    stderr = "".join(line for on_stderr, line in _streams(text) if on_stderr).encode()
    error = subprocess.CalledProcessError(1, PIP_COMMAND, output=stdout, stderr=stderr)
    return f"subprocess.CalledProcessError: {error}\nstdout: {error.stdout!r}\nstderr: {error.stderr!r}\n"


def python_completed_process(text: str) -> str:
    """`print(subprocess.run(PIP_COMMAND, stdout=PIPE, stderr=STDOUT, text=True))`: both streams
    in one string, whose repr takes double quotes where pip's output holds a single one and no double."""
    return repr(subprocess.CompletedProcess(PIP_COMMAND, 1, stdout=text)) + "\n"


# Wrappers that put a prefix before every line: the line numbers stay those of the original.
PER_LINE: dict[str, Wrapper] = {
    "github-actions": _each_line(lambda index, line: f"2024-05-01T10:11:{index % 60:02d}.1234567Z "),
    "gitlab-timestamps": gitlab_timestamps,
    "jenkins-timestamper": _each_line(lambda index, line: f"[2024-05-01T10:11:{index % 60:02d}.123Z] "),
    "azure-pipelines": azure_pipelines,
    "buildkite": _each_line(lambda index, line: f"\x1b_bk;t={1714558272123 + index}\x07"),
    "buildkit": _each_line(lambda index, line: f"#12 {3 + index / 10:.3f} "),
    "buildkit-terminal": _each_line(lambda index, line: " => => # "),
    "compose": _each_line(lambda index, line: "web-1  | "),
    "kubectl-timestamps": _each_line(lambda index, line: f"2024-05-01T10:11:{index % 60:02d}.123456789Z "),
    "kubectl-prefix": _each_line(lambda index, line: "[pod/web-5d8f7b9c4-x2x7q/app] "),
    "journald": _each_line(lambda index, line: f"May 01 10:11:{index % 60:02d} build01 pip[2817]: "),
    "vagrant": _each_line(lambda index, line: "    default: "),
    "pdsh": _each_line(lambda index, line: "build01: "),
    "stream-tags": stream_tags,
    "teamcity": teamcity,
    "airflow": airflow_task,
    "python-logging": python_logging,
    "ray-runtime-env": ray_runtime_env,
}
# Wrappers that add lines before or after, or rewrite the log's lines.
FRAMING: dict[str, Wrapper] = {
    "docker-classic": framed(
        f"Step 4/6 : RUN {COMMAND}\n ---> Running in 0a1b2c3d4e5f\n",
        f"The command '/bin/sh -c {COMMAND}' returned a non-zero code: 1\n",
    ),
    "podman": framed(
        f"STEP 4/6: RUN {COMMAND}\n", f'Error: building at STEP "RUN {COMMAND}": while running runtime: exit status 1\n'
    ),
    "kaniko": framed(
        f"INFO[0004] RUN {COMMAND}\nINFO[0004] Cmd: /bin/sh\nINFO[0004] Running: [/bin/sh -c {COMMAND}]\n",
        "error building image: error building stage: failed to execute command: waiting for process to exit: "
        "exit status 1\n",
    ),
    "tox": framed(
        f"py311: commands[0]> {COMMAND}\n",
        f"py311: exit 1 (2.31 seconds) /home/user/project> {COMMAND} pid=2817\n"
        "  py311: FAIL code 1 (2.40=setup[0.09]+cmd[2.31] seconds)\n  evaluation failed :( (2.52 seconds)\n",
    ),
    "nox": framed(
        f"nox > Running session tests\nnox > {COMMAND}\n",
        f"nox > Command {COMMAND} failed with exit code 1\nnox > Session tests failed.\n",
    ),
    "pre-commit": framed(
        "install requirements.....................................................Failed\n- hook id: deps\n- exit code: 1\n\n",
        "",
    ),
    "make": framed(f"{COMMAND}\n", "make: *** [Makefile:4: install] Error 1\n"),
    "invoke": framed(f"\x1b[1;37m{COMMAND}\x1b[0m\n", ""),
    "circleci": framed(
        f"#!/bin/bash -eo pipefail\n{COMMAND}\n", "\nExited with code exit status 1\nCircleCI received exit code 1\n"
    ),
    "travis": framed(
        f"travis_fold:start:install.1\r\x1b[0Ktravis_time:start:0a1b2c3d\r\x1b[0K$ {COMMAND}\n",
        " travis_time:end:0a1b2c3d:start=1714558272123456789,finish=1714558275123456789,duration=3000000000"
        f'\r\x1b[0K \x1b[31;1mThe command "{COMMAND}" failed and exited with 1 during install.\x1b[0m\n\n'
        "Your build has been stopped.\n",
    ),
    "notebook": framed(f"!{COMMAND}\n", "Note: you may need to restart the kernel to use updated packages.\n"),
    "pycharm": framed(
        "/home/user/venv/bin/python -m pip install -r requirements.txt \n", "\nProcess finished with exit code 1\n"
    ),
    "vscode-python-output": vscode_python_output,
    "chef": chef,
    "salt": salt_cmd_run,
    "pipenv-install-error": pipenv_install_error,
    "powershell": powershell,
    "ansible-json": ansible_json,
    "ansible-verbose": ansible_verbose,
    "docker-json-file": json_lines("log"),
    "shipper-message": json_lines("message"),
    "journald-json": journal_json,
    "colours-as-carets": colours_shown_as_carets,
    "python-called-process-error": python_called_process_error,
    "python-completed-process": python_completed_process,
}


def smart_punctuation(text: str) -> str:
    """Quotes curled the way smart punctuation curls them as a log is retyped or pasted into a
    document: an opening quote after a blank or a bracket, a closing one elsewhere."""
    text = re.sub(r"(?:^|(?<=[\s(\[{]))'", "\u2018", text, flags=re.M).replace("'", "\u2019")
    return re.sub(r'(?:^|(?<=[\s(\[{]))"', "\u201c", text, flags=re.M).replace('"', "\u201d")


# Pastes whose characters a program replaced, line for line.
RETYPED: dict[str, Wrapper] = {
    "smart-punctuation": smart_punctuation,
    # Every blank a no-break space: how rich-text editors (mail, chat, wikis) keep a log's blanks.
    "no-break-spaces": lambda text: text.replace(" ", "\u00a0"),
    # Copied from a web page's HTML source (or a feed that escaped it).
    "html-source": html.escape,
    # Each line quoted as Markdown code on its own, as some reporters format a pasted log.
    "code-quoted-lines": lambda text: re.sub(r"(?m)^(.*\S.*)$", r"```\1```", text),
}
WRAPPERS: dict[str, Wrapper] = {**PER_LINE, **FRAMING, **RETYPED}
# Wrappers that print pip's stdout apart from its stderr, so the lines around an error change.
SEPARATES_STREAMS = {"ansible-json", "salt", "python-called-process-error", "pipenv-install-error"}


Part = tuple[str, int, int] | None


def _lines_between(lines: list[str], first: int, last: int) -> Part:
    return "\n".join(lines[first - 1 : last]) + "\n", first, last


def box_only(text: str) -> Part:
    """From a `× ... did not run successfully.` line to the end of its output block."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines, 1) if "did not run successfully" in line), None)
    if start is None:
        return None
    end = next((n for n in range(start, len(lines) + 1) if "[end of output]" in lines[n - 1]), start + 2)
    return _lines_between(lines, start, min(end, len(lines)))


def traceback_only(text: str) -> Part:
    """From the first `Traceback` line to the exception line that ends the last chained one."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines, 1) if line.lstrip().startswith("Traceback (most recent")), None)
    if start is None:
        return None
    indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
    end = start
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith("Traceback"):
            end = number
            if not line.lstrip().startswith("During handling") and not re.match(r"\s*The above exception", line):
                following = lines[number] if number < len(lines) else ""
                if not following.strip() or len(following) - len(following.lstrip()) <= indent:
                    break
    return _lines_between(lines, start, end)


def last_error_line(text: str) -> Part:
    lines = text.splitlines()
    numbers = [n for n, line in enumerate(lines, 1) if line.lstrip().startswith("ERROR:")]
    return _lines_between(lines, numbers[-1], numbers[-1]) if numbers else None


def markdown_tail(text: str) -> Part:
    """A fenced block that lost the log's first three lines."""
    lines = text.splitlines()
    if len(lines) < 5:
        return None
    return "Here is the error:\n```\n" + "\n".join(lines[3:]) + "\n```\n", 4, len(lines)


def chat_wrapped(text: str) -> Part:
    """Every long line broken at a word boundary near 70 characters, as chat clients do."""
    lines = text.splitlines()
    wrapped = []
    for line in lines:
        indent = line[: len(line) - len(line.lstrip())]
        pieces = textwrap.wrap(line, 70, subsequent_indent=indent, break_long_words=False, drop_whitespace=True)
        wrapped += pieces or [line]
    return "\n".join(wrapped) + "\n", 1, len(lines)


def retyped_in_lower_case(text: str) -> Part:
    """The last `ERROR:` line typed again by hand, all in lower case (a bug report's
    `they said /usr/bin/python3.7: no module named pip`)."""
    part = last_error_line(text)
    return part and (part[0].lower(), part[1], part[2])


def inline_code(text: str) -> Part:
    """The last `ERROR:` line quoted in a sentence as Markdown inline code."""
    part = last_error_line(text)
    return part and (f"pip install stops with `{part[0].strip()}` every time\n", part[1], part[2])


def bold_error_line(text: str) -> Part:
    """The last `ERROR:` line set in Markdown bold, as a reporter marks the line that matters."""
    part = last_error_line(text)
    return part and (f"**{part[0].strip()}**\n", part[1], part[2])


def bold_quoted_command(text: str) -> Part:
    """The last line that quotes a command in double quotes, the quote set in bold
    (`Command **"python setup.py egg_info"** failed ...`)."""
    lines = text.splitlines()
    numbers = [n for n, line in enumerate(lines, 1) if re.search(r'"[^"]+"', line)]
    if not numbers:
        return None
    bolded = re.sub(r'("[^"]+")', r"**\1**", lines[numbers[-1] - 1], count=1)
    return f"{bolded}\n", numbers[-1], numbers[-1]


def broken_at_colons(text: str, holding: str) -> str:
    """The log with the first line holding `holding` broken by hand after each colon and blank,
    every piece indented further (`Could not fetch URL ...: ` / `  There was a problem ...: `)."""
    lines = text.splitlines()
    number = next(n for n, line in enumerate(lines) if holding in line)
    indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
    pieces = lines[number].split(": ")
    broken = [f"{indent}{'  ' * depth}{piece.strip()}: " for depth, piece in enumerate(pieces[:-1])]
    lines[number : number + 1] = [*broken, indent + "  " * (len(pieces) - 1) + pieces[-1].strip()]
    return "\n".join(lines) + "\n"


PARTS: dict[str, Callable[[str], Part]] = {
    "box": box_only,
    "traceback": traceback_only,
    "last-error": last_error_line,
    "markdown-tail": markdown_tail,
    "chat-wrapped": chat_wrapped,
    "retyped-lower-case": retyped_in_lower_case,
    "inline-code": inline_code,
    "bold-error-line": bold_error_line,
    "bold-quoted-command": bold_quoted_command,
}
