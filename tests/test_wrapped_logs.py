"""Every captured failing pip log, passed on by each wrapper and cut into the parts people paste
(tests/logs/wrappers.py does both), is diagnosed as the log itself is: the same root cause, read
through the wrapper's prefix (same facts and excerpt), on the same lines where no line was added.
"""

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

from kb.catalogue import matcher_from_files
from kb.diagnosis import Diagnosis, Match, log_text, read_log, unescaping
from kb.diagnosis.ranking import wrapper_closure

LOGS = Path(settings.BASE_DIR) / "tests" / "logs"
sys.path.insert(0, str(LOGS))

import wrappers  # noqa: E402


@cache
def catalogue():
    return matcher_from_files(Path(settings.BASE_DIR) / "fixtures" / "entries")


def diagnose(text: str) -> Diagnosis:
    return catalogue()[0].diagnose(read_log(text.encode(), 10 * 1024 * 1024))


def failing_logs() -> list[Path]:
    """The oldest and the newest pip's log of each code: every form pip printed, in fewer runs."""
    logs = []
    for folder in sorted(path for path in LOGS.iterdir() if path.name.isupper() and path.is_dir()):
        captured = sorted(folder.glob("*.log"))
        logs += dict.fromkeys(captured[:1] + captured[-1:])
    return logs


@cache
def original(path: Path) -> tuple[str, Diagnosis]:
    text = path.read_text(encoding="utf-8")
    return text, diagnose(text)


def log_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def root(diagnosis: Diagnosis) -> Match:
    assert diagnosis.matches, "nothing found"
    return diagnosis.matches[0]


def logs_that_fail() -> list[Path]:
    return [log for log in failing_logs() if original(log)[1].failed]


def held_codes(full: Diagnosis, cut: wrappers.Part) -> set[str]:
    """The codes of the log's matches that lie whole inside a part of it."""
    return {match.code for match in full.matches if cut and match.lines[0] <= cut[2] and match.lines[1] >= cut[1]}


def parts_that_hold_a_match() -> list:
    """(log, part) for each part of a log that holds a whole match: only those can name one."""
    return [
        pytest.param(log, part, id=f"{log_id(log)}-{part}")
        for log in failing_logs()
        for part, cut_from in wrappers.PARTS.items()
        if held_codes(original(log)[1], cut_from(original(log)[0]))
    ]


# An old pip's output that is nothing but `Exception:` and a traceback, passed on by a program
# that logs or tags each line it relays, reads as that program's own traceback: nothing in a
# line says the traceback is pip's (its frames do, which the engine does not read for this).
STILL_UNREAD = {
    ("PIP_SEARCH_XMLRPC_FAILED/8.1.2-old.log", wrapper)
    for wrapper in ("python-logging", "ray-runtime-env", "vscode-python-output")
}


@pytest.mark.parametrize("log", logs_that_fail(), ids=log_id)
def test_a_wrapped_log_has_the_same_root_cause_read_through_the_prefix(log: Path) -> None:
    text, expected = original(log)
    wanted = root(expected)
    for wrapper, wrap in wrappers.WRAPPERS.items():
        diagnosis = diagnose(wrap(text))
        if (log_id(log), wrapper) in STILL_UNREAD:
            assert not diagnosis.matches or root(diagnosis).code != wanted.code, f"{wrapper} reads it now"
            continue
        found = root(diagnosis)
        assert (found.code, diagnosis.outcome) == (wanted.code, "failed"), wrapper
        if wrapper not in wrappers.SEPARATES_STREAMS:  # other lines come before the error there
            assert found.facts == wanted.facts, wrapper
        if wrapper in wrappers.PER_LINE or wrapper in wrappers.RETYPED:
            # The prefix is gone where a header of pip's shows it (a log without one keeps it),
            # and so is what a program replaced.
            assert found.excerpt.endswith(wanted.excerpt.strip()), wrapper
            assert found.lines == wanted.lines, wrapper


@pytest.mark.parametrize(("log", "part"), parts_that_hold_a_match())
def test_a_part_of_a_log_names_an_entry_it_holds_whole(log: Path, part: str) -> None:
    """The part's root cause is the log's, one the log shows within the part, or a more specific
    cause of one (a part may hold the line that names the cause without the wrapper around it)."""
    text, full = original(log)
    cut = wrappers.PARTS[part](text)
    held = held_codes(full, cut)
    found = root(diagnose(cut[0])).code
    explained = held | {root(full).code}
    assert found in explained or held & wrapper_closure(catalogue()[1]).get(found, set()), (found, held)


def test_json_lines_around_a_line_that_is_not_json_are_still_read() -> None:
    """A log shipper's lines are decoded together; one cut-off line among them must not stop it."""
    text, expected = original(LOGS / "PYTHON_H_MISSING" / "26.3.log")
    wrapped = wrappers.WRAPPERS["docker-json-file"](text).splitlines(keepends=True)
    wrapped.insert(len(wrapped) // 2, '{"log": "cut short by the shipper\\n", "stre}\n')
    diagnosis = diagnose("".join(wrapped))
    assert (root(diagnosis).code, root(diagnosis).facts) == (root(expected).code, root(expected).facts)


def shown_lines(diagnosis: Diagnosis) -> list[str]:
    return diagnosis.log.decode().split("\n")


def test_an_ansible_failure_shows_the_lines_pip_printed_once_under_the_task() -> None:
    """The result's `stdout` and `stderr` become pip's lines; `msg` and the `_lines` lists,
    which repeat them, add nothing."""
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    diagnosis = diagnose(wrappers.WRAPPERS["ansible-json"](text))
    printed = text.rstrip("\n").splitlines()  # pip's stdout, then its stderr: the order it printed them in
    task, recap = ["TASK [Install requirements] ****", "fatal: [web1]: FAILED! =>"], ["", "PLAY RECAP ****", ""]
    assert shown_lines(diagnosis) == task + printed + recap
    assert "DO NOT MATCH THE HASHES" in shown_lines(diagnosis)[root(diagnosis).lines[0] - 1]


def test_ansibles_result_cut_inside_pips_output_is_still_read() -> None:
    """A paste (or an excerpt) that ends inside the task's JSON, before its string closes: the
    output up to the cut is pip's lines, and their error is the answer."""
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    result = next(line for line in wrappers.WRAPPERS["ansible-json"](text).splitlines() if "FAILED! =>" in line)
    cut = result[: result.index("Got ") + len("Got        ") + 20]
    for pasted in (cut, cut + "\\"):  # the cut may fall inside an escape
        diagnosis = diagnose(f"TASK [Install requirements] ****\n{pasted}\n")
        assert (root(diagnosis).code, root(diagnosis).facts["expected_hash"]) == (
            root(expected).code,
            root(expected).facts["expected_hash"],
        )
        assert "DO NOT MATCH THE HASHES" in shown_lines(diagnosis)[root(diagnosis).lines[0] - 1]


def test_ansibles_verbose_result_shows_each_output_line_unquoted() -> None:
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    lines = shown_lines(diagnose(wrappers.WRAPPERS["ansible-verbose"](text)))
    result_keys = ["fatal: [web1]: FAILED! => {", '    "changed": false,', '    "rc": 1,']
    assert lines[: len(result_keys)] == result_keys
    output = lines[len(result_keys) :]
    printed = text.rstrip("\n").splitlines()
    assert output == [*printed, '    "stdout_lines": [', *printed, "", "    ]", "}", ""]


def test_a_paste_from_inside_ansibles_verbose_result_shows_its_first_line_unquoted_too() -> None:
    """People paste from the list of output lines down; the first of them is pip's line too."""
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    printed = text.rstrip("\n").splitlines()
    items = ",\n".join(f"        {json.dumps(line)}" for line in printed)
    lines = shown_lines(diagnose(f'{items}\n    ],\n    "stderr_lines": []\n}}\n'))
    assert lines == [*printed, "    ],", '    "stderr_lines": []', "}", ""]


def test_an_ansible_loop_shows_the_output_of_every_item() -> None:
    """A task with `loop:` fails with one result per item, in a `results` list."""
    first = (LOGS / "DEFAULTING_TO_USER_INSTALLATION" / "26.3.log").read_text(encoding="utf-8")
    second, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    results = [{"item": name, "rc": 1, "stdout": text} for name, text in (("base.txt", first), ("app.txt", second))]
    task = "fatal: [web1]: FAILED! => " + json.dumps({"msg": "One or more items failed", "results": results})
    diagnosis = diagnose(task + "\n")
    heading = ["fatal: [web1]: FAILED! =>", "One or more items failed"]
    assert shown_lines(diagnosis) == [*heading, *first.splitlines(), *second.rstrip("\n").splitlines(), ""]
    assert "DO NOT MATCH THE HASHES" in shown_lines(diagnosis)[root(diagnosis).lines[0] - 1]


def printed_to_the_last_blank() -> list[str]:
    """pip's lines with its error box's indented blank ones, and one that ends in a capital
    (the first of `pip install PyX`): an escaped line gives back every character of them."""
    text = (LOGS / "FAILED_TO_PREPARE_CANDIDATE" / "26.3.log").read_text(encoding="utf-8")
    assert "  " in text.splitlines()
    return ["Collecting PyX", *text.splitlines()]


def test_json_lines_show_each_line_as_pip_printed_it_blanks_and_all() -> None:
    printed = printed_to_the_last_blank()
    records = "".join(json.dumps({"log": line + "\n", "stream": "stderr"}) + "\n" for line in printed)
    assert shown_lines(diagnose(records)) == [*printed, ""]


def test_json_lines_cut_short_by_their_shipper_show_each_line_as_pip_printed_it() -> None:
    """A record cut short is no JSON; its string, escaped newline and all, is still decoded."""
    printed = printed_to_the_last_blank()
    cut = "".join(json.dumps({"log": line + "\n", "stream": "stderr"})[:-6] + "\n" for line in printed)
    shown = shown_lines(diagnose(cut))
    assert shown[:-1:2] == ['{"log": '] * len(printed)
    assert shown[1::2] == [f'{line}, "stream": "st' for line in printed]


@pytest.mark.parametrize(
    ("opening", "first_line_shown"), [('"log": "', '"log": '), ('"', None)], ids=["value", "string alone"]
)
def test_a_string_of_escaped_newlines_that_is_never_closed_is_read_once(opening: str, first_line_shown) -> None:
    """Read from each escape in it, a 120 KB line took hours: one pass each way it may be read. A
    key's value cut at the line's end is read as far as it goes (a paste cut inside Ansible's
    result); a string alone on its line is shown as it is."""
    line = opening + "\\n" * 60_000
    diagnosis = diagnose(f"{line}\nERROR: No matching distribution found for six==99\n")
    assert (shown_lines(diagnosis)[0], [match.code for match in diagnosis.matches]) == (
        first_line_shown or line,
        ["DISTRIBUTION_NOT_FOUND"],
    )


def test_ansibles_verbose_list_shows_each_line_as_pip_printed_it() -> None:
    printed = printed_to_the_last_blank()
    lines = shown_lines(diagnose(wrappers.WRAPPERS["ansible-verbose"]("\n".join(printed) + "\n")))
    assert lines[3:] == [*printed, '    "stdout_lines": [', *printed, "    ]", "}", ""]


def test_a_result_holding_only_the_lists_of_lines_shows_them() -> None:
    """Without the `stdout` string they repeat (a result trimmed to them), the list is read."""
    printed = printed_to_the_last_blank()
    result = json.dumps({"changed": False, "rc": 1, "stdout_lines": printed})
    assert shown_lines(diagnose(f"fatal: [web1]: FAILED! => {result}\n")) == ["fatal: [web1]: FAILED! =>", *printed, ""]


def test_a_quoted_line_that_is_no_json_string_is_shown_as_it_is() -> None:
    """Beside Ansible's keys, a line quoting a Windows path (`\\U` is no JSON escape) is left alone."""
    log = '    "stdout_lines": [\n        "C:\\Users\\me\\venv\\Scripts\\pip.exe"\n    ]\n'
    assert shown_lines(diagnose(log)) == log.split("\n")


def test_a_traceback_line_holding_only_a_quoted_argument_keeps_its_quotes() -> None:
    """Python 3.13 prints each argument of a call on a line of its own. Such a line is read as
    a JSON string only in a log that shows Ansible's keys; here it is the traceback's own."""
    text, expected = original(LOGS / "SETUPTOOLS_MISSING" / "25.3.log")
    assert '        "prepare_metadata_for_build_wheel",' in text.splitlines()
    assert (root(expected).code, shown_lines(expected)) == ("SETUPTOOLS_MISSING", text.split("\n"))


def test_docker_json_lines_with_extra_attributes_keep_their_line_numbers() -> None:
    """`docker run --log-opt labels=...` adds an `attrs` object to every line."""
    text, expected = original(LOGS / "PYTHON_H_MISSING" / "26.3.log")
    records = [json.loads(line) for line in wrappers.WRAPPERS["docker-json-file"](text).splitlines()]
    labelled = "".join(json.dumps({**record, "attrs": {"service": "web"}}) + "\n" for record in records)
    found = root(diagnose(labelled))
    assert (found.code, found.lines, found.facts) == (root(expected).code, root(expected).lines, root(expected).facts)
    pasted_below_a_blank_line = root(diagnose("\n" + labelled)).lines
    assert pasted_below_a_blank_line == (root(expected).lines[0] + 1, root(expected).lines[1] + 1)


def test_a_json_lines_log_without_a_final_newline_keeps_its_last_line() -> None:
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    shipped = wrappers.WRAPPERS["docker-json-file"](text.rstrip("\n") + "\n").rstrip("\n")
    found = root(diagnose(shipped))
    assert (found.code, found.lines, found.facts) == (root(expected).code, root(expected).lines, root(expected).facts)


def test_json_records_exported_as_an_array_on_windows_are_read() -> None:
    """A log viewer's export: one record a line inside `[...]`, each but the last ending in a comma."""
    text, expected = original(LOGS / "PYTHON_H_MISSING" / "26.3.log")
    records = wrappers.WRAPPERS["docker-json-file"](text).splitlines()
    exported = "[\r\n" + ",\r\n".join(records) + "\r\n]\r\n"
    found = root(diagnose(exported))
    wanted = root(expected)
    below_the_bracket = (wanted.lines[0] + 1, wanted.lines[1] + 1)
    assert (found.code, found.facts, found.lines) == (wanted.code, wanted.facts, below_the_bracket)


def test_json_lines_with_the_text_under_msg_keep_their_line_numbers() -> None:
    """`msg` is the key of Node's pino and bunyan, among other shippers."""
    text, expected = original(LOGS / "PYTHON_H_MISSING" / "26.3.log")
    found = root(diagnose(wrappers.json_lines("msg")(text)))
    assert (found.code, found.lines, found.facts) == (root(expected).code, root(expected).lines, root(expected).facts)


def test_text_after_a_json_record_on_its_line_is_still_shown() -> None:
    """Only a line that is one record, with blanks or a comma after it, is replaced by its text."""
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    records = wrappers.WRAPPERS["docker-json-file"](text).splitlines()
    records[0] += " (cut by the shipper)"
    assert "(cut by the shipper)" in diagnose("\n".join(records) + "\n").log.decode()


def test_a_json_line_holding_bytes_that_are_not_utf8_is_kept_and_the_rest_read() -> None:
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    records = wrappers.WRAPPERS["docker-json-file"](text).encode().splitlines()
    latin1 = '{"log": "Caf\xe9 au lait\\n", "stream": "stdout"}'.encode("latin-1")
    diagnosis = catalogue()[0].diagnose(read_log(b"\n".join([latin1, *records]) + b"\n", 10 * 1024 * 1024))
    assert diagnosis.log.splitlines()[0] == latin1
    assert (root(diagnosis).code, root(diagnosis).facts) == (root(expected).code, root(expected).facts)


def test_a_log_in_a_markdown_block_whose_first_line_is_blank_is_read_through_its_wrappers_prefix() -> None:
    """Pipenv's output, then pip's, behind Vagrant's machine name: the prefix of the block's first
    line that shows text is the whole log's, so pip's own error ends pipenv's output there too."""
    text = wrappers.WRAPPERS["vagrant"]((LOGS / "other-tools" / "24.0-pipenv-conflict.log").read_text(encoding="utf-8"))
    expected, quoted = diagnose(text), diagnose("```\n\n" + text + "```\n")
    assert (quoted.outcome, root(quoted).code, root(quoted).facts) == (
        "failed",
        "RESOLUTION_IMPOSSIBLE",
        root(expected).facts,
    )
    assert root(quoted).lines == (root(expected).lines[0] + 2, root(expected).lines[1] + 2)


def test_a_journal_holding_pips_coloured_lines_as_bytes_is_diagnosed_as_pip_printed_them() -> None:
    """`journalctl -o json` writes a message holding a control character (pip's colours, forced)
    as the values of its bytes."""
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3-colour.log")
    exported = wrappers.WRAPPERS["journald-json"](text)
    assert '"MESSAGE": [27, 91, 51, 49, 109, 69, 82, 82, 79, 82' in exported  # ESC [31m ERROR
    found = root(diagnose(exported))
    assert (found.code, found.lines, found.facts) == (root(expected).code, root(expected).lines, root(expected).facts)


@pytest.mark.parametrize("message", ["[27, 256]", "[-1]", "[1.5]", "[true]", '["E"]', "[[69]]", "[" + "9" * 5000 + "]"])
def test_a_journal_message_that_is_no_array_of_bytes_is_kept_as_it_is(message: str) -> None:
    record = f'{{"SYSLOG_IDENTIFIER": "pip", "MESSAGE": {message}}}'.encode()
    assert shown_log(record + b"\nERROR: Could not find a version that satisfies the requirement six\n")[0] == record


def test_a_journal_message_of_a_megabyte_of_bytes_reads_as_its_text() -> None:
    line = b"ERROR: Could not find a version that satisfies the requirement six " + b"x" * (1 << 20)
    record = b'{"MESSAGE": [' + b",".join(b"%d" % byte for byte in line) + b"]}\n"
    diagnosis = catalogue()[0].diagnose(read_log(b"Collecting six\n" + record, 10 * 1024 * 1024))
    assert diagnosis.log.splitlines() == [b"Collecting six", line]
    assert root(diagnosis).code == "DISTRIBUTION_NOT_FOUND"


def shown_log(log: bytes) -> list[bytes]:
    return catalogue()[0].diagnose(read_log(log, 1024 * 1024)).log.splitlines()


def test_the_output_of_each_item_of_an_ansible_loop_is_read() -> None:
    log = b'fatal: [web1]: FAILED! => {"results": [{"stderr": "ERROR: first"}, {"stderr": "ERROR: second"}]}\n'
    assert shown_log(log) == [b"fatal: [web1]: FAILED! =>", b"ERROR: first", b"ERROR: second"]


def test_a_record_followed_by_a_no_break_space_is_not_json_and_is_kept() -> None:
    """As json.loads: JSON's blanks are space, tab and line ends, not every Unicode space (the
    line is kept as a line, its no-break space then read as a blank)."""
    log = '{"log": "ERROR: x"}\u00a0\n'.encode()
    assert shown_log(log) == [b'{"log": "ERROR: x"} ']


def test_a_json_record_in_utf16_is_read_as_json_reads_bytes() -> None:
    """json.loads reads a record whose second byte is NUL as UTF-16; so does the unescaping."""
    record = '{"log": "\u227b ERROR: No matching distribution found for six\\n"}'.encode("utf-16-le")
    assert b'{"' in record  # U+227B is `{"` in UTF-16-LE: the mark of a JSON line
    diagnosis = catalogue()[0].diagnose(read_log(b"Collecting six\n" * 1000 + record + b"\n", 1024 * 1024))
    assert diagnosis.log.splitlines()[1000] == "\u227b ERROR: No matching distribution found for six".encode()


@pytest.mark.parametrize("surrogate", [b"\\ud800", b"\xed\xa0\x80"], ids=["escaped", "raw"])
def test_a_json_line_holding_a_lone_surrogate_keeps_its_bytes_and_the_rest_is_read(surrogate: bytes) -> None:
    """A shipper cutting a UTF-16 pair in two leaves half of it; the log is still diagnosed."""
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3.log")
    records = wrappers.WRAPPERS["docker-json-file"](text).encode().splitlines()
    cut = b'{"log": "half a pair: ' + surrogate + b'\\n", "stream": "stdout"}'
    diagnosis = catalogue()[0].diagnose(read_log(b"\n".join([cut, *records]) + b"\n", 10 * 1024 * 1024))
    assert diagnosis.log.splitlines()[0] == b"half a pair: \xed\xa0\x80"
    assert (root(diagnosis).code, root(diagnosis).facts) == (root(expected).code, root(expected).facts)


@pytest.mark.parametrize(
    ("log", "package", "names"),
    [
        ("HTTP_ERROR_WHILE_GETTING/26.3-sdist-url.log", "tinypkg", ("requirement", "url")),
        ("HASH_MISMATCH/26.3.log", "tinypkg", ("requirement", "url")),
        ("COMPILER_MISSING/23.3.2.log", "cext", ("package",)),
    ],
)
def test_half_a_surrogate_pair_inside_a_fact_shows_as_replacement_characters(
    log: str, package: str, names: tuple[str, ...]
) -> None:
    """The half pair's bytes reach the facts read from pip's lines: the requirement, the
    package's URL, the wheel being built. Each shows them as replacement characters; the
    diagnosis still answers."""
    text, expected = original(LOGS / log)
    cut = package[:2] + "\\ud800" + package[2:]
    records = wrappers.WRAPPERS["docker-json-file"](text).replace(package, cut)
    facts = root(catalogue()[0].diagnose(read_log(records.encode(), 10 * 1024 * 1024))).facts
    shown = package[:2] + "\ufffd" * 3 + package[2:]
    assert {name: facts[name] for name in names} == {
        name: root(expected).facts[name].replace(package, shown) for name in names
    }


@pytest.mark.parametrize("log", ["other-tools/24.0-pipenv-conflict.log", "COMPILER_MISSING/24.0-pipenv.log"])
def test_pips_error_ends_another_tools_output_behind_a_prefix_the_whole_log_carries(log: str) -> None:
    """pipenv's lines come first, then pip's error; a wrapper whose prefix is learned from pip's
    first header (Vagrant's machine, pdsh's host, VS Code's clock) prefixes pipenv's lines too."""
    text, expected = original(LOGS / log)
    for wrapper in ("vagrant", "pdsh", "vscode-python-output"):
        diagnosis = diagnose(wrappers.WRAPPERS[wrapper](text))
        found = (root(diagnosis).code, diagnosis.outcome, diagnosis.tool)
        assert found == (root(expected).code, "failed", "pip"), wrapper


def test_pips_output_logged_as_one_record_is_read_behind_the_prefix_of_every_line() -> None:
    """Ray's driver prefixes every line, and the record Ray logs pip's output in has its header
    on the first line only: the lines of pip's old traceback below still lose the prefix."""
    text, expected = original(LOGS / "CONNECTION_TIMEOUT" / "8.1.2-old.log")
    found = root(diagnose(wrappers.WRAPPERS["ray-runtime-env"](text)))
    assert (found.code, found.lines, found.facts) == (root(expected).code, root(expected).lines, root(expected).facts)


def test_a_traceback_a_program_logged_itself_is_not_read_as_pips() -> None:
    """A logger's record before pip's lines is a wrapper's prefix; before a traceback, which any
    program may log, it is that program's own record."""
    record = "2024-03-26 17:22:40,120 - app - ERROR - "
    log = (
        f"{record}Traceback (most recent call last):\n"
        f'{record}  File "/srv/app/report.py", line 12, in <module>\n'
        f"{record}requests.exceptions.SSLError: HTTPSConnectionPool(host='sentry.io', port=443): Max retries "
        "exceeded (Caused by SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'))\n"
        "ERROR: Could not find a version that satisfies the requirement sentry-sdk==99\n"
    )
    assert [match.code for match in diagnose(log).matches] == ["DISTRIBUTION_NOT_FOUND"]


@pytest.mark.parametrize("wrapper", sorted(wrappers.PER_LINE))
def test_a_secret_printed_below_a_command_is_removed_behind_every_wrappers_prefix(wrapper: str) -> None:
    log = wrappers.PER_LINE[wrapper]("$ gh auth token\ngho_printedSecret42\nCollecting six\n")
    shown = log_text(diagnose(log).log)
    assert "gho_printedSecret42" not in shown
    assert "gh auth token" in shown


def test_a_str_repr_shows_the_colours_it_escaped_and_leaves_a_windows_path_as_printed() -> None:
    """`print(subprocess.run(..., text=True))` on Windows: the ESC of pip's colours is `\\x1b` in the
    repr and read back; the interpreter's path, no output, keeps its `\\\\new-env` (no newline)."""
    text, expected = original(LOGS / "HASH_MISMATCH" / "26.3-colour.log")
    command = ["C:\\Users\\Zoë\\new-env\\Scripts\\python.exe", "-m", "pip", "install", "-r", "requirements.txt"]
    printed = repr(subprocess.CompletedProcess(command, 1, stdout=text))
    assert "\\x1b[31mERROR" in printed and "\\\\new-env" in printed
    diagnosis = diagnose(printed + "\n")
    head = printed[: printed.index("stdout=") + len("stdout=")]
    pip_lines = expected.log.decode().rstrip("\n").split("\n")  # without pip's colours, as the log shows them
    assert shown_lines(diagnosis) == [head, *pip_lines, ")", ""]
    assert (root(diagnosis).code, root(diagnosis).facts) == (root(expected).code, root(expected).facts)


def test_bytes_that_are_not_utf8_in_a_bytes_repr_are_shown_as_the_log_held_them() -> None:
    """pip on a Windows console in code page 1252 writes `é` as one byte; the repr shows `\\xe9`."""
    printed = b"Collecting caf\xe9\nERROR: No matching distribution found for caf\xe9\n"
    diagnosis = catalogue()[0].diagnose(read_log(f"stdout: {printed!r}\n".encode(), 1024 * 1024))
    assert diagnosis.log.split(b"\n") == [b"stdout: ", *printed.split(b"\n")]
    assert root(diagnosis).code == "DISTRIBUTION_NOT_FOUND"


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        ('"\\ud83d\\ude00 ERROR: x\\n"', "\U0001f600 ERROR: x".encode()),
        ("'\\ud83d\\ude00 ERROR: x\\n'", "\ud83d\ude00 ERROR: x".encode("utf-8", "surrogatepass")),
    ],
    ids=["json string", "python string"],
)
def test_a_string_json_and_python_read_apart_is_read_as_the_one_it_is(literal: str, text: bytes) -> None:
    """JSON joins a surrogate pair into one character; Python keeps its two halves, as the log's
    bytes. A string in double quotes without a prefix is JSON's where JSON reads it."""
    assert shown_log(f"output = [{literal}]\n".encode()) == [b"output = [", text, b"]"]


@pytest.mark.parametrize(
    "line",
    [
        "stderr: b'ERROR: Could not find a version\\nERROR: No matching distri",
        "stderr: r'ERROR: Could not find a version\\nERROR: No matching distribution found for six'",
        "stderr: b'ERROR: Could not find a version\\nERROR: No matching distribution found for six'\"",
        "stderr: b'ERROR: Could not find a version\\nERROR: No matching distribution found for six\\x4'",
        "pip's log ends\\nERROR: No matching distribution found for six' here",
    ],
    ids=["cut short", "raw", "running on into a quote", "escape cut short", "an apostrophe"],
)
def test_a_python_literal_that_does_not_read_as_pips_output_is_shown_as_it_is(line: str) -> None:
    assert shown_log(f"{line}\n".encode()) == [line.encode()]


def test_the_setup_py_command_pip_10_to_19_print_stays_one_line() -> None:
    """Its `.replace('\\r\\n', '\\n')` holds Python literals of escaped newlines that carry no output."""
    text = (LOGS / "LEGACY_INSTALL_FAILURE" / "18.1-old.log").read_text(encoding="utf-8")
    command = next(line for line in text.splitlines() if "failed with error code 1" in line)
    assert shown_log(f"{command}\n".encode()) == [command.encode()]


@pytest.mark.parametrize("spent_on", ["'\\n' ", '"k": "\\n" '], ids=["python literals", "json values"])
def test_a_log_past_its_budget_of_escaped_strings_shows_the_rest_as_printed(spent_on: str) -> None:
    """Each string costs microseconds: a 5 MB line of short ones is read up to the budget only."""
    budget = spent_on * unescaping._STRINGS_PER_LOG
    late = "stderr: b'ERROR: Could not find a version\\nERROR: No matching distribution found for six\\n'"
    assert shown_log(f"{budget}\n{late}\n".encode())[-1] == late.encode()
    assert shown_log(f"{late}\n".encode())[-1] == b"ERROR: No matching distribution found for six"


@pytest.mark.parametrize("pip", ["8.1.2", "9.0.3", "10.0.1", "18.1", "19.3.1"])
def test_an_old_pips_ssl_line_broken_by_hand_at_its_colons_still_names_the_certificate(pip: str) -> None:
    """A reporter's paste of pip 8 to 19's `Could not fetch URL ...: There was a problem confirming
    the ssl certificate: ...` with each piece on a line of its own, indented further."""
    text, _ = original(LOGS / "SSL_VERIFICATION_FAILED" / f"{pip}-old.log")
    broken = wrappers.broken_at_colons(text, "Could not fetch URL")
    assert re.search(r"\n {2,}There was a problem confirming the ssl certificate: \n", broken)
    assert root(diagnose(broken)).code == "SSL_VERIFICATION_FAILED"
