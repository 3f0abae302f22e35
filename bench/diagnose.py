# ruff: noqa: E501, W293 -- pip's real output below has long lines and indented blank lines
"""Benchmark of the diagnosis engine on a 10 MB CI-style log.

Run: .venv/bin/python bench/diagnose.py [--megabytes 10]

Prints the engine's throughput end to end (read_log + redact + diagnose), a naive
baseline (every line against every signature's regex with Python `re`), `grep -F -f`
over the same log with the signatures' literal parts, the time with ten times as many
signatures, and the peak memory against the log size.

The pip output inside the log was captured from real pip runs (pip 24.0, Python 3.11,
in a throw-away venv, local paths rewritten); the rest is generated CI noise.
"""

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.diagnosis import Matcher, Signature, read_log, redact  # noqa: E402
from kb.diagnosis.signatures import required_literals  # noqa: E402

# (code, severity, the message pip prints with {placeholders}), from pip's messages.
MESSAGES = (
    ("BUILD_DEPENDENCIES_INSTALL_FAILED", "e", "error: subprocess-exited-with-error"),
    ("BUILD_FAILED_SUMMARY", "e", "Failed to build {names}"),
    ("CMAKE_FAILED", "e", "CMake must be installed to build the following extensions"),
    ("COMPILER_MISSING", "e", "error: command 'gcc' failed: No such file or directory"),
    ("CONNECTION_FAILED", "e", "error: connection-failed"),
    ("CONNECTION_TIMEOUT", "e", "error: connection-timeout"),
    ("CONNECTION_TIMEOUT", "e", "ERROR: Exception:"),
    (
        "DEFAULTING_TO_USER_INSTALLATION",
        "w",
        "Defaulting to user installation because normal site-packages is not writeable",
    ),
    (
        "DEPENDENCY_CONFLICT_WARNING",
        "w",
        "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. Thi",
    ),
    (
        "DEPRECATION_GENERIC",
        "w",
        "DEPRECATION: {reason} pip {gone_in} will enforce this behaviour change. A possible replacement is {replacement",
    ),
    (
        "DISTRIBUTION_NOT_FOUND",
        "e",
        "ERROR: Could not find a version that satisfies the requirement {requirement} (from versions: {versions})",
    ),
    ("DOUBLE_REQUIREMENT_GIVEN", "e", "ERROR: Double requirement given: {req} (already in {existing}, name='{name}')"),
    ("EXTERNALLY_MANAGED_ENVIRONMENT", "e", "error: externally-managed-environment"),
    ("FAILED_BUILDING_WHEEL", "e", "ERROR: Failed building wheel for {name}"),
    ("FAILED_WHEEL_BUILD_FOR_INSTALL", "e", "error: failed-wheel-build-for-install"),
    (
        "FAILED_WHEEL_BUILD_FOR_INSTALL",
        "e",
        "ERROR: Could not build wheels for {names}, which is required to install pyproject.toml-based projects",
    ),
    (
        "HASH_MISMATCH",
        "e",
        "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package vers",
    ),
    (
        "HASH_MISSING",
        "e",
        "ERROR: Hashes are required in --require-hashes mode, but they are missing from some requirements. Here is a li",
    ),
    (
        "HASH_UNPINNED",
        "e",
        "ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==. These do not:",
    ),
    (
        "HTTP_ERROR_INSTALL_REQUIREMENT",
        "e",
        "ERROR: Could not install requirement {req} because of HTTP error {error} for URL {url}",
    ),
    ("HTTP_ERROR_WHILE_GETTING", "e", "ERROR: HTTP error {status} while getting {url}"),
    (
        "IGNORED_REQUIRES_PYTHON_VERSIONS",
        "w",
        "ERROR: Ignored the following versions that require a different python version: {version} Requires-Python {spec",
    ),
    ("IGNORING_INVALID_DISTRIBUTION", "w", "WARNING: Ignoring invalid distribution {name} ({location})"),
    ("INCOMPLETE_DOWNLOAD", "e", "error: incomplete-download"),
    ("INVALID_REQUIREMENT", "e", "ERROR: Invalid requirement: '{req}': {packaging_error}"),
    ("LEGACY_INSTALL_FAILURE", "e", "error: legacy-install-failure"),
    (
        "LEGACY_SETUP_PY_INSTALL",
        "w",
        "DEPRECATION: {name} is being installed using the legacy 'setup.py install' method, because it does not have a ",
    ),
    ("METADATA_GENERATION_FAILED", "e", "error: metadata-generation-failed"),
    (
        "METADATA_INCONSISTENT",
        "e",
        "Requested {req} has inconsistent {field}: expected {expected!r}, but metadata has {actual!r}",
    ),
    ("MSVC_REQUIRED", "e", "error: Microsoft Visual C++ 14.0 or greater is required."),
    ("NETWORK_CONNECTION_ERROR", "e", "ERROR: {status} Client Error: {reason} for url: {url}"),
    (
        "NOT_INSTALLABLE_DIRECTORY",
        "e",
        "ERROR: Directory '{path}' is not installable. Neither 'setup.py' nor 'pyproject.toml' found.",
    ),
    ("NO_MODULE_NAMED_PIP", "e", "No module named pip"),
    ("OS_ERROR_INSTALL", "e", "ERROR: Could not install packages due to an OSError: {error}"),
    ("PG_CONFIG_MISSING", "e", "Error: pg_config executable not found."),
    ("PIP_COMMAND_NOT_FOUND", "e", "pip: command not found"),
    ("PIP_INTERNAL_EXCEPTION", "e", "ERROR: Exception:"),
    ("PIP_VERSION_OUTDATED", "w", "[notice] A new release of pip is available: {old} -> {new}"),
    ("PROXY_CONNECTION_FAILED", "e", "error: proxy-connection-failed"),
    (
        "PYTHON2_EOL_DEPRECATION",
        "w",
        "DEPRECATION: Python 2.7 reached the end of its life on January 1st, 2020. Please upgrade your Python as Python",
    ),
    ("PYTHON_H_MISSING", "e", "fatal error: Python.h: No such file or directory"),
    (
        "REQUIREMENTS_FILE_NOT_FOUND",
        "e",
        "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{file}'",
    ),
    (
        "RESOLUTION_IMPOSSIBLE",
        "e",
        "ERROR: Cannot install {requirements} because these package versions have conflicting dependencies.",
    ),
    ("RESOLUTION_TOO_DEEP", "e", "error: resolution-too-deep"),
    (
        "RESOLVER_BACKTRACKING",
        "w",
        "INFO: pip is looking at multiple versions of {package} to determine which version is compatible with other req",
    ),
    (
        "RETRYING_CONNECTION",
        "w",
        "WARNING: Retrying (Retry(total={n}, connect=None, read=None, redirect=None, status=None)) after connection bro",
    ),
    (
        "RUNNING_AS_ROOT",
        "w",
        "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the sy",
    ),
    ("RUST_TOOLCHAIN_MISSING", "e", "error: can't find Rust compiler"),
    ("SCRIPT_NOT_ON_PATH", "w", "WARNING: The script {name} is installed in '{dir}' which is not on PATH."),
    ("SETUPTOOLS_MISSING", "e", "ModuleNotFoundError: No module named 'setuptools'"),
    ("SETUPTOOLS_MISSING", "e", "ERROR: Can not execute "),
    ("SSL_MISSING", "e", "error: ssl-missing"),
    (
        "SSL_MISSING",
        "e",
        "WARNING: pip is configured with locations that require TLS/SSL, however the ssl module in Python is not availa",
    ),
    ("SSL_VERIFICATION_FAILED", "e", "error: ssl-verification-failed"),
    (
        "SSL_VERIFICATION_FAILED",
        "e",
        "Could not fetch URL {url}: There was a problem confirming the ssl certificate: {error} - skipping",
    ),
    (
        "SUBPROCESS_EXITED_WITH_ERROR",
        "e",
        "ERROR: Command errored out with exit status {code}: {command} Check the logs for full command output.",
    ),
    ("SUBPROCESS_EXITED_WITH_ERROR", "e", "error: subprocess-exited-with-error"),
    ("SYSTEM_HEADER_MISSING", "e", "fatal error: ffi.h: No such file or directory"),
    (
        "UNINSTALL_DISTUTILS_INSTALLED_PACKAGE",
        "e",
        "ERROR: Cannot uninstall '{name}'. It is a distutils installed project and thus we cannot accurately determine which files belong to it which would lead to only a partial uninstall.",
    ),
    ("UNINSTALL_DISTUTILS_INSTALLED_PACKAGE", "e", "error: uninstall-distutils-installed-package"),
    (
        "UNSUPPORTED_PYTHON_VERSION",
        "e",
        "ERROR: Package '{name}' requires a different Python: {python_version} not in '{requires_python}'",
    ),
    ("UNSUPPORTED_WHEEL", "e", "ERROR: {wheel_filename} is not a supported wheel on this platform."),
    (
        "USER_SITE_NOT_VISIBLE",
        "e",
        "ERROR: Can not perform a '--user' install. User site-packages are not visible in this virtualenv.",
    ),
    (
        "VCS_HASH_UNSUPPORTED",
        "e",
        "ERROR: Can't verify hashes for these requirements because we don't have a way to hash version control reposito",
    ),
    (
        "ARCHIVE_PATH_TRAVERSAL",
        "e",
        "ERROR: The tar file ({file}) has a file ({member}) trying to install outside target directory ({dir})",
    ),
    ("BAD_COMMAND", "e", "ERROR: Cannot find command '{vcs}' - do you have '{vcs}' installed and in your PATH?"),
    ("BAD_INDEX_DOCTYPE", "w", "warning: bad-index-doctype"),
    ("BAD_INDEX_DOCTYPE", "w", "ValueError: HTML doctype missing or incorrect. Expected <!DOCTYPE html>."),
    ("BROKEN_STDOUT_PIPE", "e", "ERROR: Pipe to stdout was broken"),
    (
        "BUILD_GLOBAL_OPTION_DEPRECATION",
        "w",
        "DEPRECATION: --build-option and --global-option are deprecated. pip 25.3 will enforce this behaviour change. A",
    ),
    ("BUILT_WHEEL_INVALID", "w", "WARNING: Built wheel for {name} is invalid: {reason}"),
    (
        "CACHE_DIR_NOT_WRITABLE",
        "w",
        "WARNING: The directory '{dir}' or its parent directory is not owned or is not writable by the current user. Th",
    ),
    ("CACHE_ENTRY_DESERIALIZATION_FAILED", "w", "WARNING: Cache entry deserialization failed, entry ignored"),
    ("CANNOT_REMOVE_PTH_ENTRIES", "w", "WARNING: Cannot remove entries from nonexistent file {pth_file}"),
    ("CONFIGURATION_FILE_COULD_NOT_BE_LOADED", "e", "Configuration file could not be loaded."),
    (
        "CONSTRAINT_FROM_PATH_OR_URL",
        "e",
        "ERROR: Could not satisfy constraints for '{name}': installation from path or url cannot be constrained to a ve",
    ),
    (
        "DEPENDENCY_GROUP_ERROR",
        "e",
        "ERROR: [dependency-groups] table was missing from '{path}'. Cannot resolve '--group' option.",
    ),
    (
        "DIRECTORY_URL_HASH_UNSUPPORTED",
        "e",
        "ERROR: Can't verify hashes for these file:// requirements because they point to directories:",
    ),
    ("DISCARDING_CANDIDATE", "w", "Discarding {link}: {reason}"),
    (
        "EDITABLE_HASH_UNSUPPORTED",
        "e",
        "ERROR: The editable requirement {req} cannot be installed when requiring hashes, because there is no single fi",
    ),
    (
        "EDITABLE_NAME_UNDETECTABLE",
        "e",
        "ERROR: Could not detect requirement name for '{url}', please specify one with your_package_name @ URL",
    ),
    (
        "EDITABLE_NOT_SUPPORTED",
        "e",
        "ERROR: Project {project} uses a build backend that is missing the 'build_editable' hook, so it cannot be insta",
    ),
    (
        "EGG_FRAGMENT_DEPRECATION",
        "w",
        "DEPRECATION: {link} contains an egg fragment with a non-PEP 508 name. pip 25.3 will enforce this behaviour cha",
    ),
    (
        "EGG_LOADING_DEPRECATION",
        "w",
        "DEPRECATION: Loading egg at {location} is deprecated. pip 25.1 will enforce this behaviour change. A possible ",
    ),
    ("ERROR_PARSING_DEPENDENCIES", "w", "WARNING: Error parsing dependencies of {name}: {error}"),
    ("EXTRA_NOT_PROVIDED", "w", "WARNING: {name} {version} does not provide the extra '{extra}'"),
    ("FAILED_BUILDING_EDITABLE", "e", "ERROR: Failed building editable for {name}"),
    ("FAILED_BUILD_DEPENDENCY_INSTALL", "e", "error: failed-build-dependency-install"),
    ("FAILED_TO_PREPARE_CANDIDATE", "e", "ERROR: Failed to build '{package}' when {failed_step}"),
    ("HASH_WITHOUT_REQUIREMENT", "w", "WARNING: {file} line {n} has --hash but no requirement, and will be ignored."),
    ("HTTP_401_CREDENTIALS", "w", "WARNING: 401 Error, Credentials not correct for {url}"),
    ("IGNORED_YANKED_VERSIONS", "w", "ERROR: Ignored the following yanked versions: {versions}"),
    (
        "IGNORING_INVALID_METADATA_VERSION",
        "w",
        "WARNING: Ignoring version {version} of {name} since it has invalid metadata:",
    ),
    (
        "INVALID_EDITABLE_REQUIREMENT",
        "e",
        "ERROR: {req} is not a valid editable requirement. It should either be a path to a local project or a VCS URL (",
    ),
    ("INVALID_EGG_FRAGMENT", "e", "error: invalid-egg-fragment"),
    ("INVALID_INSTALLED_PACKAGE", "e", "error: invalid-installed-package"),
    ("INVALID_PYPROJECT_BUILD_SYSTEM_REQUIRES", "e", "error: invalid-pyproject-build-system-requires"),
    ("INVALID_SCHEME_COMBINATION", "e", "ERROR: Cannot set {option} and {other} together"),
    ("INVALID_WHEEL", "e", "ERROR: Wheel '{name}' located at {location} is invalid."),
    ("INVALID_WHEEL_FILENAME", "e", "ERROR: {filename} is not a valid wheel filename."),
    ("KEYRING_SKIPPED", "w", "WARNING: Keyring is skipped due to an exception: {error}"),
    (
        "LEGACY_BDIST_WHEEL_DEPRECATION",
        "w",
        "DEPRECATION: Building '{name}' using the legacy setup.py bdist_wheel mechanism, which will be removed in a fut",
    ),
    (
        "LEGACY_EDITABLE_DEPRECATION",
        "w",
        "DEPRECATION: Legacy editable install of {req} (setup.py develop) is deprecated. pip 25.3 will enforce this beh",
    ),
    (
        "LOCATIONS_MISMATCH",
        "w",
        "WARNING: Value for {scheme_key} does not match. Please report this to <https://github.com/pypa/pip/issues/1015",
    ),
    (
        "LOCKED_REQUIREMENT_MISMATCH",
        "e",
        "ERROR: The requirement {req} is not compatible with version {version} specified in a provided lock file",
    ),
    ("MARKERS_DONT_MATCH", "w", "Ignoring {name}: markers '{markers}' don't match your environment"),
    ("METADATA_INVALID", "e", "ERROR: Requested {req} has invalid metadata: {error}"),
    (
        "METADATA_NAME_MISMATCH",
        "w",
        "WARNING: Generating metadata for package {egg_name} produced metadata for project name {real_name}. Fix your #",
    ),
    ("MISSING_BUILD_REQUIREMENTS", "w", "WARNING: Missing build requirements in pyproject.toml for {req}."),
    ("MISSING_INDEX_DOCTYPE", "w", "warning: missing-index-doctype"),
    ("MISSING_PYPROJECT_BUILD_SYSTEM_REQUIRES", "e", "error: missing-pyproject-build-system-requires"),
    ("NONE_METADATA_ERROR", "e", "ERROR: None {metadata_name} metadata found for distribution: {dist}"),
    (
        "NON_STANDARD_VERSION_DEPRECATION",
        "w",
        "DEPRECATION: {name} {version} has a non-standard dependency specifier {dep}. pip 24.1 will enforce this behavi",
    ),
    (
        "NO_REQUIREMENTS_GIVEN",
        "e",
        'ERROR: You must give at least one requirement to {command} (see "pip help {command}")',
    ),
    ("OPERATION_CANCELLED", "e", "ERROR: Operation cancelled by user"),
    ("OPTION_PARSE_ERROR", "e", "Usage:   "),
    ("PIP_CHECK_CONFLICT", "w", "{name} {version} has requirement {req}, but you have {dep} {dep_version}."),
    ("PIP_SEARCH_XMLRPC_FAILED", "e", "ERROR: XMLRPC request failed [code: -32500]"),
    ("PIP_VERSION_CHECK_FAILED", "w", "WARNING: There was an error checking the latest version of pip."),
    (
        "PKG_RESOURCES_BACKEND_DEPRECATION",
        "w",
        "DEPRECATION: Using the pkg_resources metadata backend is deprecated. pip 26.3 will enforce this behaviour chan",
    ),
    ("PREVIOUSLY_DOWNLOADED_BAD_HASH", "w", "WARNING: Previously-downloaded file {path} has bad hash. Re-downloading."),
    (
        "PREVIOUS_BUILD_DIR_ERROR",
        "e",
        "ERROR: pip can't proceed with requirements '{req}' due to a pre-existing build directory ({dir}). This is like",
    ),
    ("PROTECT_PIP_ON_WINDOWS", "e", "ERROR: To modify pip, please run the following command:"),
    ("PYLOCK_FILE_ERROR", "e", "ERROR: Invalid pylock file '{path}': {error}"),
    ("REQUESTED_VERSION_MISMATCH", "w", "WARNING: Requested {req}, but installing version {version}"),
    (
        "REQUIREMENTS_FILE_DECODE_FALLBACK",
        "w",
        "WARNING: unable to decode data from {file} with default encoding {enc}, falling back to encoding from locale: ",
    ),
    ("REQUIREMENTS_FILE_PARSE_ERROR", "e", "ERROR: Invalid requirement: {line}"),
    (
        "REQUIREMENTS_TXT_LITERAL_HINT",
        "w",
        'HINT: You are attempting to install a package literally named "requirements.txt" (which cannot exist). Conside',
    ),
    (
        "REQUIREMENT_LOOKS_LIKE_FILENAME",
        "w",
        "WARNING: Requirement '{req}' looks like a filename, but the file does not exist",
    ),
    (
        "RESOLVER_TAKING_LONGER",
        "w",
        "INFO: This is taking longer than usual. You might need to provide the dependency resolver with stricter constr",
    ),
    ("RESUMING_DOWNLOAD", "w", "WARNING: Attempting to resume incomplete download ({received}/{total}, attempt {n})"),
    (
        "SIDECAR_METADATA_INCONSISTENT",
        "e",
        "ERROR: Requested {req} has inconsistent {field} between its PEP 658 .metadata file and the wheel's METADATA: s",
    ),
    ("SKIPPING_NOT_INSTALLED", "w", "WARNING: Skipping {name} as it is not installed."),
    (
        "SKIPPING_PAGE_CONTENT_TYPE",
        "w",
        "WARNING: Skipping page {url} because the GET request got Content-Type: {type}. The only supported Content-Type",
    ),
    (
        "TARGET_DIRECTORY_EXISTS",
        "w",
        "WARNING: Target directory {dir} already exists. Specify --upgrade to force replacement.",
    ),
    ("TEMP_DIR_CLEANUP_FAILED", "w", "WARNING: Failed to remove contents in a temporary directory '{dir}'."),
    ("UNINSTALL_NO_RECORD_FILE", "e", "error: uninstall-no-record-file"),
    ("UNKNOWN_COMMAND", "e", 'ERROR: unknown command "{cmd}" - maybe you meant "{guess}"'),
    (
        "UNPACK_ARCHIVE_FAILED",
        "e",
        "ERROR: Cannot unpack file {file} (downloaded from {dir}, content-type: {type}); cannot detect archive format",
    ),
    (
        "UNSUPPORTED_CONSTRAINT_FORM",
        "w",
        "DEPRECATION: Constraints are only allowed to take the form of a package name and a version specifier. Other fo",
    ),
    (
        "UNTRUSTED_HOST",
        "w",
        "WARNING: The repository located at {host} is not a trusted or secure host and is being ignored. If this reposi",
    ),
    ("USER_INSTALLATION_INVALID", "e", "ERROR: User base directory is not specified"),
    ("USER_OPTION_CONFLICT", "e", "ERROR: Can not combine '--user' and '--target'"),
    (
        "USER_SITE_LACKS_PRECEDENCE",
        "e",
        "ERROR: Will not install to the user site because it will lack sys.path precedence to {name} in {location}",
    ),
    ("VENV_CREATION_ERROR", "e", "error: venv-creation-error"),
    ("VENV_IMPORT_ERROR", "e", "error: venv-import-error"),
    ("VIRTUALENV_REQUIRED", "e", "ERROR: Could not find an activated virtualenv (required)."),
    ("WHEEL_COMMAND_BUILD_FAILED", "e", "ERROR: Failed to build one or more wheels"),
    (
        "WHEEL_FILENAME_NOT_NORMALISED",
        "w",
        "DEPRECATION: Wheel filename '{filename}' is not correctly normalised. Future versions of pip will raise the fo",
    ),
    (
        "YANKED_VERSION_SELECTED",
        "w",
        "WARNING: The candidate selected for download or install is a yanked version: '{name}' candidate (version {vers",
    ),
)

REFINES = {
    "PYTHON_H_MISSING": ["SUBPROCESS_EXITED_WITH_ERROR"],
    "SUBPROCESS_EXITED_WITH_ERROR": ["FAILED_BUILDING_WHEEL", "BUILD_FAILED_SUMMARY", "FAILED_WHEEL_BUILD_FOR_INSTALL"],
}

# pip 24.0: a C extension that cannot find Python.h.
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
# pip 24.0: an index with a self-signed certificate (retries shortened to two).
SSL_FAILURE = """\
Looking in indexes: https://localhost:8443/simple/
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))': /simple/requests/
WARNING: Retrying (Retry(total=3, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))': /simple/requests/
Could not fetch URL https://localhost:8443/simple/requests/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='localhost', port=8443): Max retries exceeded with url: /simple/requests/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)'))) - skipping
ERROR: Could not find a version that satisfies the requirement requests (from versions: none)
ERROR: No matching distribution found for requests
"""
# pip 24.0: a wrong hash in a requirements file.
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
# pip 24.0: a successful install that breaks another package's requirement.
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
PIP_OUTPUTS = (BUILD_FAILURE, SSL_FAILURE, HASH_FAILURE, CONFLICT_WARNING)

LIMIT_BYTES = 64 * 1024 * 1024
WORDS = [
    "alpha",
    "build",
    "cache",
    "client",
    "compile",
    "config",
    "daemon",
    "deploy",
    "event",
    "fetch",
    "format",
    "graph",
    "handler",
    "index",
    "kernel",
    "layout",
    "loader",
    "metric",
    "module",
    "network",
    "parser",
    "plugin",
    "queue",
    "render",
    "router",
    "schema",
    "server",
    "socket",
    "stream",
    "tensor",
    "thread",
    "token",
    "upload",
    "vector",
    "worker",
]


def signature_from_message(code: str, severity: str, message: str) -> Signature:
    severity = {"e": "error", "w": "warning"}[severity]
    if len(message) >= 110:  # the catalogue cuts long messages mid-word
        message = message.rsplit(" ", 1)[0]
    if "{" not in message:
        return Signature(code, "pip", severity, message)
    return Signature(code, "pip", severity, _message_regex(message), is_regex=True)


def _message_regex(message: str) -> str:
    parts = re.split(r"\{(\w+)(?:![rs])?\}", message)
    used: set[str] = set()
    regex = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex += re.escape(part)
        elif part in used:
            regex += r"\S+"
        else:
            used.add(part)
            regex += rf"(?P<{part}>\S+)"
    return regex


def realistic_signatures() -> list[Signature]:
    return [signature_from_message(*message) for message in MESSAGES]


def synthetic_signatures(count: int, rng: random.Random) -> list[Signature]:
    signatures = []
    for index in range(count):
        words = " ".join(rng.sample(WORDS, 4))
        if index % 2:
            pattern = rf"{words} failed for (?P<package>\S+) \(code {index}\)"
            signatures.append(Signature(f"SYNTHETIC_{index}", "pip", "error", pattern, is_regex=True))
        else:
            signatures.append(Signature(f"SYNTHETIC_{index}", "pip", "warning", f"{words} is deprecated ({index})"))
    return signatures


def build_log(megabytes: float, rng: random.Random) -> bytes:
    """A GitHub Actions log: timestamps, colours, progress bars, mostly other tools' output."""
    noise = (
        lambda: (
            f"  gcc -pthread -O2 -fPIC -I/usr/include/python3.11 -c src/{rng.choice(WORDS)}_{rng.randrange(999)}.c"
            f" -o build/temp.linux-x86_64-cpython-311/src/{rng.choice(WORDS)}.o"
        ),
        lambda: (
            f"tests/test_{rng.choice(WORDS)}.py::test_{rng.choice(WORDS)}_{rng.randrange(99)} PASSED"
            f"{' ' * rng.randrange(5, 30)}[ {rng.randrange(100):2d}%]"
        ),
        lambda: (
            f"Get:{rng.randrange(300)} http://deb.debian.org/debian bookworm/main amd64 lib{rng.choice(WORDS)}"
            f" amd64 1.{rng.randrange(40)}-1 [{rng.randrange(20, 900)} kB]"
        ),
        lambda: f"\x1b[32m✓\x1b[0m built \x1b[1m{rng.choice(WORDS)}\x1b[0m in {rng.random() * 9:.2f}s",
        lambda: "\r".join(
            f"     {'━' * step}{' ' * (20 - step)} {step * 5}/100 MB {rng.randrange(9, 90)} MB/s"
            for step in range(0, 21, 5)
        ),
        lambda: f"{rng.choice(WORDS)}: {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)} ok",
    )
    lines: list[str] = []
    size = 0
    target = int(megabytes * 1024 * 1024)
    while size < target:
        if len(lines) % 2500 == 1200:
            block = PIP_OUTPUTS[(len(lines) // 2500) % len(PIP_OUTPUTS)].splitlines()
        else:
            block = [rng.choice(noise)()]
        for line in block:
            stamp = f"2024-05-01T10:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(10**7):07d}Z "
            lines.append(stamp + line)
            size += len(lines[-1].encode()) + 1
    return "\n".join(lines).encode()


def engine_seconds(matcher: Matcher, data: bytes, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        text, _ = redact(read_log(data, LIMIT_BYTES))
        matcher.diagnose(text)
        best = min(best, time.perf_counter() - started)
    return best


def naive_seconds_per_megabyte(signatures: list[Signature], data: bytes) -> float:
    """Every line against every signature's regex with Python `re`, on the first megabyte."""
    regexes = [
        re.compile(signature.pattern) if signature.is_regex else re.compile(re.escape(signature.pattern), re.I)
        for signature in signatures
    ]
    sample = data[: 1024 * 1024].decode("utf-8", "replace")
    started = time.perf_counter()
    for line in sample.splitlines():
        for regex in regexes:
            regex.search(line)
    return time.perf_counter() - started


def grep_seconds(signatures: list[Signature], log_path: Path, runs: int = 3) -> float:
    literals = [
        literal
        for signature in signatures
        for literal in (required_literals(signature.pattern) if signature.is_regex else [signature.pattern])
    ]
    patterns = log_path.with_suffix(".patterns")
    patterns.write_text("\n".join(literals) + "\n")
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(["grep", "-F", "-i", "-c", "-f", str(patterns), str(log_path)], stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def peak_memory(matcher: Matcher, data: bytes) -> int:
    tracemalloc.start()
    text, _ = redact(read_log(data, LIMIT_BYTES))
    matcher.diagnose(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10)
    arguments = parser.parse_args()
    rng = random.Random(7)
    data = build_log(arguments.megabytes, rng)
    megabytes = len(data) / (1024 * 1024)
    signatures = realistic_signatures()
    many_signatures = signatures + synthetic_signatures(9 * len(signatures), rng)

    started = time.perf_counter()
    matcher = Matcher(signatures, REFINES)
    compile_seconds = time.perf_counter() - started
    many_matcher = Matcher(many_signatures, REFINES)
    engine = engine_seconds(matcher, data)
    many = engine_seconds(many_matcher, data)
    naive = naive_seconds_per_megabyte(signatures, data)
    with tempfile.TemporaryDirectory() as directory:
        log_path = Path(directory, "ci.log")
        log_path.write_bytes(data)
        grep = grep_seconds(signatures, log_path)
    peak = peak_memory(matcher, data)
    diagnosis = matcher.diagnose(redact(read_log(data, LIMIT_BYTES))[0])

    line_count = data.count(b"\n") + 1
    print(
        f"log: {megabytes:.1f} MB, {line_count} lines; {len(signatures)} signatures "
        f"(compiled in {compile_seconds * 1000:.0f} ms); root cause {diagnosis.matches[0].code}"
    )
    print(f"engine (read_log + redact + diagnose): {engine:.3f} s = {megabytes / engine:.1f} MB/s")
    print(
        f"naive Python re, every line x every signature: {1 / naive:.2f} MB/s "
        f"-> engine is {naive * megabytes / engine:.0f}x faster (goal >= 20x)"
    )
    print(
        f"grep -F -i -f over the literals: {grep:.3f} s -> engine takes {engine / grep:.1f}x grep's time (goal <= 10x)"
    )
    print(f"with {len(many_signatures)} signatures: {many:.3f} s = {many / engine:.2f}x the time (goal: nearly flat)")
    print(f"peak memory: {peak / 1024 / 1024:.1f} MB = {peak / len(data):.1f}x the log (goal < 5x)")


if __name__ == "__main__":
    main()
