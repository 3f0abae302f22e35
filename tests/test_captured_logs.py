"""Every captured pip log (tests/logs/<CODE>/*.log, made by tests/logs/capture.py) is diagnosed
with its entry, clean and with the noise real logs carry; successful runs diagnose as no error.

The matcher here is built from the entry files themselves, as the app builds it from the rows
they load into, so a signature that stops recognising its own examples fails here.
"""

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.catalogue import engine_signatures, read_entry_files
from kb.diagnosis import Signature, test_signature
from kb.diagnosis.facts import record_facts
from kb.diagnosis.ranking import wrapper_closure
from kb.diagnosis.signatures import compile_signature
from kb.templatetags.kb_tags import fact_summary
from tests.logs import expect, wrappers
from tests.logs.expect import ENTRIES, LOGS, catalogue, diagnose


def hard_wrap(width: int) -> Callable[[str], str]:
    def wrap(text: str) -> str:
        lines = []
        for line in text.split("\n"):
            lines += [line[i : i + width] for i in range(0, len(line), width)] or [""]
        return "\n".join(lines)

    return wrap


def terminal_copy(width: int) -> Callable[[str], str]:
    """What a copy from a terminal `width` columns wide gives: the lines it shows cut every `width`
    columns, without the colours' escapes, which take none."""
    return lambda text: hard_wrap(width)(re.sub("\x1b\\[[0-9;]*m", "", text))


def ansi_colours(text: str) -> str:
    return re.sub(r"(?m)^(ERROR|WARNING|error|DEPRECATION)(.*)$", "\x1b[31m\\1\\2\x1b[0m", text)


def github_actions(text: str) -> str:
    return "\n".join(f"2024-05-01T10:11:{i % 60:02d}.1234567Z {line}" for i, line in enumerate(text.split("\n")))


def docker_buildkit(text: str) -> str:
    return "\n".join(f"#12 {4 + i / 10:.1f} {line}" for i, line in enumerate(text.split("\n")))


def windows_crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


NOISE = {
    "clean": lambda text: text,
    "wrapped-80": hard_wrap(80),
    "wrapped-120": hard_wrap(120),
    "ansi": ansi_colours,
    "github-actions": github_actions,
    "buildkit": docker_buildkit,
    "crlf": windows_crlf,
}


def captured_logs() -> list[Path]:
    entry_codes = {path.stem for path in ENTRIES.glob("*/*.md")}
    return sorted(path for path in LOGS.glob("*/*.log") if path.parent.name in entry_codes)


@pytest.mark.parametrize("noise", NOISE)
@pytest.mark.parametrize("log", captured_logs(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_captured_log_is_diagnosed_with_its_entry(log: Path, noise: str):
    code = log.parent.name
    _, refines = catalogue()
    diagnosis = diagnose(NOISE[noise](log.read_text(encoding="utf-8")))
    codes = [match.code for match in diagnosis.matches]
    assert code in codes, f"{code} not found; got {codes}"
    found = next(match for match in diagnosis.matches if match.code == code)
    if found.severity == "warning" and diagnosis.failed:
        return  # an error in the same log rightly outranks this warning
    root = codes[0]
    assert root == code or code in wrapper_closure(refines).get(root, ()), (
        f"root {root}, expected {code} or a cause of it"
    )


@pytest.mark.parametrize("log", sorted(LOGS.glob("success/*.log")), ids=lambda path: path.name)
def test_a_successful_run_has_no_error(log: Path):
    diagnosis = diagnose(log.read_text(encoding="utf-8"))
    errors = [match.code for match in diagnosis.matches if match.severity == "error"]
    assert errors == []
    assert not diagnosis.failed


EXPECTED = expect.expected()


@pytest.mark.parametrize("ending", ["as-captured", "no-final-newline"])
@pytest.mark.parametrize("log", expect.captured_logs(), ids=expect.log_name)
def test_a_captured_log_tells_the_reader_what_expected_json_says(log: Path, ending: str):
    text = log.read_text(encoding="utf-8")
    if ending == "no-final-newline":
        text = text.rstrip("\n")  # what a copy from a terminal usually gives
    assert expect.told(diagnose(text)) == EXPECTED[expect.log_name(log)]


def test_expected_json_names_only_captured_logs():
    assert sorted(EXPECTED) == [expect.log_name(log) for log in expect.captured_logs()]


def test_there_are_captured_logs_to_check():
    assert len(captured_logs()) >= 3


@pytest.mark.parametrize(
    ("log", "pip_range"),
    [
        ("CONNECTION_TIMEOUT/8.1.2-old.log", "8.0-9.0.3"),
        ("CONNECTION_TIMEOUT/10.0.1-old.log", "10.0.0-18.0"),
        ("CONNECTION_TIMEOUT/18.1-old.log", "18.1-"),
    ],
)
def test_an_old_pip_that_prints_no_version_is_dated_by_its_traceback(log: str, pip_range: str):
    diagnosis = diagnose((LOGS / log).read_text(encoding="utf-8"))
    assert diagnosis.facts["pip_range"] == pip_range
    assert diagnosis.pip_version is None
    assert [match.code for match in diagnosis.matches[:2]] == ["CONNECTION_TIMEOUT", "PIP_INTERNAL_EXCEPTION"]


@pytest.mark.parametrize(
    "log",
    [
        "BUILD_DEPENDENCIES_INSTALL_FAILED/21.3.1-dependency-build.log",
        "BUILD_DEPENDENCIES_INSTALL_FAILED/26.3-dependency-build.log",
    ],
)
def test_a_build_dependencys_failed_wheel_build_pasted_from_its_end_names_the_build_dependencies(log: str):
    """The end of a log where a build requirement did not compile: pip's wheel-build summaries
    inside the build dependencies' install are that install's, which is what failed."""
    lines = read(log).splitlines()
    start = next(number for number, line in enumerate(lines) if "Failed building wheel for brokenbuild" in line)
    assert diagnose("\n".join(lines[start:]) + "\n").matches[0].code == "BUILD_DEPENDENCIES_INSTALL_FAILED"


def test_a_build_tool_failing_as_a_process_is_the_cause_even_alone():
    text = (LOGS / "CMAKE_FAILED" / "26.3-process.log").read_text(encoding="utf-8")
    process_line = next(line for line in text.splitlines() if "CalledProcessError: Command" in line)
    assert diagnose(text).matches[0].code == "CMAKE_FAILED"
    assert diagnose(process_line + "\n").matches[0].code == "CMAKE_FAILED"


@pytest.mark.parametrize(
    ("log", "holding", "code"),
    [
        (
            "WHEEL_COMMAND_BUILD_FAILED/24.0.log",
            "(pyproject.toml): finished with status 'error'",
            "FAILED_BUILDING_WHEEL",
        ),
        ("COMPILER_MISSING/20.3.4.log", "(PEP 517): finished with status 'error'", "FAILED_BUILDING_WHEEL"),
        (
            "METADATA_GENERATION_FAILED/22.3.1-egg-info.log",
            "finished with status 'error'",
            "METADATA_GENERATION_FAILED",
        ),
        ("LEGACY_INSTALL_FAILURE/20.3.4.log", "finished with status 'error'", "LEGACY_INSTALL_FAILURE"),
        ("LEGACY_INSTALL_FAILURE/18.1-old.log", "failed with error code 1", "LEGACY_INSTALL_FAILURE"),
        ("FAILED_BUILDING_WHEEL/10.0.1-old.log", "bdist_wheel for legacyfail: finished", "FAILED_BUILDING_WHEEL"),
        ("METADATA_GENERATION_FAILED/18.1-old-egg-info.log", "Complete output from", "METADATA_GENERATION_FAILED"),
        ("METADATA_GENERATION_FAILED/24.0-pip-compile.log", "MetadataGenerationFailed:", "METADATA_GENERATION_FAILED"),
        ("RUST_TOOLCHAIN_MISSING/26.3.log", "try installing a Rust compiler", "RUST_TOOLCHAIN_MISSING"),
        (
            "RUST_TOOLCHAIN_MISSING/26.3-build-script.log",
            "No such file or directory: 'rustc'",
            "RUST_TOOLCHAIN_MISSING",
        ),
        ("HASH_MISMATCH/26.3.log", "Got        ", "HASH_MISMATCH"),
        ("COMPILER_MISSING/26.3-meson.log", "Running `gcc --version` gave", "COMPILER_MISSING"),
        ("SYSTEM_HEADER_MISSING/26.3-pycurl.log", "Could not run curl-config", "SYSTEM_HEADER_MISSING"),
        ("SYSTEM_HEADER_MISSING/26.3-pycurl.log", "directory: 'curl-config'", "SYSTEM_HEADER_MISSING"),
        ("FAILED_BUILDING_WHEEL/18.1-old.log", "bdist_wheel -d ", "FAILED_BUILDING_WHEEL"),
        ("LEGACY_INSTALL_FAILURE/18.1-old.log", "Complete output from command", "LEGACY_INSTALL_FAILURE"),
        (
            "SUBPROCESS_EXITED_WITH_ERROR/25.0.1-build-requires.log",
            "wheel: finished with",
            "SUBPROCESS_EXITED_WITH_ERROR",
        ),
        ("BAD_COMMAND/8.1.2-old.log", "while executing command git", "BAD_COMMAND"),
        ("PIP_COMMAND_NOT_FOUND/24.0-ansible.log", '"msg": "Unable to find any of', "PIP_COMMAND_NOT_FOUND"),
        ("RUST_TOOLCHAIN_MISSING/10.0.1-old-setuptools-rust.log", "Can not find Rust", "RUST_TOOLCHAIN_MISSING"),
        ("BUILD_TOOL_FAILED/26.3-scikit-build.log", "error occurred while building with", "BUILD_TOOL_FAILED"),
        ("CMAKE_FAILED/23.3.2-scikit-build.log", "error occurred while configuring with", "CMAKE_FAILED"),
        ("BAD_COMMAND/26.3.log", "while executing command git", "BAD_COMMAND"),
        ("INVALID_REQUIREMENT/8.1.2-old.log", "parse error at", "INVALID_REQUIREMENT"),
        (
            "BUILD_DEPENDENCIES_INSTALL_FAILED/23.3.2-backend.log",
            "install backend dependencies did not",
            "BUILD_DEPENDENCIES_INSTALL_FAILED",
        ),
        ("SYSTEM_HEADER_MISSING/24.0-pillow.log", "could not be found for zlib", "SYSTEM_HEADER_MISSING"),
        ("SYSTEM_HEADER_MISSING/26.3-autoconf.log", "Package requirements (dbus-1", "SYSTEM_HEADER_MISSING"),
        ("COMPILER_MISSING/26.3-autoconf.log", "no acceptable C compiler", "COMPILER_MISSING"),
        ("OS_ERROR_INSTALL/23.3.2-cannot-start-build.log", "while executing command", "OS_ERROR_INSTALL"),
        ("SYSTEM_HEADER_MISSING/26.3-autoconf.log", "CalledProcessError: Command", "BUILD_TOOL_FAILED"),
        ("COMPILER_MISSING/20.3.4-numpy-distutils.log", "RuntimeError: Broken toolchain", "COMPILER_MISSING"),
        ("PYTHON_H_MISSING/20.3.4-numpy-distutils.log", "SystemError: Cannot compile", "PYTHON_H_MISSING"),
        ("BUILD_TOOL_FAILED/26.3-meson-build-file.log", "ERROR: Argument is of an", "BUILD_TOOL_FAILED"),
        ("PROXY_CONNECTION_FAILED/21.3.1-socks.log", "SOCKS support", "PROXY_CONNECTION_FAILED"),
        ("EXTERNALLY_MANAGED_ENVIRONMENT/26.3.log", "hint: See PEP 668", "EXTERNALLY_MANAGED_ENVIRONMENT"),
        (
            "EXTERNALLY_MANAGED_ENVIRONMENT/24.0.log",
            "by passing --break-system-packages",
            "EXTERNALLY_MANAGED_ENVIRONMENT",
        ),
        (
            "UNSUPPORTED_PYTHON_VERSION/26.3-build-too-old.log",
            "no attribute 'ImpImporter'",
            "UNSUPPORTED_PYTHON_VERSION",
        ),
        (
            "UNSUPPORTED_PYTHON_VERSION/26.3-build-too-old-distutils.log",
            "No module named 'distutils'",
            "UNSUPPORTED_PYTHON_VERSION",
        ),
        ("OS_ERROR_INSTALL/21.3.1-legacy-permission-denied.log", "error: [Errno 13] Permission", "OS_ERROR_INSTALL"),
        ("RUST_TOOLCHAIN_MISSING/26.3-rust-version.log", "This package requires Rust", "RUST_TOOLCHAIN_MISSING"),
        ("CONNECTION_TIMEOUT/20.3.4-download.log", "socket.timeout: timed out", "CONNECTION_TIMEOUT"),
        ("CONNECTION_TIMEOUT/25.0.1-download.log", "TimeoutError: timed out", "CONNECTION_TIMEOUT"),
        ("PKG_RESOURCES_REMOVED/24.0.log", "No module named 'pkg_resources'", "PKG_RESOURCES_REMOVED"),
        (
            "UNSUPPORTED_PYTHON_VERSION/23.3.2-setup-py-guard.log",
            "RuntimeError: Cannot install on Python",
            "UNSUPPORTED_PYTHON_VERSION",
        ),
        ("COMPILER_MISSING/23.3.2-no-cc1plus.log", "cannot execute", "COMPILER_MISSING"),
        ("SYSTEM_HEADER_MISSING/23.3.2-library.log", "cannot find -lz", "SYSTEM_HEADER_MISSING"),
    ],
)
def test_a_line_that_names_its_cause_is_an_answer_pasted_alone(log: str, holding: str, code: str):
    """What people paste when they keep one line: a step's progress line in a log that is not a
    terminal's, the last line of a traceback, the advice or the hashes under an error."""
    line = next(line for line in read(log).splitlines() if holding in line)
    diagnosis = diagnose(line + "\n")
    assert diagnosis.matches[0].code == code
    assert diagnosis.outcome == "failed"


@pytest.mark.parametrize("log", ["HTTP_401_CREDENTIALS/9.0.3-prompt.log", "HTTP_401_CREDENTIALS/26.3-prompt.log"])
def test_an_unanswered_prompt_for_an_index_user_is_the_401_not_a_crash_of_pips(log: str):
    """Where nothing answers pip's `User for host:` (CI, a container build), pip ends in an
    EOFError traceback, printed on the prompt's line by newer pips: the cause is the index's 401.
    The prompt alone is a 401 too, as a warning: someone may have answered it."""
    text = read(log)
    root = diagnose(text).matches[0]
    assert (root.code, root.facts.get("host")) == ("HTTP_401_CREDENTIALS", "127.0.0.1:8401")
    prompt = next(line for line in text.splitlines() if line.startswith("User for "))
    alone = diagnose(prompt.removesuffix("ERROR: Exception:") + "\n")
    assert (alone.matches[0].code, alone.outcome) == ("HTTP_401_CREDENTIALS", "warnings")


def test_the_second_line_of_the_invalid_metadata_warning_pasted_alone_is_that_warning():
    """`Requested X from URL has invalid metadata: ...` without pip's `ERROR: ` is the line under
    `Ignoring version ...`, not pip refusing a requirement it was given."""
    text = read("IGNORING_INVALID_METADATA_VERSION/26.3.log")
    line = next(line for line in text.splitlines() if line.startswith("Requested "))
    diagnosis = diagnose(line + "\n")
    assert [match.code for match in diagnosis.matches] == ["IGNORING_INVALID_METADATA_VERSION"]
    assert diagnosis.outcome == "warnings"


def test_psycopg2s_line_cut_before_its_last_word_still_names_the_missing_pg_config():
    """A paste cut at a chat window's width keeps `Error: pg_config executable not`."""
    text = read("PG_CONFIG_MISSING/26.3.log")
    cut = text[: text.index("pg_config executable not") + len("pg_config executable not")]
    assert diagnose(cut + "\n").matches[0].code == "PG_CONFIG_MISSING"


def test_pip_8s_requirement_parse_error_is_not_taken_for_an_installed_packages_bad_metadata():
    """Packaging's old `Invalid requirement, parse error at` comes from a requirement given to
    pip; the newer packaging that rejects installed packages' metadata words its errors otherwise."""
    last_line = read("INVALID_REQUIREMENT/8.1.2-old.log").rstrip().splitlines()[-1]
    assert [match.code for match in diagnose(last_line + "\n").matches] == ["INVALID_REQUIREMENT"]
    installed = read("INVALID_INSTALLED_PACKAGE/24.2-requirement.log")
    assert diagnose(installed).matches[0].code == "INVALID_INSTALLED_PACKAGE"


@pytest.mark.parametrize(
    ("log", "lines"),
    [
        ("UNSUPPORTED_PYTHON_VERSION/20.3.4-pip-too-old.log", 2),
        ("UNSUPPORTED_PYTHON_VERSION/21.3.1-pip-too-old.log", 2),
        ("REQUIREMENTS_FILE_DECODE_FALLBACK/20.3.4-old-utf8-locale.log", 3),
        ("REQUIREMENTS_FILE_DECODE_FALLBACK/23.3.2-old-utf8-locale.log", 4),
    ],
)
def test_the_end_of_a_traceback_names_its_cause_without_the_lines_above(log: str, lines: int):
    """The last frame, inside pip, and the error under it: what a paste of a pip that cannot load
    itself on Python 3.12, or cannot decode a requirements file, keeps."""
    end = read(log).rstrip().splitlines()[-lines:]
    assert "  File " in end[0]
    assert diagnose("\n".join(end) + "\n").matches[0].code == log.split("/")[0]


def test_a_read_timeouts_message_quoted_without_its_name_is_a_timeout():
    last_line = read("CONNECTION_TIMEOUT/18.1-old.log").splitlines()[-1]
    message = last_line.split("ReadTimeoutError: ", 1)[1]
    root = diagnose(message + "\n").matches[0]
    assert (root.code, root.facts["index_host"]) == ("CONNECTION_TIMEOUT", "127.0.0.1")


def test_a_log_cut_while_pip_retries_puts_the_retried_error_before_earlier_notices():
    """pip 20.3.4's notice for Python 2.7, then its retry warnings, cut before pip gave up: the
    retries are what the reader needs, not the notice printed first."""
    notice = read("PYTHON2_EOL_DEPRECATION/20.3.4.log").splitlines()[0]
    retries = [line for line in read("CONNECTION_FAILED/20.3.4.log").splitlines() if "Retrying (Retry(" in line]
    diagnosis = diagnose("\n".join([notice, *retries]) + "\n")
    assert diagnosis.outcome == "warnings"
    assert [match.code for match in diagnosis.matches[:2]] == ["CONNECTION_FAILED", "PYTHON2_EOL_DEPRECATION"]


def test_pips_retries_under_a_step_that_runs_pip_then_pipenv_are_pips_warnings():
    """BuildKit's terminal view of a step that runs pip, then pipenv, cut while pip retries: the
    step's line names pipenv, but the retries are pip's, outside pipenv's output."""
    retries = [line for line in read("CONNECTION_FAILED/26.3.log").splitlines() if "Retrying (Retry(" in line]
    step = " => [4/4] RUN pip install tinypkg && pipenv sync"
    diagnosis = diagnose("\n".join([step, *(f" => => # {line}" for line in retries)]) + "\n")
    assert (diagnosis.outcome, diagnosis.matches[0].code) == ("warnings", "CONNECTION_FAILED")


@pytest.mark.parametrize(
    "record",
    [
        "Looking in indexes: http://127.0.0.1:8080/simple\nERROR: No matching distribution found for tinypkg\n",
        "pip install -i http://127.0.0.1:8080/simple tinypkg\nERROR: No matching distribution found for tinypkg\n",
    ],
)
def test_where_pip_was_told_to_look_is_no_url_that_failed_even_at_a_records_first_byte(record: str):
    """The index pip announces (its first line of output) or a short command's `-i URL`."""
    assert "url" not in record_facts(record.encode())


@pytest.mark.parametrize("pip", ["20.3.4", "26.3"])
def test_the_warning_that_python_has_no_ssl_does_not_outrank_a_failure_it_did_not_cause(pip: str):
    """pip warns that its Python lacks the ssl module before it does anything; a run that then fails
    for another reason (a requirements file that is not there) fails for that reason, the warning after."""
    warning = next(line for line in read(f"SSL_MISSING/{pip}.log").splitlines() if "ssl module in Python" in line)
    diagnosis = diagnose(warning + "\n" + read(f"REQUIREMENTS_FILE_NOT_FOUND/{pip}.log"))
    assert [match.code for match in diagnosis.matches] == ["REQUIREMENTS_FILE_NOT_FOUND", "SSL_MISSING"]


def test_retries_pip_got_past_do_not_outrank_the_error_that_failed_it():
    """Two retry warnings (pip 26.3's, for an index that did not answer at first), then a build that
    fails for want of a compiler: the retries count only if pip failed, and they did not fail it."""
    retries = [line for line in read("CONNECTION_FAILED/26.3.log").splitlines() if "Retrying (Retry(" in line][:2]
    diagnosis = diagnose("\n".join(retries) + "\n" + read("COMPILER_MISSING/26.3.log"))
    assert diagnosis.outcome == "failed"
    codes = [match.code for match in diagnosis.matches]
    assert codes[0] == "COMPILER_MISSING"
    assert codes.index("CONNECTION_FAILED") < codes.index("RETRYING_CONNECTION")  # still an error, before warnings


@pytest.mark.parametrize(
    "log", ["BUILD_DEPENDENCIES_INSTALL_FAILED/26.3.log", "BUILD_DEPENDENCIES_INSTALL_FAILED/23.3.2-backend.log"]
)
def test_the_indexes_pip_looks_in_and_the_files_it_downloaded_are_no_url_that_failed(log: str):
    root = diagnose(read(log)).matches[0]
    assert root.code == "BUILD_DEPENDENCIES_INSTALL_FAILED"
    assert "url" not in root.facts


def test_the_two_lines_pip_20_prints_for_a_failed_build_environment_name_it_and_no_index_as_the_url():
    """`ERROR: Command errored out with exit status 1:` and the ` command:` line under it, pasted alone:
    the command installs build dependencies; the index it was given (`-i URL`) is no URL that failed."""
    lines = read("BUILD_DEPENDENCIES_INSTALL_FAILED/20.3.4.log").splitlines()
    start = next(number for number, line in enumerate(lines) if "Command errored out with exit status 1:" in line)
    assert " -i http" in lines[start + 1]
    root = diagnose("\n".join(lines[start : start + 2]) + "\n").matches[0]
    assert root.code == "BUILD_DEPENDENCIES_INSTALL_FAILED"
    assert "url" not in root.facts


# glibc's "No such file or directory" in its message catalogues (libc.mo of glibc 2.36), which gcc
# prints after a missing header's name on a machine set to that language.
NO_SUCH_FILE = {
    "fr": "Aucun fichier ou dossier de ce type",
    "de": "Datei oder Verzeichnis nicht gefunden",
    "es": "No existe el fichero o el directorio",
    "pt_BR": "Arquivo ou diretório inexistente",
    "ru": "Нет такого файла или каталога",
    "zh_CN": "没有那个文件或目录",
    "ja": "そのようなファイルやディレクトリはありません",
}


# What gcc 12.2 prints for a missing Python.h under each language it is translated to (Debian's
# gcc-12-locales, LANGUAGE=<language>): its own words and glibc 2.36's, in the language.
GCC_MISSING_HEADER = {
    "da": "fatal fejl: {header}: Ingen sådan fil eller filkatalog",
    "de": "schwerwiegender Fehler: {header}: Datei oder Verzeichnis nicht gefunden",
    "el": "μοιραίο σφάλμα: {header}: Δεν υπάρχει τέτοιο αρχείο ή κατάλογος",
    "es": "error fatal: {header}: No existe el fichero o el directorio",
    "fi": "vakava virhe: {header}: Tiedostoa tai hakemistoa ei ole",
    "fr": "erreur fatale: {header} : Aucun fichier ou dossier de ce type",
    "hr": "fatalna greška: {header}: Nema takve datoteke ili direktorija",
    "ja": "致命的エラー: {header}: そのようなファイルやディレクトリはありません",
    "nl": "fatale fout: {header}: Bestand of map bestaat niet",
    "ru": "фатальная ошибка: {header}: Нет такого файла или каталога",
    "sr": "кобна грешка: {header}: Нема такве датотеке или директоријума",
    "sv": "ödesdigert fel: {header}: Filen eller katalogen finns inte",
    "tr": "ölümcül hata: {header}: Böyle bir dosya ya da dizin yok",
    "uk": "критична помилка: {header}: Немає такого файла або каталогу",
    "vi": "lỗi nghiêm trọng: {header}: Không có tập tin hoặc thư mục như vậy",
    "zh_CN": "致命错误：{header}：没有那个文件或目录",
    "zh_TW": "嚴重錯誤：{header}：沒有此一檔案或目錄",
}


@pytest.mark.parametrize("language", GCC_MISSING_HEADER)
def test_a_missing_python_h_is_named_when_gcc_speaks_the_machines_language(language: str):
    english = "fatal error: Python.h: No such file or directory"
    log = read("PYTHON_H_MISSING/26.3.log")
    assert english in log
    root = diagnose(log.replace(english, GCC_MISSING_HEADER[language].format(header="Python.h"))).matches[0]
    assert root.code == "PYTHON_H_MISSING"


@pytest.mark.parametrize("language", NO_SUCH_FILE)
@pytest.mark.parametrize(
    ("log", "file"), [("PYTHON_H_MISSING/26.3.log", None), ("SYSTEM_HEADER_MISSING/26.3.log", "portaudio.h")]
)
def test_a_missing_header_is_named_in_the_machines_language(log: str, file: str | None, language: str):
    root = diagnose(read(log).replace("No such file or directory", NO_SUCH_FILE[language])).matches[0]
    assert root.code == log.split("/")[0]
    assert root.facts.get("file") == file


@pytest.mark.parametrize("log", ["RESOLUTION_IMPOSSIBLE/20.3.4.log", "RESOLUTION_IMPOSSIBLE/25.3.log"])
def test_the_conflict_block_pasted_alone_is_a_resolution_conflict_with_who_requires_what(log: str):
    lines = read(log).splitlines()
    start = lines.index("The conflict is caused by:")
    end = lines.index("", start)
    root = diagnose("\n".join(lines[start:end]) + "\n").matches[0]
    assert root.code == "RESOLUTION_IMPOSSIBLE"
    assert [line.strip() for line in root.facts["conflict"].splitlines()] == [
        line.strip() for line in lines[start + 1 : end]
    ]


def test_the_rust_advice_names_its_cause_without_taking_rustups_address_for_a_url_that_failed():
    text = read("RUST_TOOLCHAIN_MISSING/26.3.log")
    advice = next(line for line in text.splitlines() if "(available at https://rustup.rs)" in line)
    for log in (text, advice + "\n"):
        root = diagnose(log).matches[0]
        assert (root.code, root.facts.get("url")) == ("RUST_TOOLCHAIN_MISSING", None)


def test_a_configuration_file_in_a_folder_with_a_space_is_named_whole():
    # macOS keeps pip.conf in "~/Library/Application Support/pip"; pip 9 prints the path unquoted.
    text = read("CONFIGURATION_FILE_COULD_NOT_BE_LOADED/9.0.3-old.log")
    folder = "/Users/user/Library/Application Support/pip"
    diagnosis = diagnose(text.replace("/home/user/project", folder))
    assert diagnosis.matches[0].code == "CONFIGURATION_FILE_COULD_NOT_BE_LOADED"
    assert diagnosis.matches[0].facts["file"] == f"{folder}/pip.conf"


def test_a_retry_an_80_column_terminal_wrapped_ends_where_the_next_retry_starts():
    # pip 10's retries are indented two columns: the next one does not continue the one above.
    text = hard_wrap(80)((LOGS / "SSL_VERIFICATION_FAILED" / "10.0.1-old.log").read_text(encoding="utf-8"))
    lines = {match.code: match.lines for match in diagnose(text).matches}
    assert lines["SSL_VERIFICATION_FAILED"] == (3, 5)


@pytest.mark.parametrize("log", ["CONNECTION_FAILED/20.3.4.log", "CONNECTION_FAILED/26.3.log"])
def test_retries_a_mail_client_wrapped_at_72_columns_still_name_their_cause(log: str):
    # The break falls before the quote that ends the cause's literal, so no line holds it whole:
    # the retry's regex starts a line above the piece of the literal that ends a line.
    retries = [line for line in read(log).splitlines() if "Retrying (Retry(" in line]
    wrapped = "\n".join(piece for line in retries for piece in textwrap.wrap(line, 72, break_long_words=False))
    codes = [match.code for match in diagnose(wrapped + "\n").matches]
    assert codes[0] == "CONNECTION_FAILED", codes


@pytest.mark.parametrize("log", ["CONNECTION_FAILED/10.0.1-old.log", "CONNECTION_FAILED/18.1-old.log"])
def test_a_retry_a_120_column_terminal_wrapped_ends_before_the_next_retry_however_short_its_last_line(log: str):
    # The retry's third line is 53 columns: with the next `  Retrying (Retry(` it would pass for a wrap.
    lines = {match.code: match.lines for match in diagnose(hard_wrap(120)(read(log))).matches}
    assert lines["CONNECTION_FAILED"] == (3, 5)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("log", sorted(path.name for path in (LOGS / "HASH_MISMATCH").glob("*.log")))
def test_a_hash_mismatch_a_terminal_wrapped_names_the_package_its_url_and_both_hashes_whole(log: str, width: int):
    # At 120 columns the terminal cuts the requirement's line inside the hash of its URL, before
    # `(from -r ...):`; at 80, the lines of the expected and the downloaded hash too.
    text = read(f"HASH_MISMATCH/{log}")
    wanted = diagnose(text).matches[0].facts
    found = next(match for match in diagnose(terminal_copy(width)(text)).matches if match.code == "HASH_MISMATCH")
    shown = ("package", "version", "requirement", "url", "expected_hash", "actual_hash")
    assert {name: found.facts.get(name) for name in shown} == {name: wanted[name] for name in shown}


# The logs whose facts a terminal's cut still hides, and why.
CUT_INTO_TOO_MANY_LINES = "the line that names the URL is cut into more lines than a wrap is joined for"
CUT_ONCE = (
    "only one line is cut, in two, and nothing near it is as wide: it reads as well as pip's last line "
    "and a line of the program that ran pip, which are never joined"
)
CUT_AT_A_BOX_MARK = (
    "the cut line opens rich's `×` box, which cleaning takes off: its first piece reads narrower "
    "than the pieces under it, so they are not joined"
)
FACTS_STILL_CUT = {
    ("BUILD_DEPENDENCIES_INSTALL_FAILED/20.3.4.log", 80): CUT_INTO_TOO_MANY_LINES,
    ("BUILD_DEPENDENCIES_INSTALL_FAILED/21.3.1.log", 80): CUT_INTO_TOO_MANY_LINES,
    ("BUILD_DEPENDENCIES_INSTALL_FAILED/21.3.1-backend.log", 80): CUT_INTO_TOO_MANY_LINES,
    ("BUILD_DEPENDENCIES_INSTALL_FAILED/21.3.1-dependency-build.log", 80): CUT_INTO_TOO_MANY_LINES,
    ("BAD_COMMAND/10.0.1-old.log", 120): CUT_ONCE,
    ("BAD_COMMAND/19.3.1-old.log", 120): CUT_ONCE,
    **{
        (expect.log_name(log), 80): CUT_INTO_TOO_MANY_LINES
        for log in (LOGS / "SIDECAR_METADATA_INCONSISTENT").glob("*.log")
    },
    **{(expect.log_name(log), 80): CUT_ONCE for log in (LOGS / "NETWORK_CONNECTION_ERROR").glob("*.log")},
    # (not the pylock.toml capture, whose facts read whole at 120 columns)
    **{
        (expect.log_name(log), 120): CUT_ONCE
        for log in (LOGS / "HASH_UNPINNED").glob("*.log")
        if "pylock" not in log.name
    },
    ("VCS_HASH_UNSUPPORTED/25.0.1.log", 120): CUT_ONCE,
    ("VCS_HASH_UNSUPPORTED/25.3.log", 120): CUT_ONCE,
    **{
        (expect.log_name(log), 80): CUT_AT_A_BOX_MARK
        for log in (LOGS / "FAILED_BUILD_DEPENDENCY_INSTALL").glob("*.log")
    },
    **{(expect.log_name(log), 120): CUT_ONCE for log in (LOGS / "FAILED_BUILD_DEPENDENCY_INSTALL").glob("*.log")},
    **{(expect.log_name(log), 120): CUT_ONCE for log in (LOGS / "IGNORING_INVALID_METADATA_VERSION").glob("*.log")},
    **{(expect.log_name(log), 80): CUT_ONCE for log in (LOGS / "ERROR_PARSING_DEPENDENCIES").glob("*.log")},
    ("ARCHIVE_PATH_TRAVERSAL/24.1.2.log", 120): CUT_ONCE,
    ("ARCHIVE_PATH_TRAVERSAL/26.3.log", 120): CUT_ONCE,
    **{(expect.log_name(log), 80): CUT_ONCE for log in (LOGS / "CANNOT_REMOVE_PTH_ENTRIES").glob("*.log")},
}


def at_terminal_widths() -> list:
    params = []
    for log in expect.captured_logs():
        for width in (80, 120):
            reason = FACTS_STILL_CUT.get((expect.log_name(log), width))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(log, width, id=f"{expect.log_name(log)}-{width}", marks=marks))
    return params


@pytest.mark.parametrize(("log", "width"), at_terminal_widths())
def test_a_log_a_terminal_wrapped_shows_the_facts_of_its_root_cause_whole(log: Path, width: int):
    """Wherever a terminal cut a line that shows a fact (a URL, a hash, a path), on the message's
    own line or on the lines under it, the fact reads as in the log as pip printed it."""
    text = log.read_text(encoding="utf-8")
    wanted = diagnose(text).matches
    found = diagnose(terminal_copy(width)(text)).matches
    assert [(match.code, match.facts) for match in found[:1]] == [(match.code, match.facts) for match in wanted[:1]]


def told_a_line_lower(diagnosis) -> dict:
    """What the reader is told, each line number as it would be one line higher in the log."""
    told = expect.told(diagnosis)
    for match in told["matches"]:
        first, last = map(int, match["lines"].split("-"))
        match["lines"] = f"{first - 1}-{last - 1}"
    return told


@pytest.mark.parametrize(
    ("wrapper", "line_end"),
    [("as-captured", "\n"), ("as-captured", "\r\n"), ("vagrant", "\n")],
    ids=["as-captured", "as-captured-crlf", "vagrant"],
)
@pytest.mark.parametrize("log", expect.captured_logs(), ids=expect.log_name)
def test_a_log_pasted_below_a_blank_line_is_told_what_the_log_itself_is(log: Path, wrapper: str, line_end: str):
    """A paste often starts with a blank line. The first line that shows text is the log's first:
    the one an unknown wrapper's prefix (Vagrant's machine) is learned from, and the one whose
    prefix is the whole log's rather than another tool's output's."""
    text = log.read_text(encoding="utf-8")
    if wrapper == "vagrant":
        text = wrappers.WRAPPERS["vagrant"](text)
    pasted = text.replace("\n", line_end)
    assert told_a_line_lower(diagnose(line_end + pasted)) == expect.told(diagnose(pasted))


def test_a_resolver_conflict_is_summarised_as_who_requires_what():
    diagnosis = diagnose((LOGS / "RESOLUTION_IMPOSSIBLE" / "26.3.log").read_text(encoding="utf-8"))
    root = diagnosis.matches[0]
    assert root.code == "RESOLUTION_IMPOSSIBLE"
    assert root.lines == (8, 12)  # the error and the lines under `The conflict is caused by:`
    assert fact_summary(root) == "alpha 1.0 depends on shared==1.0; beta 1.0 depends on shared==2.0"


def test_the_headline_holds_only_facts_of_the_root_causes_own_lines():
    matcher, _ = catalogue()
    entry = (ENTRIES / "pip" / "MSVC_REQUIRED.md").read_text(encoding="utf-8")
    message = next(line for line in entry.splitlines() if "or greater is required" in line and "https://" in line)
    root = diagnose("Collecting pyahocorasick\n" + message + "\n").matches[0]
    assert (root.code, root.facts.get("msvc_version"), root.facts.get("version")) == ("MSVC_REQUIRED", "14.0", None)
    assert "url" not in root.facts  # the documentation link in the message is not a fact
    assert fact_summary(root) == "pyahocorasick"


@pytest.mark.parametrize(
    ("log", "package"),
    [("HTTP_ERROR_WHILE_GETTING/26.3-sdist-url.log", "tinypkg"), ("VCS_HASH_UNSUPPORTED/25.3.log", "tinyvcs")],
)
def test_a_requirement_given_as_a_url_names_the_package_not_the_urls_scheme(log: str, package: str):
    """pip names an sdist's URL by the URL, and a VCS requirement's URL starts `git+file:`:
    the package comes from the file name or the `Collecting` line, never `http` or `git`."""
    assert {match.facts["package"] for match in diagnose_log(log).matches} == {package}


def test_pips_self_check_takes_no_package_from_the_download_before_it():
    # The build environment's inner pip collects setuptools, fails, then checks its own version.
    diagnosis = diagnose((LOGS / "BUILD_DEPENDENCIES_INSTALL_FAILED" / "20.3.4.log").read_text(encoding="utf-8"))
    notice = next(match for match in diagnosis.matches if match.code == "PIP_VERSION_OUTDATED")
    assert notice.facts == {"pip_version": "20.3.4"}


def test_every_shipped_signature_has_a_literal_so_it_is_read_on_lines_without_their_prefix():
    # A signature without one is run over the raw log, where `^` stops at a CI timestamp.
    raw_only = [
        f"{entry_file.code}: {signature.pattern}"
        for entry_file in read_entry_files(ENTRIES)
        for signature in engine_signatures(entry_file.front)
        if compile_signature(signature).scans_every_line
    ]
    assert raw_only == []


def read(log: str) -> str:
    return (LOGS / log).read_text(encoding="utf-8")


def diagnose_log(name: str):
    return diagnose(read(name))


@pytest.mark.parametrize(
    ("log", "lines", "summary"),
    [
        (
            "other-tools/24.0-pipenv-conflict-wide.log",
            (18, 22),
            "beta 1.0 depends on shared==2.0; alpha 1.0 depends on shared==1.0",
        ),
        # At 80 columns (CI) rich cuts pip's help URL over three lines before the blank line.
        (
            "other-tools/24.0-pipenv-conflict.log",
            (22, 28),
            "alpha 1.0 depends on shared==1.0; beta 1.0 depends on shared==2.0",
        ),
    ],
)
def test_a_conflict_pipenv_relays_after_pips_last_error_line_is_summarised_too(
    log: str, lines: tuple[int, int], summary: str
):
    # pipenv prints pip's `ERROR: ResolutionImpossible` line first and the conflict under it.
    root = diagnose_log(log).matches[0]
    assert (root.code, root.lines) == ("RESOLUTION_IMPOSSIBLE", lines)
    assert fact_summary(root) == summary


@pytest.mark.parametrize(
    ("log", "tool", "package"),
    [
        ("COMPILER_MISSING/24.0-poetry.log", "poetry", "cext"),
        ("PYTHON_H_MISSING/24.0-poetry.log", "poetry", "cext"),
        ("BACKEND_UNAVAILABLE/24.0-poetry.log", "poetry", "wrongbackend"),
        ("COMPILER_MISSING/24.0-pdm.log", "pdm", "cext"),
        ("BUILD_TOOL_FAILED/24.0-uv.log", "uv", "brokenbuild"),
    ],
)
def test_a_build_failure_under_another_installer_is_the_same_cause_marked_as_that_installer(
    log: str, tool: str, package: str
):
    diagnosis = diagnose_log(log)
    root = diagnosis.matches[0]
    assert (diagnosis.outcome, diagnosis.tool, diagnosis.failed) == ("other-tool", tool, False)
    assert (root.code, root.tool) == (log.split("/")[0], tool)
    assert (root.facts["package"], root.facts["version"]) == (package, "1.0")  # from the installer's own line


def test_a_build_failing_under_poetry_with_no_cause_an_entry_names_gets_what_pips_log_of_it_gets():
    """setup.py imports numpy, absent from the build environment. pip's log and Poetry's name
    the same entry: a build step that exited with an error, its cause in the output above."""
    pips = diagnose_log("SUBPROCESS_EXITED_WITH_ERROR/24.0-build-requires.log").matches[0]
    diagnosis = diagnose_log("other-tools/24.0-poetry-setup-py.log")
    root = diagnosis.matches[0]
    assert (diagnosis.outcome, diagnosis.tool, diagnosis.failed) == ("other-tool", "poetry", False)
    assert (root.code, root.tool) == (pips.code, "poetry")
    assert (root.facts["package"], root.facts["version"]) == ("brokenmeta", "1.0")


@pytest.mark.parametrize(
    ("log", "tool"),
    [
        ("other-tools/24.0-poetry-no-solution.log", "poetry"),
        ("other-tools/24.0-poetry-stale-lock.log", "poetry"),
        ("other-tools/24.0-pdm-conflict.log", "pdm"),
        ("other-tools/24.0-pdm-stale-lock.log", "pdm"),
        ("other-tools/24.0-pipenv-stale-lock.log", "pipenv"),
        ("other-tools/24.0-uv-no-solution.log", "uv"),
    ],
)
def test_another_installers_own_error_is_named_and_never_read_as_pips(log: str, tool: str):
    diagnosis = diagnose_log(log)
    assert (diagnosis.outcome, diagnosis.tool, diagnosis.matches) == ("other-tool", tool, [])


@pytest.mark.parametrize(
    ("log", "code"),
    [
        ("COMPILER_MISSING/24.0-pip-sync.log", "COMPILER_MISSING"),
        ("COMPILER_MISSING/24.0-pipenv.log", "COMPILER_MISSING"),
        ("other-tools/24.0-pip-compile-conflict.log", "RESOLUTION_IMPOSSIBLE"),
        ("other-tools/24.0-pipenv-conflict.log", "RESOLUTION_IMPOSSIBLE"),
    ],
)
def test_pips_own_messages_relayed_by_pip_tools_or_pipenv_stay_pips(log: str, code: str):
    # pip-sync and pipenv run pip; pip-compile and pipenv's lock run pip's resolver in-process.
    diagnosis = diagnose_log(log)
    root = diagnosis.matches[0]
    assert (diagnosis.outcome, diagnosis.tool, root.code, root.tool) == ("failed", "pip", code, "pip")


def test_pips_output_right_after_uvs_is_pips_again():
    """One CI job ran uv, then pip: pip's first lines end uv's output, no command line needed."""
    diagnosis = diagnose(read("BUILD_TOOL_FAILED/24.0-uv.log") + read("HASH_MISMATCH/26.3.log"))
    root = diagnosis.matches[0]
    assert (root.code, root.tool, diagnosis.outcome, diagnosis.tool) == ("HASH_MISMATCH", "pip", "failed", "pip")


def test_the_pip_error_that_ends_uvs_output_is_pips_own():
    diagnosis = diagnose(read("BUILD_TOOL_FAILED/24.0-uv.log") + read("INVALID_REQUIREMENT/24.0.log"))
    root = diagnosis.matches[0]
    assert (root.code, root.tool, root.lines[0]) == ("INVALID_REQUIREMENT", "pip", 32)


def test_uvs_output_after_pips_is_uvs_again():
    """One job ran uv (no solution), then pip (a hash error), then uv again (a build failure)."""
    logs = ("other-tools/24.0-uv-no-solution.log", "HASH_MISMATCH/26.3.log", "BUILD_TOOL_FAILED/24.0-uv.log")
    tools = {match.code: match.tool for match in diagnose("".join(map(read, logs))).matches}
    assert (tools["HASH_MISMATCH"], tools["BUILD_TOOL_FAILED"]) == ("pip", "uv")


def test_a_pip_command_ends_uvs_output_before_pip_prints_its_own_records():
    """`Defaulting to user installation` is no line only pip prints; the command above it is pip's."""
    log = read("BUILD_TOOL_FAILED/24.0-uv.log") + "$ pip install --user tinypkg\n"
    log += read("DEFAULTING_TO_USER_INSTALLATION/26.3.log")
    tools = {match.code: match.tool for match in diagnose(log).matches}
    assert tools["DEFAULTING_TO_USER_INSTALLATION"] == "pip"


def test_a_line_that_ends_uvs_output_opens_pdms_when_it_is_pdms():
    """One job ran uv, then pdm: pdm's first line, `WARNING: Lockfile does not exist`, is shaped
    like pip's records, so it ends uv's output; it is pdm's own line all the same."""
    log = read("other-tools/24.0-uv-no-solution.log") + read("other-tools/24.0-pdm-conflict.log")
    signature = Signature("LOCKFILE_MISSING", "pip", "warning", "Lockfile does not exist")
    assert [(match.tool, match.lines) for match in test_signature(signature, log)] == [("pdm", (5, 5))]


def test_pips_failed_build_line_opens_no_other_tools_output():
    """`ERROR: Failed to build 'brokenmeta' ...` holds uv's words (`error: failed to`), not
    uv's line: the next pip run's first line, which no record only pip prints ends, is pip's."""
    log = read("FAILED_TO_PREPARE_CANDIDATE/26.3.log") + read("DEFAULTING_TO_USER_INSTALLATION/26.3.log")
    tools = {match.code: match.tool for match in diagnose(log).matches}
    assert tools["DEFAULTING_TO_USER_INSTALLATION"] == "pip"


def indented(text: str) -> str:
    """A log pasted as a Markdown code block: every line four spaces in."""
    return "".join(f"    {line}" for line in text.splitlines(keepends=True))


def test_a_log_pasted_indented_tells_uvs_output_and_pips_apart_as_it_does_flush():
    alone = diagnose(indented(read("BUILD_TOOL_FAILED/24.0-uv.log")))
    assert (alone.outcome, alone.tool) == ("other-tool", "uv")
    both = diagnose(indented(read("BUILD_TOOL_FAILED/24.0-uv.log") + read("HASH_MISMATCH/26.3.log")))
    assert [(match.code, match.tool) for match in both.matches] == [
        ("HASH_MISMATCH", "pip"),
        ("BUILD_TOOL_FAILED", "uv"),
        ("SUBPROCESS_EXITED_WITH_ERROR", "uv"),
    ]


def test_poetrys_closing_hint_to_run_pip_wheel_does_not_end_poetrys_output():
    """Poetry ends a build failure with `You can verify this by running pip wheel ...`: no pip
    ran. A second failure pasted after it (from its build output on) is still Poetry's."""
    second = read("PYTHON_H_MISSING/24.0-poetry.log").splitlines(keepends=True)
    from_build_output = next(i for i, line in enumerate(second) if line.startswith("Backend subprocess exited"))
    diagnosis = diagnose(read("COMPILER_MISSING/24.0-poetry.log") + "".join(second[from_build_output:]))
    assert (diagnosis.outcome, diagnosis.tool) == ("other-tool", "poetry")
    assert {match.code: match.tool for match in diagnosis.matches}["PYTHON_H_MISSING"] == "poetry"


def test_uvs_output_stays_uvs_however_long_its_build_output():
    lines = read("BUILD_TOOL_FAILED/24.0-uv.log").splitlines(keepends=True)
    build_output = "".join(f"      gcc -c src/file{index}.c -o build/file{index}.o -O2\n" for index in range(200))
    diagnosis = diagnose("".join(lines[:8]) + build_output + "".join(lines[8:]))
    assert (diagnosis.outcome, diagnosis.tool) == ("other-tool", "uv")
    assert {match.tool for match in diagnosis.matches} == {"uv"}
