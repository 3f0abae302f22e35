# ruff: noqa: W293 -- pip's real output below has indented blank lines
"""The diagnosis engine on real pip output and on the noise real logs carry.

The fixtures below are pip's real output, captured in throw-away venvs (Python 3.11,
`--isolated`, a clean environment, paths rewritten to /home/user): a C extension whose
build cannot find Python.h, an index with a self-signed certificate, a refused
connection, a proxy that does not answer, a wrong hash, a post-install conflict, a pip
upgrade; uv's output for the same build and conflict. The tests add the noise.
"""

import json
import re
from pathlib import Path

import pytest
import re2

from kb.diagnosis import Diagnosis, InvalidPattern, Matcher, Signature, scoping, test_signature
from kb.diagnosis import matcher as matcher_module
from kb.diagnosis.facts import EVIDENCE_LINES_PER_KIND, FACT_CHARACTERS
from kb.diagnosis.matcher import LineIndex
from kb.diagnosis.pattern_speed import MIN_MEGABYTES_PER_SECOND, megabytes_per_second
from kb.diagnosis.pattern_speed import test_lines as speed_test_lines
from kb.diagnosis.ranking import wrapper_closure
from kb.diagnosis.signatures import compile_signature, required_literals

LOGS = Path(__file__).parent / "logs"

# pip 24.0: `pip install ./cext` (a C extension whose build cannot find Python.h).
BUILD_FAILURE = """\
Processing /home/user/src/cext
  Installing build dependencies: started
  Installing build dependencies: finished with status 'done'
  Getting requirements to build wheel: started
  Getting requirements to build wheel: finished with status 'done'
  Preparing metadata (pyproject.toml): started
  Preparing metadata (pyproject.toml): finished with status 'done'
Building wheels for collected packages: fastcrc
  Building wheel for fastcrc (pyproject.toml): started
  Building wheel for fastcrc (pyproject.toml): finished with status 'error'
  error: subprocess-exited-with-error
  
  × Building wheel for fastcrc (pyproject.toml) did not run successfully.
  │ exit code: 1
  ╰─> [10 lines of output]
      running bdist_wheel
      running build
      running build_ext
      building 'fastcrc._crc' extension
      gcc -Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -c src/crc.c -o build/temp.linux-x86_64-cpython-311/src/crc.o
      src/crc.c:1:10: fatal error: Python.h: No such file or directory
          1 | #include <Python.h>
            |          ^~~~~~~~~~
      compilation terminated.
      error: Command '['gcc', '-Wsign-compare', '-DNDEBUG', '-g', '-fwrapv', '-O3', '-Wall', '-fPIC', '-c', 'src/crc.c', '-o', 'build/temp.linux-x86_64-cpython-311/src/crc.o']' returned non-zero exit status 1.
      [end of output]
  
  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for fastcrc
Failed to build fastcrc
ERROR: Could not build wheels for fastcrc, which is required to install pyproject.toml-based projects

[notice] A new release of pip is available: 24.0 -> 26.3
[notice] To update, run: /home/user/project/.venv/bin/python -m pip install --upgrade pip
"""

# pip 21.0.1: the same build, in the older `Command errored out` wording.
BUILD_FAILURE_OLD = """\
Processing /home/user/src/cext
  Installing build dependencies: started
  Installing build dependencies: finished with status 'done'
  Getting requirements to build wheel: started
  Getting requirements to build wheel: finished with status 'done'
    Preparing wheel metadata: started
    Preparing wheel metadata: finished with status 'done'
Building wheels for collected packages: fastcrc
  Building wheel for fastcrc (PEP 517): started
  Building wheel for fastcrc (PEP 517): finished with status 'error'
  ERROR: Command errored out with exit status 1:
   command: /home/user/project/.venv/bin/python /home/user/project/.venv/lib/python3.11/site-packages/pip/_vendor/pep517/_in_process.py build_wheel /tmp/tmpbuild
       cwd: /tmp/pip-build
  Complete output (10 lines):
  running bdist_wheel
  running build
  running build_ext
  building 'fastcrc._crc' extension
  gcc -Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -c src/crc.c -o build/temp.linux-x86_64-cpython-311/src/crc.o
  src/crc.c:1:10: fatal error: Python.h: No such file or directory
      1 | #include <Python.h>
        |          ^~~~~~~~~~
  compilation terminated.
  error: Command '['gcc', '-Wsign-compare', '-DNDEBUG', '-g', '-fwrapv', '-O3', '-Wall', '-fPIC', '-c', 'src/crc.c', '-o', 'build/temp.linux-x86_64-cpython-311/src/crc.o']' returned non-zero exit status 1.
  ----------------------------------------
  ERROR: Failed building wheel for fastcrc
Failed to build fastcrc
ERROR: Could not build wheels for fastcrc which use PEP 517 and cannot be installed directly
WARNING: You are using pip version 21.0.1; however, version 26.3 is available.
You should consider upgrading via the '/home/user/project/.venv/bin/python -m pip install --upgrade pip' command.
"""

# pip 24.0: the same build in a terminal (`script`): colours, spinners, CRLF.
BUILD_FAILURE_TERMINAL = (
    "Processing /home/user/src/cext\n"
    "  Installing build dependencies ... \x1b[?25l-\x08 \x08\\\x08 \x08|\x08 \x08done\n"
    "\x1b[?25h  Getting requirements to build wheel ... \x1b[?25l-\x08 \x08done\n"
    "\x1b[?25h  Preparing metadata (pyproject.toml) ... \x1b[?25l-\x08 \x08done\n"
    "\x1b[?25hBuilding wheels for collected packages: fastcrc\n"
    "  Building wheel for fastcrc (pyproject.toml) ... \x1b[?25l-\x08 \x08error\n"
    "  \x1b[1;31merror\x1b[0m: \x1b[1msubprocess-exited-with-error\x1b[0m\n"
    "  \n"
    "  \x1b[31m×\x1b[0m \x1b[32mBuilding wheel for fastcrc \x1b[0m\x1b[1;32m(\x1b[0m\x1b[32mpyproject.toml\x1b[0m\x1b[1;32m)\x1b[0m did not run successfully.\n"
    "  \x1b[31m│\x1b[0m exit code: \x1b[1;36m1\x1b[0m\n"
    "  \x1b[31m╰─>\x1b[0m \x1b[31m[10 lines of output]\x1b[0m\n"
    "  \x1b[31m   \x1b[0m running bdist_wheel\n"
    "  \x1b[31m   \x1b[0m running build\n"
    "  \x1b[31m   \x1b[0m running build_ext\n"
    "  \x1b[31m   \x1b[0m building 'fastcrc._crc' extension\n"
    "  \x1b[31m   \x1b[0m gcc -Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -c src/crc.c -o build/temp.linux-x86_64-cpython-311/src/crc.o\n"
    "  \x1b[31m   \x1b[0m src/crc.c:1:10: fatal error: Python.h: No such file or directory\n"
    "  \x1b[31m   \x1b[0m     1 | #include <Python.h>\n"
    "  \x1b[31m   \x1b[0m       |          ^~~~~~~~~~\n"
    "  \x1b[31m   \x1b[0m compilation terminated.\n"
    "  \x1b[31m   \x1b[0m error: Command '['gcc', '-Wsign-compare', '-DNDEBUG', '-g', '-fwrapv', '-O3', '-Wall', '-fPIC', '-c', 'src/crc.c', '-o', 'build/temp.linux-x86_64-cpython-311/src/crc.o']' returned non-zero exit status 1.\n"
    "  \x1b[31m   \x1b[0m \x1b[31m[end of output]\x1b[0m\n"
    "  \n"
    "  \x1b[1;35mnote\x1b[0m: This error originates from a subprocess, and is likely not a problem with pip.\n"
    "\x1b[31m  ERROR: Failed building wheel for fastcrc\x1b[0m\x1b[31m\n"
    "\x1b[0m\x1b[?25hFailed to build fastcrc\n"
    "\x1b[31mERROR: Could not build wheels for fastcrc, which is required to install pyproject.toml-based projects\x1b[0m\x1b[31m\n"
    "\x1b[0m\n"
    "\x1b[1m[\x1b[0m\x1b[34;49mnotice\x1b[0m\x1b[1;39;49m]\x1b[0m\x1b[39;49m A new release of pip is available: \x1b[0m\x1b[31;49m24.0\x1b[0m\x1b[39;49m -> \x1b[0m\x1b[32;49m26.3\x1b[0m\n"
    "\x1b[1m[\x1b[0m\x1b[34;49mnotice\x1b[0m\x1b[1;39;49m]\x1b[0m\x1b[39;49m To update, run: \x1b[0m\x1b[32;49m/home/user/project/.venv/bin/python -m pip install --upgrade pip\x1b[0m\n"
)

# pip 24.0: `pip install --index-url https://localhost:8443/simple/ requests`, self-signed.
SSL_FAILURE = """\
Looking in indexes: https://localhost:8443/simple/
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))': /simple/requests/
WARNING: Retrying (Retry(total=3, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))': /simple/requests/
WARNING: Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))': /simple/requests/
WARNING: Retrying (Retry(total=1, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))': /simple/requests/
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))': /simple/requests/
Could not fetch URL https://localhost:8443/simple/requests/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='localhost', port=8443): Max retries exceeded with url: /simple/requests/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))) - skipping
ERROR: Could not find a version that satisfies the requirement requests (from versions: none)
ERROR: No matching distribution found for requests
Could not fetch URL https://localhost:8443/simple/pip/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='localhost', port=8443): Max retries exceeded with url: /simple/pip/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))) - skipping
"""

# pip 21.0.1: `--index-url http://127.0.0.1:9/simple/ --retries 2`.
CONNECTION_REFUSED = """\
Looking in indexes: http://127.0.0.1:9/simple/
WARNING: Retrying (Retry(total=1, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f82b35bed50>: Failed to establish a new connection: [Errno 111] Connection refused')': /simple/requests/
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f82b2bf34d0>: Failed to establish a new connection: [Errno 111] Connection refused')': /simple/requests/
ERROR: Could not find a version that satisfies the requirement requests
ERROR: No matching distribution found for requests
"""

# pip 24.0: `--proxy http://127.0.0.1:9 --retries 2`.
PROXY_FAILURE = """\
WARNING: Retrying (Retry(total=1, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ProxyError('Cannot connect to proxy.', NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f6019943390>: Failed to establish a new connection: [Errno 111] Connection refused'))': /simple/requests/
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ProxyError('Cannot connect to proxy.', NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f601b27c7d0>: Failed to establish a new connection: [Errno 111] Connection refused'))': /simple/requests/
ERROR: Could not find a version that satisfies the requirement requests (from versions: none)
ERROR: No matching distribution found for requests
"""

# pip 26.3: an index that accepts and never answers, `--timeout 1 --retries 1`.
READ_TIMEOUT = """\
Looking in indexes: http://127.0.0.1:8099/simple/
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError("HTTPConnectionPool(host='127.0.0.1', port=8099): Read timed out. (read timeout=1.0)")': /simple/requests/
ERROR: Could not find a version that satisfies the requirement requests (from versions: none)
ERROR: No matching distribution found for requests
"""

# pip 24.0: `pip download --no-deps -r hashes.txt` with a wrong sha256 for six.
HASH_FAILURE = """\
Collecting six==1.16.0 (from -r hashes.txt (line 1))
  Downloading six-1.16.0-py2.py3-none-any.whl (11 kB)
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.
    six==1.16.0 from https://files.pythonhosted.org/packages/d9/5a/e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/six-1.16.0-py2.py3-none-any.whl (from -r hashes.txt (line 1)):
        Expected sha256 0000000000000000000000000000000000000000000000000000000000000000
             Got        8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254


[notice] A new release of pip is available: 24.0 -> 26.3
[notice] To update, run: /home/user/project/.venv/bin/python -m pip install --upgrade pip
"""

# pip 24.0: `pip install urllib3==1.20` next to requests 2.31.0 (succeeds).
CONFLICT_WARNING = """\
Collecting urllib3==1.20
  Downloading urllib3-1.20-py2.py3-none-any.whl (111 kB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 111.9/111.9 kB 85.8 MB/s eta 0:00:00
Installing collected packages: urllib3
  Attempting uninstall: urllib3
    Found existing installation: urllib3 2.8.0
    Uninstalling urllib3-2.8.0:
      Successfully uninstalled urllib3-2.8.0
ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. This behaviour is the source of the following dependency conflicts.
requests 2.31.0 requires urllib3<3,>=1.21.1, but you have urllib3 1.20 which is incompatible.
Successfully installed urllib3-1.20

[notice] A new release of pip is available: 24.0 -> 26.3
[notice] To update, run: /home/user/project/.venv/bin/python -m pip install --upgrade pip
"""

# pip 20.3.4: `pip install --upgrade pip==21.0.1` (succeeds).
PIP_UPGRADE = """\
Collecting pip==21.0.1
  Downloading pip-21.0.1-py3-none-any.whl (1.5 MB)
Installing collected packages: pip
  Attempting uninstall: pip
    Found existing installation: pip 20.3.4
    Uninstalling pip-20.3.4:
      Successfully uninstalled pip-20.3.4
Successfully installed pip-21.0.1
"""

# uv 0.13.9: `uv pip install ./cext`, the same build failure.
UV_BUILD_FAILURE = """\
Using Python 3.11.7 environment at: /home/user/project/.venv
Resolved 1 package in 1.03s
   Building fastcrc @ file:///home/user/src/cext
error: Failed to build `fastcrc @ file:///home/user/src/cext`
  cause: The build backend returned an error
  cause: Call to `setuptools.build_meta.build_wheel` failed (exit status: 1)

         [stdout]
         running bdist_wheel
         running build
         running build_ext
         building 'fastcrc._crc' extension
         gcc -Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -c src/crc.c -o build/temp.linux-x86_64-cpython-311/src/crc.o

         [stderr]
         src/crc.c:1:10: fatal error: Python.h: No such file or directory
             1 | #include <Python.h>
               |          ^~~~~~~~~~
         compilation terminated.
         error: Command '['gcc', '-Wsign-compare', '-DNDEBUG', '-g', '-fwrapv', '-O3', '-Wall', '-fPIC', '-c', 'src/crc.c', '-o', 'build/temp.linux-x86_64-cpython-311/src/crc.o']' returned non-zero exit status 1.

hint: This error likely indicates that you need to install a library that provides `Python.h` for `file:///home/user/src/cext`
"""

# uv 0.13.9: `uv pip install requests==2.31.0 urllib3==1.20`.
UV_CONFLICT = """\
Using Python 3.11.7 environment at: /home/user/project/.venv
error: No solution found when resolving dependencies
  cause: Because requests==2.31.0 depends on urllib3>=1.21.1,<3 and you require requests==2.31.0, we can conclude that you require urllib3>=1.21.1,<3.
         And because you require urllib3==1.20, we can conclude that your requirements are unsatisfiable.
"""


SIGNATURES = [
    Signature("HASH_MISMATCH", "pip", "error", "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE"),
    Signature("SUBPROCESS_EXITED_WITH_ERROR", "pip", "error", "error: subprocess-exited-with-error"),
    Signature(
        "SUBPROCESS_EXITED_WITH_ERROR", "pip", "error", r"Command errored out with exit status (?P<exit_code>\d+)", True
    ),
    Signature("PYTHON_H_MISSING", "pip", "error", "fatal error: Python.h: No such file or directory", key=7),
    Signature("FAILED_BUILDING_WHEEL", "pip", "error", r"Failed building wheel for (?P<package>\S+)", True),
    Signature("BUILD_FAILED_SUMMARY", "pip", "error", r"^Failed to build (?P<packages>.+)$", True),
    Signature("FAILED_WHEEL_BUILD_FOR_INSTALL", "pip", "error", "Could not build wheels for"),
    Signature(
        "DISTRIBUTION_NOT_FOUND",
        "pip",
        "error",
        r"Could not find a version that satisfies the requirement (?P<requirement>\S+)",
        True,
    ),
    Signature("RETRYING_CONNECTION", "pip", "warning", "Retrying (Retry(total="),
    Signature("SSL_VERIFICATION_FAILED", "pip", "error", "after connection broken by 'SSLError", only_if_failed=True),
    Signature("SSL_VERIFICATION_FAILED", "pip", "error", "There was a problem confirming the ssl certificate"),
    Signature("CONNECTION_FAILED", "pip", "error", "broken by 'NewConnectionError", only_if_failed=True),
    Signature("PROXY_CONNECTION_FAILED", "pip", "error", "broken by 'ProxyError", only_if_failed=True),
    Signature("CONNECTION_TIMEOUT", "pip", "error", "broken by 'ReadTimeoutError", only_if_failed=True),
    Signature("DEPENDENCY_CONFLICT_WARNING", "pip", "warning", "pip's dependency resolver does not currently take"),
    Signature("PIP_VERSION_OUTDATED", "pip", "warning", "A new release of pip is available"),
    Signature("USER_SITE_NOT_VISIBLE", "pip", "error", "User site-packages are not visible in this virtualenv"),
    Signature("RESOLUTION_IMPOSSIBLE", "pip", "error", "because these package versions have conflicting dependencies"),
]
REFINES = {
    "PYTHON_H_MISSING": ["SUBPROCESS_EXITED_WITH_ERROR"],
    "SUBPROCESS_EXITED_WITH_ERROR": ["FAILED_BUILDING_WHEEL", "BUILD_FAILED_SUMMARY", "FAILED_WHEEL_BUILD_FOR_INSTALL"],
    # As the catalogue has them: what a retried connection's failure leads to.
    **{
        network: ["RETRYING_CONNECTION", "DISTRIBUTION_NOT_FOUND"]
        for network in ("SSL_VERIFICATION_FAILED", "CONNECTION_FAILED", "PROXY_CONNECTION_FAILED", "CONNECTION_TIMEOUT")
    },
}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(SIGNATURES, REFINES)


def codes(diagnosis: Diagnosis) -> list[str]:
    return [match.code for match in diagnosis.matches]


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` (as submitted) that contains `needle`."""
    return next(number for number, line in enumerate(text.split("\n"), 1) if needle in line)


def failed_build_found_by(pattern: str) -> tuple[int, str]:
    """The line and the package a regex signature's first match in BUILD_FAILURE names."""
    matcher = Matcher([Signature("FAILED", "pip", "error", pattern, is_regex=True)], {})
    match = matcher.diagnose(BUILD_FAILURE).matches[0]
    return match.lines[0], match.facts["package"]


# Noise, as real logs carry it.
def github_actions(text: str) -> str:
    return "".join(
        f"2024-05-01T10:11:{index % 60:02d}.1234567Z {line}" for index, line in enumerate(text.splitlines(True))
    )


def azure(text: str) -> str:
    return "".join(("##[error]" if line.startswith("ERROR") else "") + line for line in text.splitlines(True))


def buildkit(text: str) -> str:
    return "".join(f"#16 101.{index % 10} {line}" for index, line in enumerate(text.splitlines(True)))


def jenkins(text: str) -> str:
    return "".join(f"[2024-05-01T10:11:12.123Z] {line}" for line in text.splitlines(True))


def coloured(text: str) -> str:
    return re.sub(r"(ERROR|error|WARNING)(:)", "\x1b[1;31m\\1\x1b[0m\\2", text)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def hard_wrapped(text: str, width: int) -> str:
    """What a terminal's copy gives: every line cut every `width` characters, mid-word."""
    return "".join(
        "\n".join(line[start : start + width] for start in range(0, max(len(line), 1), width)) + "\n"
        for line in text.splitlines()
    )


def quoted_in_markdown(text: str) -> str:
    return "Here is my log:\n\n```console\n$ pip install .\n" + text + "```\n"


def wrapped_at_120(text: str) -> str:
    return hard_wrapped(text, 120)


NOISES = [github_actions, azure, buildkit, jenkins, coloured, crlf, quoted_in_markdown, wrapped_at_120]


class TestRanking:
    def test_a_code_is_never_its_own_wrapper_even_when_two_entries_refine_each_other(self) -> None:
        assert wrapper_closure({"A": ["B"], "B": ["A", "C"]}) == {"A": {"B", "C"}, "B": {"A", "C"}}

    def test_two_entries_that_refine_each_other_both_stay_causes_ahead_of_a_later_error(self) -> None:
        # Each of the two refines the other (the editor allows it): neither explains the other, so
        # the first in the log stays the root cause, ahead of the unrelated error pip prints after.
        matcher = Matcher(
            [
                Signature("FAILED_BUILDING_WHEEL", "pip", "error", "ERROR: Failed building wheel for"),
                Signature("BUILD_FAILED_SUMMARY", "pip", "error", "Failed to build "),
                Signature("FAILED_WHEEL_BUILD_FOR_INSTALL", "pip", "error", "Could not build wheels for"),
            ],
            {"FAILED_BUILDING_WHEEL": ["BUILD_FAILED_SUMMARY"], "BUILD_FAILED_SUMMARY": ["FAILED_BUILDING_WHEEL"]},
        )
        log = (LOGS / "SUBPROCESS_EXITED_WITH_ERROR" / "24.0.log").read_text()
        diagnosis = matcher.diagnose(log)
        assert [(match.code, match.lines) for match in diagnosis.matches] == [
            ("FAILED_BUILDING_WHEEL", (33, 33)),
            ("BUILD_FAILED_SUMMARY", (34, 34)),
            ("FAILED_WHEEL_BUILD_FOR_INSTALL", (35, 35)),
        ]

    def test_a_missing_header_beats_the_wrappers_pip_prints_around_it(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(BUILD_FAILURE)
        assert codes(diagnosis) == [
            "PYTHON_H_MISSING",
            "SUBPROCESS_EXITED_WITH_ERROR",
            "FAILED_BUILDING_WHEEL",
            "BUILD_FAILED_SUMMARY",
            "FAILED_WHEEL_BUILD_FOR_INSTALL",
            "PIP_VERSION_OUTDATED",
        ]
        assert {match.consequence_of for match in diagnosis.matches[1:5]} == {"PYTHON_H_MISSING"}
        assert diagnosis.matches[0].consequence_of is None
        assert diagnosis.matches[0].signature_key == 7

    def test_without_refines_the_first_fatal_error_wins_over_later_summaries(self) -> None:
        diagnosis = Matcher(SIGNATURES, {}).diagnose(BUILD_FAILURE_OLD)
        assert codes(diagnosis)[:3] == ["SUBPROCESS_EXITED_WITH_ERROR", "PYTHON_H_MISSING", "FAILED_BUILDING_WHEEL"]
        assert all(match.consequence_of is None for match in diagnosis.matches)

    def test_a_warning_never_outranks_an_error(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(CONFLICT_WARNING + SSL_FAILURE)
        assert diagnosis.failed
        severities = [match.severity for match in diagnosis.matches]
        assert severities == sorted(severities)  # "error" < "warning"
        assert diagnosis.matches[0].code == "SSL_VERIFICATION_FAILED"

    def test_a_warning_that_refines_the_error_pip_failed_with_is_its_root_cause(self) -> None:
        untrusted = Signature("UNTRUSTED_HOST", "pip", "warning", "is not a trusted or secure host")
        not_found = Signature("DISTRIBUTION_NOT_FOUND", "pip", "error", "No matching distribution found for")
        build = Signature("FAILED_BUILDING_WHEEL", "pip", "error", "Failed building wheel for")
        matcher = Matcher([untrusted, not_found, build], {"UNTRUSTED_HOST": ["DISTRIBUTION_NOT_FOUND"]})
        warning = "WARNING: The repository located at mirror is not a trusted or secure host and is being ignored.\n"
        diagnosis = matcher.diagnose(warning + "ERROR: No matching distribution found for tinypkg\n")
        assert [(match.code, match.severity) for match in diagnosis.matches] == [
            ("UNTRUSTED_HOST", "error"),
            ("DISTRIBUTION_NOT_FOUND", "error"),
        ]
        assert diagnosis.matches[1].consequence_of == "UNTRUSTED_HOST"
        # An error it does not refine stays the root cause, and the warning stays a warning.
        diagnosis = matcher.diagnose(warning + "ERROR: Failed building wheel for tinypkg\n")
        assert [(match.code, match.severity) for match in diagnosis.matches] == [
            ("FAILED_BUILDING_WHEEL", "error"),
            ("UNTRUSTED_HOST", "warning"),
        ]

    def test_a_specific_warning_comes_before_the_generic_warning_it_refines(self) -> None:
        generic = Signature("DEPRECATION_GENERIC", "pip", "warning", "DEPRECATION: ")
        specific = Signature("LEGACY_SETUP_PY_INSTALL", "pip", "warning", "legacy 'setup.py install' method")
        matcher = Matcher([generic, specific], {"LEGACY_SETUP_PY_INSTALL": ["DEPRECATION_GENERIC"]})
        line = "  DEPRECATION: tiny is being installed using the legacy 'setup.py install' method, because ...\n"
        diagnosis = matcher.diagnose(line)
        assert codes(diagnosis) == ["LEGACY_SETUP_PY_INSTALL", "DEPRECATION_GENERIC"]
        assert diagnosis.matches[1].consequence_of == "LEGACY_SETUP_PY_INSTALL"

    def test_a_log_with_only_warnings_did_not_fail(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(CONFLICT_WARNING)
        assert not diagnosis.failed
        assert codes(diagnosis) == ["DEPENDENCY_CONFLICT_WARNING", "PIP_VERSION_OUTDATED"]

    def test_repeated_hits_make_one_match_at_the_first_lines_with_collected_facts(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(SSL_FAILURE)
        assert codes(diagnosis).count("SSL_VERIFICATION_FAILED") == 1
        assert diagnosis.matches[0].lines == (2, 2)

    def test_an_empty_diagnosis_when_nothing_matches(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose("Collecting six\nSuccessfully installed six-1.16.0\n")
        assert (diagnosis.matches, diagnosis.failed) == ([], False)


class TestOutcome:
    def test_a_failure_is_pips(self, matcher: Matcher) -> None:
        assert (matcher.diagnose(BUILD_FAILURE).outcome, matcher.diagnose(BUILD_FAILURE).tool) == ("failed", "pip")

    def test_a_success_line_makes_a_success_with_its_warnings(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(CONFLICT_WARNING)
        assert (diagnosis.outcome, diagnosis.tool) == ("succeeded", "pip")
        assert codes(diagnosis) == ["DEPENDENCY_CONFLICT_WARNING", "PIP_VERSION_OUTDATED"]

    def test_warnings_without_a_success_line(self, matcher: Matcher) -> None:
        notice = CONFLICT_WARNING.splitlines(True)[-2:]
        diagnosis = matcher.diagnose("".join(notice))
        assert (diagnosis.outcome, diagnosis.tool) == ("warnings", "pip")

    def test_nothing_known(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose("hello\nworld\n")
        assert (diagnosis.outcome, diagnosis.tool) == ("unknown", "pip")

    def test_a_lone_line_that_counts_if_pip_failed_is_a_warning(self, matcher: Matcher) -> None:
        retry = SSL_FAILURE.splitlines(True)[1]
        diagnosis = matcher.diagnose(retry)
        assert {(match.code, match.severity) for match in diagnosis.matches} == {
            ("SSL_VERIFICATION_FAILED", "warning"),
            ("RETRYING_CONNECTION", "warning"),
        }
        assert (diagnosis.failed, diagnosis.outcome) == (False, "warnings")

    def test_the_json_states_the_outcome_and_tool(self, matcher: Matcher) -> None:
        data = matcher.diagnose(UV_BUILD_FAILURE).to_dict()
        assert (data["outcome"], data["tool"], data["matches"][0]["tool"]) == ("other-tool", "uv", "uv")


class TestRetryCauses:
    @pytest.mark.parametrize(
        ("log", "cause"),
        [
            (SSL_FAILURE, "SSL_VERIFICATION_FAILED"),
            (CONNECTION_REFUSED, "CONNECTION_FAILED"),
            (PROXY_FAILURE, "PROXY_CONNECTION_FAILED"),
            (READ_TIMEOUT, "CONNECTION_TIMEOUT"),
        ],
    )
    def test_the_cause_of_the_retries_is_the_root_cause_when_pip_fails(
        self, matcher: Matcher, log: str, cause: str
    ) -> None:
        diagnosis = matcher.diagnose(log)
        assert diagnosis.matches[0].code == cause
        assert diagnosis.matches[0].lines[0] == line_of(log, "Retrying")
        assert "DISTRIBUTION_NOT_FOUND" in codes(diagnosis)
        assert "RETRYING_CONNECTION" in codes(diagnosis)

    def test_retries_that_end_well_are_only_a_warning(self, matcher: Matcher) -> None:
        retry = SSL_FAILURE.splitlines(True)[1]
        diagnosis = matcher.diagnose("Collecting six\n" + retry + "Successfully installed six-1.16.0\n")
        assert (codes(diagnosis), diagnosis.failed) == (["RETRYING_CONNECTION"], False)

    def test_retries_that_end_well_leave_the_other_warnings_in_the_logs_order(self, matcher: Matcher) -> None:
        retry = SSL_FAILURE.splitlines(True)[1]
        notice = "[notice] A new release of pip is available: 23.3.1 -> 24.0\n"
        diagnosis = matcher.diagnose("Collecting six\n" + retry + "Successfully installed six-1.16.0\n" + notice)
        assert codes(diagnosis) == ["RETRYING_CONNECTION", "PIP_VERSION_OUTDATED"]


class TestOtherTools:
    def test_a_build_failure_under_uv_is_the_same_cause_marked_as_uv(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(UV_BUILD_FAILURE)
        assert (diagnosis.outcome, diagnosis.tool, diagnosis.failed) == ("other-tool", "uv", False)
        assert [(match.code, match.tool) for match in diagnosis.matches] == [("PYTHON_H_MISSING", "uv")]
        assert diagnosis.matches[0].lines[0] == line_of(UV_BUILD_FAILURE, "Python.h: No such")

    def test_uv_own_errors_are_never_pip_entries(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(UV_CONFLICT)
        assert (diagnosis.outcome, diagnosis.tool, diagnosis.matches) == ("other-tool", "uv", [])

    def test_uv_resolver_output_is_not_reported(self, matcher: Matcher) -> None:
        tree = "(.venv) % uv pip install -r requirements.txt\n  × No solution found when resolving dependencies:\n"
        assert matcher.diagnose(UV_CONFLICT).matches == []
        assert (
            matcher.diagnose(tree + "  ╰─▶ Because these package versions have conflicting dependencies\n").matches
            == []
        )

    def test_pip_output_after_another_tool_is_reported_again(self, matcher: Matcher) -> None:
        log = UV_BUILD_FAILURE + "$ python -m pip install .\n" + BUILD_FAILURE
        diagnosis = matcher.diagnose(log)
        assert diagnosis.matches[0].code == "PYTHON_H_MISSING"
        assert diagnosis.matches[0].lines[0] > UV_BUILD_FAILURE.count("\n")
        assert (diagnosis.matches[0].tool, diagnosis.outcome, diagnosis.tool) == ("pip", "failed", "pip")
        assert ("PYTHON_H_MISSING", "uv") in [(match.code, match.tool) for match in diagnosis.matches]

    def test_a_program_logging_urllib3_retries_is_not_pip(self, matcher: Matcher) -> None:
        retry = "Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError(...)': /api/5/envelope/"
        log = (
            f"24-03-26 17:21:50 WARNING (raven-sentry.BackgroundWorker) [urllib3.connectionpool] {retry}\n"
            f"WARNING:urllib3.connectionpool:{retry}\n"
            f"2024-03-26 17:22:40,120 - urllib3.connectionpool - WARNING - {retry}\n"
            "ERROR: Could not find a version that satisfies the requirement sentry-sdk==99\n"
        )
        assert codes(matcher.diagnose(log)) == ["DISTRIBUTION_NOT_FOUND"]

    def test_conda_npm_and_poetry_output_is_not_pip(self, matcher: Matcher) -> None:
        log = (
            "Collecting package metadata (current_repodata.json): done\n"
            "Solving environment: failed\n"
            "PackagesNotFoundError: The following packages are not available from current channels:\n"
            "  - fatal error: Python.h: No such file or directory\n"
            "npm ERR! code ERESOLVE\n"
            "npm ERR! Could not build wheels for node-gyp\n"
            "Installing dependencies from lock file\n"
        )
        diagnosis = matcher.diagnose(log)
        assert (diagnosis.matches, diagnosis.outcome, diagnosis.tool) == ([], "other-tool", "conda")

    @pytest.mark.parametrize(
        "build_output",
        [
            "  | fatal error: Python.h: No such file or directory\n",
            # pip's own header in the build's output does not end Poetry's.
            "  | ERROR: Could not find a version that satisfies the requirement setuptools>=40.8.0\n"
            "  | fatal error: Python.h: No such file or directory\n",
        ],
        ids=["compiler", "with-pips-header"],
    )
    def test_a_build_failure_under_poetry_is_marked_as_poetry(self, matcher: Matcher, build_output: str) -> None:
        log = "Installing dependencies from lock file\n  ChefBuildError\n" + build_output
        diagnosis = matcher.diagnose(log)
        assert [(match.code, match.tool) for match in diagnosis.matches] == [("PYTHON_H_MISSING", "poetry")]
        assert (diagnosis.outcome, diagnosis.tool) == ("other-tool", "poetry")

    @pytest.mark.parametrize(
        ("command", "tool"),
        [("pipenv install", "pipenv"), ("micromamba install numpy", "mamba"), ("pixi add numpy", "pixi")],
    )
    def test_the_tool_is_named_from_the_command_that_ran_it(self, matcher: Matcher, command: str, tool: str) -> None:
        diagnosis = matcher.diagnose(f"$ {command}\nsomething went wrong\n")
        assert (diagnosis.outcome, diagnosis.tool) == ("other-tool", tool)


class TestNoise:
    @pytest.mark.parametrize("noise", NOISES, ids=lambda noise: noise.__name__)
    def test_the_root_cause_and_its_lines_survive_each_noise(self, matcher: Matcher, noise) -> None:
        log = noise(BUILD_FAILURE)
        diagnosis = matcher.diagnose(log)
        assert codes(diagnosis)[:2] == ["PYTHON_H_MISSING", "SUBPROCESS_EXITED_WITH_ERROR"]
        assert diagnosis.matches[0].lines[0] == line_of(log, "Python.h: No such")
        assert (
            diagnosis.matches[0].excerpt.strip() == "src/crc.c:1:10: fatal error: Python.h: No such file or directory"
        )

    def test_a_real_terminal_capture_with_spinners_and_colours(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(BUILD_FAILURE_TERMINAL)
        assert codes(diagnosis)[:3] == ["PYTHON_H_MISSING", "SUBPROCESS_EXITED_WITH_ERROR", "FAILED_BUILDING_WHEEL"]
        assert diagnosis.matches[1].facts["failed_step"] == "Building wheel for fastcrc (pyproject.toml)"
        assert diagnosis.matches[2].excerpt == "  ERROR: Failed building wheel for fastcrc"

    # A web form drops the escape byte; `cat -v` and less show it as `^[`, some fonts as U+241B.
    @pytest.mark.parametrize("shown_as", ["", "^[", "\u241b"], ids=["dropped", "caret", "symbol"])
    def test_colour_codes_whose_escape_bytes_were_dropped_or_shown_are_removed(
        self, matcher: Matcher, shown_as: str
    ) -> None:
        diagnosis = matcher.diagnose(BUILD_FAILURE_TERMINAL.replace("\x1b", shown_as))
        assert codes(diagnosis)[:3] == ["PYTHON_H_MISSING", "SUBPROCESS_EXITED_WITH_ERROR", "FAILED_BUILDING_WHEEL"]
        assert diagnosis.matches[2].excerpt == "  ERROR: Failed building wheel for fastcrc"

    def test_asterisks_that_are_text_stay_in_the_log_shown(self, matcher: Matcher) -> None:
        """Bold goes (the partial pastes of tests/logs/wrappers.py); a password pip masked, a CI's
        mask and `**kwargs` in a traceback's code line are what was printed."""
        kept = [
            "Looking in indexes: https://deploy:****@pypi.internal/simple",
            '  File "/srv/venv/lib/python3.12/site-packages/pip/_internal/cli/main.py", line 5, in run',
            "    return func(*args, **kwargs)",
            "token: ***",
        ]
        diagnosis = matcher.diagnose("\n".join([*kept, "**ERROR: Could not find a version that satisfies six==9**"]))
        assert diagnosis.log.decode().splitlines() == [*kept, "ERROR: Could not find a version that satisfies six==9"]

    def test_a_progress_bar_keeps_only_what_the_terminal_showed_last(self, matcher: Matcher) -> None:
        bar = "\r".join(f"   {'━' * step} {step}/40 kB" for step in range(0, 41, 10))
        log = f"Collecting six\n{bar}\rERROR: Could not find a version that satisfies the requirement six==9\n"
        diagnosis = matcher.diagnose(log)
        assert diagnosis.matches[0].lines == (2, 2)
        assert diagnosis.matches[0].excerpt.startswith("ERROR: Could not find")

    def test_a_json_log_line_cut_short_by_its_shipper_is_still_read(self, matcher: Matcher) -> None:
        log = '{"log":"Collecting six\\nERROR: Could not find a version that satisfies the requirement six==99\\n","stre\n'
        diagnosis = matcher.diagnose(log)
        found = diagnosis.matches[0]
        assert (found.code, found.lines) == ("DISTRIBUTION_NOT_FOUND", (3, 3))
        assert found.excerpt.startswith("ERROR: Could not find a version that satisfies the requirement six==99")
        assert diagnosis.log.decode().split("\n") == [
            '{"log":',
            "Collecting six",
            'ERROR: Could not find a version that satisfies the requirement six==99,"stre',
            "",
        ]

    def test_a_windows_log_with_a_progress_bar_keeps_its_error_line_whole(self, matcher: Matcher) -> None:
        log = (
            "  Downloading six-1.16.0-py2.py3-none-any.whl (11 kB)\r   ━━ 5/11 kB\r   ━━━━ 11/11 kB\r\n"
            "   \r   \r\n"
            "ERROR: Could not find a version that satisfies the requirement six==99\r\n"
        )
        diagnosis = matcher.diagnose(log)
        found = diagnosis.matches[0]
        assert (found.lines, found.excerpt) == (
            (3, 3),
            "ERROR: Could not find a version that satisfies the requirement six==99",
        )
        # The log shown and shared has newlines for Windows line ends, though a redraw came first.
        assert diagnosis.log.split(b"\n")[1:] == [b"   \r   ", found.excerpt.encode(), b""]

    def test_a_spinner_drawn_with_backspaces_before_the_error_is_erased(self, matcher: Matcher) -> None:
        log = "Collecting six\n-\\|\x08\x08\x08ERROR: Could not find a version that satisfies the requirement six==99\n"
        found = matcher.diagnose(log).matches[0]
        assert (found.lines, found.excerpt) == (
            (2, 2),
            "ERROR: Could not find a version that satisfies the requirement six==99",
        )

    def test_a_percentage_redrawn_with_four_backspaces_leaves_no_control_characters(self, matcher: Matcher) -> None:
        """Deeper than the engine erases one by one: the backspaces left are dropped, and
        nothing but what the percentages drew stays before the error."""
        frames = "".join(f"{percent:>3}%\x08\x08\x08\x08" for percent in range(0, 101, 10))
        error = "ERROR: Could not find a version that satisfies the requirement six==99"
        diagnosis = matcher.diagnose(f"Collecting six\n{frames}{error}\n")
        shown = diagnosis.log.decode().split("\n")[1]
        assert (diagnosis.matches[0].lines, shown.endswith(error)) == ((2, 2), True)
        assert set(shown.removesuffix(error)) <= set(" 0123456789%")

    def test_a_log_over_a_megabyte_is_cleaned_from_its_first_byte(self, matcher: Matcher) -> None:
        error = "ERROR: Could not find a version that satisfies the requirement six==99"
        compiler_output = "".join(f"  gcc -c src/file{index}.c -o build/file{index}.o -O2\n" for index in range(30_000))
        found = matcher.diagnose(f"{error}\n{compiler_output}").matches[0]
        assert (found.lines, found.excerpt) == ((1, 1), error)

    def test_a_terminal_capture_is_cleaned_whole_where_its_first_megabyte_ends(self, matcher: Matcher) -> None:
        """A log is cleaned a megabyte at a time, cut after the newline that ends the megabyte:
        here the one after `ERROR: Failed building wheel for fastcrc` and its colour codes."""
        line_end = BUILD_FAILURE_TERMINAL.index("\n", BUILD_FAILURE_TERMINAL.index("Failed building wheel")) + 1
        line_end = len(BUILD_FAILURE_TERMINAL[:line_end].encode())  # the log is cleaned as UTF-8
        compiler_output = "".join(f"  gcc -c src/file{index}.c -o build/file{index}.o -O2\n" for index in range(30_000))
        room = 2**20 + 1 - line_end
        lines = compiler_output[: compiler_output.rindex("\n", 0, room) + 1]
        log = lines + " " * (room - len(lines) - 1) + "\n" + BUILD_FAILURE_TERMINAL
        diagnosis = matcher.diagnose(log)
        assert codes(diagnosis)[:4] == codes(matcher.diagnose(BUILD_FAILURE_TERMINAL))[:4]
        assert b"\x1b" not in diagnosis.log and b"[0m" not in diagnosis.log

    def test_a_return_that_only_ends_a_redrawn_line_keeps_its_last_text(self, matcher: Matcher) -> None:
        error = "src/crc.c:1:10: fatal error: Python.h: No such file or directory"
        found = matcher.diagnose(f"Collecting fastcrc\n      ━━ 5/11 kB\r{error}\r   \n").matches[0]
        assert (found.code, found.lines, found.excerpt) == ("PYTHON_H_MISSING", (2, 2), error)

    def test_a_line_a_spinner_cleared_after_the_error_leaves_the_diagnosis_whole(self, matcher: Matcher) -> None:
        error = "ERROR: Could not find a version that satisfies the requirement six==99"
        found = matcher.diagnose(f"Collecting six\n{error}\n   \r   \r\nCleaning up...\n").matches[0]
        assert (found.code, found.lines, found.excerpt) == ("DISTRIBUTION_NOT_FOUND", (2, 2), error)

    def test_text_a_progress_bar_drew_over_is_not_reported(self, matcher: Matcher) -> None:
        log = "Collecting six\nERROR: Could not find a version that satisfies the requirement six==9\r   done\n"
        assert matcher.diagnose(log).matches == []

    @pytest.mark.parametrize("width", [80, 90])
    def test_a_message_hard_wrapped_by_a_terminal_is_found_across_lines(self, matcher: Matcher, width: int) -> None:
        message = "ERROR: Can not perform a '--user' install. User site-packages are not visible in this virtualenv."
        log = hard_wrapped("$ pip install --user six\n" + "x" * width + "\n" + message + "\n", width)
        match = matcher.diagnose(log).matches[0]
        assert match.code == "USER_SITE_NOT_VISIBLE"
        assert match.lines == (line_of(log, "ERROR: Can not"), line_of(log, "ERROR: Can not") + 1)

    @pytest.mark.parametrize("width", [60, 64], ids=["in|to-account", "into-a|ccount"])
    def test_a_literal_just_long_enough_to_be_looked_for_across_a_wrap_is_found_cut_by_a_terminal(
        self, width: int
    ) -> None:
        literal = "into account"
        assert len(literal) == matcher_module.WRAP_MIN_LITERAL
        conflict = next(line for line in CONFLICT_WARNING.splitlines() if literal in line)
        log = hard_wrapped(conflict + "\n", width)  # the cut falls in the literal's first half, or at its middle
        matches = Matcher([Signature("RESOLVER_BLIND", "pip", "error", literal)], {}).diagnose(log).matches
        assert [match.lines for match in matches] == [(1, 2)]

    @pytest.mark.parametrize("literal", ["did not run successfully", ": finished with status 'error'"])
    @pytest.mark.parametrize("cut", range(1, 24))
    def test_a_literal_cut_anywhere_by_a_terminal_is_found_across_the_cut(self, literal: str, cut: int) -> None:
        # Each literal's start or end is also what pip prints when all goes well ("Successfully
        # installed", "finished with status 'done'"): the pieces looked for around a cut avoid it.
        line = "  Building wheel for cext (pyproject.toml) and a little more text" + literal + " here"
        log = hard_wrapped(line, line.index(literal) + cut)
        matches = Matcher([Signature("CUT", "pip", "error", literal)], {}).diagnose(log).matches
        assert [match.lines for match in matches] == [(1, 2)]

    @pytest.mark.parametrize("literal", ["did not run successfully", ": finished with status 'error'"])
    def test_a_literal_word_wrapped_at_any_blank_is_found_across_the_break(self, literal: str) -> None:
        message = "  Building wheel for cext (pyproject.toml) and a little more text " + literal + " here"
        start = message.index(literal)
        breaks = [start + index for index, char in enumerate(literal) if char == " "]
        signature = Signature("WRAP", "pip", "error", literal)
        for blank in breaks:
            log = f"{message[:blank]}\n{message[blank + 1 :]}\n"
            assert [match.lines for match in Matcher([signature], {}).diagnose(log).matches] == [(1, 2)], log

    @pytest.mark.parametrize("cut", ["gcc exit code \n1", "gcc\n exit code 1"], ids=["after", "before"])
    def test_a_regex_whose_short_literal_is_whole_on_one_line_is_found_across_a_wrap(self, cut: str) -> None:
        # The literal (` exit code `) is too short for pieces of its own halves to be looked for.
        signature = Signature("EXIT", "pip", "error", r"(?P<command>gcc|cc) exit code (?P<code>\d+)", is_regex=True)
        log = f"  error: command '/usr/bin/x86_64-linux-gnu-gcc' failed: {cut}\n"
        match = Matcher([signature], {}).diagnose(log).matches[0]
        assert (match.lines, match.facts) == ((1, 2), {"command": "gcc", "code": "1"})

    def test_a_match_cut_over_three_lines_by_a_terminal_spans_all_three(self) -> None:
        pattern = r"satisfies the requirement \S+ \(from versions: (?P<versions>[^)]*)\)"
        line = (
            "ERROR: Could not find a version that satisfies the requirement six==99 "
            "(from versions: 1.0.0, 1.1.0, 1.2.0, 1.3.0, 1.4.0, 1.5.0, 1.6.0, 1.7.0)\n"
        )
        matcher = Matcher([Signature("NOT_FOUND", "pip", "error", pattern, is_regex=True)], {})
        assert matcher.diagnose(hard_wrapped(line, 60)).matches[0].lines == (1, 3)

    def test_a_tab_indented_message_wrapped_by_a_narrow_terminal_is_found_across_lines(self, matcher: Matcher) -> None:
        # Two tabs take 16 of the terminal's 60 columns: the cut comes 44 characters into the message.
        message = "ERROR: Can not perform a '--user' install. User site-packages are not visible in this virtualenv."
        log = f"$ pip install --user six\n\t\t{message[:44]}\n{message[44:]}\n"
        assert matcher.diagnose(log).matches[0].lines == (2, 3)

    def test_tabs_count_eight_columns_toward_the_narrowest_terminal_that_wraps(self) -> None:
        # 2 tabs and 40 characters make 56 columns, and "l." would have fitted on them.
        matcher = Matcher([Signature("USER", "pip", "error", "perform a '--user' install. User site")], {})
        message = "ERROR: Can not perform a '--user' install. User site-packages are not visible in this virtualenv."
        assert matcher.diagnose(f"\t\t{message[:40]}\n{message[40:]}\n").matches == []

    @pytest.mark.parametrize(
        ("indent", "first", "rest", "lines"),
        [
            (6, "Could not find a version that satisfies the", "requirement six==99", [(1, 2)]),
            (5, "Could not find a version that satisfies the", "requirement six==99", []),
            (11, "ERROR: Could not find a version that satisfies", "the requirement six==99", [(1, 2)]),
            (10, "ERROR: Could not find a version that satisfies", "the requirement six==99", []),
        ],
        ids=["61-longest-word-first", "60-longest-word-first", "61", "60"],
    )
    def test_a_line_is_word_wrapped_only_where_its_next_word_would_pass_60_columns(
        self, matcher: Matcher, indent: int, first: str, rest: str, lines: list
    ) -> None:
        log = f"{' ' * indent}{first}\n{' ' * indent}{rest}\n"
        assert len(f"{' ' * indent}{first} {rest.split()[0]}") == (61 if lines else 60)
        assert [match.lines for match in matcher.diagnose(log).matches] == lines

    def test_a_message_cut_by_a_terminal_whose_rest_ends_in_a_blank_is_found(self, matcher: Matcher) -> None:
        # A terminal's copy keeps the blank pip printed nothing after; the rest is no record of its own.
        log = hard_wrapped("ERROR: Could not find a version that satisfies the requirement requests \n", 60)
        assert [(match.code, match.lines) for match in matcher.diagnose(log).matches] == [
            ("DISTRIBUTION_NOT_FOUND", (1, 2))
        ]

    def test_a_word_wrapped_message_with_padding_is_found(self, matcher: Matcher) -> None:
        log = "ERROR: Can not perform a '--user' install. User site-packages are not    \nvisible in this virtualenv.\n"
        assert matcher.diagnose(log).matches[0].lines == (1, 2)

    def test_a_message_word_wrapped_by_the_narrowest_terminal_one_column_short_is_found(self, matcher: Matcher) -> None:
        # At 60 columns, "site-packages" would have ended in the 61st.
        log = "ERROR: Can not perform a '--user' install. User\nsite-packages are not visible in this virtualenv.\n"
        assert matcher.diagnose(log).matches[0].lines == (1, 2)

    def test_a_quoted_line_pasted_alone_is_read_without_its_quote(self, matcher: Matcher) -> None:
        match = matcher.diagnose("> Failed to build fastcrc\n").matches[0]
        assert (match.code, match.excerpt) == ("BUILD_FAILED_SUMMARY", "Failed to build fastcrc")

    def test_a_closing_fence_ends_the_lines_of_the_message_above_it(self, matcher: Matcher) -> None:
        log = (
            "```console\n$ pip install ./cext\n"
            "  error: subprocess-exited-with-error\n"
            "  × Building wheel for fastcrc (pyproject.toml) did not run successfully.\n"
            "```\n"
            "The same happens with https://example.org/simple/fastcrc/\n"
        )
        assert matcher.diagnose(log).matches[0].facts == {"failed_step": "Building wheel for fastcrc (pyproject.toml)"}

    def test_a_boxed_record_behind_a_prefix_of_its_own_shows_its_lines_without_it(self) -> None:
        signature = Signature(
            "WHEEL_FAILED", "pip", "error", "did not run successfully", detail=r"exit code: (?P<exit_code>\d+)"
        )
        log = (
            "Collecting six\nCollecting requests\nCollecting idna\nCollecting certifi\nCollecting urllib3\n"
            "    default:   × Building wheel for fastcrc (pyproject.toml) did not run successfully.\n"
            "    default:   │ exit code: 1\n"
            "    default:   ╰─> [1 lines of output]\n"
        )
        match = Matcher([signature], {}).diagnose(log).matches[0]
        assert match.excerpt == "Building wheel for fastcrc (pyproject.toml) did not run successfully.\nexit code: 1"

    def test_unrelated_lines_are_not_glued_together(self, matcher: Matcher) -> None:
        log = (
            "note: the fastcrc project says: User site-packages are not visible in\n"
            "ERROR: this virtualenv. is not a message pip prints\n"
            "WARNING: a long warning that ends with User site-packages are not visible in\n"
            "    this virtualenv.\n"
        )
        assert matcher.diagnose(log).matches == []

    def test_a_regex_message_on_the_first_line_is_placed_on_it_and_shown_once(self) -> None:
        # A venv without pip (tests/logs/NO_MODULE_NAMED_PIP/python3.13.log): the regex may match
        # across a wrap, and the first line has no line before it to join.
        signature = Signature("NO_MODULE_NAMED_PIP", "pip", "error", r"No module named '?pip(?:$|[^a-z0-9_])", True)
        log = "/home/user/venv/bin/python: No module named pip\n"
        matches = Matcher([signature], {}).diagnose(log).matches
        assert [(match.lines, match.excerpt) for match in matches] == [((1, 1), log.strip())]

    def test_a_truncated_log_still_shows_its_first_error(self, matcher: Matcher) -> None:
        truncated = BUILD_FAILURE[: BUILD_FAILURE.index("compilation terminated")]
        assert codes(matcher.diagnose(truncated))[:2] == ["PYTHON_H_MISSING", "SUBPROCESS_EXITED_WITH_ERROR"]

    def test_an_unknown_wrappers_prefix_is_learned_from_the_fifth_line_pip_may_have_printed(
        self, matcher: Matcher
    ) -> None:
        log = (
            "$ ./provision.sh\n"
            "+ pip install --upgrade pip\n"
            "+ pip install wheel\n"
            "+ pip install -r requirements.txt\n"
            "    default: Collecting fastcrc\n"
            "    default:   error: subprocess-exited-with-error\n"
            "    default: Failed to build fastcrc\n"
        )
        assert "BUILD_FAILED_SUMMARY" in codes(matcher.diagnose(log))

    def test_line_numbers_count_the_text_as_submitted(self, matcher: Matcher) -> None:
        log = "\r\n".join(f"\x1b[32mstep {index}\x1b[0m\rdone {index}" for index in range(50)) + "\r\n" + SSL_FAILURE
        assert matcher.diagnose(log).matches[0].lines == (52, 52)

    def test_line_numbers_are_right_deep_in_a_long_log(self, matcher: Matcher) -> None:
        noise = [f"step {index} " + "x" * (index * 37 % 300) for index in range(30000)]
        noise[12345] = ""
        log = "\n".join(noise[:20000]) + "\n" + SSL_FAILURE + "\n".join(noise[20000:])
        first = matcher.diagnose(log).matches[0]
        retry = SSL_FAILURE.splitlines()[1]
        assert first.lines[0] == line_of(log, retry) == 20002
        assert first.excerpt.splitlines()[0] == retry


def test_the_line_index_finds_every_line_of_a_log_many_blocks_long() -> None:
    lengths = [0, 1, LineIndex.BLOCK_BYTES - 1, 0, 0, 2 * LineIndex.BLOCK_BYTES, 7] + [n * 53 % 997 for n in range(200)]
    data = b"\n".join(b"x" * length for length in lengths)
    starts = [0] + [offset + 1 for offset, byte in enumerate(data) if byte == ord("\n")]
    index = LineIndex(data)
    assert index.line_count == len(lengths)
    assert [index.line_start(number) for number in range(1, len(lengths) + 1)] == starts
    for number, start in enumerate(starts, 1):
        assert index.number_at(start) == number
        assert index.number_at(start + lengths[number - 1]) == number  # its newline, or the end


class TestFacts:
    def test_a_hash_mismatch_shows_the_package_the_hashes_and_the_requirements_line(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(HASH_FAILURE)
        facts = diagnosis.matches[0].facts
        assert facts["package"] == "six"
        assert facts["version"] == "1.16.0"
        assert facts["expected_hash"] == "0" * 64
        assert facts["actual_hash"] == "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"
        assert (facts["requirements_file"], facts["requirements_line"]) == ("hashes.txt", "1")
        assert diagnosis.facts["index_host"] == "files.pythonhosted.org"

    def test_named_groups_come_before_context(self, matcher: Matcher) -> None:
        diagnosis = matcher.diagnose(BUILD_FAILURE_OLD)
        by_code = {match.code: match for match in diagnosis.matches}
        assert by_code["SUBPROCESS_EXITED_WITH_ERROR"].facts["exit_code"] == "1"
        assert by_code["PYTHON_H_MISSING"].facts["package"] == "fastcrc"  # from `Building wheel for fastcrc`
        assert diagnosis.facts["build_backend"] == "pyproject.toml (PEP 517)"

    def test_a_detail_regex_reads_the_lines_under_the_header(self) -> None:
        signature = Signature(
            "HASH_MISMATCH", "pip", "error", "DO NOT MATCH THE HASHES", detail=r"Got\s+(?P<got>[0-9a-f]{64})"
        )
        match = Matcher([signature], {}).diagnose(HASH_FAILURE).matches[0]
        assert match.facts["got"].startswith("8abb2f1d")
        assert match.lines == (line_of(HASH_FAILURE, "DO NOT MATCH"), line_of(HASH_FAILURE, "Got "))

    def test_a_regex_signatures_detail_reads_the_lines_under_the_header(self) -> None:
        signature = Signature(
            "HASH_MISMATCH",
            "pip",
            "error",
            r"DO NOT MATCH THE (?P<what>HASHES)",
            is_regex=True,
            detail=r"Got\s+(?P<got>[0-9a-f]{64})",
        )
        match = Matcher([signature], {}).diagnose(HASH_FAILURE).matches[0]
        assert (match.facts["what"], match.facts["got"][:8]) == ("HASHES", "8abb2f1d")
        assert match.lines == (line_of(HASH_FAILURE, "DO NOT MATCH"), line_of(HASH_FAILURE, "Got "))

    def test_the_requirement_and_its_file_come_from_the_collecting_line(self, matcher: Matcher) -> None:
        log = (
            "Collecting tokenizers>=0.13.0 (from anthropic>=0.37.1->-r demo/requirements.txt (line 2))\n"
            "  Using cached tokenizers-0.20.1.tar.gz (339 kB)\n"
            "  error: subprocess-exited-with-error\n"
        )
        facts = matcher.diagnose(log).matches[0].facts
        assert facts["package"] == "tokenizers"
        assert facts["version"] == "0.20.1"
        assert facts["requirement"] == "tokenizers>=0.13.0"
        assert (facts["requirements_file"], facts["requirements_line"]) == ("demo/requirements.txt", "2")

    @pytest.mark.parametrize(
        ("records", "facts"),
        [
            pytest.param(
                "Collecting requests==2.31.0\n"
                "  Downloading requests-2.31.0.tar.gz (110 kB)\n"
                "Processing /home/user/src/cext\n"
                "Building wheels for collected packages: fastcrc\n"
                "  Building wheel for fastcrc (pyproject.toml): started\n",
                {"package": "fastcrc"},
                id="another-package-above",
            ),
            pytest.param(
                "  Downloading https://example.org/downloads/latest.zip (5 kB)\n"
                "  Building wheel for fastcrc (pyproject.toml): started\n",
                {"package": "fastcrc"},
                id="a-download-naming-no-package-above",
            ),
            pytest.param(
                # Two pip commands in one CI log: the download of the first is not the request that failed.
                "Collecting cext==1.0 (from -r requirements-build.txt (line 1))\n"
                "  Downloading cext-1.0.tar.gz (5 kB)\n"
                "Collecting cext\n",
                {"requirement": "cext", "package": "cext"},
                id="records-above-its-collecting-line",
            ),
            pytest.param(
                "Collecting zope.interface>=5.0 (from -r requirements.txt (line 4))\n"
                "  Downloading zope_interface-7.0.3.tar.gz (252 kB)\n",
                {
                    "package": "zope_interface",
                    "version": "7.0.3",
                    "requirement": "zope.interface>=5.0",
                    "requirements_file": "requirements.txt",
                    "requirements_line": "4",
                },
                id="one-project-spelled-two-ways",
            ),
        ],
    )
    def test_the_package_comes_from_the_records_of_the_request_that_failed(
        self, matcher: Matcher, records: str, facts: dict
    ) -> None:
        assert matcher.diagnose(records + "  error: subprocess-exited-with-error\n").matches[0].facts == facts

    @pytest.mark.parametrize("indent", ["", "  "])
    def test_condas_collecting_package_metadata_names_no_package(self, matcher: Matcher, indent: str) -> None:
        # `conda env create` whose pip step fails (a CI step may indent conda's lines).
        log = (
            f"{indent}Collecting package metadata (repodata.json): done\n"
            f"{indent}Solving environment: done\n"
            "Pip subprocess error:\n"
            "  error: subprocess-exited-with-error\n"
        )
        assert matcher.diagnose(log).matches[0].facts == {}

    @pytest.mark.parametrize(
        ("line", "platform"),
        [
            ("Requirement already satisfied: six in c:\\python39\\lib\\site-packages (1.16.0)", "windows"),
            ("  Downloading numpy-1.26.4-cp311-cp311-win_amd64.whl (15.8 MB)", "windows"),
            ("Permission denied: '/Library/Frameworks/Python.framework/Versions/3.8/lib/python3.8/six.py'", "macos"),
            ("  Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl (18.3 MB)", "linux"),
        ],
    )
    def test_the_platform(self, matcher: Matcher, line: str, platform: str) -> None:
        assert matcher.diagnose(line + "\n").facts["platform"] == platform

    def test_the_platform_most_lines_show_wins_over_the_first_one_shown(self, matcher: Matcher) -> None:
        log = (
            "  Downloading numpy-1.26.4-cp311-cp311-win_amd64.whl (15.8 MB)\n"
            "  Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl (18.3 MB)\n"
            "  Downloading pandas-2.2.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (13.0 MB)\n"
            "  Downloading scipy-1.13.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (38.6 MB)\n"
        )
        assert matcher.diagnose(log).facts["platform"] == "linux"

    def test_a_line_showing_a_platform_twice_counts_once(self, matcher: Matcher) -> None:
        # Captured pip 20.3.4 output whose `command: /home/user/venv/bin/python /home/user/venv/lib/...`
        # line is its only Linux evidence, then two captured Windows wheel errors: Windows, 2 lines to 1.
        logs = LOGS
        log = "".join(
            (logs / name).read_text()
            for name in (
                "RUST_TOOLCHAIN_MISSING/20.3.4.log",
                "UNSUPPORTED_WHEEL/24.0.log",
                "UNSUPPORTED_WHEEL/26.3.log",
            )
        )
        diagnosis = matcher.diagnose(log)
        assert (codes(diagnosis)[0], diagnosis.facts["platform"]) == ("SUBPROCESS_EXITED_WITH_ERROR", "windows")

    def test_between_platforms_shown_as_often_the_first_shown_wins(self, matcher: Matcher) -> None:
        # `pip download --platform manylinux2014_x86_64` run on Windows.
        log = "Saved c:\\users\\me\\wheels\\numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl\n"
        assert matcher.diagnose(log).facts["platform"] == "windows"


class TestVersions:
    @pytest.mark.parametrize(
        ("log", "pip_version", "python_version"),
        [
            ("pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.12)\n", "24.0", "3.12"),
            ("[notice] A new release of pip is available: 23.3.1 -> 24.0\n", "23.3.1", None),
            ("WARNING: You are using pip version 21.0.1; however, version 26.3 is available.\n", "21.0.1", None),
            (
                "Requirement already satisfied: pip in d:\\python\\python311\\lib\\site-packages (22.3.1)\n",
                "22.3.1",
                "3.11",
            ),
            ('  File "/tmp/pip-23.0.1-py3-none-any.whl/pip/_internal/cli/main.py", line 70\n', "23.0.1", None),
            ("certifi==2024.2.2\npip==23.2.1\n", "23.2.1", None),
            ("ERROR: Package 'x' requires a different Python: 3.8.10 not in '>=3.9'\n", None, "3.8.10"),
            ("  Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl\n", None, "3.11"),
            ("Python 3.9.9\n", None, "3.9.9"),
        ],
    )
    def test_pip_and_python_versions(self, matcher: Matcher, log: str, pip_version, python_version) -> None:
        diagnosis = matcher.diagnose(log)
        assert (diagnosis.pip_version, diagnosis.python_version) == (pip_version, python_version)

    @pytest.mark.parametrize("freeze_first", [True, False])
    def test_pip_s_own_version_line_beats_a_freeze_line_wherever_they_stand(
        self, matcher: Matcher, freeze_first
    ) -> None:
        lines = ["pip==23.0.1\n", "pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.11)\n"]
        log = "".join(lines if freeze_first else lines[::-1])
        assert matcher.diagnose(log).pip_version == "24.0"

    def test_a_log_that_upgrades_pip_ran_the_old_one(self, matcher: Matcher) -> None:
        assert matcher.diagnose(PIP_UPGRADE).pip_version == "20.3.4"

    def test_a_failure_after_a_pip_upgrade_ran_the_new_one(self, matcher: Matcher) -> None:
        assert matcher.diagnose(PIP_UPGRADE + SSL_FAILURE).pip_version == "21.0.1"

    def test_a_failure_after_an_upgrade_alone_ran_the_new_pip(self, matcher: Matcher) -> None:
        assert matcher.diagnose("Successfully installed pip-21.0.1\n" + SSL_FAILURE).pip_version == "21.0.1"

    def test_warnings_after_a_pip_upgrade_were_printed_by_the_new_pip(self, matcher: Matcher) -> None:
        # The page shows where the pip that printed a finding raises it. Pasted without pip's
        # notice, the warning's own command shows no version.
        warning = CONFLICT_WARNING[: CONFLICT_WARNING.index("\n[notice]")]
        diagnosis = matcher.diagnose("Successfully installed pip-24.0\n" + warning)
        assert (diagnosis.outcome, codes(diagnosis)) == ("succeeded", ["DEPENDENCY_CONFLICT_WARNING"])
        assert diagnosis.pip_version == "24.0"

    def test_a_failure_after_pip_was_upgraded_then_pinned_back_ran_the_last_one_installed(
        self, matcher: Matcher
    ) -> None:
        log = "Successfully installed pip-24.0\nSuccessfully installed pip-23.3.1\n" + SSL_FAILURE
        assert matcher.diagnose(log).pip_version == "23.3.1"

    def test_a_version_line_after_the_upgrade_names_the_pip_that_ran(self, matcher: Matcher) -> None:
        # The upgrade went into another environment than the pip that then printed its version.
        log = "Successfully installed pip-24.0\npip 23.0.1 from /usr/lib/python3/dist-packages/pip (python 3.11)\n"
        assert matcher.diagnose(log + SSL_FAILURE).pip_version == "23.0.1"

    def test_a_log_no_signature_knows_still_shows_its_versions_and_facts(self) -> None:
        diagnosis = Matcher([], {}).diagnose(BUILD_FAILURE_OLD)
        assert (diagnosis.outcome, diagnosis.pip_version, diagnosis.python_version) == ("unknown", "21.0.1", "3.11")
        assert diagnosis.facts == {"platform": "linux", "build_backend": "pyproject.toml (PEP 517)"}

    def test_installing_a_pinned_pip_is_not_the_running_version(self, matcher: Matcher) -> None:
        assert matcher.diagnose("$ python -m pip install pip==23.0\n").pip_version is None


class TestPatterns:
    def test_a_catastrophic_regex_runs_in_linear_time(self) -> None:
        matcher = Matcher([Signature("NESTED", "pip", "error", r"(a+)+$", is_regex=True)], {})
        assert matcher.diagnose("a" * 50000 + "b\n").matches == []
        assert matcher.diagnose("a" * 50000 + "\n").matches[0].code == "NESTED"

    @pytest.mark.parametrize("pattern", [r"(?<=ERROR: )Exception", r"(\w+) \1", r"(?=x)y", "([unclosed"])
    def test_a_pattern_re2_cannot_compile_is_refused_with_its_signature_named(self, pattern: str) -> None:
        with pytest.raises(InvalidPattern, match=r"Signature BROKEN \(signature 42\)"):
            Matcher([Signature("BROKEN", "pip", "error", pattern, is_regex=True, key=42)], {})

    @pytest.mark.parametrize(
        ("signature", "explanation"),
        [
            (
                Signature("BROKEN", "pip", "error", "([unclosed", is_regex=True, key=42),
                "Signature BROKEN (signature 42): the pattern is not a valid RE2 regular expression "
                "(missing ]: [unclosed); RE2 has no look-around and no backreferences.",
            ),
            (
                Signature("BROKEN", "pip", "error", "ERROR: Exception:", detail=r"(\w+) \1"),
                "Signature BROKEN: the detail is not a valid RE2 regular expression "
                "(invalid escape sequence: \\1); RE2 has no look-around and no backreferences.",
            ),
        ],
    )
    def test_a_refused_pattern_is_explained_in_re2s_words_and_nothing_is_logged(
        self, capfd, signature: Signature, explanation: str
    ) -> None:
        with pytest.raises(InvalidPattern) as refused:
            Matcher([signature], {})
        assert str(refused.value) == explanation
        assert capfd.readouterr().err == ""

    @pytest.mark.parametrize(
        ("signature", "explanation"),
        [
            (
                Signature("EVERYTHING", "pip", "error", r".*", is_regex=True),
                "the pattern matches an empty line, so it would match every line",
            ),
            (
                Signature("BLANK", "pip", "error", r"^\s*$", is_regex=True),
                "the pattern matches an empty line, so it would match every line",
            ),
            (Signature("TINY", "pip", "error", "e"), "a literal pattern needs 3 characters or more"),
            (Signature("TINY", "pip", "error", "> ok"), "a literal pattern needs 3 characters or more"),
            (Signature("LOUD", "pip", "fatal", "ERROR: Exception:"), "severity must be error or warning, not 'fatal'"),
        ],
        ids=["every-line", "blank-lines", "one-character", "two-characters-after-a-quote", "unknown-severity"],
    )
    def test_signatures_that_would_flood_or_break_are_refused_saying_why(
        self, signature: Signature, explanation: str
    ) -> None:
        with pytest.raises(InvalidPattern) as refused:
            Matcher([signature], {})
        assert str(refused.value) == f"Signature {signature.code}: {explanation}."

    def test_a_detail_that_re2_cannot_compile_is_refused(self) -> None:
        with pytest.raises(InvalidPattern, match="the detail is not a valid RE2 regular expression"):
            Matcher([Signature("DETAIL", "pip", "error", "ERROR: Exception:", detail="(?<=x)")], {})

    def test_a_literal_of_three_characters_is_looked_for(self) -> None:
        matcher = Matcher([Signature("SHORT", "pip", "error", "six")], {})
        assert [match.lines for match in matcher.diagnose("Collecting six\n").matches] == [(1, 1)]

    def test_a_ten_megabyte_line_without_newline_is_diagnosed(self, matcher: Matcher) -> None:
        log = "x" * (10 * 1024 * 1024) + " ERROR: Could not find a version that satisfies the requirement six==9"
        match = matcher.diagnose(log).matches[0]
        assert (match.code, match.lines, match.facts["requirement"]) == ("DISTRIBUTION_NOT_FOUND", (1, 1), "six==9")
        assert len(match.excerpt) < 1000

    def test_a_fact_copied_from_a_huge_line_is_cut_with_an_ellipsis(self, matcher: Matcher) -> None:
        log = "ERROR: Could not find a version that satisfies the requirement six==" + "9" * (5 * 1024 * 1024)
        diagnosis = matcher.diagnose(log)
        requirement = diagnosis.matches[0].facts["requirement"]
        assert requirement.startswith("six==999") and requirement.endswith("…")
        assert len(requirement) == FACT_CHARACTERS
        assert len(json.dumps(diagnosis.to_dict())) < 10_000

    def test_a_fact_exactly_as_long_as_the_bound_is_kept_whole(self, matcher: Matcher) -> None:
        requirement = "six==" + "9" * (FACT_CHARACTERS - len("six=="))
        log = f"ERROR: Could not find a version that satisfies the requirement {requirement}\n"
        assert matcher.diagnose(log).matches[0].facts["requirement"] == requirement

    def test_a_long_match_is_cut_in_the_excerpt(self) -> None:
        signature = Signature("EXCEPTION", "pip", "error", r"Exception: (?P<message>.*)", is_regex=True)
        match = Matcher([signature], {}).diagnose("ERROR: Exception: " + "x" * 1_000_000 + "\n").matches[0]
        assert match.excerpt.startswith("ERROR: Exception: xxx") and match.excerpt.endswith(" ...")
        assert len(match.excerpt) < 1000
        assert len(match.facts["message"]) == FACT_CHARACTERS

    def test_a_match_300_bytes_before_the_end_of_a_long_line_is_shown_to_its_end(self) -> None:
        line = "y" * 5000 + " ERROR: disk full" + "z" * 300
        excerpt = Matcher([Signature("X", "pip", "error", "ERROR: disk full")], {}).diagnose(line).matches[0].excerpt
        assert excerpt.startswith("... yyy") and excerpt.endswith(" ERROR: disk full" + "z" * 300)

    def test_a_match_at_the_end_of_a_long_line_is_shown_with_only_its_start_cut(self) -> None:
        match = Matcher([Signature("X", "pip", "error", "ERROR: disk full")], {}).diagnose(
            "y" * 5000 + " ERROR: disk full\n"
        )
        excerpt = match.matches[0].excerpt
        assert excerpt.startswith("... yyy") and excerpt.endswith("yyy ERROR: disk full")
        assert len(excerpt) < 1000

    def test_a_long_line_holding_the_message_twice_is_shown_around_the_first(self) -> None:
        line = "ERROR: disk full " + "y" * 2000 + " ERROR: disk full"
        excerpt = Matcher([Signature("X", "pip", "error", "ERROR: disk full")], {}).diagnose(line).matches[0].excerpt
        assert excerpt.startswith("ERROR: disk full yyy") and excerpt.endswith("yyy ...")

    # A hash mismatch shown with the lines under it, down to the hash pip got.
    HASH_MISMATCH_WITH_DETAILS = Signature(
        "HASH_MISMATCH", "pip", "error", "DO NOT MATCH THE HASHES", detail=r"Got\s+(?P<got>[0-9a-f]{64})"
    )

    @pytest.mark.parametrize("width", [400, 600, 601, 900])
    def test_a_line_under_the_message_is_shown_whole_up_to_600_bytes_and_by_its_start_past_them(self, width) -> None:
        # HASH_FAILURE's requirement line, its requirements file deep in a long directory.
        requirement = next(line for line in HASH_FAILURE.splitlines() if line.startswith("    six==1.16.0 from"))
        directory = "/home/user/" + "d" * (width - len(requirement) - len("/home/user//"))
        long_line = requirement.replace("-r hashes.txt", f"-r {directory}/hashes.txt")
        match = Matcher([self.HASH_MISMATCH_WITH_DETAILS], {}).diagnose(HASH_FAILURE.replace(requirement, long_line))
        shown = match.matches[0].excerpt.splitlines()[1]
        assert len(long_line) == width
        assert shown == (long_line if width <= 600 else long_line[:300] + " ...")

    def test_a_byte_that_is_not_utf8_is_shown_as_a_replacement_character(self) -> None:
        # A Latin-1 terminal's log: the requirements file is in a directory named with an ü.
        log = HASH_FAILURE.replace("hashes.txt", "/home/m\xfcller/hashes.txt").encode("latin-1")
        match = Matcher([self.HASH_MISMATCH_WITH_DETAILS], {}).diagnose(log).matches[0]
        assert "(from -r /home/m\ufffdller/hashes.txt (line 1))" in match.excerpt

    def test_a_pip_version_read_from_a_huge_line_is_cut_too(self, matcher: Matcher) -> None:
        assert len(matcher.diagnose("pip==2" + "0" * 100_000 + "\n").pip_version) == FACT_CHARACTERS

    @pytest.mark.parametrize(
        "pattern",
        [
            r"Failed (?:building wheel )?to build (?P<package>\S+)",
            r"Failed (?:building wheel )*to build (?P<package>\S+)",
            r"Failed (?:building wheel ){0,2}to build (?P<package>\S+)",
            r"(?:Failed (?:building wheel|making) )?to build (?P<package>fast\S+)",
            r"(?P<verb>[^>]ailed) to build (?P<package>\S+)",
        ],
    )
    def test_a_regex_finds_a_line_without_the_words_of_what_it_may_skip(self, pattern: str) -> None:
        assert failed_build_found_by(pattern) == (line_of(BUILD_FAILURE, "Failed to build"), "fastcrc")

    def test_a_regex_without_a_literal_still_finds_its_line(self) -> None:
        matcher = Matcher([Signature("EXIT", "pip", "error", r"^\s*exit code: (?P<code>[1-9]\d*)$", is_regex=True)], {})
        match = matcher.diagnose(BUILD_FAILURE).matches[0]
        assert (match.lines[0], match.facts["code"]) == (line_of(BUILD_FAILURE, "exit code: 1"), "1")

    def test_a_regex_without_a_literal_matches_in_any_case_like_every_regex(self) -> None:
        pattern = r"^FA\w+ \w\w BU\w+ (?P<package>\S+)$"  # no run of three characters to look for
        assert failed_build_found_by(pattern) == (line_of(BUILD_FAILURE, "Failed to build"), "fastcrc")

    def test_a_regex_without_a_literal_matches_within_one_line_not_from_the_blank_line_above(self) -> None:
        matcher = Matcher([Signature("STATUS", "pip", "error", r"^\s+[1-9][0-9]{2}$", is_regex=True)], {})
        assert [match.lines for match in matcher.diagnose("Response status:\n\n  503\n").matches] == [(3, 3)]

    @pytest.mark.parametrize(
        "pattern",
        [
            r"^(?:PermissionError: \[Errno 13\]|OSError: \[Errno (?:28|30)\])",
            r"^(PermissionError: \[Errno 13\]|OSError: \[Errno (?:28|30)\])",
            r"^(?P<error>PermissionError: \[Errno 13\]|OSError: \[Errno (?:28|30)\])",
            r"^(?i:PermissionError: \[Errno 13\]|OSError: \[Errno (?:28|30)\])",
            r"^(?s-i:PermissionError: \[Errno 13\]|OSError: \[Errno (?:28|30)\])",
            r"^(?P<error>PermissionError|OSError)",
            r"^(?<error>PermissionError|OSError)",
            r"^(?:OSError: \[Errno (?:28|30)\]|PermissionError: \[Errno 13\] Permissions?)",
            r"^(?:PermissionError: \[Errno 13\] .*|OSError: \[Errno (?:28|30)\] .*)$",
        ],
    )
    def test_a_regex_that_is_one_group_of_alternatives_finds_its_line_behind_a_ci_prefix(self, pattern: str) -> None:
        # The last line of pip 24.0's `pip install -v --force-reinstall wheel` into a root-owned venv.
        matcher = Matcher([Signature("DENIED", "pip", "error", pattern, is_regex=True)], {})
        log = github_actions("PermissionError: [Errno 13] Permission denied: '/home/user/venv/bin/wheel'\n")
        assert codes(matcher.diagnose(log)) == ["DENIED"]


class TestSignatureTester:
    def test_it_lists_every_line_a_signature_fires_on_with_facts(self) -> None:
        signature = Signature("RETRYING_CONNECTION", "pip", "warning", r"Retry\(total=(?P<left>\d+)", is_regex=True)
        matches = test_signature(signature, SSL_FAILURE)
        assert [match.lines for match in matches] == [(line, line) for line in range(2, 7)]
        assert [match.facts["left"] for match in matches] == ["4", "3", "2", "1", "0"]

    def test_it_lists_each_line_once_however_far_apart_they_are(self) -> None:
        text = ("ERROR: disk full\n" + "x" * 10_000 + "\n") * 3
        matches = test_signature(Signature("DISK_FULL", "pip", "error", "ERROR: disk full"), text)
        assert [match.lines for match in matches] == [(1, 1), (3, 3), (5, 5)]

    def test_it_lists_a_message_that_ends_where_a_terminal_wrapped_its_line_once(self) -> None:
        text = hard_wrapped(CONNECTION_REFUSED, 62)  # `…satisfies the requirement` fills the line
        signature = Signature("NOT_FOUND", "pip", "error", "Could not find a version that satisfies the requirement")
        line = line_of(text, "Could not find a version")
        assert [match.lines for match in test_signature(signature, text)] == [(line, line)]

    @pytest.mark.parametrize("pattern", [r"^ERROR: port \d+$", r"^[0-9]{3,}$"], ids=["literal", "no literal"])
    def test_it_lists_at_most_the_lines_a_signature_keeps(self, pattern: str) -> None:
        lines = "".join(f"ERROR: port {port}\n{port}\n" for port in range(1000, 1200))
        signature = Signature("PORT", "pip", "error", pattern, is_regex=True)
        assert len(test_signature(signature, lines)) == matcher_module.CANDIDATES_PER_SIGNATURE

    @pytest.mark.parametrize(
        ("pattern", "line"),
        [
            (r"code \x41BC failed", "code ABC failed"),
            (r"caf\x{e9} failed", "café failed"),
            (r"\p{Greek} failed", "α failed"),
            (r"\pL failed", "a failed"),
            (r"\PL failed", "1 failed"),
            (r"\P{Greek} failed", "a failed"),
            (r"xa{2}\p{Greek} failed", "xaaα failed"),
            (r"\101BC failed", "ABC failed"),
            (r"\d failed", "1 failed"),
            (r"[^]x] failed", "a failed"),
            (r"[]a] failed", "] failed"),
            (r"[\]a] failed", "] failed"),
            (r"[[:digit:]] failed", "1 failed"),
            (r"[^[:space:]] failed", "a failed"),
            (r"[[:digit:]]x[[:alpha:]] failed", "1xa failed"),
            (r"(a|[)|]) failed", ") failed"),
            (r"xab{2} failed", "xabb failed"),
            (r"xa{2}b{2} failed", "xaabb failed"),
            (r"failed xa{2}b{2}", "failed xaabb"),
            (r"xab{1,3}? failed", "xabbb failed"),
            (r"xab*? failed", "xa failed"),
            (r"failed xab*", "failed xa"),
            (r"xab?c failed", "xac failed"),
            (r"x{a} failed", "x{a} failed"),
            (r"x{} failed", "x{} failed"),
            (r"x{,2} failed", "x{,2} failed"),
            (r"x{2,a} failed", "x{2,a} failed"),
            (r"alpha failed|beta broken", "beta broken"),
            (r"alpha[(]|beta broken", "beta broken"),
            (r"(?:alpha|beta) failed", "beta failed"),
            (r"(alpha|beta)|gamma broken", "gamma broken"),
            (r"x\|y failed", "x|y failed"),
            (r"x[|]y failed", "x|y failed"),
        ],
    )
    def test_a_regex_fires_whatever_escapes_and_classes_come_before_its_words(self, pattern: str, line: str) -> None:
        signature = Signature("X", "pip", "error", pattern, is_regex=True)
        assert [match.lines for match in test_signature(signature, f"Collecting x\n{line}\n")] == [(2, 2)]

    def test_it_names_the_other_tool_whose_output_a_line_is_in(self) -> None:
        signature = Signature("PYTHON_H_MISSING", "pip", "error", "Python.h: No such file or directory")
        assert [match.tool for match in test_signature(signature, UV_BUILD_FAILURE)] == ["uv"]
        assert [match.tool for match in test_signature(signature, BUILD_FAILURE)] == ["pip"]

    def test_it_refuses_a_bad_pattern_like_the_matcher(self) -> None:
        with pytest.raises(InvalidPattern, match=r"^Signature X: "):
            test_signature(Signature("X", "pip", "error", r"(?<=a)b", is_regex=True), "ab")
        with pytest.raises(InvalidPattern, match=r"^Signature X \(signature 7\): "):
            test_signature(Signature("X", "pip", "error", r"(?<=a)b", is_regex=True, key=7), "ab")


def test_the_diagnosis_serialises_for_the_api(matcher: Matcher) -> None:
    data = matcher.diagnose(HASH_FAILURE).to_dict()
    assert data["pip_version"] == "24.0"
    assert {key: value for key, value in data.items() if key != "matches"} == {
        "outcome": "failed",
        "tool": "pip",
        "failed": True,
        "pip_version": "24.0",
        "python_version": None,
        "facts": {"platform": "linux", "index_host": "files.pythonhosted.org"},
        "partial": None,
    }
    assert data["matches"][0]["code"] == "HASH_MISMATCH"
    assert data["matches"][0]["lines"] == [3, 3]
    assert set(data["matches"][0]) == {
        "code",
        "tool",
        "severity",
        "lines",
        "excerpt",
        "facts",
        "signature_key",
        "consequence_of",
    }


class TestBounds:
    """Each bound on the work of one diagnosis, and the answer when a log reaches it."""

    NOT_FOUND = "ERROR: Could not find a version that satisfies the requirement six==99\n"

    def test_past_the_secrets_it_replaces_one_by_one_every_line_is_removed(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "SECRETS_PER_LOG", 3)
        log = "pwd=a\npwd=b\nkeep me\npwd=c\nsee pwd=d here\nlast\n" + self.NOT_FOUND
        diagnosis = Matcher(SIGNATURES, REFINES).diagnose(log)
        assert diagnosis.log.decode().split("\n") == [
            "pwd=[redacted]",
            "pwd=[redacted]",
            "keep me",
            "pwd=[redacted]",
            "[redacted]",
            "[redacted]",
            "[redacted]",
            "[redacted]",
        ]
        assert diagnosis.matches == []
        assert "every line from line 5 on was removed unread" in diagnosis.partial

    @pytest.mark.parametrize(
        "pattern",
        [
            r"Building wheel for \S+ \(pyproject\.toml\): finished with status '(?:error|failed)'",
            r"Building wheel for (?P<package>\S+) \(pyproject\.toml\)(?: \.\.\.|: finished with status '?)(?:error|failed)",
            r"(?i)building wheel for \S+ \((?:PEP 517|pyproject\.toml)\).* 'error'$",
        ],
    )
    def test_a_failure_after_more_lines_than_its_signature_keeps_that_only_hold_its_literal_is_found_there(
        self, pattern: str
    ) -> None:
        # pip 23.3.2 `pip wheel -v ./cext`: each successful build prints its `Building wheel
        # for cext (pyproject.toml): finished with status 'done'`.
        succeeded = (LOGS / "success" / "23.3.2-wheel.log").read_text()
        log = succeeded * matcher_module.CANDIDATES_PER_SIGNATURE + BUILD_FAILURE
        matcher = Matcher([Signature("FAILED_BUILDING_WHEEL", "pip", "error", pattern, is_regex=True)], {})
        assert [match.lines[0] for match in matcher.diagnose(log).matches] == [
            line_of(log, "finished with status 'error'")
        ]

    def test_a_log_dense_with_one_literal_is_read_to_its_end(self, monkeypatch, matcher: Matcher) -> None:
        monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 2000)
        satisfied = "Requirement already satisfied: six in /home/user/.venv/lib/python3.11/site-packages (1.16.0)\n"
        diagnosis = matcher.diagnose(satisfied * 20_000 + self.NOT_FOUND)
        assert (codes(diagnosis), diagnosis.matches[0].lines, diagnosis.partial) == (
            ["DISTRIBUTION_NOT_FOUND"],
            (20_001, 20_001),
            "",
        )

    def test_a_log_dense_with_lines_a_signature_sets_aside_is_read_to_its_end(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 10_000)
        failed_build = r"Building wheel for \S+ \(pyproject\.toml\): finished with status '(?:error|failed)'"
        signatures = [*SIGNATURES, Signature("FAILED_BUILDING_WHEEL", "pip", "error", failed_build, is_regex=True)]
        built = "  Building wheel for cext (pyproject.toml): finished with status 'done'\n"  # pip 23.3.2, -v
        diagnosis = Matcher(signatures, REFINES).diagnose(built * 20_000 + self.NOT_FOUND)
        assert (codes(diagnosis), diagnosis.matches[0].lines, diagnosis.partial) == (
            ["DISTRIBUTION_NOT_FOUND"],
            (20_001, 20_001),
            "",
        )

    USER_SITE = "ERROR: Can not perform a '--user' install. User site-packages are not visible in this virtualenv."

    @pytest.mark.parametrize(
        ("command", "line"),
        [
            # A signature's literal, and its pieces looked for across wraps: the line before
            # each one may hold the start of a wrapped message, here from the second line on.
            ("", USER_SITE),
            ("$ pip install --user six\n", USER_SITE),
            # A line that may open another tool's output (uv's `Resolved 3 packages`), here pip's own.
            (
                "",
                "  Resolved https://github.com/pypa/sampleproject.git to commit 621e4974ca25ce531773def586ba3ed8e736b3fc",
            ),
            # A line that shows the running pip's version.
            ("", "Requirement already satisfied: pip in ./.venv/lib/python3.11/site-packages (24.0)"),
        ],
        ids=["signature", "signature-after-a-command", "other-tool", "fact"],
    )
    def test_a_literal_whose_lines_are_all_kept_no_longer_spends_the_budget(
        self, monkeypatch, command: str, line: str
    ) -> None:
        monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 2000)
        monkeypatch.setattr(matcher_module, "SPENT_KEYS_BEFORE_NARROWING", 0)
        monkeypatch.setattr(matcher_module, "NARROWING_MIN_BYTES", 0)
        diagnosis = Matcher(SIGNATURES, REFINES).diagnose(command + f"{line}\n" * 3000 + self.NOT_FOUND)
        lines = {match.code: match.lines for match in diagnosis.matches}
        last = command.count("\n") + 3001
        assert (lines["DISTRIBUTION_NOT_FOUND"], diagnosis.partial) == ((last, last), "")

    def test_past_the_lines_that_may_open_other_tools_output_none_is_set_aside(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "FOREIGN_LINES", 3)
        resolved = (
            "  Resolved https://github.com/pypa/sampleproject.git to commit 621e4974ca25ce531773def586ba3ed8e736b3fc\n"
        )
        npm_output = "npm ERR! code E404\n  Could not find a version that satisfies the requirement six==99\n"
        assert (
            codes(Matcher(SIGNATURES, REFINES).diagnose(resolved * 2 + npm_output)),
            codes(Matcher(SIGNATURES, REFINES).diagnose(resolved * 3 + npm_output)),
        ) == ([], ["DISTRIBUTION_NOT_FOUND"])

    def test_a_message_after_a_spent_literal_is_found_on_the_line_where_the_search_narrows(self, monkeypatch) -> None:
        # Narrowing at every literal nothing needs any more: the line that holds the message is
        # where the scan narrows its search, and the message comes after such a literal on it.
        monkeypatch.setattr(matcher_module, "SPENT_KEYS_BEFORE_NARROWING", 0)
        monkeypatch.setattr(matcher_module, "NARROWING_MIN_BYTES", 0)
        satisfied = "Requirement already satisfied: six in /home/user/.venv/lib/python3.11/site-packages (1.16.0)"
        lines = [satisfied] * 300
        lines[200] += " " + self.NOT_FOUND
        diagnosis = Matcher(SIGNATURES, REFINES).diagnose("\n".join(lines))
        assert [(match.code, match.lines) for match in diagnosis.matches] == [("DISTRIBUTION_NOT_FOUND", (201, 201))]

    def test_the_line_after_the_one_where_the_search_narrows_is_read_from_its_first_byte(self, monkeypatch) -> None:
        # Narrowing at every literal nothing needs any more: the platform clue /home/ is, once
        # its 40 lines are read, and the search narrows on the next line holding it. The line
        # after that opens on its only literal: the index the log's first pip run looked in.
        monkeypatch.setattr(matcher_module, "SPENT_KEYS_BEFORE_NARROWING", 0)
        monkeypatch.setattr(matcher_module, "NARROWING_MIN_BYTES", 0)
        logs = LOGS
        # /home/user/venv/bin/python: No module named pip
        no_pip = (logs / "NO_MODULE_NAMED_PIP" / "python3.8.log").read_text()
        # Looking in indexes: https://localhost:8443/simple, then http://127.0.0.1:8080/simple
        on_localhost = (logs / "SSL_VERIFICATION_FAILED" / "20.3.4.log").read_text()
        on_127 = (logs / "success" / "20.3.4-install.log").read_text()
        log = no_pip * (EVIDENCE_LINES_PER_KIND + 1) + on_localhost + on_127
        diagnosis = Matcher(SIGNATURES, REFINES).diagnose(log)
        assert (codes(diagnosis)[0], diagnosis.facts["index_host"]) == ("SSL_VERIFICATION_FAILED", "localhost")

    def test_once_the_search_drops_the_literals_nothing_needs_every_line_left_is_still_read(self) -> None:
        # Over a megabyte of paths (a platform clue read 40 times, then no more) between the
        # lines a signature keeps: the search is narrowed several times on the way.
        paths = " ".join(f"/home/user/src/file{index}.c" for index in range(8)) + "\n"
        lines = [paths] * 8_000
        lines[1:200:2] = ["ERROR: oops\n"] * 100
        matches = test_signature(Signature("OOPS", "pip", "error", "ERROR: oops"), "".join(lines))
        assert [match.lines[0] for match in matches] == list(range(2, 202, 2))

    def test_a_budget_spent_in_the_first_lines_is_not_reset_by_a_later_stretch(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 2000)
        log = ":\\ " * 1000 + "\n" + ":\\ " * 1500 + "\n" + "x" * 10_000 + "\n" + self.NOT_FOUND
        diagnosis = Matcher(SIGNATURES, REFINES).diagnose(log)
        assert (diagnosis.matches, diagnosis.partial) == (
            [],
            "Part of this log was not read: it repeats what the engine looks for so often "
            "that every line from line 3 on was not read.",
        )

    def test_a_log_that_repeats_literals_past_the_budget_says_where_reading_stopped(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 2000)
        log = ":\\ " * 1000 + "\n" + ":\\ " * 1500 + "\n" + self.NOT_FOUND
        diagnosis = Matcher(SIGNATURES, REFINES).diagnose(log)
        assert diagnosis.matches == []
        assert "every line from line 3 on was not read" in diagnosis.partial

    def test_a_log_with_exactly_as_many_literals_as_the_budget_is_read_whole(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 1000)
        assert Matcher(SIGNATURES, REFINES).diagnose(":\\ " * 1000 + "\n").partial == ""
        assert (
            "every line from line 2 on was not read"
            in Matcher(SIGNATURES, REFINES).diagnose(":\\ " * 1001 + "\n").partial
        )

    def test_a_log_both_cut_and_with_long_lines_skipped_says_where_reading_stopped_first(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "KEYS_PER_LOG", 2000)
        monkeypatch.setattr(matcher_module, "MATCH_BYTES_PER_LOG", 1000)
        long_line = f"{'x' * 2000} {self.NOT_FOUND}"
        log = long_line + "ERROR: Exception:\n" + long_line + ":\\ " * 2500 + "\n"
        assert Matcher(SIGNATURES, REFINES).diagnose(log).partial == (
            "Part of this log was not read: it repeats what the engine looks for so often that every line from "
            "line 5 on was not read; it holds more long lines to try than one diagnosis reads, so some were skipped."
        )

    def test_candidate_lines_past_the_matching_budget_are_skipped_and_said_so(self, monkeypatch) -> None:
        monkeypatch.setattr(matcher_module, "MATCH_BYTES_PER_LOG", 1000)
        long_line = f"{'x' * 2000} {self.NOT_FOUND}"
        diagnosis = Matcher(SIGNATURES, REFINES).diagnose(long_line + "ERROR: Exception:\n" + long_line)
        assert [(match.code, match.lines) for match in diagnosis.matches] == [("DISTRIBUTION_NOT_FOUND", (1, 1))]
        assert "some were skipped" in diagnosis.partial
        assert diagnosis.to_dict()["partial"] == diagnosis.partial  # the API says so too
        assert Matcher(SIGNATURES, REFINES).diagnose(self.NOT_FOUND).partial == ""

    def test_a_record_across_two_stretches_of_the_context_search_counts_once(self, monkeypatch) -> None:
        # The Downloading line nearest the error holds a second "downloading " in the next
        # stretch: counted twice, it would push the Collecting line out of the records read.
        stretch = 256
        monkeypatch.setattr(matcher_module._LinesHolding, "STRETCH_BYTES", stretch)
        downloading = "  Downloading tokenizers-0.20.1.tar.gz (1.2 MB)"
        above = f"Collecting tokenizers==0.20.1\n{downloading}\n{downloading}\n{downloading}"
        padding = " " * (stretch - len(above) % stretch + 1)
        log = f"{above}{padding}downloading again\n  error: subprocess-exited-with-error\n"
        match = Matcher(SIGNATURES, REFINES).diagnose(log).matches[0]
        assert (match.code, match.facts.get("requirement")) == ("SUBPROCESS_EXITED_WITH_ERROR", "tokenizers==0.20.1")

    def test_a_message_that_repeats_past_its_hits_leaves_the_next_ones_read(self, matcher: Matcher) -> None:
        notices = "[notice] A new release of pip is available: 24.0 -> 26.3\n" * 21
        assert codes(matcher.diagnose(notices + self.NOT_FOUND)) == ["DISTRIBUTION_NOT_FOUND", "PIP_VERSION_OUTDATED"]

    def test_a_wrapped_message_that_repeats_past_its_hits_leaves_the_next_wrapped_ones_read(self, matcher) -> None:
        conflicts = "ERROR: Cannot install six==99 because these package versions have conflicting dependencies.\n" * 21
        diagnosis = matcher.diagnose(hard_wrapped(conflicts + self.NOT_FOUND, 60))
        assert codes(diagnosis) == ["RESOLUTION_IMPOSSIBLE", "DISTRIBUTION_NOT_FOUND"]

    @pytest.mark.parametrize(("printed_whole", "lines"), [(19, (1, 2)), (20, (3, 3))])
    def test_a_message_is_placed_by_its_first_20_hits_whole_lines_first(
        self, matcher: Matcher, printed_whole: int, lines: tuple[int, int]
    ) -> None:
        # Once wrapped by a terminal, then printed whole: past 20 whole ones, the wrapped one is not read.
        conflict = "ERROR: Cannot install six==99 because these package versions have conflicting dependencies.\n"
        diagnosis = matcher.diagnose(hard_wrapped(conflict, 60) + conflict * printed_whole)
        assert (diagnosis.matches[0].code, diagnosis.matches[0].lines) == ("RESOLUTION_IMPOSSIBLE", lines)

    def test_the_package_comes_from_a_collecting_line_far_above(self, matcher: Matcher) -> None:
        compiler_output = "".join(
            f"  gcc -c src/file{index}.c -o build/file{index}.o -O2 -Wall\n" for index in range(5000)
        )
        log = "Collecting tokenizers==0.20.1\n" + compiler_output + "  error: subprocess-exited-with-error\n"
        match = matcher.diagnose(log).matches[0]
        assert (match.code, match.facts["package"], match.facts["version"]) == (
            "SUBPROCESS_EXITED_WITH_ERROR",
            "tokenizers",
            "0.20.1",
        )

    @pytest.mark.parametrize(
        "collecting_at",
        [
            matcher_module._LinesHolding.STRETCH_BYTES - 1,  # starts on a stretch's last byte, ends in the next
            matcher_module._LinesHolding.STRETCH_BYTES + 1,  # the next stretch starts on the newline before it
        ],
    )
    def test_the_collecting_record_at_the_edge_of_an_8_kb_stretch_names_the_failed_requirement(
        self, matcher: Matcher, collecting_at: int
    ) -> None:
        # Captured pip 24.0 output of a failed build, after successful installs (and blank lines) so
        # that its "Collecting brokenbuild" starts at `collecting_at`; its nearest records are the
        # build's two lines, the Downloading line (the version) and the Collecting line (the requirement).
        logs = LOGS
        failed = (logs / "SUBPROCESS_EXITED_WITH_ERROR" / "24.0.log").read_text()
        installs = (logs / "success" / "26.3-install.log").read_text()
        looking_in = failed[: failed.index("Collecting brokenbuild")]
        above = installs * ((collecting_at - len(looking_in)) // len(installs))
        log = above + "\n" * (collecting_at - len(looking_in) - len(above)) + failed
        assert log.index("Collecting brokenbuild") == collecting_at
        match = matcher.diagnose(log).matches[0]
        assert (match.code, match.lines) == ("SUBPROCESS_EXITED_WITH_ERROR", (line_of(log, "error: subprocess"),) * 2)
        assert (match.facts["package"], match.facts.get("version"), match.facts.get("requirement")) == (
            "brokenbuild",
            "1.0",
            "brokenbuild",
        )

    def test_pips_notice_at_the_edge_of_an_8_kb_stretch_ends_another_tools_output(self, matcher: Matcher) -> None:
        # Captured Poetry output, blank lines, then pip's captured closing notice starting on a
        # stretch's last byte: the longest literal of a pip line, it ends Poetry's region there.
        logs = LOGS
        poetry = (logs / "other-tools" / "24.0-poetry-setup-py.log").read_text()
        pip_output = (logs / "PIP_VERSION_OUTDATED" / "25.3.log").read_text()
        notice = pip_output[pip_output.index("[notice] A new release") :]
        blank_lines = "\n" * (matcher_module._LinesHolding.STRETCH_BYTES - 1 - len(poetry))
        log = poetry + blank_lines + notice
        diagnosis = matcher.diagnose(log)
        assert [(match.code, match.lines, match.tool) for match in diagnosis.matches] == [
            ("PIP_VERSION_OUTDATED", (line_of(log, "[notice] A new release"),) * 2, "pip")
        ]

    def test_lines_wider_than_a_terminal_are_not_joined_as_wrapped(self, matcher: Matcher) -> None:
        first, rest = "Could not find a version that satisfies", " the requirement six==99"
        narrow = matcher.diagnose(f"ERROR: {'x' * 30} {first}\n{rest}\n")
        wide = matcher.diagnose(f"ERROR: {'x' * 1000} {first}\n{rest}\n")
        assert (codes(narrow), codes(wide)) == (["DISTRIBUTION_NOT_FOUND"], [])

    def test_past_the_lines_read_for_other_tools_ends_their_output_stops(self, monkeypatch, matcher: Matcher) -> None:
        log = (
            "npm ERR! code E404\n"
            + "warning: y\n" * 5
            + "  Could not find a version that satisfies the requirement six==99\n"
        )
        assert codes(matcher.diagnose(log)) == []
        monkeypatch.setattr(scoping, "CLOSING_CANDIDATES", 3)
        assert codes(matcher.diagnose(log)) == ["DISTRIBUTION_NOT_FOUND"]

    def test_the_lines_read_for_other_tools_ends_are_counted_over_the_whole_log(self, monkeypatch, matcher) -> None:
        """The first region spends three of the four lines; the second ends at the one left."""
        monkeypatch.setattr(scoping, "CLOSING_CANDIDATES", 4)
        npm = "npm ERR! code E404\n" + "warning: y\n" * 2
        message = "  Could not find a version that satisfies the requirement six==99\n"
        first_run = npm + "Successfully installed six-1.16.0\n"
        assert (codes(matcher.diagnose(npm + message)), codes(matcher.diagnose(first_run + npm + message))) == (
            [],
            ["DISTRIBUTION_NOT_FOUND"],
        )

    # uv's opening line holds `error: `, as pip's lines that may end it do: it is not read as one of them.
    @pytest.mark.parametrize(
        "opening", ["npm ERR! code E404", "error: Failed to build `fastcrc @ file:///home/user/src/cext`"]
    )
    def test_another_tools_output_ends_exactly_at_the_last_line_read_for_it(
        self, monkeypatch, matcher, opening: str
    ) -> None:
        monkeypatch.setattr(scoping, "CLOSING_CANDIDATES", 3)
        message = "  Could not find a version that satisfies the requirement six==99\n"
        after_three = f"{opening}\n" + "warning: y\n" * 3 + message
        before_the_third = f"{opening}\n" + "warning: y\n" * 2 + message + "warning: y\n"
        assert (codes(matcher.diagnose(after_three)), codes(matcher.diagnose(before_the_third))) == (
            ["DISTRIBUTION_NOT_FOUND"],
            [],
        )


class TestRequiredLiterals:
    """The text a regex signature requires, which the matcher looks for first and the release
    report dates the entry by (kb/releases/dating.py): all the literal text next to an escape,
    a class or a quantifier, none of their own characters and nothing it may lack."""

    @pytest.mark.parametrize(
        ("pattern", "literal"),
        [
            (r"code \x41BC failed", "BC failed"),
            (r"\x{41}BC failed", "BC failed"),
            (r"\pLBC failed", "BC failed"),
            (r"\p{Greek} failed {x}", " failed {x}"),
            (r"\101BC failed", "BC failed"),
            (r"\10BC failed", "BC failed"),
            (r"[^a]BC failed", "BC failed"),
            (r"[\]]BC failed", "BC failed"),
            (r"[]]BC failed", "BC failed"),
            (r"[[:x]BC failed", "BC failed"),
            (r"[[:digit:]]BC failed[[:alpha:]]", "BC failed"),
            (r"x{a} failed", "x{a} failed"),
            (r"x{1,2,3} failed", "x{1,2,3} failed"),
            (r"failed x{12", "failed x{12"),
            (r"xab{2} failed {x}", " failed {x}"),
            (r"xab* failed", " failed"),
            (r"xab*? failed", " failed"),
            (r"failed xab+", "failed xab"),
            (r"libXML failed", "libXML failed"),
        ],
    )
    def test_the_required_text_is_all_the_literal_text_around_escapes_classes_and_quantifiers(
        self, pattern: str, literal: str
    ) -> None:
        assert required_literals(pattern) == [literal]

    @pytest.mark.parametrize(
        ("pattern", "sides"),
        [
            (r"Failed building wheel for (?P<package>\S+)", (False, True)),
            (r"(?P<package>\S+) has an invalid wheel", (True, False)),
            (r"did not run successfully\.", (False, False)),
            (r"^\s*(?:ERROR: )?Could not find a version", (False, False)),
            (r"(?:gcc|cc) exit code (?P<code>\d+)", (True, True)),
            (r"failed xab+", (False, True)),  # the `+` left after the literal is no pattern of its own
        ],
    )
    def test_a_regex_says_on_which_sides_of_its_literal_every_match_holds_text(
        self, pattern: str, sides: tuple[bool, bool]
    ) -> None:
        """The sides a wrapped line may have put on the line above or below the literal's."""
        assert compile_signature(Signature("X", "pip", "error", pattern, is_regex=True)).literal_sides == (sides,)

    @pytest.mark.parametrize("literal", [b"did not run successfully", b": finished with status 'error'"])
    def test_the_pieces_looked_for_across_a_cut_are_not_what_pip_prints_for_every_package(self, literal: bytes) -> None:
        # Else every line of a dense log's `Successfully installed` and `finished with status
        # 'done'` would be tried as the start of a wrapped message.
        pieces = matcher_module._wrap_pieces(literal)
        assert not [piece for piece in pieces for record in matcher_module.ORDINARY_RECORDS if piece.strip() in record]


class TestSpeedTestLines:
    """The lines the editor times a staff regex on: the regex's longest literal, then
    characters it names, where a pattern that counts them costs most."""

    def test_each_line_starts_with_the_longest_literal_then_only_characters_the_pattern_names(self) -> None:
        pattern = r"ERROR: (?:.*X.{100}){8}|Could not build wheels for (?:.*X.{100}){8}"
        literal = b"Could not build wheels for "
        lines = speed_test_lines(pattern)
        assert all(line.startswith(literal) for line in lines)
        named = set((pattern + "ab01 :-_/.").encode()) - set(b"\\()[]{}|*+?^$")
        assert set().union(*(line.removeprefix(literal) for line in lines)) == named

    def test_a_character_class_gets_lines_of_its_own_members_every_one_of_them(self) -> None:
        literal = b"Hash of the downloaded file "
        lines = speed_test_lines(r"Hash of the downloaded file [0-9a-f]{64} for [p-r]+")
        drawn = [set(line.removeprefix(literal)) for line in lines]
        assert set(b"0123456789abcdef") in drawn
        assert set(b"pqr") in drawn

    def test_a_pattern_without_a_literal_gets_lines_of_its_characters_alone(self) -> None:
        assert {len(line) for line in speed_test_lines(r"[0-9]+\.[0-9]+")} == {1000}

    def test_the_same_pattern_gets_the_same_lines_every_time(self) -> None:
        """So a pattern's verdict does not change from one save to the next."""
        assert speed_test_lines(r"ERR [ab]*a[ab]{1000}") == speed_test_lines(r"ERR [ab]*a[ab]{1000}")


class RegexAtASpeed:
    """A real regex on a clock of its own that reads `megabytes_per_second` MB a second, so
    the speed the editor reports is known without timing anything."""

    def __init__(self, pattern: str, megabytes_per_second: float) -> None:
        self.regex = re2.compile(pattern)
        self.seconds_per_byte = 1 / (megabytes_per_second * 1024 * 1024)
        self.now, self.lines_read = 100.0, 0

    def search(self, line: bytes) -> object:
        self.now += len(line) * self.seconds_per_byte
        self.lines_read += 1
        return self.regex.search(line)

    def clock(self) -> float:
        return self.now


class TestPatternSpeed:
    """The speed the editor reports for a staff regex, and when it stops reading a slow one."""

    PATTERN = r"[0-9]+\.[0-9]+"  # no literal: every test line is 1000 bytes

    def test_a_fast_regex_reads_every_test_line_and_is_reported_at_its_speed(self) -> None:
        regex = RegexAtASpeed(self.PATTERN, 100)
        assert megabytes_per_second(self.PATTERN, regex, regex.clock) == pytest.approx(100, rel=1e-9)
        assert regex.lines_read == len(speed_test_lines(self.PATTERN))

    def test_a_slow_regex_is_given_up_on_once_it_has_spent_the_time_the_slowest_allowed_takes(self) -> None:
        """At an eighth of the minimum speed, the time the minimum allows for all the lines
        reads an eighth of them: one line more shows it too slow."""
        regex = RegexAtASpeed(self.PATTERN, MIN_MEGABYTES_PER_SECOND / 8)
        assert megabytes_per_second(self.PATTERN, regex, regex.clock) == pytest.approx(1, rel=1e-9)
        assert regex.lines_read == len(speed_test_lines(self.PATTERN)) // 8 + 1
