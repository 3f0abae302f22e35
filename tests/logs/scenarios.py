"""The scenarios: for each catalogue code, the files to set up and the pip command that fails.

A scenario function receives the lab (a fresh home) and a target (pip release + Python),
puts its files in place and returns the Invocation to capture. One function may be registered
several times, so that each pip version's log is filed under the code its output really shows
(the same set-up can fail in another step, or succeed, on other pips).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

from artefacts import Project, Sdist, build_sdist, build_wheel, metadata_text, sha256_of, write_simple_index
from lab import (
    COMPILERS,
    INDEX_CREDENTIALS,
    NOBODY,
    Invocation,
    Lab,
    Prepare,
    Scenario,
    Target,
    installer_wheels,
    site_packages,
    system_interpreter,
)

PYTHON_FOR_PIP = {
    "20.3.4": "3.8",
    "21.3.1": "3.9",
    "22.3.1": "3.10",
    "23.0.1": "3.10",
    "23.3.2": "3.11",
    "24.0": "3.12",
    "24.2": "3.12",
    "25.0.1": "3.12",
    "25.3": "3.13",
    "26.0.1": "3.13",
    "26.1.2": "3.13",
    "26.3": "3.13",
    # Old pips, on the Pythons they ran on (Debian's and Ubuntu's 9.0.x, Python 2.7 machines).
    "8.1.2": "2.7",
    "9.0.3": "2.7",
    "10.0.1": "3.6",
    "18.1": "3.6",
    "19.3.1": "3.6",
}


def targets(*pips: str) -> tuple[Target, ...]:
    return tuple(Target(PYTHON_FOR_PIP[pip], pip) for pip in pips)


EVERY_PIP = targets("20.3.4", "21.3.1", "22.3.1", "23.3.2", "24.0", "25.0.1", "25.3", "26.3")
OLD_MIDDLE_NEW = targets("20.3.4", "23.3.2", "26.3")
OLD_AND_NEW = targets("21.3.1", "26.3")
# Build backends whose dependencies the local index holds only for Python 3.11 and later (no tomli).
PYTHON_311_AND_NEW = targets("23.3.2", "26.3")
OLD_PIPS = targets("8.1.2", "9.0.3", "10.0.1", "18.1", "19.3.1")

# Credentials in index URLs, for the redaction's tests on what pip itself prints of them.
CAPTURED_PASSWORD = "CapturedPassw0rd"
CAPTURED_TOKEN = "capturedTok3nValue"

SCENARIOS: list[Scenario] = []
NOT_CAPTURED = {
    "MSVC_REQUIRED": "needs Windows and its build tools; this is Linux.",
}


def scenario(
    code: str, shows: str, on: tuple[Target, ...] = EVERY_PIP, variant: str = ""
) -> Callable[[Prepare], Prepare]:
    def register(prepare: Prepare) -> Prepare:
        SCENARIOS.append(Scenario(code, variant, on, shows, prepare))
        return prepare

    return register


# The sweep (sweep.py) runs every scenario function on every minor release from 20.0, each
# release on its own Python (python_for), except the functions named here.
NOT_SWEPT: set[str] = set()
SWEPT_ON_PYTHON: dict[str, tuple[str, Prepare]] = {}


def not_swept(prepare: Prepare) -> Prepare:
    """A scenario that needs no pip, a pip older than 20, or one Python for a fixed release, or
    whose output on other releases is different on every run."""
    NOT_SWEPT.add(prepare.__name__)
    return prepare


def swept_on(python: str) -> Callable[[Prepare], Prepare]:
    """A scenario the sweep runs with every release on this Python (it may have no capture)."""

    def register(prepare: Prepare) -> Prepare:
        SWEPT_ON_PYTHON[prepare.__name__] = (python, prepare)
        return prepare

    return register


def python_for(pip: str) -> str:
    """A Python that pip release runs on: the captures' choice, else the newest one it supports."""
    if pip in PYTHON_FOR_PIP:
        return PYTHON_FOR_PIP[pip]
    major, minor = (int(part) for part in pip.split(".")[:2])
    newest_supported = ((21, "3.8"), (22, "3.9"), (23, "3.10"), (24, "3.11"), (25.3, "3.12"))
    return next((python for below, python in newest_supported if major + minor / 10 < below), "3.13")


# -- the index -------------------------------------------------------------------------------

INDEX_PROJECTS = (
    Project("tinypkg", "1.0"),
    Project("tinypkg", "1.1"),
    Project("otherpkg", "1.0"),
    Project("alpha", "1.0", requires=("shared==1.0",)),
    Project("beta", "1.0", requires=("shared==2.0",)),
    Project("shared", "1.0"),
    Project("shared", "2.0"),
    Project("top", "1.0", requires=("leaf",)),
    Project("top", "2.0", requires=("leaf>=2",)),
    Project("top", "3.0", requires=("leaf>=2",)),
    Project("leaf", "1.0"),
    Project("leaf", "2.0"),
    Project("modern", "1.0", requires_python=">=3.99"),
    Project("tinytool", "1.0", console_scripts=("tinytool",)),
    Project("oldpkg", "2.0"),
    Project("prer", "1.0"),
    Project("prer", "2.0b1"),
    # A dependency packaging 22 and later refuses (`.*` with >=), which pip 24.0 and older read.
    Project("legacyspec", "1.0", requires=("tinypkg>=1.0.*",)),
)

PYPROJECT_SETUPTOOLS = """
    [build-system]
    requires = ["setuptools"]
    build-backend = "setuptools.build_meta"
"""


def c_extension_sdist(name: str, source: str) -> Sdist:
    setup = f"""
        from setuptools import Extension, setup

        setup(name="{name}", version="1.0", ext_modules=[Extension("{name}", ["{name}.c"])])
    """
    return Sdist(name, "1.0", {"pyproject.toml": PYPROJECT_SETUPTOOLS, "setup.py": setup, f"{name}.c": source})


PYTHON_MODULE_C = """
    #include <Python.h>
    {includes}
    static struct PyModuleDef module = {{PyModuleDef_HEAD_INIT, "{name}", NULL, -1, NULL}};

    PyMODINIT_FUNC PyInit_{name}(void) {{ {body} return PyModule_Create(&module); }}
"""


def rust_extension_sdist(name: str, requires: str, legacy_build: bool = False, rust_version: str = "") -> Sdist:
    """A setuptools-rust extension whose build needs cargo (of `rust_version` if given); with
    legacy_build, pyproject.toml names no backend (pip builds it with setup.py, as pip 10 to 18 did)."""
    backend = "" if legacy_build else 'build-backend = "setuptools.build_meta"'
    version_option = f', rust_version="{rust_version}"' if rust_version else ""
    return Sdist(
        name,
        "1.0",
        {
            "pyproject.toml": f"""
            [build-system]
            {requires}
            {backend}
        """,
            "setup.py": f"""
            from setuptools import setup
            from setuptools_rust import RustExtension

            setup(name="{name}", version="1.0", rust_extensions=[RustExtension("{name}._core", "Cargo.toml"{version_option})])
        """,
            "Cargo.toml": f"""
            [package]
            name = "{name}"
            version = "1.0.0"
            edition = "2021"

            [lib]
            name = "_core"
            crate-type = ["cdylib"]
        """,
            "src/lib.rs": "",
        },
    )


INDEX_SDISTS = (
    c_extension_sdist("cext", PYTHON_MODULE_C.format(name="cext", includes="", body="")),
    c_extension_sdist(
        "brokenbuild", PYTHON_MODULE_C.format(name="brokenbuild", includes="", body="undeclared_counter++;")
    ),
    c_extension_sdist("ffiext", PYTHON_MODULE_C.format(name="ffiext", includes="#include <ffi.h>", body="")),
    c_extension_sdist("audioext", PYTHON_MODULE_C.format(name="audioext", includes="#include <portaudio.h>", body="")),
    Sdist(
        "brokenmeta",
        "1.0",
        {
            "pyproject.toml": PYPROJECT_SETUPTOOLS,
            "setup.py": """
            import numpy
            from setuptools import setup

            setup(name="brokenmeta", version="1.0", include_dirs=[numpy.get_include()])
        """,
        },
    ),
    Sdist(
        "intreemeta",
        "1.0",
        {
            "pyproject.toml": """
            [build-system]
            requires = []
            build-backend = "backend"
            backend-path = ["_build"]
        """,
            "_build/backend.py": """
            def get_requires_for_build_wheel(config_settings=None):
                return []


            def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
                raise RuntimeError("intreemeta: cannot work out the version: no VERSION file and no git checkout")


            def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
                raise RuntimeError("intreemeta: cannot work out the version: no VERSION file and no git checkout")
        """,
        },
    ),
    Sdist(
        "noversion",
        "1.0",
        {
            "setup.py": """
            from setuptools import setup

            with open("VERSION") as version_file:
                version = version_file.read().strip()

            setup(name="noversion", version=version, py_modules=[])
        """,
        },
    ),
    Sdist(
        "needshelper",
        "1.0",
        {
            "pyproject.toml": """
            [build-system]
            requires = ["setuptools", "buildhelper>=1.0"]
            build-backend = "setuptools.build_meta"
        """,
            "setup.py": 'from setuptools import setup\n\nsetup(name="needshelper", version="1.0")\n',
        },
    ),
    # A build requirement with no wheel, whose own build fails inside the build dependencies' install.
    Sdist(
        "needsbrokenbuild",
        "1.0",
        {
            "pyproject.toml": """
            [build-system]
            requires = ["setuptools", "brokenbuild"]
            build-backend = "setuptools.build_meta"
        """,
            "setup.py": 'from setuptools import setup\n\nsetup(name="needsbrokenbuild", version="1.0")\n',
        },
    ),
    # What the backend asks for once running (setuptools' setup_requires): its "backend dependencies".
    Sdist(
        "needsbackendhelper",
        "1.0",
        {
            "pyproject.toml": PYPROJECT_SETUPTOOLS,
            "setup.py": (
                "from setuptools import setup\n\n"
                'setup(name="needsbackendhelper", version="1.0", setup_requires=["buildhelper>=1.0"])\n'
            ),
        },
    ),
    Sdist(
        "claimed",
        "1.0",
        {
            "pyproject.toml": PYPROJECT_SETUPTOOLS,
            "setup.py": 'from setuptools import setup\n\nsetup(name="claimed", version="2.0")\n',
        },
    ),
    # The backend it names is not among the build requirements pip installs for it.
    Sdist(
        "wrongbackend",
        "1.0",
        {
            "pyproject.toml": """
            [build-system]
            requires = ["setuptools"]
            build-backend = "hatchling.build"
        """,
            "setup.py": 'from setuptools import setup\n\nsetup(name="wrongbackend", version="1.0", py_modules=[])\n',
        },
    ),
    Sdist(
        "plainsetup",
        "1.0",
        {
            "setup.py": 'from setuptools import setup\n\nsetup(name="plainsetup", version="1.0", py_modules=[])\n',
        },
    ),
    Sdist(
        "legacyfail",
        "1.0",
        {
            "setup.py": """
            from setuptools import setup
            from setuptools.command.install import install


            class install_with_data(install):
                def run(self):
                    raise OSError("legacyfail: cannot copy data files: /etc/legacyfail.conf is missing")


            setup(name="legacyfail", version="1.0", py_modules=[], cmdclass={"install": install_with_data})
        """,
        },
    ),
    Sdist(
        "rustcheck",
        "1.0",
        {
            "pyproject.toml": """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
        """,
            "setup.py": """
            import subprocess

            from setuptools import setup

            # A build script that checks the Rust toolchain itself before building.
            print("rustc:", subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout)
            setup(name="rustcheck", version="1.0", py_modules=[])
        """,
        },
    ),
    rust_extension_sdist("rustext", 'requires = ["setuptools", "setuptools-rust"]'),
    rust_extension_sdist("rustpinned", 'requires = ["setuptools", "setuptools-rust"]', rust_version=">=1.48.0"),
    rust_extension_sdist(
        "rustextold", 'requires = ["setuptools", "wheel", "setuptools-rust==0.11.6"]', legacy_build=True
    ),
    Sdist(
        "cmakeext",
        "1.0",
        {
            "pyproject.toml": PYPROJECT_SETUPTOOLS,
            "setup.py": """
            import subprocess

            from setuptools import Extension, setup
            from setuptools.command.build_ext import build_ext


            class CMakeBuild(build_ext):
                def run(self):
                    try:
                        subprocess.check_output(["cmake", "--version"])
                    except OSError:
                        names = ", ".join(extension.name for extension in self.extensions)
                        raise RuntimeError("CMake must be installed to build the following extensions: " + names)


            setup(name="cmakeext", version="1.0", ext_modules=[Extension("cmakeext", [])], cmdclass={"build_ext": CMakeBuild})
        """,
        },
    ),
    Sdist(
        "cmakefails",
        "1.0",
        {
            "pyproject.toml": PYPROJECT_SETUPTOOLS,
            "CMakeLists.txt": """
            cmake_minimum_required(VERSION 3.10)
            project(cmakefails C)
            message(FATAL_ERROR "libdemo was not found")
        """,
            "MANIFEST.in": "include CMakeLists.txt\n",
            "setup.py": """
            import subprocess

            from setuptools import Extension, setup
            from setuptools.command.build_ext import build_ext


            class CMakeBuild(build_ext):
                def run(self):
                    subprocess.check_call(["cmake", "-S", ".", "-B", "build"])


            setup(name="cmakefails", version="1.0", ext_modules=[Extension("cmakefails", [])], cmdclass={"build_ext": CMakeBuild})
        """,
        },
    ),
)


PYPROJECT_MESON = """
    [build-system]
    requires = ["meson-python"]
    build-backend = "mesonpy"

    [project]
    name = "{name}"
    version = "1.0"
"""


def broken_module_c(name: str) -> str:
    """C that does not compile: the compiler's error, then the build tool's failure."""
    return PYTHON_MODULE_C.format(name=name, includes="", body="undeclared_counter++;")


def broken_meson_sdist(name: str, dependencies: str = "") -> Sdist:
    """A meson-python project whose C code does not compile, with `dependencies:` for its module
    if given, as meson.build writes them (`dependency('libdemo')`, or a list meson refuses)."""
    needs = f"dependencies: {dependencies}, " if dependencies else ""
    meson_build = f"""
        project('{name}', 'c')
        py = import('python').find_installation(pure: false)
        py.extension_module('{name}', '{name}.c', {needs}install: true)
    """
    return Sdist(
        name,
        "1.0",
        {
            "pyproject.toml": PYPROJECT_MESON.format(name=name),
            "meson.build": meson_build,
            f"{name}.c": broken_module_c(name),
        },
    )


def classic_scikit_build_sdist(name: str, cmake_step: str) -> Sdist:
    """A project built by scikit-build (the setup.py one), whose CMakeLists.txt ends in cmake_step."""
    return Sdist(
        name,
        "1.0",
        {
            "pyproject.toml": """
            [build-system]
            requires = ["setuptools", "wheel", "scikit-build"]
            build-backend = "setuptools.build_meta"
        """,
            "setup.py": f'from skbuild import setup\n\nsetup(name="{name}", version="1.0")\n',
            "CMakeLists.txt": f"""
            cmake_minimum_required(VERSION 3.15)
            project({name} LANGUAGES C)
            {cmake_step}
        """,
            f"{name}.c": "int counter(void) { return undeclared_counter; }\n",
        },
    )


BUILD_TOOL_SDISTS = (
    broken_meson_sdist("mesonbroken"),
    broken_meson_sdist("mesonneedslib", dependencies="dependency('libdemo')"),
    broken_meson_sdist("mesonbadbuildfile", dependencies="['m']"),
    Sdist(
        "skbuildbroken",
        "1.0",
        {
            "pyproject.toml": """
            [build-system]
            requires = ["scikit-build-core"]
            build-backend = "scikit_build_core.build"

            [project]
            name = "skbuildbroken"
            version = "1.0"
        """,
            "CMakeLists.txt": """
            cmake_minimum_required(VERSION 3.15)
            project(skbuildbroken LANGUAGES C)
            find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)
            python_add_library(skbuildbroken MODULE skbuildbroken.c WITH_SOABI)
            install(TARGETS skbuildbroken DESTINATION .)
        """,
            "skbuildbroken.c": broken_module_c("skbuildbroken"),
        },
    ),
    classic_scikit_build_sdist(
        "skbuildclassicbroken",
        "add_library(skbuildclassicbroken MODULE skbuildclassicbroken.c)\n"
        "install(TARGETS skbuildclassicbroken DESTINATION .)",
    ),
    classic_scikit_build_sdist("skbuildclassicnolib", "find_package(Demo REQUIRED)"),
    # A setup.py that drives its native build itself, the way torch's cpp_extension runs ninja.
    Sdist(
        "nativebuild",
        "1.0",
        {
            "pyproject.toml": PYPROJECT_SETUPTOOLS,
            "build.ninja": """
            rule cc
              command = cc -c $in -o $out
            build nativebuild.o: cc nativebuild.c
        """,
            "Makefile": "nativebuild.o: nativebuild.c\n\tcc -c nativebuild.c -o nativebuild.o\n",
            "nativebuild.c": "int main(void) { return undeclared_counter; }\n",
            "MANIFEST.in": "include build.ninja Makefile nativebuild.c\n",
            "setup.py": """
            import os
            import subprocess

            from setuptools import Extension, setup
            from setuptools.command.build_ext import build_ext


            class NativeBuild(build_ext):
                def run(self):
                    subprocess.run(os.environ.get("NATIVE_BUILD", "ninja -v").split(), check=True)


            setup(name="nativebuild", version="1.0", ext_modules=[Extension("nativebuild", [])], cmdclass={"build_ext": NativeBuild})
        """,
        },
    ),
)


def build_index(lab: Lab, downloads: list[Path]) -> None:
    made = lab.root / "made"
    made.mkdir()
    archives = [build_wheel(project, made) for project in INDEX_PROJECTS]
    archives += [build_sdist(sdist, made) for sdist in INDEX_SDISTS + BUILD_TOOL_SDISTS]
    archives += downloads
    write_simple_index(lab.index, archives)


# -- helpers ---------------------------------------------------------------------------------


def pip(prefix: Path, command: str, *arguments: str, version_check: bool = False) -> Invocation:
    """`pip COMMAND --isolated ...` from the environment at prefix, with its bin first on PATH."""
    quiet_check = () if version_check else ("--disable-pip-version-check",)
    argv = [str(prefix / "bin" / "pip"), command, "--isolated", *quiet_check, *arguments]
    return Invocation(argv, path=[prefix / "bin"])


def from_index(lab: Lab) -> tuple[str, ...]:
    return ("--index-url", lab.index_url)


def in_venv(lab: Lab, target: Target, command: str, *arguments: str) -> Invocation:
    return pip(lab.make_venv(target), command, *arguments)


def index_file(lab: Lab, filename: str) -> Path:
    return lab.index / "files" / filename


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def local_project(lab: Lab, name: str, pyproject: str = "") -> Path:
    """A project folder beside the requirements: a setup.py, and a pyproject.toml if given."""
    folder = lab.project / name
    write(folder / "setup.py", f'from setuptools import setup\n\nsetup(name="{name}", version="1.0", py_modules=[])\n')
    if pyproject:
        write(folder / "pyproject.toml", pyproject)
    return folder


# -- hashes ----------------------------------------------------------------------------------


@scenario("HASH_MISMATCH", "a requirements file whose --hash is another release's: HASH_MISMATCH")
def hash_mismatch(lab: Lab, target: Target) -> Invocation:
    other_release = sha256_of(index_file(lab, Project("tinypkg", "1.1").wheel_name))
    write(lab.project / "requirements.txt", f"tinypkg==1.0 --hash=sha256:{other_release}\n")
    return in_venv(lab, target, "install", *from_index(lab), "-r", "requirements.txt")


@scenario(
    "HASH_MISMATCH",
    "the same, with pip's colours forced (FORCE_COLOR, read by rich): a journal holds such a line as bytes",
    on=targets("26.3"),
    variant="colour",
)
def hash_mismatch_in_colour(lab: Lab, target: Target) -> Invocation:
    invocation = hash_mismatch(lab, target)
    invocation.env["FORCE_COLOR"] = "1"
    return invocation


@scenario("HASH_MISSING", "one requirement hashed, one not: HASH_MISSING")
def hash_missing(lab: Lab, target: Target) -> Invocation:
    hashed = sha256_of(index_file(lab, Project("tinypkg", "1.0").wheel_name))
    write(lab.project / "requirements.txt", f"tinypkg==1.0 --hash=sha256:{hashed}\notherpkg==1.0\n")
    return in_venv(lab, target, "install", *from_index(lab), "-r", "requirements.txt")


@scenario(
    "PREVIOUSLY_DOWNLOADED_BAD_HASH",
    "`pip download -d downloads tinypkg==1.0` where downloads/ holds the first half of that wheel (an earlier "
    "download cut short) and the index gives its sha256: PREVIOUSLY_DOWNLOADED_BAD_HASH, success",
    on=targets("8.1.2", "20.3.4", "26.3"),
)
def previously_downloaded_bad_hash(lab: Lab, target: Target) -> Invocation:
    wheel = index_file(lab, TINYPKG_WHEEL)
    partial = lab.project / "downloads" / wheel.name
    partial.parent.mkdir()
    partial.write_bytes(wheel.read_bytes()[: wheel.stat().st_size // 2])
    environment = old_pip_environment(lab, target)
    return pip(environment, "download", *from_index(lab), "-d", "downloads", "tinypkg==1.0")


def hash_on_its_own_line(lab: Lab, target: Target, *hashed: str) -> Invocation:
    """tinypkg==1.0 whose `--hash` continuation lost its backslash (a hand edit of pip-compile's
    output), after requirements given with their hashes."""
    lines = [
        f"{name}=={version} --hash=sha256:{sha256_of(index_file(lab, Project(name, version).wheel_name))}"
        for name, version in (requirement.split("==") for requirement in hashed)
    ]
    tinypkg = sha256_of(index_file(lab, TINYPKG_WHEEL))
    lines += ["tinypkg==1.0", f"    --hash=sha256:{tinypkg}"]
    write(lab.project / "requirements.txt", "\n".join(lines) + "\n")
    return in_venv(lab, target, "install", *from_index(lab), "-r", "requirements.txt")


@scenario(
    "HASH_WITHOUT_REQUIREMENT",
    "a requirements file whose `--hash` line lost the backslash joining it to `tinypkg==1.0`: "
    "HASH_WITHOUT_REQUIREMENT, success",
    on=(Target("3.11", "23.1"), *targets("26.3")),
)
@scenario(
    "success",
    "a requirements file whose `--hash` line lost the backslash joining it to `tinypkg==1.0`: "
    "pip 23.0 and older ignore the lone option without a word",
    on=targets("23.0.1"),
    variant="hash-without-requirement",
)
def lone_hash_line(lab: Lab, target: Target) -> Invocation:
    return hash_on_its_own_line(lab, target)


@scenario(
    "HASH_WITHOUT_REQUIREMENT",
    "the same lone `--hash` line after `otherpkg==1.0 --hash=...`: hash-checking mode, so tinypkg "
    "lacks a hash: HASH_WITHOUT_REQUIREMENT explains HASH_MISSING",
    on=(Target("3.11", "23.1"), *targets("26.3")),
    variant="hash-mode",
)
def lone_hash_line_in_hash_mode(lab: Lab, target: Target) -> Invocation:
    return hash_on_its_own_line(lab, target, "otherpkg==1.0")


def hashed_requirements_install(lab: Lab, target: Target, requirement: str) -> Invocation:
    write(lab.project / "requirements.txt", requirement + "\n")
    return in_venv(lab, target, "install", *from_index(lab), "--require-hashes", "-r", "requirements.txt")


@scenario("HASH_UNPINNED", "--require-hashes with a `>=` requirement: HASH_UNPINNED", on=EVERY_PIP[:-1])
@scenario(
    "success",
    "--require-hashes with a `>=` requirement that carries its own --hash: "
    "pip 26.1 and later pin it to the hashed version and install",
    on=targets("26.3"),
    variant="require-hashes",
)
def hash_unpinned(lab: Lab, target: Target) -> Invocation:
    hashed = sha256_of(index_file(lab, Project("tinypkg", "1.1").wheel_name))
    return hashed_requirements_install(lab, target, f"tinypkg>=1.0 --hash=sha256:{hashed}")


@scenario(
    "HASH_UNPINNED",
    "--require-hashes with a hashed `top==1.0` whose dependency `leaf` has no pin and no hash: HASH_UNPINNED",
    on=targets("20.3.4", "26.3"),
    variant="dependency",
)
def hash_unpinned_dependency(lab: Lab, target: Target) -> Invocation:
    hashed = sha256_of(index_file(lab, Project("top", "1.0").wheel_name))
    return hashed_requirements_install(lab, target, f"top==1.0 --hash=sha256:{hashed}")


def tiny_git_repository(lab: Lab) -> Path:
    repository = lab.project / "tinyvcs"
    write(repository / "setup.py", 'from setuptools import setup\n\nsetup(name="tinyvcs", version="1.0")\n')
    git = ["git", "-C", str(repository), "-c", "user.name=kb", "-c", "user.email=kb@example.org"]
    for arguments in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "tinyvcs"]):
        subprocess.run(git + arguments, check=True, capture_output=True)
    return repository


@scenario(
    "VCS_HASH_UNSUPPORTED",
    "--require-hashes with a `git+file:///…#egg=tinyvcs` requirement: VCS_HASH_UNSUPPORTED",
    on=targets("20.3.4", "21.3.1", "22.3.1", "23.3.2", "24.0"),
)
def vcs_hash_unsupported_egg_fragment(lab: Lab, target: Target) -> Invocation:
    return hashed_requirements_install(lab, target, f"git+file://{tiny_git_repository(lab)}#egg=tinyvcs")


@scenario(
    "VCS_HASH_UNSUPPORTED",
    "--require-hashes with a `tinyvcs @ git+file:///…` requirement: VCS_HASH_UNSUPPORTED",
    on=targets("25.0.1", "25.3", "26.3"),
)
@scenario(
    "INVALID_REQUIREMENT",
    "`tinyvcs @ git+file:///…` in a hashed requirements file: the vendored packaging (21.3 and older) "
    "rejects a VCS URL with no host before hashes are checked: INVALID_REQUIREMENT",
    on=targets("21.3.1", "22.3.1", "23.3.2", "24.0"),
    variant="vcs-url",
)
def vcs_hash_unsupported_direct_reference(lab: Lab, target: Target) -> Invocation:
    return hashed_requirements_install(lab, target, f"tinyvcs @ git+file://{tiny_git_repository(lab)}")


@scenario(
    "DIRECTORY_URL_HASH_UNSUPPORTED",
    "--require-hashes with a local folder `./tinylocal` in the requirements: DIRECTORY_URL_HASH_UNSUPPORTED",
    on=OLD_MIDDLE_NEW,
)
@scenario(
    "DIRECTORY_URL_HASH_UNSUPPORTED",
    "pip 8 to 19, --require-hashes with a local folder `./tinylocal`: DIRECTORY_URL_HASH_UNSUPPORTED",
    on=targets("8.1.2", "19.3.1"),
    variant="old",
)
def directory_hash_unsupported(lab: Lab, target: Target) -> Invocation:
    local_project(lab, "tinylocal")
    write(lab.project / "requirements.txt", "./tinylocal\n")
    environment = old_pip_environment(lab, target)
    return pip(environment, "install", *from_index(lab), "--require-hashes", "-r", "requirements.txt")


@scenario(
    "EDITABLE_HASH_UNSUPPORTED",
    "--require-hashes with an editable `-e ./tinylocal` in the requirements: EDITABLE_HASH_UNSUPPORTED",
    on=OLD_MIDDLE_NEW,
)
@scenario(
    "EDITABLE_HASH_UNSUPPORTED",
    "pip 8 to 19, --require-hashes with an editable `-e ./tinylocal`: EDITABLE_HASH_UNSUPPORTED",
    on=targets("8.1.2", "19.3.1"),
    variant="old",
)
def editable_hash_unsupported(lab: Lab, target: Target) -> Invocation:
    local_project(lab, "tinylocal")
    write(lab.project / "requirements.txt", "-e ./tinylocal\n")
    environment = old_pip_environment(lab, target)
    return pip(environment, "install", *from_index(lab), "--require-hashes", "-r", "requirements.txt")


# -- finding and resolving -------------------------------------------------------------------


@scenario("DISTRIBUTION_NOT_FOUND", "a version the index does not have: DISTRIBUTION_NOT_FOUND")
def version_not_found(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "tinypkg==2.0")


@scenario(
    "DISTRIBUTION_NOT_FOUND", "a project the index does not have: DISTRIBUTION_NOT_FOUND", variant="unknown-project"
)
def project_not_found(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "tinypkgg")


@scenario(
    "DISTRIBUTION_NOT_FOUND",
    "pip 8 to 19, a version the index does not have: `Could not find a version that satisfies the "
    "requirement` without `ERROR: ` before pip 10",
    on=OLD_PIPS,
    variant="old",
)
@not_swept
def old_version_not_found(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", *from_index(lab), "tinypkg==2.0")


@scenario("RESOLUTION_IMPOSSIBLE", "alpha pins shared==1.0, beta pins shared==2.0: RESOLUTION_IMPOSSIBLE")
def resolution_impossible(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "alpha", "beta")


@scenario(
    "RESOLVER_BACKTRACKING",
    "top 3.0 and 2.0 need leaf>=2, the user asks leaf<2: RESOLVER_BACKTRACKING, success",
    on=EVERY_PIP[3:],
)
def resolver_backtracking(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "top", "leaf<2")


# Every version of `slow` but 1.0 pins its own version of `slowdep`, which needs a `slownever>=2`
# the index lacks: pip fails on each, newest first, and settles on slow 1.0. From pip 23.1 pip
# counts the rejected versions of `slowdep`; older pips count the backtracks out of `slow`. Both
# print their last notice at the 13th.
SLOW_VERSIONS = 16


def add_slow_projects(lab: Lab) -> None:
    newer = range(2, SLOW_VERSIONS + 1)
    projects = [Project("slow", "1.0"), Project("slownever", "1.0")]
    projects += [Project("slow", f"{n}.0", requires=(f"slowdep=={n}.0",)) for n in newer]
    projects += [Project("slowdep", f"{n}.0", requires=("slownever>=2",)) for n in newer]
    add_projects_once(lab, "made-slow", projects)


@scenario(
    "RESOLVER_TAKING_LONGER",
    "15 versions of slow fail on a dependency before slow 1.0 installs: RESOLVER_TAKING_LONGER, "
    "RESOLVER_BACKTRACKING, success (the survey wording up to pip 21.2.4)",
    on=(*targets("20.3.4", "21.3.1", "23.3.2", "26.3"), Target("3.8", "21.2.4"), Target("3.10", "23.0.1")),
)
def resolver_taking_longer(lab: Lab, target: Target) -> Invocation:
    add_slow_projects(lab)
    return in_venv(lab, target, "install", *from_index(lab), "slow")


@scenario(
    "DOUBLE_REQUIREMENT_GIVEN",
    "the legacy resolver given one project twice: DOUBLE_REQUIREMENT_GIVEN",
    on=targets("20.3.4", "21.3.1", "22.3.1"),
)
def double_requirement(lab: Lab, target: Target) -> Invocation:
    return in_venv(
        lab, target, "install", *from_index(lab), "--use-deprecated=legacy-resolver", "tinypkg==1.0", "tinypkg==1.1"
    )


def legacy_resolver(target: Target) -> tuple[str, ...]:
    """The option that picks the legacy resolver where it is no longer the default (pip 20.3 on)."""
    major, minor = (int(part) for part in str(target.pip).split(".")[:2])
    return ("--use-deprecated=legacy-resolver",) if (major, minor) >= (20, 3) else ()


@scenario(
    "CONSTRAINT_FROM_PATH_OR_URL",
    "the legacy resolver, constraints.txt pins tinypkg==1.0 and the command names the wheel file "
    "./tinypkg-1.0-py2.py3-none-any.whl: CONSTRAINT_FROM_PATH_OR_URL",
    on=targets("8.1.2", "19.3.1", "20.3.4", "23.3.2", "26.3"),
)
def constrained_wheel_file(lab: Lab, target: Target) -> Invocation:
    wheel = build_wheel(Project("tinypkg", "1.0"), lab.project)
    write(lab.project / "constraints.txt", "tinypkg==1.0\n")
    environment = old_pip_environment(lab, target)
    options = (*from_index(lab), *legacy_resolver(target), "-c", "constraints.txt")
    return pip(environment, "install", *options, f"./{wheel.name}")


@scenario(
    "EXTRA_NOT_PROVIDED",
    "`tinypkg[nosuch]==1.0`, an extra tinypkg does not declare: EXTRA_NOT_PROVIDED, success",
    on=targets("8.1.2", "19.3.1", "20.3.4", "23.3.2", "26.3"),
)
def extra_not_provided(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", *from_index(lab), "tinypkg[nosuch]==1.0")


@scenario(
    "REQUESTED_VERSION_MISMATCH",
    "the legacy resolver, claimed==1.0 whose sdist builds version 2.0: REQUESTED_VERSION_MISMATCH, success",
    on=targets("10.0.1", "20.3.4", "23.3.2", "26.3"),
)
def requested_version_mismatch(lab: Lab, target: Target) -> Invocation:
    environment = old_pip_environment(lab, target)
    return pip(environment, "install", *from_index(lab), *legacy_resolver(target), "claimed==1.0")


@scenario("INVALID_REQUIREMENT", "`tinypkg=1.0` on the command line: INVALID_REQUIREMENT")
def invalid_requirement(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "tinypkg=1.0")


@scenario(
    "INVALID_REQUIREMENT",
    "pip 8 and 9, `pip install —upgrade tinypkg` with the em dash a web page's typography puts for `--`: "
    "INVALID_REQUIREMENT, with the parser's traceback under it",
    on=targets("8.1.2", "9.0.3"),
    variant="old",
)
def invalid_requirement_old(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", *from_index(lab), "\u2014upgrade", "tinypkg")


@scenario("REQUIREMENTS_FILE_NOT_FOUND", "-r with a file that does not exist: REQUIREMENTS_FILE_NOT_FOUND")
def requirements_file_not_found(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "-r", "requirements.txt")


@scenario(
    "REQUIREMENTS_TXT_LITERAL_HINT",
    "`pip install requirements.txt` (without -r) beside a requirements file: "
    "DISTRIBUTION_NOT_FOUND, REQUIREMENTS_TXT_LITERAL_HINT",
    on=targets("21.3.1", "23.3.2", "26.3"),
)
def requirements_file_without_r(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "requirements.txt", "tinypkg\n")
    return in_venv(lab, target, "install", *from_index(lab), "requirements.txt")


@scenario(
    "REQUIREMENT_LOOKS_LIKE_FILENAME",
    "installing a wheel file that is not in the current directory: REQUIREMENT_LOOKS_LIKE_FILENAME, "
    "then the file's absence",
    on=targets("9.0.3", "20.3.4", "23.3.2", "26.3"),
)
def missing_wheel_file(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", "tinypkg-1.0-py2.py3-none-any.whl")


@scenario(
    "NOT_INSTALLABLE_DIRECTORY", "a directory with neither setup.py nor pyproject.toml: NOT_INSTALLABLE_DIRECTORY"
)
def not_installable_directory(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "src" / "app.py", "print('app')\n")
    return in_venv(lab, target, "install", "./src")


@scenario(
    "MISSING_PYPROJECT_BUILD_SYSTEM_REQUIRES",
    "a local project whose pyproject.toml has [build-system] with a build-backend but no requires: "
    "MISSING_PYPROJECT_BUILD_SYSTEM_REQUIRES",
    on=targets("18.1", "20.3.4", "21.3.1", "22.3.1", "26.3"),
)
def build_system_without_requires(lab: Lab, target: Target) -> Invocation:
    local_project(lab, "norequires", '[build-system]\nbuild-backend = "setuptools.build_meta"\n')
    return pip(old_pip_environment(lab, target), "install", "./norequires")


@scenario(
    "INVALID_PYPROJECT_BUILD_SYSTEM_REQUIRES",
    'a local project whose pyproject.toml says requires = "setuptools", a string and not a list: '
    "INVALID_PYPROJECT_BUILD_SYSTEM_REQUIRES",
    on=targets("18.1", "21.3.1", "26.3"),
)
def build_system_requires_a_string(lab: Lab, target: Target) -> Invocation:
    local_project(lab, "stringrequires", '[build-system]\nrequires = "setuptools"\n')
    return pip(old_pip_environment(lab, target), "install", "./stringrequires")


@scenario(
    "INVALID_PYPROJECT_BUILD_SYSTEM_REQUIRES",
    'a local project whose pyproject.toml requires "setuptools>=40;", not a valid requirement: '
    "INVALID_PYPROJECT_BUILD_SYSTEM_REQUIRES",
    on=targets("20.3.4", "23.3.2", "26.3"),
    variant="bad-requirement",
)
def build_system_requires_bad_requirement(lab: Lab, target: Target) -> Invocation:
    local_project(lab, "badrequires", '[build-system]\nrequires = ["setuptools>=40;"]\n')
    return in_venv(lab, target, "install", "./badrequires")


@scenario(
    "UNSUPPORTED_PYTHON_VERSION",
    "installing a wheel file whose Requires-Python excludes this Python: UNSUPPORTED_PYTHON_VERSION",
)
def unsupported_python_version(lab: Lab, target: Target) -> Invocation:
    wheel = build_wheel(Project("modern", "1.0", requires_python=">=3.99"), lab.project)
    return in_venv(lab, target, "install", f"./{wheel.name}")


@scenario(
    "UNSUPPORTED_PYTHON_VERSION",
    "pip 9 to 20.3.4 on Python 2.7, a --find-links folder whose only wheel's Requires-Python excludes "
    "it (a folder says nothing of Requires-Python, so pip reads the wheel's): pip 9 to 19.1 word it "
    "`requires Python ... but the running Python is`",
    on=(Target("2.7", "9.0.3"), Target("2.7", "20.3.4")),
    variant="python2",
)
@not_swept
def unsupported_python_version_on_python2(lab: Lab, target: Target) -> Invocation:
    build_wheel(Project("modern", "1.0", requires_python=">=3.99"), lab.project)
    return pip(old_pip_environment(lab, target), "install", "--no-index", "--find-links", ".", "modern")


# The last pip release whose Requires-Python admits each Python (from the wheels' metadata).
LAST_PIP_FOR_PYTHON = {"2.7": "20.3.4", "3.6": "21.3.1", "3.7": "24.0", "3.8": "25.0.1"}


@scenario(
    "UNSUPPORTED_PYTHON_VERSION",
    "the first pip release after the last one for this Python, run from its wheel as get-pip.py runs it: "
    "pip 21.0 on Python 2.7 (SyntaxError at an f-string), 22.0 on 3.6 (no dataclasses), 24.1 on 3.7 "
    "(lru_cache without arguments), 25.1 on 3.8 (Sequence[Candidate])",
    on=(Target("2.7", "21.0"), Target("3.6", "22.0"), Target("3.7", "24.1"), Target("3.8", "25.1")),
    variant="pip-too-new",
)
@not_swept
def pip_newer_than_its_python(lab: Lab, target: Target) -> Invocation:
    prefix = old_pip_environment(lab, Target(target.python, LAST_PIP_FOR_PYTHON[target.python]))
    wheel = lab.project / lab.pip_wheel(target.pip).name
    shutil.copy(lab.pip_wheel(target.pip), wheel)
    argv = [str(old_pip_interpreter(prefix, target)), f"{wheel.name}/pip", "install", "--isolated"]
    return Invocation([*argv, "--disable-pip-version-check", *from_index(lab), "tinypkg"], path=[prefix / "bin"])


@scenario(
    "UNSUPPORTED_PYTHON_VERSION",
    "a pip older than its Python, run from its wheel in a venv of Python 3.12: pip 20.3.4 cannot import "
    "distutils, 21.3.1's pkg_resources finds no pkgutil.ImpImporter",
    on=(Target("3.12", "20.3.4"), Target("3.12", "21.3.1")),
    variant="pip-too-old",
)
@not_swept
def pip_older_than_its_python(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(Target(target.python))
    wheel = lab.project / lab.pip_wheel(target.pip).name
    shutil.copy(lab.pip_wheel(target.pip), wheel)
    argv = [str(venv / "bin" / "python"), f"{wheel.name}/pip", "install", "--isolated", "--disable-pip-version-check"]
    return Invocation([*argv, *from_index(lab), "tinypkg"], path=[venv / "bin"])


@scenario(
    "UNSUPPORTED_PYTHON_VERSION",
    "a project whose pyproject.toml pins setuptools 65.5.0, built on Python 3.12 and 3.13: the pinned "
    "setuptools' pkg_resources finds no pkgutil.ImpImporter as pip imports the build backend",
    on=targets("24.0", "26.3"),
    variant="build-too-old",
)
def build_older_than_its_python(lab: Lab, target: Target) -> Invocation:
    return install_with_pinned_setuptools(lab, target, "65.5.0")


@scenario(
    "UNSUPPORTED_PYTHON_VERSION",
    "the same with setuptools 59.6.0, which imports distutils itself: `No module named 'distutils'` as "
    "pip imports the build backend",
    on=targets("24.0", "26.3"),
    variant="build-too-old-distutils",
)
def build_older_than_its_python_distutils(lab: Lab, target: Target) -> Invocation:
    return install_with_pinned_setuptools(lab, target, "59.6.0")


@scenario(
    "UNSUPPORTED_PYTHON_VERSION",
    "llvmlite 0.39.1's sdist, whose setup.py allows only Python >=3.7,<3.11, on a newer Python: "
    "`RuntimeError: Cannot install on Python version ...` as pip gets the build's requirements",
    on=targets("23.3.2", "26.3"),
    variant="setup-py-guard",
)
def setup_py_refuses_this_python(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "llvmlite==0.39.1")


def install_with_pinned_setuptools(lab: Lab, target: Target, version: str) -> Invocation:
    backend = f'requires = ["setuptools=={version}"]\nbuild-backend = "setuptools.build_meta"\n'
    local_project(lab, "oldbuild", pyproject=f"[build-system]\n{backend}")
    return in_venv(lab, target, "install", *from_index(lab), "./oldbuild")


@scenario(
    "PKG_RESOURCES_REMOVED",
    "a project with only a setup.py, which imports pkg_resources, built in isolation with the newest "
    "setuptools pip finds (82.0.0, in a --find-links folder): `No module named 'pkg_resources'` as pip "
    "gets the build's requirements",
    on=targets("24.0", "26.3"),
)
def setup_py_imports_pkg_resources(lab: Lab, target: Target) -> Invocation:
    project = lab.project / "oldsetup"
    write(
        project / "setup.py",
        'import pkg_resources\nfrom setuptools import setup\n\nsetup(name="oldsetup", version="1.0")\n',
    )
    wheels = lab.project / "wheels"
    wheels.mkdir()
    for wheel in installer_wheels(lab.cache, "setuptools==82.0.0").glob("*.whl"):
        shutil.copy(wheel, wheels)
    return in_venv(lab, target, "install", *from_index(lab), "--find-links", "./wheels", "./oldsetup")


@scenario(
    "IGNORED_REQUIRES_PYTHON_VERSIONS",
    "the index's only release needs Python >=3.99: IGNORED_REQUIRES_PYTHON_VERSIONS, DISTRIBUTION_NOT_FOUND",
    on=targets("22.3.1", "23.3.2", "24.0", "25.3", "26.3"),
)
@scenario(
    "DISTRIBUTION_NOT_FOUND",
    "the index's only release needs Python >=3.99; pip before 22.1 does not list the skipped versions: "
    "DISTRIBUTION_NOT_FOUND",
    on=targets("20.3.4", "21.3.1"),
    variant="requires-python",
)
@scenario(
    "DISTRIBUTION_NOT_FOUND",
    "the index's only release needs Python >=3.99; pip 25.0 and 25.0.1 list the skipped versions only with -v: "
    "DISTRIBUTION_NOT_FOUND",
    on=targets("25.0.1"),
    variant="requires-python",
)
def ignored_requires_python(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "modern")


@scenario(
    "DISTRIBUTION_NOT_FOUND",
    "`prer>=1.5` where only the pre-release 2.0b1 matches; pip up to 25.3 skips it: DISTRIBUTION_NOT_FOUND",
    on=targets("25.3"),
    variant="prerelease",
)
def prerelease_only_match(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "prer>=1.5")


YANKED_RELEASE = Project("yanky", "2.0")
YANK_REASON = "2.0 installs a broken module, use 1.0"


def add_yanked_project(lab: Lab) -> None:
    """yanky 1.0 and 2.0 on the index, 2.0 marked yanked with a reason (PEP 592's data-yanked)."""
    add_projects_once(lab, "yanky", [Project("yanky", "1.0"), YANKED_RELEASE])
    page = lab.index / "simple" / "yanky" / "index.html"
    link = f'<a href="../../files/{YANKED_RELEASE.wheel_name}'
    page.write_text(page.read_text().replace(link, f'<a data-yanked="{YANK_REASON}"{link.removeprefix("<a")}'))


@scenario(
    "YANKED_VERSION_SELECTED",
    "`yanky==2.0` where the index marks 2.0 yanked: YANKED_VERSION_SELECTED, success",
    on=targets("19.3.1", "20.3.4", "23.3.2", "26.3"),
)
def yanked_version_pinned(lab: Lab, target: Target) -> Invocation:
    add_yanked_project(lab)
    return pip(old_pip_environment(lab, target), "install", *from_index(lab), "yanky==2.0")


@scenario(
    "IGNORED_YANKED_VERSIONS",
    "`yanky>=2.0` where the only such release, 2.0, is yanked: IGNORED_YANKED_VERSIONS, DISTRIBUTION_NOT_FOUND",
    on=targets("23.3.2", "24.0", "26.3"),
)
@scenario(
    "DISTRIBUTION_NOT_FOUND",
    "`yanky>=2.0` where the only such release, 2.0, is yanked; pip 22.0 to 23.2 ignore it without saying so: "
    "DISTRIBUTION_NOT_FOUND",
    on=targets("22.3.1"),
    variant="yanked",
)
@scenario(
    "YANKED_VERSION_SELECTED",
    "`yanky>=2.0` where the only such release, 2.0, is yanked; pip before 22.0 takes it unpinned too: "
    "YANKED_VERSION_SELECTED, success",
    on=targets("20.3.4"),
    variant="unpinned",
)
def yanked_version_unpinned(lab: Lab, target: Target) -> Invocation:
    add_yanked_project(lab)
    return in_venv(lab, target, "install", *from_index(lab), "yanky>=2.0")


@scenario("UNSUPPORTED_WHEEL", "a wheel tagged cp27/win32: UNSUPPORTED_WHEEL")
def unsupported_wheel(lab: Lab, target: Target) -> Invocation:
    wheel = build_wheel(Project("winpkg", "1.0", tag="cp27-cp27m-win32"), lab.project)
    return in_venv(lab, target, "install", f"./{wheel.name}")


@scenario(
    "UNSUPPORTED_WHEEL",
    "pip 8 to 19, a wheel tagged cp27/win32: the message has no `ERROR:` before pip 19.1",
    on=OLD_PIPS,
    variant="old",
)
@not_swept
def old_unsupported_wheel(lab: Lab, target: Target) -> Invocation:
    wheel = build_wheel(Project("winpkg", "1.0", tag="cp27-cp27m-win32"), lab.project)
    return pip(old_pip_environment(lab, target), "install", f"./{wheel.name}")


@scenario("USER_SITE_NOT_VISIBLE", "--user inside a venv: USER_SITE_NOT_VISIBLE")
def user_site_not_visible(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "--user", "tinypkg")


# -- building from source --------------------------------------------------------------------


@scenario(
    "SUBPROCESS_EXITED_WITH_ERROR",
    "an sdist whose C code does not compile: SUBPROCESS_EXITED_WITH_ERROR, "
    "FAILED_BUILDING_WHEEL, BUILD_FAILED_SUMMARY, FAILED_WHEEL_BUILD_FOR_INSTALL",
)
def build_fails(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "brokenbuild")


NUMPY_AT_BUILD_TIME = (
    "setup.py imports numpy, absent from the build environment; it fails in the "
    "get_requires_for_build_wheel step, before pip generates metadata: "
)


@scenario(
    "SUBPROCESS_EXITED_WITH_ERROR",
    NUMPY_AT_BUILD_TIME + "SUBPROCESS_EXITED_WITH_ERROR, DISTRIBUTION_NOT_FOUND (the candidate is discarded)",
    on=targets("20.3.4", "21.3.1"),
    variant="build-requires",
)
@scenario(
    "SUBPROCESS_EXITED_WITH_ERROR",
    NUMPY_AT_BUILD_TIME + "SUBPROCESS_EXITED_WITH_ERROR",
    on=targets("22.3.1", "23.3.2", "24.0", "25.0.1"),
    variant="build-requires",
)
@scenario(
    "FAILED_TO_PREPARE_CANDIDATE",
    NUMPY_AT_BUILD_TIME
    + "FAILED_TO_PREPARE_CANDIDATE (`when getting requirements to build wheel`), SUBPROCESS_EXITED_WITH_ERROR",
    on=targets("25.3", "26.0.1", "26.3"),
)
def build_requirements_fail(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "brokenmeta")


@scenario(
    "FAILED_TO_PREPARE_CANDIDATE",
    "`tinyvcs @ git+file:///…` naming a folder that is no git repository: the clone fails while pip "
    "prepares the candidate: FAILED_TO_PREPARE_CANDIDATE (`when git clone …`), SUBPROCESS_EXITED_WITH_ERROR",
    on=targets("25.3", "26.3"),
    variant="git-clone",
)
def git_clone_fails(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", f"tinyvcs @ git+file://{lab.project / 'no-such-repository'}")


@scenario(
    "METADATA_GENERATION_FAILED",
    "an in-tree build backend (backend-path) whose prepare_metadata_for_build_wheel raises: "
    "METADATA_GENERATION_FAILED, SUBPROCESS_EXITED_WITH_ERROR",
    on=targets("22.3.1", "23.3.2", "24.0", "25.0.1", "25.3", "26.3"),
)
def metadata_hook_fails(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "intreemeta")


MISSING_VERSION_FILE = (
    "a setup.py-only sdist, setuptools in the venv, whose `setup.py egg_info` reads a VERSION file the sdist lacks: "
)


@scenario(
    "METADATA_GENERATION_FAILED",
    MISSING_VERSION_FILE + "METADATA_GENERATION_FAILED, DISTRIBUTION_NOT_FOUND (the candidate is discarded)",
    on=targets("20.3.4", "21.3.1"),
    variant="egg-info",
)
@scenario(
    "METADATA_GENERATION_FAILED",
    MISSING_VERSION_FILE + "METADATA_GENERATION_FAILED, SUBPROCESS_EXITED_WITH_ERROR",
    on=targets("22.3.1"),
    variant="egg-info",
)
def egg_info_fails(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_venv(target, "setuptools==65.5.0"), "install", *from_index(lab), "noversion")


@scenario(
    "BUILD_DEPENDENCIES_INSTALL_FAILED",
    "build-system.requires names a project the index lacks: "
    "BUILD_DEPENDENCIES_INSTALL_FAILED, SUBPROCESS_EXITED_WITH_ERROR",
)
def build_dependencies_fail(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "needshelper")


@scenario(
    "BUILD_DEPENDENCIES_INSTALL_FAILED",
    "setup.py's setup_requires names a project the index lacks, which setuptools asks for as a backend "
    "dependency: BUILD_DEPENDENCIES_INSTALL_FAILED, SUBPROCESS_EXITED_WITH_ERROR",
    on=targets("21.3.1", "23.3.2", "26.3"),
    variant="backend",
)
def backend_dependencies_fail(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "needsbackendhelper")


@scenario(
    "BUILD_DEPENDENCIES_INSTALL_FAILED",
    "build-system.requires names an sdist that does not compile: the build dependencies' install shows "
    "its `Failed building wheel for brokenbuild`, then BUILD_DEPENDENCIES_INSTALL_FAILED",
    on=targets("21.3.1", "26.3"),
    variant="dependency-build",
)
def build_dependency_does_not_compile(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "needsbrokenbuild")


@scenario(
    "FAILED_BUILD_DEPENDENCY_INSTALL",
    "build-system.requires names a project the index lacks, and `--use-feature=inprocess-build-deps` "
    "has the running pip install it: FAILED_BUILD_DEPENDENCY_INSTALL, DISTRIBUTION_NOT_FOUND",
    on=targets("26.0.1", "26.1.2", "26.3"),
)
def build_dependencies_fail_in_process(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "--use-feature=inprocess-build-deps", "needshelper")


IN_TREE_BACKEND_PYPROJECT = """[build-system]
requires = []
build-backend = "backend"
backend-path = ["_build"]
"""

EDITABLE_BACKEND_BUILD_FAILS = """import os


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    os.makedirs(os.path.join(metadata_directory, "editfail-1.0.dist-info"))
    with open(os.path.join(metadata_directory, "editfail-1.0.dist-info", "METADATA"), "w") as metadata:
        metadata.write("Metadata-Version: 2.1\\nName: editfail\\nVersion: 1.0\\n")
    return "editfail-1.0.dist-info"


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("editfail: src/editfail/_version.py is written by the release script and is missing")
"""


def in_tree_backend_project(lab: Lab, name: str, backend: str) -> Path:
    project = lab.project / name
    write(project / "pyproject.toml", IN_TREE_BACKEND_PYPROJECT)
    write(project / "_build" / "backend.py", backend)
    return project


@scenario(
    "FAILED_BUILDING_EDITABLE",
    "pip install -e of a project whose in-tree backend's build_editable raises: FAILED_BUILDING_EDITABLE, "
    "BUILD_FAILED_SUMMARY, FAILED_WHEEL_BUILD_FOR_INSTALL, SUBPROCESS_EXITED_WITH_ERROR",
    on=targets("21.3.1", "23.3.2", "26.3"),
)
def editable_build_fails(lab: Lab, target: Target) -> Invocation:
    in_tree_backend_project(lab, "editfail", EDITABLE_BACKEND_BUILD_FAILS)
    return in_venv(lab, target, "install", "-e", "./editfail")


# A backend with the PEP 517 hooks only: no build_editable.
WHEEL_ONLY_BACKEND = """def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("wheelonly: only editable installs were tried in this capture")
"""


@scenario(
    "EDITABLE_NOT_SUPPORTED",
    "pip install -e of a project without setup.py whose in-tree backend has no build_editable hook: "
    "EDITABLE_NOT_SUPPORTED",
    on=targets("21.3.1", "23.3.2", "25.3", "26.3"),
)
@scenario(
    "EDITABLE_NOT_SUPPORTED",
    "pip install -e of a project without setup.py, before pip 21.3 (PEP 660): the directory cannot be "
    "installed in editable mode, a pyproject.toml being found",
    on=targets("20.3.4"),
    variant="before-pep-660",
)
def editable_not_supported(lab: Lab, target: Target) -> Invocation:
    in_tree_backend_project(lab, "wheelonly", WHEEL_ONLY_BACKEND)
    return in_venv(lab, target, "install", "-e", "./wheelonly")


@scenario(
    "SETUPTOOLS_MISSING",
    "--no-build-isolation for a setup.py project in a venv without setuptools: "
    "SETUPTOOLS_MISSING (pip 22 to 25 crash with PIP_INTERNAL_EXCEPTION)",
)
def setuptools_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "--no-build-isolation", "plainsetup")


@scenario(
    "BACKEND_UNAVAILABLE",
    "pyproject.toml names hatchling as its build backend but requires only setuptools: "
    "BACKEND_UNAVAILABLE (before pip 26.3 a crash, PIP_INTERNAL_EXCEPTION)",
    on=targets("20.3.4", "23.3.2", "25.3", "26.3"),
)
def backend_unavailable(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "wrongbackend")


@scenario(
    "COMPILER_MISSING",
    "a C extension built with no gcc on PATH: COMPILER_MISSING, FAILED_BUILDING_WHEEL",
    on=OLD_MIDDLE_NEW,
)
def compiler_missing(lab: Lab, target: Target) -> Invocation:
    return without_compilers(in_venv(lab, target, "install", *from_index(lab), "cext"))


@scenario(
    "COMPILER_MISSING",
    "a C++ extension whose compiler driver runs but finds no C++ compiler proper (cc1plus, which "
    "Debian's g++-12 package brings; an empty GCC_EXEC_PREFIX hides it from g++ here): `g++: fatal "
    "error: cannot execute 'cc1plus': execvp: No such file or directory`",
    on=targets("23.3.2", "26.3"),
    variant="no-cc1plus",
)
def cxx_compiler_proper_missing(lab: Lab, target: Target) -> Invocation:
    invocation = in_venv(lab, target, "install", *from_index(lab), f"./{local_extension(lab, 'cppext.cpp').name}")
    invocation.env["GCC_EXEC_PREFIX"] = f"{write(lab.project / 'no-compilers' / '.keep', '').parent}/"
    return invocation


def local_extension(lab: Lab, source: str, libraries: tuple[str, ...] = ()) -> Path:
    """A local project with one extension module, in C or C++ by `source`'s suffix, that links
    `libraries`."""
    name = Path(source).stem
    folder = local_project(lab, name, textwrap.dedent(PYPROJECT_SETUPTOOLS))
    extension = f"Extension({name!r}, [{source!r}], libraries={list(libraries)!r})"
    setup = (
        f"from setuptools import Extension, setup\n\nsetup(name={name!r}, version='1.0', ext_modules=[{extension}])\n"
    )
    write(folder / "setup.py", setup)
    write(folder / source, textwrap.dedent(PYTHON_MODULE_C.format(name=name, includes="", body="")))
    return folder


GCC_WITHOUT_INCLUDE_DIRS = """#!/bin/sh
# Drops every -I option, as a compiler without the Python headers installed would see it.
for argument do
    shift
    case "$argument" in -I*) ;; *) set -- "$@" "$argument" ;; esac
done
exec /usr/bin/gcc "$@"
"""


def without_include_dirs(lab: Lab, invocation: Invocation) -> Invocation:
    wrapper = write(lab.wrappers / "gcc", GCC_WITHOUT_INCLUDE_DIRS)
    wrapper.chmod(0o755)
    invocation.path.append(lab.wrappers)
    return invocation


def without_compilers(invocation: Invocation) -> Invocation:
    invocation.hidden_tools += COMPILERS
    return invocation


@scenario(
    "PYTHON_H_MISSING",
    "a C extension whose compiler cannot see Python's headers: PYTHON_H_MISSING, FAILED_BUILDING_WHEEL",
    on=OLD_MIDDLE_NEW,
)
def python_h_missing(lab: Lab, target: Target) -> Invocation:
    return without_include_dirs(lab, in_venv(lab, target, "install", *from_index(lab), "cext"))


@scenario(
    "PYTHON_H_MISSING",
    "numpy 1.19.5's sdist (numpy.distutils) where the compiler cannot see Python's headers: `SystemError: "
    "Cannot compile 'Python.h'. Perhaps you need to install python-dev|python-devel.`",
    on=targets("20.3.4"),
    variant="numpy-distutils",
)
def numpy_distutils_without_python_h(lab: Lab, target: Target) -> Invocation:
    return without_include_dirs(lab, in_venv(lab, target, "install", *from_index(lab), "numpy==1.19.5"))


@scenario(
    "COMPILER_MISSING",
    "numpy 1.19.5's sdist (numpy.distutils) with no C compiler on PATH",
    on=targets("20.3.4"),
    variant="numpy-distutils",
)
def numpy_distutils_without_compiler(lab: Lab, target: Target) -> Invocation:
    return without_compilers(in_venv(lab, target, "install", *from_index(lab), "numpy==1.19.5"))


@scenario(
    "SYSTEM_HEADER_MISSING",
    "a C extension including portaudio.h, which the capture machine lacks: "
    "SYSTEM_HEADER_MISSING, FAILED_BUILDING_WHEEL",
    on=OLD_MIDDLE_NEW,
)
def system_header_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "audioext")


@scenario(
    "success",
    "a C extension including ffi.h; the capture machine has libffi's headers, so it builds and installs",
    on=OLD_MIDDLE_NEW,
    variant="ffiext",
)
def system_header_present(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "ffiext")


@scenario(
    "PG_CONFIG_MISSING",
    "psycopg2's sdist with no pg_config on PATH: PG_CONFIG_MISSING, METADATA_GENERATION_FAILED",
    on=targets("23.3.2", "26.3"),
)
@scenario(
    "SETUPTOOLS_MISSING",
    "psycopg2's sdist in a venv without setuptools: `setup.py egg_info` fails on `import setuptools` "
    "before pg_config is looked for: SETUPTOOLS_MISSING, SUBPROCESS_EXITED_WITH_ERROR, DISTRIBUTION_NOT_FOUND",
    on=targets("20.3.4"),
    variant="psycopg2",
)
def pg_config_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "psycopg2")


@scenario(
    "SYSTEM_HEADER_MISSING",
    "pycurl's sdist with no curl-config on PATH (libcurl's development files missing): pycurl's "
    "`Could not run curl-config: [Errno 2] No such file or directory`",
    on=targets("23.3.2", "26.3"),
    variant="pycurl",
)
def curl_config_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "pycurl")


@scenario(
    "SYSTEM_HEADER_MISSING",
    "Pillow's sdist on a machine without zlib's development headers: Pillow's `The headers or "
    "library files could not be found for zlib`",
    on=targets("24.0", "26.3"),
    variant="pillow",
)
def pillow_without_zlib_headers(lab: Lab, target: Target) -> Invocation:
    invocation = in_venv(lab, target, "install", *from_index(lab), "pillow")
    invocation.hidden_headers = ("zlib.h",)
    return invocation


@scenario(
    "SYSTEM_HEADER_MISSING",
    "a local C extension that links zlib, on a machine whose zlib has no files to link (libz.so, libz.a, which "
    "the development package brings): `/usr/bin/ld: cannot find -lz: No such file or directory`",
    on=targets("23.3.2", "26.3"),
    variant="library",
)
def library_link_name_missing(lab: Lab, target: Target) -> Invocation:
    project = local_extension(lab, "zext.c", libraries=("z",))
    invocation = in_venv(lab, target, "install", *from_index(lab), f"./{project.name}")
    invocation.hidden_libraries = ("libz.so", "libz.a")
    return invocation


@scenario(
    "SYSTEM_HEADER_MISSING",
    "dbus-python 1.2.18's sdist, whose setup.py runs autoconf's configure, on a machine without "
    "libdbus's development files: `configure: error: Package requirements (dbus-1 >= 1.8) were not met`",
    on=targets("24.0", "26.3"),
    variant="autoconf",
)
def autoconf_package_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "dbus-python==1.2.18")


@scenario(
    "COMPILER_MISSING",
    "dbus-python 1.2.18's sdist with no C compiler on PATH: autoconf's `configure: error: no "
    "acceptable C compiler found in $PATH`",
    on=targets("26.3"),
    variant="autoconf",
)
def autoconf_compiler_missing(lab: Lab, target: Target) -> Invocation:
    return without_compilers(autoconf_package_missing(lab, target))


@scenario(
    "RUST_TOOLCHAIN_MISSING",
    "a setuptools-rust extension with no cargo on PATH: RUST_TOOLCHAIN_MISSING, FAILED_BUILDING_WHEEL",
    on=OLD_MIDDLE_NEW,
)
def rust_toolchain_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "rustext")


@scenario(
    "RUST_TOOLCHAIN_MISSING",
    "a setuptools-rust extension that declares rust_version >=1.48.0, with no cargo on PATH: setuptools-rust "
    "ends its `can't find Rust compiler` with `This package requires Rust >=1.48.0.`",
    on=targets("23.3.2", "26.3"),
    variant="rust-version",
)
def rust_version_declared(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "rustpinned")


@scenario(
    "RUST_TOOLCHAIN_MISSING",
    "setuptools-rust 0.11.6 with no cargo on PATH: `error: Can not find Rust compiler` (0.12 changed the words)",
    on=targets("10.0.1", "20.3.4"),
    variant="old-setuptools-rust",
)
def old_setuptools_rust_finds_no_rust(lab: Lab, target: Target) -> Invocation:
    environment = old_pip_environment(lab, target)
    return pip(environment, "install", *from_index(lab), "rustextold")


@scenario(
    "RUST_TOOLCHAIN_MISSING",
    "a setup.py that runs `rustc --version` itself, with no rustc on PATH: Python's FileNotFoundError "
    "naming 'rustc' is the only sign of the missing toolchain",
    on=OLD_AND_NEW,
    variant="build-script",
)
def build_script_runs_rustc(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "rustcheck")


@scenario(
    "CMAKE_FAILED",
    "a setup.py that needs cmake, absent from PATH: CMAKE_FAILED, FAILED_BUILDING_WHEEL",
    on=OLD_MIDDLE_NEW,
)
def cmake_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "cmakeext")


LEGACY_PIPS = targets("20.3.4", "21.3.1", "22.3.1", "23.0.1")


@scenario(
    "LEGACY_INSTALL_FAILURE",
    "a setup.py-only sdist whose `setup.py install` fails, wheel not installed: "
    "LEGACY_INSTALL_FAILURE, LEGACY_SETUP_PY_INSTALL",
    on=LEGACY_PIPS,
)
def legacy_install_failure(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_venv(target, "setuptools==65.5.0"), "install", *from_index(lab), "legacyfail")


@scenario(
    "LEGACY_SETUP_PY_INSTALL",
    "a setup.py-only sdist installed with `setup.py install`: LEGACY_SETUP_PY_INSTALL, success",
    on=LEGACY_PIPS,
)
def legacy_setup_py_install(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_venv(target, "setuptools==65.5.0"), "install", *from_index(lab), "plainsetup")


@scenario("METADATA_INCONSISTENT", "claimed-1.0.tar.gz whose metadata says version 2.0: METADATA_INCONSISTENT")
def metadata_inconsistent(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "claimed==1.0")


@scenario(
    "WHEEL_COMMAND_BUILD_FAILED",
    "pip wheel of an sdist whose C code does not compile: BUILD_TOOL_FAILED, FAILED_BUILDING_WHEEL, "
    "BUILD_FAILED_SUMMARY, WHEEL_COMMAND_BUILD_FAILED",
    on=targets("20.3.4", "22.3.1", "24.0", "25.3", "26.3"),
)
def wheel_command_build_fails(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "wheel", *from_index(lab), "--wheel-dir", "wheels", "brokenbuild")


@scenario(
    "WHEEL_COMMAND_BUILD_FAILED",
    "pip wheel of a C extension with no compiler on PATH: COMPILER_MISSING, WHEEL_COMMAND_BUILD_FAILED",
    on=targets("23.3.2", "26.3"),
    variant="compiler",
)
def wheel_command_without_compiler(lab: Lab, target: Target) -> Invocation:
    return without_compilers(in_venv(lab, target, "wheel", *from_index(lab), "--wheel-dir", "wheels", "cext"))


@scenario(
    "WHEEL_COMMAND_BUILD_FAILED",
    "pip wheel of cext, which builds, into a read-only --wheel-dir: the built wheel cannot be copied there "
    "(`Building wheel for … failed`, from 26.2 `Failed to copy built wheel`): WHEEL_COMMAND_BUILD_FAILED",
    on=targets("20.3.4", "26.1.2", "26.3"),
    variant="read-only",
)
def wheel_command_read_only_dir(lab: Lab, target: Target) -> Invocation:
    wheels = lab.project / "wheels"
    wheels.mkdir()
    invocation = in_venv(lab, target, "wheel", *from_index(lab), "--wheel-dir", "wheels", "cext")
    invocation.read_only.append(wheels)
    return invocation


@scenario(
    "METADATA_NAME_MISMATCH",
    "`file:///…/realname#egg=othername`, a project whose setup.py says realname: METADATA_NAME_MISMATCH "
    "(`Running setup.py (path:…) egg_info for package` before pip 19.0), installed as realname",
    on=(Target("3.6", "18.1"), Target("3.6", "19.3.1")),
)
@scenario(
    "METADATA_NAME_MISMATCH",
    "`file:///…/realname#egg=othername`, a project whose setup.py says realname: METADATA_NAME_MISMATCH, "
    "then the resolver discards it: METADATA_INCONSISTENT",
    on=OLD_MIDDLE_NEW,
    variant="resolver",
)
def egg_fragment_names_another_project(lab: Lab, target: Target) -> Invocation:
    if target.python == "3.6":  # pip 18 and 19 build it with the venv's setuptools
        folder, prefix = local_project(lab, "realname"), lab.make_venv(target, "setuptools==59.6.0")
    else:
        folder, prefix = local_project(lab, "realname", textwrap.dedent(PYPROJECT_SETUPTOOLS)), lab.make_venv(target)
    return pip(prefix, "install", *from_index(lab), f"file://{folder}#egg=othername")


PYPROJECT_WITHOUT_SETUPTOOLS = """[build-system]
requires = ["tinypkg"]
"""


@scenario(
    "MISSING_BUILD_REQUIREMENTS",
    "a pyproject.toml whose build-system.requires leaves out setuptools and names no backend: "
    "MISSING_BUILD_REQUIREMENTS, then setuptools cannot be imported",
    on=(
        Target("3.6", "10.0.1"),
        Target("3.6", "18.0"),
        Target("3.6", "18.1"),
        *targets("20.3.4", "23.3.2", "26.3"),
    ),
)
def build_requirements_without_setuptools(lab: Lab, target: Target) -> Invocation:
    local_project(lab, "nosetuptools", PYPROJECT_WITHOUT_SETUPTOOLS)
    return in_venv(lab, target, "install", *from_index(lab), "./nosetuptools")


# A backend whose wheel's file name says 2.0 while its metadata says 1.0.
MISNAMED_WHEEL_BACKEND = """import os
import zipfile

METADATA = "Metadata-Version: 2.1\\nName: misnamed\\nVersion: 1.0\\n"
WHEEL = "Wheel-Version: 1.0\\nGenerator: misnamed-backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    os.makedirs(os.path.join(metadata_directory, "misnamed-1.0.dist-info"))
    with open(os.path.join(metadata_directory, "misnamed-1.0.dist-info", "METADATA"), "w") as metadata:
        metadata.write(METADATA)
    return "misnamed-1.0.dist-info"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "misnamed-2.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        wheel.writestr("misnamed.py", "")
        wheel.writestr("misnamed-1.0.dist-info/METADATA", METADATA)
        wheel.writestr("misnamed-1.0.dist-info/WHEEL", WHEEL)
        wheel.writestr("misnamed-1.0.dist-info/RECORD", "")
    return name


get_requires_for_build_editable = get_requires_for_build_wheel
prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
build_editable = build_wheel
"""


@scenario(
    "BUILT_WHEEL_INVALID",
    "an in-tree backend that writes misnamed-2.0-py3-none-any.whl for a project whose metadata says 1.0: "
    "BUILT_WHEEL_INVALID, BUILD_FAILED_SUMMARY, FAILED_WHEEL_BUILD_FOR_INSTALL",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "success",
    "an in-tree backend that writes misnamed-2.0-py3-none-any.whl for a project whose metadata says 1.0: "
    "pip 20.3.3 and older do not check built wheels and install it",
    on=(Target("3.8", "20.3.3"),),
    variant="misnamed-wheel",
)
def built_wheel_misnamed(lab: Lab, target: Target) -> Invocation:
    in_tree_backend_project(lab, "misnamed", MISNAMED_WHEEL_BACKEND)
    return in_venv(lab, target, "install", "./misnamed")


@scenario(
    "BUILT_WHEEL_INVALID",
    "pip install -e of the same project: `Built editable for misnamed is invalid` (pip 21.3 and later)",
    on=targets("21.3.1", "26.3"),
    variant="editable",
)
def built_editable_misnamed(lab: Lab, target: Target) -> Invocation:
    in_tree_backend_project(lab, "misnamed", MISNAMED_WHEEL_BACKEND)
    return in_venv(lab, target, "install", "-e", "./misnamed")


SIDECAR_RELEASE = Project("sidecar", "1.0")


def add_project_with_wrong_sidecar(lab: Lab) -> None:
    """sidecar 1.0, whose PEP 658 .metadata file on the index adds a Requires-Dist its wheel lacks."""
    made = lab.root / "made-sidecar"
    if made.exists():
        return
    made.mkdir()
    write_simple_index(lab.index, [build_wheel(SIDECAR_RELEASE, made)])
    sidecar = index_file(lab, SIDECAR_RELEASE.wheel_name + ".metadata")
    sidecar.write_text(metadata_text(Project("sidecar", "1.0", requires=("otherpkg",))))
    page = lab.index / "simple" / "sidecar" / "index.html"
    digest = f"sha256={sha256_of(sidecar)}"
    attributes = f'data-dist-info-metadata="{digest}" data-core-metadata="{digest}"'
    page.write_text(page.read_text().replace("<a href=", f"<a {attributes} href="))


@scenario(
    "SIDECAR_METADATA_INCONSISTENT",
    "an index whose PEP 658 .metadata file for sidecar 1.0 adds `Requires-Dist: otherpkg`, absent from the "
    "wheel's METADATA: SIDECAR_METADATA_INCONSISTENT",
    on=(Target("3.13", "26.2.1"), *targets("26.3")),
)
@scenario(
    "success",
    "the same index: before the check, pip resolves with the .metadata file, installs otherpkg too and says nothing",
    on=targets("26.1.2"),
    variant="sidecar",
)
def sidecar_metadata_differs(lab: Lab, target: Target) -> Invocation:
    add_project_with_wrong_sidecar(lab)
    return in_venv(lab, target, "install", *from_index(lab), "sidecar")


def add_fallback_project(lab: Lab, name: str, newest: Sdist) -> None:
    """name 1.0 as a wheel and a newer release as an sdist that cannot be used."""
    made = lab.root / f"made-{name}"
    if made.exists():
        return
    made.mkdir()
    write_simple_index(lab.index, [build_wheel(Project(name, "1.0"), made), build_sdist(newest, made)])


@scenario(
    "DISCARDING_CANDIDATE",
    "fallback 2.0's sdist whose setup.py says version 0.0.0: pip discards it (DISCARDING_CANDIDATE), "
    "installs fallback 1.0 and succeeds",
    on=targets("20.3.4", "21.3.1", "22.3.1", "24.0", "26.3"),
)
def discarded_candidate_falls_back(lab: Lab, target: Target) -> Invocation:
    setup = 'from setuptools import setup\n\nsetup(name="fallback", version="0.0.0", py_modules=[])\n'
    add_fallback_project(
        lab, "fallback", Sdist("fallback", "2.0", {"pyproject.toml": PYPROJECT_SETUPTOOLS, "setup.py": setup})
    )
    return in_venv(lab, target, "install", *from_index(lab), "fallback")


@scenario(
    "DISCARDING_CANDIDATE",
    "metafail 2.0's sdist whose `setup.py egg_info` fails: pip 20.3 to 21.3 print the build's error, discard "
    "it (DISCARDING_CANDIDATE), install metafail 1.0 and succeed",
    on=targets("20.3.4", "21.3.1"),
    variant="build-error",
)
@scenario(
    "METADATA_GENERATION_FAILED",
    "metafail 2.0's sdist whose `setup.py egg_info` fails: from pip 22.0 the failure stops the install",
    on=targets("22.3.1"),
    variant="newest-fails",
)
def discarded_build_falls_back(lab: Lab, target: Target) -> Invocation:
    setup = """
        from setuptools import setup

        with open("VERSION") as version_file:
            version = version_file.read().strip()

        setup(name="metafail", version=version, py_modules=[])
    """
    add_fallback_project(lab, "metafail", Sdist("metafail", "2.0", {"setup.py": setup}))
    return pip(lab.make_venv(target, "setuptools==65.5.0"), "install", *from_index(lab), "metafail")


# Like Go's module cache, which a build that runs `go` leaves in its source tree: files in a
# folder without write permission, which pip cannot delete when it cleans up after the build.
LOCKED_BUILD_SETUP = """
    import os
    from setuptools import setup

    os.makedirs("gocache/mod/example.com", exist_ok=True)
    with open("gocache/mod/example.com/go.mod", "w") as module:
        module.write("module example.com\\n")
    os.chmod("gocache/mod/example.com", 0o555)
    setup(name="lockedbuild", version="1.0", py_modules=[])
"""


@scenario(
    "TEMP_DIR_CLEANUP_FAILED",
    "an unprivileged user builds a wheel of an sdist whose build leaves a read-only folder: "
    "TEMP_DIR_CLEANUP_FAILED, success (pip 23.2.1 ends in an uncaught traceback through global_tempdir_manager "
    "instead; on Python 3.13 pip's clean-up makes the folder writable and succeeds)",
    on=(*targets("23.3.2"), Target("3.12", "26.3")),
)
def build_leaves_read_only_folder(lab: Lab, target: Target) -> Invocation:
    sdist = build_sdist(Sdist("lockedbuild", "1.0", {"setup.py": LOCKED_BUILD_SETUP}), lab.project)
    wheels = str(lab.home / "wheels")  # the home is the unprivileged user's, the project folder is not
    invocation = pip(lab.make_system_python(target), "wheel", *from_index(lab), "--no-deps", "-w", wheels, sdist.name)
    invocation.as_nobody = True
    return invocation


ESCAPING_FILES = {
    "setup.py": 'from setuptools import setup\n\nsetup(name="escaping", version="1.0", py_modules=[])\n',
    "../escaped.txt": "written beside the folder pip unpacks into\n",
}


@scenario(
    "ARCHIVE_PATH_TRAVERSAL",
    "an sdist (.tar.gz) with a member `escaping-1.0/../escaped.txt`: ARCHIVE_PATH_TRAVERSAL "
    "(pip 24.1 and later on a Python with tarfile's data filter word it `Invalid member in the tar file`)",
    on=(*targets("19.3.1", "20.3.4", "24.0", "26.3"), Target("3.12", "24.1.2")),
)
def tar_member_outside(lab: Lab, target: Target) -> Invocation:
    sdist = build_sdist(Sdist("escaping", "1.0", ESCAPING_FILES), lab.project)
    return pip(old_pip_environment(lab, target), "install", f"./{sdist.name}")


@scenario(
    "ARCHIVE_PATH_TRAVERSAL",
    "an sdist (.zip) with a member `escaping-1.0/../escaped.txt`: ARCHIVE_PATH_TRAVERSAL",
    on=targets("20.3.4", "26.3"),
    variant="zip",
)
def zip_member_outside(lab: Lab, target: Target) -> Invocation:
    archive = lab.project / "escaping-1.0.zip"
    with zipfile.ZipFile(archive, "w") as sdist:
        sdist.writestr("escaping-1.0/PKG-INFO", "Metadata-Version: 2.1\nName: escaping\nVersion: 1.0\n")
        for path, text in ESCAPING_FILES.items():
            sdist.writestr(f"escaping-1.0/{path}", text)
    return pip(old_pip_environment(lab, target), "install", f"./{archive.name}")


def tiny_local_project(lab: Lab) -> str:
    """A project folder with a pyproject.toml that builds with setuptools: `./tinybuild`."""
    local_project(lab, "tinybuild", PYPROJECT_SETUPTOOLS)
    return "./tinybuild"


@scenario(
    "VENV_IMPORT_ERROR",
    "--use-feature=venv-isolation on a Python whose standard library lacks venv (as Debian's python3-minimal): "
    "VENV_IMPORT_ERROR",
    on=(Target("3.13", "26.2.1"), *targets("26.3")),
)
def venv_isolation_without_venv(lab: Lab, target: Target) -> Invocation:
    prefix = lab.make_system_python(target)
    shutil.rmtree(prefix / "lib" / f"python{target.python}" / "venv")
    return pip(prefix, "install", *from_index(lab), "--use-feature=venv-isolation", tiny_local_project(lab))


@scenario(
    "VENV_CREATION_ERROR",
    "--use-feature=venv-isolation with TMPDIR on a full 8 kB tmpfs: VENV_CREATION_ERROR (No space left on device)",
    on=(Target("3.13", "26.2.1"), *targets("26.3")),
)
def venv_isolation_in_full_tmp(lab: Lab, target: Target) -> Invocation:
    invocation = in_venv(
        lab, target, "install", *from_index(lab), "--use-feature=venv-isolation", tiny_local_project(lab)
    )
    invocation.small_tmp = "8k"
    return invocation


# -- the environment pip installs into --------------------------------------------------------


@scenario(
    "UNINSTALL_DISTUTILS_INSTALLED_PACKAGE",
    "upgrading a project installed with a bare .egg-info file: UNINSTALL_DISTUTILS_INSTALLED_PACKAGE",
)
def distutils_upgrade(lab: Lab, target: Target) -> Invocation:
    return pip(with_distutils_install(lab, target), "install", *from_index(lab), "--upgrade", "oldpkg")


@scenario(
    "UNINSTALL_DISTUTILS_INSTALLED_PACKAGE",
    "uninstalling a project installed with a bare .egg-info file: UNINSTALL_DISTUTILS_INSTALLED_PACKAGE",
    variant="uninstall",
)
def distutils_uninstall(lab: Lab, target: Target) -> Invocation:
    return pip(with_distutils_install(lab, target), "uninstall", "--yes", "oldpkg")


def with_distutils_install(lab: Lab, target: Target) -> Path:
    venv = lab.make_venv(target)
    write(
        site_packages(venv, target) / f"oldpkg-1.0-py{target.python}.egg-info",
        "Metadata-Version: 1.0\nName: oldpkg\nVersion: 1.0\n",
    )
    write(site_packages(venv, target) / "oldpkg.py", "")
    return venv


@scenario(
    "UNINSTALL_NO_RECORD_FILE",
    "upgrading tinypkg 1.0 whose dist-info has no RECORD and names conda as its installer: UNINSTALL_NO_RECORD_FILE",
    on=targets("19.3.1", "20.3.4", "21.3.1", "23.3.2", "24.0", "26.3"),
)
def no_record_upgrade(lab: Lab, target: Target) -> Invocation:
    venv = without_record(lab, target, installer="conda")
    return pip(venv, "install", *from_index(lab), "--upgrade", "tinypkg")


@scenario(
    "UNINSTALL_NO_RECORD_FILE",
    "uninstalling tinypkg 1.0 whose dist-info has no RECORD: UNINSTALL_NO_RECORD_FILE",
    on=OLD_MIDDLE_NEW,
    variant="uninstall",
)
def no_record_uninstall(lab: Lab, target: Target) -> Invocation:
    return pip(without_record(lab, target, installer="pip"), "uninstall", "--yes", "tinypkg")


def without_record(lab: Lab, target: Target, installer: str) -> Path:
    """tinypkg 1.0 whose dist-info lacks RECORD, as conda leaves it, and names installer in INSTALLER."""
    venv = lab.make_venv(target, "tinypkg==1.0")
    dist_info = site_packages(venv, target) / "tinypkg-1.0.dist-info"
    (dist_info / "RECORD").unlink()
    (dist_info / "INSTALLER").write_text(f"{installer}\n")
    return venv


@scenario(
    "INVALID_INSTALLED_PACKAGE",
    "upgrading tinypkg installed with the version 1.0ubuntu1, which is not PEP 440: INVALID_INSTALLED_PACKAGE",
    on=targets("24.2", "25.0.1", "26.3"),
)
def invalid_installed_version(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target, "tinypkg==1.0")
    with_metadata_line(site_packages(venv, target), "Version: 1.0", "Version: 1.0ubuntu1")
    return pip(venv, "install", *from_index(lab), "--upgrade", "tinypkg")


@scenario(
    "INVALID_INSTALLED_PACKAGE",
    "installing tinypkg where its installed copy requires `otherpkg (>=1.0.*)`, which is not PEP 508: "
    "INVALID_INSTALLED_PACKAGE",
    on=targets("24.2", "25.0.1", "26.3"),
    variant="requirement",
)
def invalid_installed_requirement(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target, "tinypkg==1.0")
    with_metadata_line(site_packages(venv, target), "Version: 1.0", "Version: 1.0\nRequires-Dist: otherpkg (>=1.0.*)")
    return pip(venv, "install", *from_index(lab), "tinypkg")


def with_metadata_line(site: Path, line: str, replacement: str) -> None:
    """Rewrite a line of tinypkg 1.0's METADATA; a new version renames its dist-info to match, as
    a distribution's package would be named (newer pips read the version from the name)."""
    dist_info = site / "tinypkg-1.0.dist-info"
    metadata = dist_info / "METADATA"
    metadata.write_text(metadata.read_text().replace(line + "\n", replacement + "\n", 1))
    version = replacement.splitlines()[0].removeprefix("Version: ")
    if version != "1.0":
        record = dist_info / "RECORD"
        record.write_text(record.read_text().replace(dist_info.name, f"tinypkg-{version}.dist-info"))
        dist_info.rename(site / f"tinypkg-{version}.dist-info")


@scenario(
    "IGNORING_INVALID_DISTRIBUTION",
    "`~ip` leftovers of an interrupted pip upgrade in site-packages: IGNORING_INVALID_DISTRIBUTION, success",
    on=EVERY_PIP[1:],
)
def invalid_distribution(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target)
    write(site_packages(venv, target) / "~ip" / "__init__.py", "")
    write(
        site_packages(venv, target) / "~ip-21.0.dist-info" / "METADATA",
        "Metadata-Version: 2.1\nName: pip\nVersion: 21.0\n",
    )
    return pip(venv, "install", *from_index(lab), "tinypkg")


@scenario("OS_ERROR_INSTALL", "site-packages on a read-only file system: OS_ERROR_INSTALL")
def read_only_site_packages(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target)
    invocation = pip(venv, "install", *from_index(lab), "tinypkg")
    invocation.read_only.append(site_packages(venv, target))
    return invocation


@scenario(
    "OS_ERROR_INSTALL",
    "a user installing into a venv that root made: OS_ERROR_INSTALL",
    on=OLD_MIDDLE_NEW,
    variant="permission-denied",
)
def permission_denied(lab: Lab, target: Target) -> Invocation:
    system = lab.make_system_python(target)
    invocation = pip(
        lab.make_venv(target, base=system_interpreter(system, target)), "install", *from_index(lab), "tinypkg"
    )
    invocation.as_nobody = True
    return invocation


@scenario(
    "OS_ERROR_INSTALL",
    "a user installing a setup.py project into a venv that root made, without the wheel package (so "
    "pip runs `setup.py install`): distutils' `error: [Errno 13] Permission denied: ...` under "
    "LEGACY_INSTALL_FAILURE",
    on=targets("20.3.4", "21.3.1"),
    variant="legacy-permission-denied",
)
def legacy_install_permission_denied(lab: Lab, target: Target) -> Invocation:
    system = lab.make_system_python(target)
    venv = lab.make_venv(target, "setuptools==59.6.0", base=system_interpreter(system, target))
    project = local_project(lab, "legacyproj")
    # The user's own project: pip 21.3 builds it in place, where its egg-info must be written.
    for path in (project, *project.iterdir()):
        os.chown(path, NOBODY, NOBODY)
    invocation = pip(venv, "install", str(project))
    invocation.as_nobody = True
    return invocation


@scenario(
    "OS_ERROR_INSTALL",
    "an unprivileged user whose process limit is reached, installing a setup.py project with --user: "
    "pip cannot start the metadata step (`Error [Errno 11] ... while executing command ...`), then "
    "OS_ERROR_INSTALL",
    on=targets("20.3.4", "23.3.2"),
    variant="cannot-start-build",
)
def build_step_cannot_start(lab: Lab, target: Target) -> Invocation:
    project = local_project(lab, "legacyproj")
    invocation = pip(lab.make_system_python(target), "install", "--user", "--no-build-isolation", str(project))
    invocation.as_nobody = True
    invocation.process_limit = 1
    return invocation


@scenario(
    "SCRIPT_NOT_ON_PATH",
    "a --user install of a project with a console script: SCRIPT_NOT_ON_PATH, success",
    on=OLD_MIDDLE_NEW,
)
def script_not_on_path(lab: Lab, target: Target) -> Invocation:
    invocation = pip(lab.make_system_python(target), "install", *from_index(lab), "--user", "tinytool")
    invocation.as_nobody = True
    return invocation


@scenario(
    "DEFAULTING_TO_USER_INSTALLATION",
    "a user installing into a Python whose site-packages root owns: DEFAULTING_TO_USER_INSTALLATION, success",
    on=OLD_MIDDLE_NEW,
)
def defaulting_to_user(lab: Lab, target: Target) -> Invocation:
    invocation = pip(lab.make_system_python(target), "install", *from_index(lab), "tinypkg")
    invocation.as_nobody = True
    return invocation


@scenario(
    "DEPENDENCY_CONFLICT_WARNING", "installing shared 2.0 where alpha pins shared==1.0: DEPENDENCY_CONFLICT_WARNING"
)
def dependency_conflict(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_venv(target, "alpha"), "install", *from_index(lab), "shared==2.0")


@scenario(
    "RUNNING_AS_ROOT",
    "root installing into a Python outside any venv: RUNNING_AS_ROOT, success",
    on=targets("21.3.1", "24.0", "26.3"),
)
def running_as_root(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_system_python(target), "install", *from_index(lab), "tinypkg")


@scenario(
    "CACHE_DIR_NOT_WRITABLE",
    "root installing into a Python outside any venv with a home whose pip cache belongs to another user, "
    "as `sudo pip` without -H does: CACHE_DIR_NOT_WRITABLE, success",
    on=targets("9.0.3", "19.3.1", "20.3.4", "23.3.2", "26.3"),
)
def cache_owned_by_another_user(lab: Lab, target: Target) -> Invocation:
    cache = lab.home / ".cache" / "pip"
    cache.mkdir(parents=True)
    os.chown(cache, NOBODY, NOBODY)
    return pip(lab.make_system_python(target), "install", *from_index(lab), "tinypkg")


@scenario(
    "EXTERNALLY_MANAGED_ENVIRONMENT",
    "a Python whose stdlib holds an EXTERNALLY-MANAGED file: EXTERNALLY_MANAGED_ENVIRONMENT",
    on=targets("23.3.2", "24.0", "25.3", "26.3"),
)
def externally_managed(lab: Lab, target: Target) -> Invocation:
    system = lab.make_system_python(target)
    write(site_packages(system, target).parent / "EXTERNALLY-MANAGED", EXTERNALLY_MANAGED)
    return pip(system, "install", *from_index(lab), "tinypkg")


EXTERNALLY_MANAGED = """[externally-managed]
Error=This Python belongs to the operating system: install Python packages
 with the system package manager (apt install python3-NAME), or create a
 virtual environment with python3 -m venv and use its pip.
"""


@scenario(
    "PYTHON2_EOL_DEPRECATION",
    "pip 20.3.4 on Python 2.7: PYTHON2_EOL_DEPRECATION, success",
    on=(Target("2.7", "20.3.4"),),
)
@not_swept
def python2_end_of_life(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_system_python(target), "install", *from_index(lab), "tinypkg")


@swept_on("2.7")
def pip_on_python2(lab: Lab, target: Target) -> Invocation:
    """A pip wheel run straight from the file by Python 2.7 (how get-pip bootstraps it)."""
    python2 = Target("2.7").interpreter
    return Invocation([str(python2), f"{lab.pip_wheel(target.pip)}/pip", "--version"])


@scenario(
    "SSL_MISSING",
    "a Python built without its ssl module installing from PyPI: SSL_MISSING",
    on=targets("20.3.4", "24.0", "26.3"),
)
def ssl_missing(lab: Lab, target: Target) -> Invocation:
    system = lab.make_system_python(target)
    for ssl_module in (site_packages(system, target).parent / "lib-dynload").glob("_ssl.*"):
        ssl_module.unlink()
    return pip(system, "install", "tinypkg")


@scenario(
    "NO_MODULE_NAMED_PIP",
    "`python -m pip` in a venv made with --without-pip: NO_MODULE_NAMED_PIP",
    on=(Target("3.8"), Target("3.13")),
)
@not_swept
def no_module_named_pip(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target)
    return Invocation([str(venv / "bin" / "python"), "-m", "pip", "install", "tinypkg"], path=[venv / "bin"])


@scenario(
    "PIP_COMMAND_NOT_FOUND",
    "bash asked to run pip, which is not on PATH: PIP_COMMAND_NOT_FOUND",
    on=(Target("3.13"),),
    variant="bash",
)
@not_swept
def pip_not_found_in_bash(lab: Lab, target: Target) -> Invocation:
    return Invocation(["bash", "-c", "pip install tinypkg"])


@scenario(
    "PIP_COMMAND_NOT_FOUND",
    "sh (dash) asked to run pip, which is not on PATH: PIP_COMMAND_NOT_FOUND",
    on=(Target("3.13"),),
    variant="sh",
)
@not_swept
def pip_not_found_in_sh(lab: Lab, target: Target) -> Invocation:
    return Invocation(["sh", "-c", "pip install tinypkg"])


@scenario(
    "DEPRECATION_GENERIC",
    "the in-tree-build feature flag, now a no-op: DEPRECATION_GENERIC, success",
    on=targets("21.3.1"),
)
def in_tree_build_deprecated(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "--use-feature=in-tree-build", "tinypkg")


@scenario(
    "DEPRECATION_GENERIC",
    "the --no-python-version-warning flag, now a no-op: DEPRECATION_GENERIC, success",
    on=targets("25.0.1"),
)
def no_python_version_warning_deprecated(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "--no-python-version-warning", "tinypkg")


@scenario(
    "DEPRECATION_GENERIC",
    "PIP_CONSTRAINT set while an sdist is built: DEPRECATION_GENERIC, success",
    on=targets("25.3"),
)
def pip_constraint_deprecated(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "constraints.txt", "shared==1.0\n")
    invocation = in_venv(lab, target, "install", *from_index(lab), "plainsetup")
    invocation.env["PIP_CONSTRAINT"] = "constraints.txt"
    return invocation


@scenario(
    "PIP_VERSION_OUTDATED",
    "an index with a newer pip and the version check on: PIP_VERSION_OUTDATED, success",
    on=targets("20.3.4", "22.3.1", "25.3"),
)
@scenario(
    "PIP_VERSION_OUTDATED",
    "pip 10 to 19, the version check on against an index with newer pips (pip 8 and 9 ask PyPI's JSON "
    "API instead, so cannot be captured offline): `You are using pip version ...`, success",
    on=targets("10.0.1", "18.1", "19.3.1"),
    variant="old",
)
def pip_version_outdated(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_venv(target), "install", *from_index(lab), "tinypkg", version_check=True)


@scenario(
    "PIP_VERSION_CHECK_FAILED",
    "a local wheel installed with the version check on and an index URL where nothing listens "
    "(an offline machine): PIP_VERSION_CHECK_FAILED, success",
    on=(Target("3.10", "22.1"), *targets("22.3.1")),
)
@scenario(
    "success",
    "a local wheel installed with the version check on and an index URL where nothing listens: "
    "pip 23.0 and later skip the check quietly when the index cannot be reached",
    on=targets("23.0.1", "26.3"),
    variant="version-check-offline",
)
def version_check_offline(lab: Lab, target: Target) -> Invocation:
    wheel = build_wheel(Project("tinypkg", "1.0"), lab.project)
    # Port 9 (discard), outside the range the labs' servers take: lab.refusing_port is only
    # free when it is chosen, and another lab's server running at the same time may take it.
    index = "http://127.0.0.1:9/simple"
    return pip(lab.make_venv(target), "install", "--index-url", index, f"./{wheel.name}", version_check=True)


@scenario(
    "PIP_VERSION_CHECK_FAILED",
    "a proxy URL whose password holds an unescaped `#`, with the version check on: "
    "PIP_VERSION_CHECK_FAILED, then the install fails on the same URL: OS_ERROR_INSTALL",
    on=targets("26.3"),
    variant="proxy",
)
def version_check_bad_proxy(lab: Lab, target: Target) -> Invocation:
    proxy = "http://deploy:pa#ss@127.0.0.1:3128"
    return pip(lab.make_venv(target), "install", *from_index(lab), "--proxy", proxy, "tinypkg", version_check=True)


# A startup hook of the kind profilers and monitors install: it imports a module the first
# time the process opens tinypkg.py, which is while pip writes that file.
IMPORTING_AUDIT_HOOK = (
    "import sys; sys.addaudithook("
    'lambda event, args: event == "open" and str(args[0]).endswith("tinypkg.py") and __import__("wave"))\n'
)


@scenario(
    "BLOCKED_IMPORT_ERROR",
    "a .pth file's audit hook imports a module while pip writes a package's files: BLOCKED_IMPORT_ERROR",
    on=targets("26.3"),
    variant="hook",
)
@scenario(
    "success",
    "a .pth file's audit hook imports a module while pip writes a package's files (pip 26.3 blocks it)",
    on=targets("25.3"),
    variant="import-during-install",
)
def import_during_install(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target)
    write(site_packages(venv, target) / "importing_hook.pth", IMPORTING_AUDIT_HOOK)
    return pip(venv, "install", *from_index(lab), "tinypkg")


@scenario(
    "BLOCKED_IMPORT_ERROR",
    "`python -m profile -m pip install`, whose report imports pstats once pip has installed: "
    "BLOCKED_IMPORT_ERROR (earlier pips print the whole profile, different on every run)",
    on=targets("26.3"),
    variant="profile",
)
@not_swept
def profiled_install(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target)
    argv = [str(venv / "bin" / "python"), "-m", "profile", "-m", "pip", "install", "--isolated"]
    return Invocation([*argv, "--disable-pip-version-check", *from_index(lab), "tinypkg"], path=[venv / "bin"])


# A program that installs a package with pip in its own process, then imports it.
IN_PROCESS_INSTALL = """import sys

import pip

status = pip.main(sys.argv[1:])
import tinypkg  # noqa: E402

print("imported", tinypkg.__name__)
sys.exit(status)
"""


@scenario(
    "UNSAFE_IMPORT_AFTER_INSTALL",
    "a program calls pip.main() to install tinypkg, then imports it in the same process: "
    "UNSAFE_IMPORT_AFTER_INSTALL (pip 26.3 warns), success",
    on=targets("26.3"),
)
def import_after_in_process_install(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target)
    program = write(lab.project / "install_then_import.py", IN_PROCESS_INSTALL)
    argv = [str(venv / "bin" / "python"), program.name, "install", "--isolated", "--disable-pip-version-check"]
    return Invocation([*argv, *from_index(lab), "tinypkg"], path=[venv / "bin"])


@scenario(
    "SKIPPING_NOT_INSTALLED",
    "`pip uninstall --yes tinypkg` where tinypkg is not installed: SKIPPING_NOT_INSTALLED, success",
    on=targets("10.0.1", "20.3.4", "23.3.2", "26.3"),
)
def uninstall_not_installed(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "uninstall", "--yes", "tinypkg")


@scenario(
    "CANNOT_REMOVE_PTH_ENTRIES",
    "uninstalling a legacy editable (an .egg-link) whose path is in tinydev.pth, with no easy-install.pth: "
    "CANNOT_REMOVE_PTH_ENTRIES, success (up to pip 20.0.2 an error that stops the uninstall)",
    on=(*targets("8.1.2", "20.3.4", "23.3.2", "26.3"), Target("3.8", "20.0.2")),
)
def legacy_editable_without_easy_install_pth(lab: Lab, target: Target) -> Invocation:
    prefix = old_pip_environment(lab, target)
    project = lab.project / "tinydev"
    write(project / "tinydev.py", "")
    write(project / "tinydev.egg-info" / "PKG-INFO", "Metadata-Version: 1.1\nName: tinydev\nVersion: 1.0\n")
    write(project / "tinydev.egg-info" / "top_level.txt", "tinydev\n")
    write(site_packages(prefix, target) / "tinydev.egg-link", f"{project}\n.\n")
    write(site_packages(prefix, target) / "tinydev.pth", f"{project}\n")
    return pip(prefix, "uninstall", "--yes", "tinydev")


# -- the network -----------------------------------------------------------------------------

TINYPKG_WHEEL = Project("tinypkg", "1.0").wheel_name


@scenario(
    "HTTP_ERROR_WHILE_GETTING", "a wheel URL answering 404: HTTP_ERROR_WHILE_GETTING, HTTP_ERROR_INSTALL_REQUIREMENT"
)
def http_404(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", lab.faulty_url("404", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "HTTP_ERROR_WHILE_GETTING",
    "a wheel URL answering 403: HTTP_ERROR_WHILE_GETTING, HTTP_ERROR_INSTALL_REQUIREMENT",
    on=OLD_AND_NEW,
    variant="403",
)
def http_403(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", lab.faulty_url("403", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "HTTP_ERROR_WHILE_GETTING",
    "an sdist URL answering 404, which pip names by its URL (it reads a wheel's name from the file "
    "name): HTTP_ERROR_WHILE_GETTING, HTTP_ERROR_INSTALL_REQUIREMENT",
    on=targets("26.3"),
    variant="sdist-url",
)
@not_swept
def http_404_sdist(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", lab.faulty_url("404", "files/tinypkg-1.0.tar.gz"))


@scenario("NETWORK_CONNECTION_ERROR", "a requirements file URL answering 404: NETWORK_CONNECTION_ERROR")
def requirements_url_404(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "-r", lab.faulty_url("404", "requirements.txt"))


@scenario(
    "OS_ERROR_INSTALL",
    "a wheel URL answering 500 until urllib3 gives up retrying: OS_ERROR_INSTALL",
    on=OLD_AND_NEW,
    variant="http-500",
)
def http_500(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", lab.faulty_url("500", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "RETRYING_CONNECTION", "an index that hangs up without answering: RETRYING_CONNECTION, DISTRIBUTION_NOT_FOUND"
)
def index_closes(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--index-url", lab.faulty_url("close", "simple"), "tinypkg")


@scenario(
    "SKIPPING_PAGE_CONTENT_TYPE",
    "an index URL whose pages answer JSON of an API, not an index page: SKIPPING_PAGE_CONTENT_TYPE, "
    "DISTRIBUTION_NOT_FOUND",
    on=OLD_MIDDLE_NEW,
)
def index_answers_json(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--index-url", lab.faulty_url("json", "simple"), "tinypkg")


@scenario("CONNECTION_FAILED", "an index URL where nothing listens: CONNECTION_FAILED, RETRYING_CONNECTION")
def connection_refused(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--index-url", f"http://127.0.0.1:{lab.refusing_port}/simple", "tinypkg")


@scenario(
    "CONNECTION_TIMEOUT",
    "an index that accepts and never answers, --timeout 3: CONNECTION_TIMEOUT, RETRYING_CONNECTION",
)
def index_timeout(lab: Lab, target: Target) -> Invocation:
    return in_venv(
        lab, target, "install", "--timeout", "3", "--index-url", f"http://127.0.0.1:{lab.silent_port}/simple", "tinypkg"
    )


@scenario(
    "CONNECTION_TIMEOUT",
    "a download that stops half-way, --timeout 3: CONNECTION_TIMEOUT",
    on=EVERY_PIP[:-1],
    variant="download",
)
@scenario(
    "INCOMPLETE_DOWNLOAD",
    "a download that stops half-way, --timeout 3; pip 26.2 and later warn `Connection interrupted` "
    "without naming the timeout: INCOMPLETE_DOWNLOAD, RESUMING_DOWNLOAD",
    on=targets("26.3"),
    variant="read-timeout",
)
def download_timeout(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--timeout", "3", lab.faulty_url("stall", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "PIP_INTERNAL_EXCEPTION",
    "a download cut short of its Content-Length, before pip checked lengths: PIP_INTERNAL_EXCEPTION (BadZipFile)",
    on=targets("20.3.4", "21.3.1"),
)
@scenario(
    "INVALID_WHEEL",
    "a download cut short of its Content-Length, before pip checked lengths: INVALID_WHEEL",
    on=targets("22.3.1", "24.0", "25.0.1"),
    variant="truncated",
)
@scenario(
    "INCOMPLETE_DOWNLOAD",
    "a download cut short of its Content-Length: INCOMPLETE_DOWNLOAD, RESUMING_DOWNLOAD",
    on=targets("25.3", "26.3"),
)
def incomplete_download(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", lab.faulty_url("short", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "INCOMPLETE_DOWNLOAD",
    "a download sent as a chunked body that the server cuts off half-way through its chunk: urllib3's "
    "`Connection broken: IncompleteRead(...)`: INCOMPLETE_DOWNLOAD",
    on=targets("20.3.4", "23.3.2", "25.0.1", "26.3"),
    variant="chunked-cut",
)
def chunked_download_cut(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", lab.faulty_url("chunked-cut", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "RESUMING_DOWNLOAD",
    "a download cut off half-way by a server that answers the range request for the rest: RESUMING_DOWNLOAD, success",
    on=targets("25.3", "26.3"),
)
def resumed_download(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", lab.faulty_url("resumable", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "RESUMING_DOWNLOAD",
    "pip 25.1, where resuming is off unless asked: the same download with --resume-retries 1: "
    "RESUMING_DOWNLOAD, success",
    on=(Target("3.12", "25.1"),),
    variant="resume-retries",
)
def resumed_download_when_asked(lab: Lab, target: Target) -> Invocation:
    url = lab.faulty_url("resumable", f"files/{TINYPKG_WHEEL}")
    return in_venv(lab, target, "install", "--resume-retries", "1", url)


# What index servers of the time wrote: an HTML 4 doctype, or none at all.
HTML4_DOCTYPE = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN">\n'


def mirror_with_doctype(lab: Lab, doctype: str) -> str:
    """A file:// copy of the index whose tinypkg page starts with this doctype line instead of
    `<!DOCTYPE html>`: the URL of its simple/ folder."""
    mirror = lab.home / "mirror"
    mirror.mkdir()
    (mirror / "files").symlink_to(lab.index / "files")
    page = (lab.index / "simple" / "tinypkg" / "index.html").read_text()
    write(mirror / "simple" / "tinypkg" / "index.html", page.replace("<!DOCTYPE html>\n", doctype))
    return f"file://{mirror}/simple"


@scenario(
    "BAD_INDEX_DOCTYPE",
    "an index page that declares an HTML 4 doctype; pip 22.0.3 warns and installs: BAD_INDEX_DOCTYPE, success",
    on=(Target("3.10", "22.0.3"),),
)
@scenario(
    "BAD_INDEX_DOCTYPE",
    "an index page that declares an HTML 4 doctype; pip 22.0 and 22.0.1 stop with a ValueError: BAD_INDEX_DOCTYPE",
    on=(Target("3.10", "22.0"), Target("3.10", "22.0.1")),
    variant="valueerror",
)
@scenario(
    "BAD_INDEX_DOCTYPE",
    "an index page that declares an HTML 4 doctype; pip 22.0.2 prints a DEPRECATION and reads it with html5lib: "
    "BAD_INDEX_DOCTYPE, success",
    on=(Target("3.10", "22.0.2"),),
    variant="deprecation",
)
@scenario(
    "success",
    "an index page that declares an HTML 4 doctype: pip 22.0.4 and later read it without a word",
    on=(Target("3.10", "22.0.4"),),
    variant="html4-doctype",
)
def index_page_with_html4_doctype(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--index-url", mirror_with_doctype(lab, HTML4_DOCTYPE), "tinypkg")


@scenario(
    "MISSING_INDEX_DOCTYPE",
    "an index page with no doctype; pip 22.0.3 warns and installs: MISSING_INDEX_DOCTYPE, success",
    on=(Target("3.10", "22.0.3"),),
)
def index_page_without_doctype(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--index-url", mirror_with_doctype(lab, ""), "tinypkg")


@scenario(
    "PROXY_CONNECTION_FAILED",
    "PyPI through a proxy port where nothing listens: PROXY_CONNECTION_FAILED, RETRYING_CONNECTION",
    on=EVERY_PIP[:-1],
)
@scenario(
    "CONNECTION_FAILED",
    "PyPI through a proxy port where nothing listens; pip 26.3 names the proxy's host and port as the server "
    "and logs the proxy error only with -v: CONNECTION_FAILED, RETRYING_CONNECTION, DISTRIBUTION_NOT_FOUND",
    on=targets("26.3"),
    variant="proxy",
)
def proxy_refused(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--proxy", f"http://127.0.0.1:{lab.dead_proxy_port}", "tinypkg")


@scenario(
    "SSL_VERIFICATION_FAILED",
    "an HTTPS index with a self-signed certificate: SSL_VERIFICATION_FAILED, RETRYING_CONNECTION",
)
def self_signed_index(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--index-url", f"https://localhost:{lab.https_port}/simple", "tinypkg")


@scenario(
    "PIP_INTERNAL_EXCEPTION",
    "an HTTPS index addressed by IP, which pip's truststore use crashed on: PIP_INTERNAL_EXCEPTION (ValueError)",
    on=targets("25.0.1", "25.3"),
    variant="truststore-ip-address",
)
def https_index_by_address(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--index-url", f"https://127.0.0.1:{lab.https_port}/simple", "tinypkg")


# The loopback address written short: it reaches the local index, but pip compares it as a host
# name, so it is neither `localhost` nor in 127.0.0.0/8 for pip: an index it does not trust.
UNTRUSTED_LOOPBACK = "127.1"


@scenario(
    "UNTRUSTED_HOST",
    "an http:// index on a host pip does not trust (127.1, the loopback address written short): "
    "UNTRUSTED_HOST, DISTRIBUTION_NOT_FOUND",
    on=targets("9.0.3", "20.3.4", "23.3.2", "26.3"),
)
def untrusted_index(lab: Lab, target: Target) -> Invocation:
    index = f"http://{UNTRUSTED_LOOPBACK}:{lab.index_port}/simple"
    return pip(old_pip_environment(lab, target), "install", "--index-url", index, "tinypkg")


@scenario(
    "HTTP_401_CREDENTIALS",
    "an index that demands a password, given a wrong one in the index URL; pip 26.2 and later send "
    "the URL's credentials again after the 401 (earlier pips prompt instead): HTTP_401_CREDENTIALS, "
    "DISTRIBUTION_NOT_FOUND",
    on=(Target("3.13", "26.2"), *targets("26.3")),
)
def wrong_index_password(lab: Lab, target: Target) -> Invocation:
    user = INDEX_CREDENTIALS.split(":")[0]
    index = f"http://{user}:not-the-password@127.0.0.1:{lab.password_port}/simple"
    return in_venv(lab, target, "install", "--index-url", index, "tinypkg")


@scenario(
    "HTTP_401_CREDENTIALS",
    "an index that demands a password, given none, in a run with no one to answer (stdin closed, as in "
    "CI or a container build): pip asks `User for 127.0.0.1:…:` and its prompt fails on the end of input "
    "(EOFError): HTTP_401_CREDENTIALS, PIP_INTERNAL_EXCEPTION",
    on=targets("9.0.3", "20.3.4", "23.3.2", "26.3"),
    variant="prompt",
)
def index_password_prompt(lab: Lab, target: Target) -> Invocation:
    index = f"http://127.0.0.1:{lab.password_port}/simple"
    return pip(old_pip_environment(lab, target), "install", "--index-url", index, "tinypkg")


@scenario(
    "INVALID_REQUIREMENT",
    "`'tinypkg[extra]'` with its quotes, as Windows' cmd passes a requirement quoted the Unix way; pip "
    "shows the requirement as Python writes a string that holds `'`: `Invalid requirement: \"'tinypkg[extra]'\"`",
    on=targets("20.3.4", "24.0", "26.3"),
    variant="quoted",
)
def invalid_requirement_quoted(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "'tinypkg[extra]'")


@scenario(
    "KEYRING_SKIPPED",
    "an index URL with a user name and no password, keyring 25.7 installed beside pip on a machine without "
    "a desktop keyring service, `--keyring-provider import --no-input`: KEYRING_SKIPPED, then the 401 "
    "leaves no versions: DISTRIBUTION_NOT_FOUND",
    on=(Target("3.12", "23.3.2"), Target("3.12", "25.0.1"), Target("3.12", "26.3")),
)
def keyring_without_backend(lab: Lab, target: Target) -> Invocation:
    # Poetry depends on keyring: its wheels, made for Python 3.12, hold keyring and what it needs.
    venv = lab.make_venv(target)
    lab.install(venv / "bin" / "python", "keyring==25.7.0", find_links=installer_wheels(lab.cache, "poetry==2.5.1"))
    # The user name only: the password is to come from the keyring.
    index = f"http://deploy@127.0.0.1:{lab.password_port}/simple"
    options = ("--keyring-provider", "import", "--no-input", "--index-url", index)
    return pip(venv, "install", *options, "tinypkg")


# A wheel bigger than the memory pip may use: pip's HTTP cache holds a download in memory (up
# to pip 23.2) or maps it (from 23.3) before storing it. Sparse, so it costs no disk.
BIG_WHEEL = Project("bigwheel", "1.0").wheel_name
BIG_WHEEL_BYTES = 300 * 2**20


def big_wheel_url(lab: Lab) -> str:
    wheel = index_file(lab, BIG_WHEEL)
    if not wheel.exists():
        with wheel.open("wb") as sparse:
            sparse.truncate(BIG_WHEEL_BYTES)
    return f"https://localhost:{lab.cached_https_port}/files/{BIG_WHEEL}"


@scenario(
    "MEMORY_ERROR",
    "a 300 MB wheel from an HTTPS server whose files may be cached, in 500 MB of address space: "
    "`Exception:` and a traceback through pip's HTTP cache ending in `MemoryError`",
    on=targets("9.0.3", "18.1", "20.3.4", "22.3.1"),
)
@scenario(
    "MEMORY_ERROR",
    "a 300 MB wheel from an HTTPS server whose files may be cached, in 150 MB of address space: "
    "the cache cannot map the download, `OSError: [Errno 12] Cannot allocate memory`, then `Connection broken`",
    on=targets("24.0"),
    variant="errno-12",
)
def out_of_memory(lab: Lab, target: Target) -> Invocation:
    environment = old_pip_environment(lab, target)
    certificate = lab.root / "cert.pem"
    invocation = pip(environment, "install", "--cert", str(certificate), big_wheel_url(lab))
    invocation.memory_limit = (150 if target.pip == "24.0" else 500) * 2**20
    return invocation


@scenario(
    "OPERATION_CANCELLED",
    "Ctrl + C (SIGINT) while a download from a server that stopped sending waits: OPERATION_CANCELLED",
    on=targets("8.1.2", "20.3.4", "23.3.2", "26.3"),
)
def download_interrupted(lab: Lab, target: Target) -> Invocation:
    url = lab.faulty_url("stall", f"files/{TINYPKG_WHEEL}")
    invocation = pip(old_pip_environment(lab, target), "install", "--timeout", "60", url)
    invocation.interrupt_after = 8
    return invocation


@scenario(
    "CACHE_ENTRY_DESERIALIZATION_FAILED",
    "a wheel from an HTTPS server whose files may be cached, installed after an earlier download left it in "
    "pip's HTTP cache and the cache's entry files were cut to half their size (a full disk, a killed pip): "
    "CACHE_ENTRY_DESERIALIZATION_FAILED, success",
    on=targets("10.0.1", "20.3.4", "23.3.2", "26.3"),
)
def truncated_http_cache_entry(lab: Lab, target: Target) -> Invocation:
    environment = old_pip_environment(lab, target)
    wheel_url = f"https://localhost:{lab.cached_https_port}/files/{TINYPKG_WHEEL}"
    certificate = ("--cert", str(lab.root / "cert.pem"))
    download = pip(environment, "download", *certificate, "--dest", str(lab.home / "earlier"), wheel_url)
    output, status = lab.run(download)
    if status:
        raise SystemExit(f"the download that fills the cache failed:\n{output.decode(errors='replace')}")
    # pip 23.3 and later keep each response's body in a `.body` file beside its entry.
    entries = [path for path in (lab.home / ".cache" / "pip").glob("http*/**/*") if path.is_file()]
    for entry in (path for path in entries if path.suffix != ".body"):
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    return pip(environment, "install", *certificate, wheel_url)


# -- runs that succeed: they must diagnose as no error ---------------------------------------


@scenario("success", "a plain install from an index", on=OLD_MIDDLE_NEW, variant="install")
def install_succeeds(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "alpha")


@scenario("success", "a download of a project and its dependency", on=OLD_MIDDLE_NEW, variant="download")
def download_succeeds(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "download", *from_index(lab), "--dest", "downloads", "alpha")


@scenario("success", "building a wheel from an sdist with a C extension", on=OLD_MIDDLE_NEW, variant="wheel")
def wheel_succeeds(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "wheel", *from_index(lab), "--wheel-dir", "wheels", "cext")


@scenario("success", "uninstalling an installed project", on=OLD_MIDDLE_NEW, variant="uninstall")
def uninstall_succeeds(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_venv(target, "tinytool"), "uninstall", "--yes", "tinytool")


@scenario(
    "CONNECTION_FAILED",
    "a wheel URL where nothing listens: CONNECTION_FAILED, RETRYING_CONNECTION",
    on=OLD_AND_NEW,
    variant="download",
)
def download_refused(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", f"http://127.0.0.1:{lab.refusing_port}/files/{TINYPKG_WHEEL}")


@scenario(
    "SSL_VERIFICATION_FAILED",
    "a wheel URL on a server with a self-signed certificate: SSL_VERIFICATION_FAILED, RETRYING_CONNECTION",
    on=OLD_AND_NEW,
    variant="download",
)
def download_self_signed(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", f"https://localhost:{lab.https_port}/files/{TINYPKG_WHEEL}")


@scenario(
    "CONNECTION_TIMEOUT",
    "a wheel URL on a server that never answers, --timeout 3: CONNECTION_TIMEOUT, RETRYING_CONNECTION",
    on=OLD_AND_NEW,
    variant="no-answer",
)
def download_never_answered(lab: Lab, target: Target) -> Invocation:
    wheel_url = f"http://127.0.0.1:{lab.silent_port}/files/{TINYPKG_WHEEL}"
    return in_venv(lab, target, "install", "--timeout", "3", wheel_url)


@scenario(
    "PROXY_CONNECTION_FAILED",
    "a wheel URL through a proxy port where nothing listens: PROXY_CONNECTION_FAILED, RETRYING_CONNECTION",
    on=OLD_AND_NEW,
    variant="download",
)
def download_through_dead_proxy(lab: Lab, target: Target) -> Invocation:
    proxy = f"http://127.0.0.1:{lab.dead_proxy_port}"
    return in_venv(
        lab, target, "install", "--proxy", proxy, f"{lab.index_url.removesuffix('/simple')}/files/{TINYPKG_WHEEL}"
    )


@scenario(
    "PROXY_CONNECTION_FAILED",
    "the local index through a SOCKS proxy, in a venv without PySocks: `Missing dependencies for SOCKS support.`",
    on=OLD_AND_NEW,
    variant="socks",
)
def socks_proxy_without_pysocks(lab: Lab, target: Target) -> Invocation:
    proxy = f"socks5://127.0.0.1:{lab.dead_proxy_port}"
    return in_venv(lab, target, "install", "--proxy", proxy, *from_index(lab), "tinypkg")


# -- the command line, VCS tools and scripts --------------------------------------------------


@scenario(
    "BAD_COMMAND",
    "a `git+http://` requirement on a machine without git: BAD_COMMAND",
    on=targets("20.3.4", "23.3.2", "25.0.1", "26.3"),
)
@scenario(
    "BAD_COMMAND",
    "pip 8 to 19, a `git+http://` requirement on a machine without git: BAD_COMMAND "
    "(`Cannot find command 'git'` alone before pip 10)",
    on=targets("8.1.2", "9.0.3", "10.0.1", "19.3.1"),
    variant="old",
)
def git_missing(lab: Lab, target: Target) -> Invocation:
    repository = f"{lab.index_url.removesuffix('/simple')}/tinyvcs.git"
    invocation = pip(old_pip_environment(lab, target), "install", f"git+{repository}#egg=tinyvcs")
    invocation.hidden_tools += ("git",)
    return invocation


@scenario(
    "UNPACK_ARCHIVE_FAILED",
    "a project's index page (HTML) given to pip install as a URL: UNPACK_ARCHIVE_FAILED",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "UNPACK_ARCHIVE_FAILED",
    "pip 8 to 19, a project's index page (HTML) given to pip install as a URL: UNPACK_ARCHIVE_FAILED",
    on=targets("8.1.2", "10.0.1", "19.3.1"),
    variant="old",
)
def html_page_as_archive(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", f"{lab.index_url}/tinypkg/")


@scenario(
    "VIRTUALENV_REQUIRED",
    "PIP_REQUIRE_VIRTUALENV=true and pip run outside any virtual environment: VIRTUALENV_REQUIRED",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "VIRTUALENV_REQUIRED",
    "pip 8 to 19, PIP_REQUIRE_VIRTUALENV=true outside any virtual environment: VIRTUALENV_REQUIRED",
    on=targets("8.1.2", "10.0.1", "19.3.1"),
    variant="old",
)
def virtualenv_required(lab: Lab, target: Target) -> Invocation:
    """Not --isolated, which would ignore the PIP_ variable; the fresh home has no configuration."""
    prefix = lab.make_system_python(target)
    argv = [str(prefix / "bin" / "pip"), "install", "--disable-pip-version-check", *from_index(lab), "tinypkg"]
    return Invocation(argv, env={"PIP_REQUIRE_VIRTUALENV": "true"}, path=[prefix / "bin"])


@scenario(
    "UNKNOWN_COMMAND",
    "`pip isntall tinypkg`: UNKNOWN_COMMAND",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "UNKNOWN_COMMAND",
    "pip 8 to 19, `pip isntall tinypkg`: UNKNOWN_COMMAND",
    on=targets("8.1.2", "10.0.1", "19.3.1"),
    variant="old",
)
def misspelt_command(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "isntall", "tinypkg")


@scenario(
    "UNKNOWN_COMMAND",
    "`pip cache purge` on a pip older than the cache command: UNKNOWN_COMMAND",
    on=targets("19.3.1"),
    variant="cache",
)
@not_swept
def command_newer_than_pip(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "cache", "purge")


@scenario(
    "OPTION_PARSE_ERROR",
    "`pip install --break-system-packages tinypkg` on a pip older than that option (23.0.1): OPTION_PARSE_ERROR",
    on=targets("20.3.4", "22.3.1"),
)
@scenario(
    "OPTION_PARSE_ERROR",
    "pip 8 to 19, `pip install --break-system-packages tinypkg`: OPTION_PARSE_ERROR",
    on=targets("8.1.2", "10.0.1", "19.3.1"),
    variant="old",
)
def option_newer_than_pip(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", "--break-system-packages", "tinypkg")


@scenario(
    "OPTION_PARSE_ERROR",
    "`pip install --upgarde tinypkg`, a misspelt option: OPTION_PARSE_ERROR",
    on=targets("23.3.2", "26.3"),
)
def misspelt_option(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--upgarde", "tinypkg")


@scenario(
    "OPTION_PARSE_ERROR",
    "`pip install -r` with the file name left out: OPTION_PARSE_ERROR (`requires an argument` on Python 2)",
    on=targets("8.1.2", "26.3"),
    variant="no-argument",
)
@not_swept
def option_without_its_argument(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", "-r")


@scenario(
    "OPTION_PARSE_ERROR",
    "`pip install --timeout 10s tinypkg`, a value the option cannot read: OPTION_PARSE_ERROR",
    on=targets("26.3"),
    variant="bad-value",
)
@not_swept
def option_with_unreadable_value(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--timeout", "10s", "tinypkg")


@scenario(
    "NO_REQUIREMENTS_GIVEN",
    "`pip install` with nothing to install: NO_REQUIREMENTS_GIVEN",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "NO_REQUIREMENTS_GIVEN",
    "pip 10 to 19, `pip install` with nothing to install: NO_REQUIREMENTS_GIVEN",
    on=targets("10.0.1", "19.3.1"),
    variant="old",
)
def nothing_to_install(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", *from_index(lab))


@scenario(
    "NO_REQUIREMENTS_GIVEN",
    "`pip uninstall --yes` with nothing to uninstall: NO_REQUIREMENTS_GIVEN (without `ERROR:` on pip 8)",
    on=targets("8.1.2", "26.3"),
    variant="uninstall",
)
@not_swept
def nothing_to_uninstall(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "uninstall", "--yes")


@scenario(
    "NO_REQUIREMENTS_GIVEN",
    "`pip install --find-links ./wheels` with no project named: NO_REQUIREMENTS_GIVEN, and pip's guess",
    on=targets("26.3"),
    variant="find-links",
)
@not_swept
def find_links_without_a_project(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", "--find-links", "./wheels")


@scenario(
    "PIP_SEARCH_XMLRPC_FAILED",
    "`pip search tinypkg` against a server that answers as PyPI has since it turned XML-RPC search off: "
    "PIP_SEARCH_XMLRPC_FAILED",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "PIP_SEARCH_XMLRPC_FAILED",
    "pip 8 to 20.3.3, `pip search tinypkg` against a server that answers as PyPI does: `Exception:` and a "
    "traceback ending in the XML-RPC `Fault`",
    on=(*targets("8.1.2", "19.3.1"), Target("3.8", "20.3.3")),
    variant="old",
)
def search_turned_off(lab: Lab, target: Target) -> Invocation:
    search_url = f"http://127.0.0.1:{lab.retired_search_port}/pypi"
    return pip(old_pip_environment(lab, target), "search", "--index", search_url, "tinypkg")


@scenario(
    "INVALID_WHEEL_FILENAME",
    "a wheel renamed to `tinypkg.whl`: INVALID_WHEEL_FILENAME (packaging's wording from pip 25.1)",
    on=(*targets("20.3.4", "25.0.1", "26.3"), Target("3.12", "25.1.1")),
)
def wheel_renamed_without_tags(lab: Lab, target: Target) -> Invocation:
    renamed = lab.project / "tinypkg.whl"
    renamed.write_bytes(index_file(lab, TINYPKG_WHEEL).read_bytes())
    return pip(old_pip_environment(lab, target), "install", f"./{renamed.name}")


@scenario(
    "USER_SITE_LACKS_PRECEDENCE",
    "--user install of tinypkg 1.1 in a venv with system site packages that holds tinypkg 1.0: "
    "USER_SITE_LACKS_PRECEDENCE",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
def user_site_behind_venv(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target, "tinypkg==1.0")
    config = venv / "pyvenv.cfg"
    config.write_text(
        config.read_text().replace("include-system-site-packages = false", "include-system-site-packages = true")
    )
    return pip(venv, "install", *from_index(lab), "--user", "tinypkg==1.1")


@scenario(
    "REQUIREMENTS_FILE_PARSE_ERROR",
    "`tinypkg==1.0 --no-deps` in a requirements file, an option pip does not read there: REQUIREMENTS_FILE_PARSE_ERROR",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "REQUIREMENTS_FILE_PARSE_ERROR",
    "pip 8 to 19, `tinypkg==1.0 --no-deps` in a requirements file: REQUIREMENTS_FILE_PARSE_ERROR "
    "(optparse's message alone before pip 10)",
    on=targets("8.1.2", "10.0.1", "19.3.1"),
    variant="old",
)
def unknown_option_in_requirements_file(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "requirements.txt", "tinypkg==1.0 --no-deps\n")
    return pip(old_pip_environment(lab, target), "install", *from_index(lab), "-r", "requirements.txt")


@scenario(
    "REQUIREMENTS_FILE_PARSE_ERROR",
    "a requirements file whose `-r` names itself (pip 24.3 and later): REQUIREMENTS_FILE_PARSE_ERROR",
    on=targets("26.3"),
    variant="recursive",
)
def requirements_file_includes_itself(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "requirements.txt", "tinypkg==1.0\n-r requirements.txt\n")
    return in_venv(lab, target, "install", *from_index(lab), "-r", "requirements.txt")


@scenario(
    "INVALID_EDITABLE_REQUIREMENT",
    "`pip install -e tinypkg`, a project name where a path or VCS URL belongs: INVALID_EDITABLE_REQUIREMENT",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
@scenario(
    "INVALID_EDITABLE_REQUIREMENT",
    "pip 8 to 19, `pip install -e tinypkg`: INVALID_EDITABLE_REQUIREMENT (`... should either be a path` "
    "before pip 19.3)",
    on=targets("8.1.2", "10.0.1", "19.3.1"),
    variant="old",
)
def editable_project_name(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", *from_index(lab), "-e", "tinypkg")


@scenario(
    "INVALID_EDITABLE_REQUIREMENT",
    "`pip install -e http://…/tinyvcs.git`, a repository URL without `git+`: INVALID_EDITABLE_REQUIREMENT",
    on=targets("26.3"),
    variant="url",
)
def editable_url_without_vcs_scheme(lab: Lab, target: Target) -> Invocation:
    repository = f"{lab.index_url.removesuffix('/simple')}/tinyvcs.git"
    return in_venv(lab, target, "install", "-e", repository)


@scenario(
    "INVALID_WHEEL",
    "a Git LFS pointer file checked out in place of `tinypkg-1.0-py2.py3-none-any.whl`: INVALID_WHEEL",
    on=targets("22.3.1", "24.0", "26.3"),
    variant="lfs-pointer",
)
def wheel_that_is_not_a_zip_file(lab: Lab, target: Target) -> Invocation:
    wheel = index_file(lab, TINYPKG_WHEEL)
    pointer = (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256_of(wheel)}\nsize {wheel.stat().st_size}\n"
    )
    write(lab.project / TINYPKG_WHEEL, pointer)
    return in_venv(lab, target, "install", f"./{TINYPKG_WHEEL}")


@scenario(
    "LOCATIONS_MISMATCH",
    "root installing tinypkg with a Python that takes itself for its own build tree (a Modules/Setup.local "
    "beside the interpreter, as while `make install` runs ensurepip): LOCATIONS_MISMATCH for scheme.headers, success",
    on=(Target("3.9", "21.1"), Target("3.9", "21.2.4")),
)
def python_in_its_build_tree(lab: Lab, target: Target) -> Invocation:
    system = lab.make_system_python(target)
    write(system / "bin" / "Modules" / "Setup.local", "")
    return pip(system, "install", *from_index(lab), "tinypkg")


# What a distribution's patched Python does: its sysconfig tells pip to keep using distutils,
# whose scheme puts platform libraries under lib64 where sysconfig says lib.
DISTRIBUTOR_OPTS_OUT_OF_SYSCONFIG = "import sysconfig\n\nsysconfig._PIP_USE_SYSCONFIG = False\n"
DISTUTILS_LIB64_PLATLIB = (
    '\nINSTALL_SCHEMES["unix_prefix"]["platlib"] = "$platbase/lib64/python$py_version_short/site-packages"\n'
)


@scenario(
    "LOCATIONS_MISMATCH",
    "root installing tinypkg with a Python 3.11 that opts pip out of sysconfig and whose distutils puts "
    "platlib under lib64: LOCATIONS_MISMATCH for scheme.platlib, success",
    on=(Target("3.11", "23.3.2"), Target("3.11", "26.3")),
    variant="distutils-platlib",
)
@swept_on("3.11")
def distutils_scheme_patched(lab: Lab, target: Target) -> Invocation:
    system = lab.make_system_python(target)
    write(site_packages(system, target) / "sitecustomize.py", DISTRIBUTOR_OPTS_OUT_OF_SYSCONFIG)
    install_command = site_packages(system, target).parent / "distutils" / "command" / "install.py"
    patched = install_command.read_text() + DISTUTILS_LIB64_PLATLIB
    install_command.unlink()  # a hard link to the stashed copy: replace it, never rewrite it
    install_command.write_text(patched)
    return pip(system, "install", *from_index(lab), "tinypkg")


@scenario(
    "METADATA_INVALID",
    "a local wheel whose Requires-Dist is `tinypkg>=1.0.*`: METADATA_INVALID",
    on=(Target("3.12", "24.1.2"), *targets("25.0.1", "26.3")),
)
def local_wheel_with_invalid_dependency(lab: Lab, target: Target) -> Invocation:
    wheel = Project("legacyspec", "1.0").wheel_name
    (lab.project / wheel).write_bytes(index_file(lab, wheel).read_bytes())
    return in_venv(lab, target, "install", *from_index(lab), f"./{wheel}")


@scenario(
    "IGNORING_INVALID_METADATA_VERSION",
    "the index's only release of legacyspec requires `tinypkg>=1.0.*`: IGNORING_INVALID_METADATA_VERSION, "
    "DISTRIBUTION_NOT_FOUND",
    on=(Target("3.12", "24.1.2"), *targets("25.0.1", "26.3")),
)
def index_release_with_invalid_dependency(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "legacyspec")


@scenario(
    "PROTECT_PIP_ON_WINDOWS",
    "a requirements file pinning pip>=24, installed through the pip script, pip's WINDOWS flag forced true "
    "(this is Linux): PROTECT_PIP_ON_WINDOWS",
    on=targets("23.3.2"),
)
@not_swept
def requirements_upgrade_pip_on_windows(lab: Lab, target: Target) -> Invocation:
    venv = as_if_on_windows(lab.make_venv(target))
    write(lab.project / "requirements.txt", f"--index-url {lab.index_url}\npip>=24\n")
    return pip(venv, "install", "-r", "requirements.txt")


@scenario(
    "PROTECT_PIP_ON_WINDOWS",
    "`pip uninstall pip` through the pip script, pip's WINDOWS flag forced true (this is Linux): "
    "PROTECT_PIP_ON_WINDOWS",
    on=targets("23.3.2", "26.3"),
    variant="uninstall",
)
@not_swept
def pip_uninstalls_itself_on_windows(lab: Lab, target: Target) -> Invocation:
    return pip(as_if_on_windows(lab.make_venv(target)), "uninstall", "--yes", "pip")


def as_if_on_windows(venv: Path) -> Path:
    """The venv's pip script with pip's own WINDOWS flag forced true where
    protect_pip_from_modification_on_windows reads it, the one thing that differs from a run on
    Windows: the refusal is the real pip code path, and the suggested command names the Linux
    Python it runs on. (Older pips' check also wants the script named pip.exe.)"""
    script = venv / "bin" / "pip"
    lines = script.read_text().splitlines(keepends=True)
    entry = next(index for index, line in enumerate(lines) if line.startswith("from pip._internal.cli.main import"))
    lines.insert(entry + 1, "import pip._internal.utils.misc\npip._internal.utils.misc.WINDOWS = True\n")
    script.write_text("".join(lines))
    return venv


@scenario(
    "PIP_CHECK_CONFLICT",
    "pip check where alpha needs shared==1.0 but shared 2.0 is installed and top's leaf is missing: PIP_CHECK_CONFLICT",
    on=targets("10.0.1", "20.3.4", "23.3.2", "26.3"),
)
def broken_requirements_checked(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target, "alpha==1.0", "shared==1.0")
    lab.install(venv / "bin" / "python", "--no-deps", "--upgrade", "shared==2.0", "top==1.0")
    return pip(venv, "check")


LEGACY_SETUP_PY_PROJECT = {
    "setup.py": 'from setuptools import setup\n\nsetup(name="legacyedit", version="1.0", py_modules=[])\n'
}


@scenario(
    "LEGACY_EDITABLE_DEPRECATION",
    "pip install -e of a setup.py-only project in a venv holding setuptools and wheel: "
    "LEGACY_EDITABLE_DEPRECATION, success",
    on=(Target("3.12", "24.2"), Target("3.12", "25.0.1"), Target("3.12", "25.2")),
)
@swept_on("3.12")
def legacy_editable_install(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target, "setuptools==75.3.2", "wheel==0.45.1")
    for name, text in LEGACY_SETUP_PY_PROJECT.items():
        write(lab.project / "legacyedit" / name, text)
    return pip(venv, "install", *from_index(lab), "-e", "./legacyedit")


def setuptools_and_wheel_venv(lab: Lab, target: Target) -> Path:
    """A venv that can run a setup.py itself: pip then builds setup.py-only sdists the legacy
    way (setup.py bdist_wheel) unless told --use-pep517."""
    return lab.make_venv(target, "setuptools==75.3.2", "wheel==0.45.1")


@scenario(
    "BUILD_GLOBAL_OPTION_DEPRECATION",
    "--global-option=--quiet for a setup.py-only sdist in a venv holding setuptools and wheel: "
    "BUILD_GLOBAL_OPTION_DEPRECATION, success",
    on=(Target("3.11", "23.1"), Target("3.12", "24.0"), Target("3.12", "25.0.1"), Target("3.12", "25.2")),
)
@scenario(
    "OPTION_PARSE_ERROR",
    "--global-option=--quiet on pip 25.3 and later, which removed the option: OPTION_PARSE_ERROR",
    on=targets("25.3"),
    variant="global-option",
)
@swept_on("3.12")
def global_option_for_setup_py(lab: Lab, target: Target) -> Invocation:
    venv = setuptools_and_wheel_venv(lab, target)
    return pip(venv, "install", *from_index(lab), "--global-option=--quiet", "plainsetup")


@scenario(
    "BUILD_GLOBAL_OPTION_DEPRECATION",
    "--global-option=--quiet for tinypkg, published only as a wheel: the option implies --no-binary :all:, "
    "BUILD_GLOBAL_OPTION_DEPRECATION, DISTRIBUTION_NOT_FOUND",
    on=(Target("3.12", "25.2"),),
    variant="no-binary",
)
def global_option_for_wheel_only(lab: Lab, target: Target) -> Invocation:
    venv = setuptools_and_wheel_venv(lab, target)
    return pip(venv, "install", *from_index(lab), "--global-option=--quiet", "tinypkg")


@scenario(
    "LEGACY_BDIST_WHEEL_DEPRECATION",
    "a setup.py-only sdist in a venv holding setuptools and wheel, built with setup.py bdist_wheel: "
    "LEGACY_BDIST_WHEEL_DEPRECATION, success",
    on=(Target("3.12", "25.1"), Target("3.12", "25.2")),
)
@swept_on("3.12")
def legacy_bdist_wheel(lab: Lab, target: Target) -> Invocation:
    return pip(setuptools_and_wheel_venv(lab, target), "install", *from_index(lab), "plainsetup")


@scenario(
    "LEGACY_BDIST_WHEEL_DEPRECATION",
    "a setup.py-only sdist whose install step fails, built with setup.py bdist_wheel: "
    "LEGACY_BDIST_WHEEL_DEPRECATION, FAILED_BUILDING_WHEEL",
    on=(Target("3.12", "25.2"),),
    variant="build-fails",
)
def legacy_bdist_wheel_fails(lab: Lab, target: Target) -> Invocation:
    return pip(setuptools_and_wheel_venv(lab, target), "install", *from_index(lab), "legacyfail")


def pkg_resources_backend(invocation: Invocation) -> Invocation:
    """pip told to read installed metadata with pkg_resources (importlib.metadata is its default
    from Python 3.11)."""
    invocation.env["_PIP_USE_IMPORTLIB_METADATA"] = "0"
    return invocation


@scenario(
    "PKG_RESOURCES_BACKEND_DEPRECATION",
    "_PIP_USE_IMPORTLIB_METADATA=0 on Python 3.12 and 3.13: PKG_RESOURCES_BACKEND_DEPRECATION, success",
    on=(Target("3.12", "25.1"), Target("3.13", "26.2.1"), Target("3.13", "26.3")),
)
@swept_on("3.12")
def pkg_resources_backend_chosen(lab: Lab, target: Target) -> Invocation:
    return pkg_resources_backend(in_venv(lab, target, "install", *from_index(lab), "tinypkg"))


@scenario(
    "PKG_RESOURCES_BACKEND_DEPRECATION",
    "_PIP_USE_IMPORTLIB_METADATA=0 and a version the index does not have: "
    "PKG_RESOURCES_BACKEND_DEPRECATION, DISTRIBUTION_NOT_FOUND",
    on=(Target("3.13", "26.3"),),
    variant="not-found",
)
def pkg_resources_backend_not_found(lab: Lab, target: Target) -> Invocation:
    return pkg_resources_backend(in_venv(lab, target, "install", *from_index(lab), "tinypkg==9.9"))


def venv_with_egg(lab: Lab, target: Target) -> Path:
    """A venv where an old `setup.py install` (easy_install) left eggpkg as an unpacked .egg
    folder, listed in easy-install.pth."""
    venv = lab.make_venv(target)
    egg = f"eggpkg-1.0-py{target.python}.egg"
    metadata = "Metadata-Version: 1.1\nName: eggpkg\nVersion: 1.0\n"
    write(site_packages(venv, target) / egg / "EGG-INFO" / "PKG-INFO", metadata)
    write(site_packages(venv, target) / egg / "eggpkg.py", "")
    write(site_packages(venv, target) / "easy-install.pth", f"./{egg}\n")
    return venv


@scenario(
    "EGG_LOADING_DEPRECATION",
    "installing tinypkg into a Python 3.11+ venv holding an .egg that easy_install left: "
    "EGG_LOADING_DEPRECATION, success",
    on=(Target("3.11", "23.2"), Target("3.11", "24.0"), Target("3.12", "24.1"), Target("3.12", "25.0.1")),
)
@scenario(
    "success",
    "the same on pip 23.1.2, which holds the egg deprecation but whose call of it is commented out: "
    "no warning, success",
    on=(Target("3.11", "23.1.2"),),
    variant="egg",
)
@swept_on("3.11")
def egg_in_site_packages(lab: Lab, target: Target) -> Invocation:
    return pip(venv_with_egg(lab, target), "install", *from_index(lab), "tinypkg")


@scenario(
    "EGG_LOADING_DEPRECATION",
    "a version the index does not have, in a venv holding an .egg: EGG_LOADING_DEPRECATION, DISTRIBUTION_NOT_FOUND",
    on=(Target("3.12", "25.0.1"),),
    variant="not-found",
)
def egg_in_site_packages_not_found(lab: Lab, target: Target) -> Invocation:
    return pip(venv_with_egg(lab, target), "install", *from_index(lab), "tinypkg==9.9")


@scenario(
    "TARGET_DIRECTORY_EXISTS",
    "--target into a folder that already holds a tinypkg.py: TARGET_DIRECTORY_EXISTS, success",
    on=OLD_MIDDLE_NEW,
)
def target_directory_exists(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "lib" / "tinypkg.py", "")
    return in_venv(lab, target, "install", *from_index(lab), "--target", "lib", "tinypkg")


@scenario(
    "ERROR_PARSING_DEPENDENCIES",
    "`pip check` in a venv holding a legacyspec 1.0 dist-info (as pip 24.0 and older installed it) that requires `tinypkg>=1.0.*`: "
    "ERROR_PARSING_DEPENDENCIES",
    on=(Target("3.12", "24.1.2"), *targets("26.3")),
)
def check_with_invalid_installed_dependency(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target)
    dist_info = site_packages(venv, target) / "legacyspec-1.0.dist-info"
    write(
        dist_info / "METADATA", "Metadata-Version: 2.1\nName: legacyspec\nVersion: 1.0\nRequires-Dist: tinypkg>=1.0.*\n"
    )
    write(dist_info / "INSTALLER", "pip\n")
    write(dist_info / "RECORD", "")
    return pip(venv, "check")


@scenario(
    "USER_OPTION_CONFLICT",
    "`pip install --user --target lib tinypkg`, two install locations at once: USER_OPTION_CONFLICT",
    on=OLD_MIDDLE_NEW,
)
def user_and_target(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "--user", "--target", "lib", "tinypkg")


@scenario(
    "USER_OPTION_CONFLICT",
    "pip 19.3.1 (before pip's own check, 20.1), `pip install --user --target lib tinypkg` on a Python outside any "
    "venv: distutils' `can't combine user with prefix` in a traceback",
    on=targets("19.3.1"),
    variant="old",
)
@not_swept
def user_and_target_before_the_check(lab: Lab, target: Target) -> Invocation:
    return pip(lab.make_system_python(target), "install", *from_index(lab), "--user", "--target", "lib", "tinypkg")


@scenario(
    "USER_OPTION_CONFLICT",
    "`pip install --user --prefix /tmp/kb/inst tinypkg`: USER_OPTION_CONFLICT, the --prefix wording",
    on=targets("8.1.2", "20.3.4", "26.3"),
    variant="prefix",
)
def user_and_prefix(lab: Lab, target: Target) -> Invocation:
    prefix = lab.root / "inst"
    return pip(
        old_pip_environment(lab, target), "install", *from_index(lab), "--user", "--prefix", str(prefix), "tinypkg"
    )


def tinypkg_wheel_url(lab: Lab, fragment: str) -> str:
    """A file: URL to a copy of tinypkg's wheel beside the project, with a URL fragment."""
    wheel = lab.project / TINYPKG_WHEEL
    wheel.parent.mkdir(parents=True, exist_ok=True)
    wheel.write_bytes(index_file(lab, TINYPKG_WHEEL).read_bytes())
    return f"{wheel.as_uri()}#{fragment}"


@scenario(
    "EGG_FRAGMENT_DEPRECATION",
    "a wheel URL ending in `#egg=tinypkg[cli]`: EGG_FRAGMENT_DEPRECATION, success",
    on=(Target("3.10", "23.0.1"), *targets("24.0", "25.0.1", "25.3")),
)
@scenario(
    "INVALID_EGG_FRAGMENT",
    "a wheel URL ending in `#egg=tinypkg[cli]`: INVALID_EGG_FRAGMENT",
    on=targets("26.0.1", "26.3"),
)
def egg_fragment_with_extras(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", tinypkg_wheel_url(lab, "egg=tinypkg[cli]"))


@scenario(
    "UNSUPPORTED_CONSTRAINT_FORM",
    "a constraints file with `tinypkg[cli]==1.0`: UNSUPPORTED_CONSTRAINT_FORM",
    on=targets("20.3.4", "23.3.2", "26.3"),
)
def constraint_with_extras(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "constraints.txt", "tinypkg[cli]==1.0\n")
    return in_venv(lab, target, "install", *from_index(lab), "-c", "constraints.txt", "tinypkg")


@scenario(
    "MARKERS_DONT_MATCH",
    "`pip install tinypkg \"otherpkg; sys_platform == 'win32'\"` on Linux: MARKERS_DONT_MATCH, success",
    on=targets("8.1.2", "18.1", "20.3.4", "23.3.2", "26.3"),
)
def requirement_for_another_platform(lab: Lab, target: Target) -> Invocation:
    environment = old_pip_environment(lab, target)
    return pip(environment, "install", *from_index(lab), "tinypkg", "otherpkg; sys_platform == 'win32'")


@scenario(
    "EDITABLE_NAME_UNDETECTABLE",
    "`pip install -e git+https://127.0.0.1:9/tinypkg.git` (no #egg=): EDITABLE_NAME_UNDETECTABLE",
    on=targets("9.0.3", "10.0.1", "20.3.4", "25.0.1", "25.3", "26.3"),
)
def editable_vcs_url_without_name(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", "-e", "git+https://127.0.0.1:9/tinypkg.git")


@scenario(
    "NON_STANDARD_VERSION_DEPRECATION",
    "`pip check` with an installed oddver 1.0-custom and legacyspec 1.0 requiring `tinypkg>=1.0.*`: "
    "NON_STANDARD_VERSION_DEPRECATION",
    on=(Target("3.11", "23.2.1"), *targets("23.3.2", "24.0")),
)
def check_with_legacy_versions(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_venv(target, "tinypkg==1.0")
    for name, version, requires in (("oddver", "1.0-custom", ""), ("legacyspec", "1.0", "tinypkg>=1.0.*")):
        dist_info = site_packages(venv, target) / f"{name}-{version}.dist-info"
        metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        write(dist_info / "METADATA", metadata + (f"Requires-Dist: {requires}\n" if requires else ""))
        write(dist_info / "INSTALLER", "pip\n")
        write(dist_info / "RECORD", "")
    return pip(venv, "check")


def wheel_with_legacy_version_name(lab: Lab) -> str:
    """tinypkg 1.0-1 in a wheel named the way old bdist_wheel wrote it: `1.0_1`."""
    built = build_wheel(Project("tinypkg", "1.0-1"), lab.project)
    legacy = built.rename(lab.project / "tinypkg-1.0_1-py2.py3-none-any.whl")
    return f"./{legacy.name}"


@scenario(
    "WHEEL_FILENAME_NOT_NORMALISED",
    "a wheel named `tinypkg-1.0_1-py2.py3-none-any.whl`: WHEEL_FILENAME_NOT_NORMALISED, success",
    on=(Target("3.12", "24.3.1"), Target("3.12", "25.0.1"), Target("3.12", "25.2")),
)
@scenario(
    "INVALID_WHEEL_FILENAME",
    "a wheel named `tinypkg-1.0_1-py2.py3-none-any.whl`: INVALID_WHEEL_FILENAME (from pip 25.3)",
    on=targets("25.3", "26.3"),
    variant="legacy-version",
)
def wheel_named_with_legacy_version(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", wheel_with_legacy_version_name(lab))


# A pip.conf as people write it from an index's instructions, the [global] line left out.
PIP_CONF_WITHOUT_SECTION = "timeout = 60\nindex-url = https://mirror.example.com/simple\n"


def with_config_file(invocation: Invocation, config: Path) -> Invocation:
    """PIP_CONFIG_FILE names the scenario's own file: --isolated ignores the user's configuration
    files and PIP_ variables, never the file PIP_CONFIG_FILE names."""
    invocation.env["PIP_CONFIG_FILE"] = str(config)
    return invocation


@scenario(
    "CONFIGURATION_FILE_COULD_NOT_BE_LOADED",
    "PIP_CONFIG_FILE naming a pip.conf whose settings have no [global] line: CONFIGURATION_FILE_COULD_NOT_BE_LOADED",
    on=(Target("3.6", "18.1"), *OLD_MIDDLE_NEW),
)
def config_file_without_section(lab: Lab, target: Target) -> Invocation:
    config = write(lab.project / "pip.conf", PIP_CONF_WITHOUT_SECTION)
    return with_config_file(pip(old_pip_environment(lab, target), "install", "tinypkg"), config)


@scenario(
    "CONFIGURATION_FILE_COULD_NOT_BE_LOADED",
    "pip 8 to 18.0, PIP_CONFIG_FILE naming a pip.conf whose settings have no [global] line: a traceback ending in "
    "configparser's MissingSectionHeaderError",
    on=targets("9.0.3"),
    variant="old",
)
@not_swept
def config_file_without_section_old(lab: Lab, target: Target) -> Invocation:
    return config_file_without_section(lab, target)


@scenario(
    "CONFIGURATION_FILE_COULD_NOT_BE_LOADED",
    "PIP_CONFIG_FILE naming a pip.conf saved in Latin-1 (a comment `# Zürich mirror`), read as UTF-8: "
    "CONFIGURATION_FILE_COULD_NOT_BE_LOADED, the encoding wording",
    on=targets("20.3.4", "26.3"),
    variant="encoding",
)
def config_file_in_latin1(lab: Lab, target: Target) -> Invocation:
    config = lab.project / "pip.conf"
    config.write_bytes("# Zürich mirror\n[global]\ntimeout = 60\n".encode("latin-1"))
    return with_config_file(pip(old_pip_environment(lab, target), "install", "tinypkg"), config)


@scenario(
    "INVALID_SCHEME_COMBINATION",
    "`pip install --target lib --prefix /tmp/kb/inst tinypkg`: INVALID_SCHEME_COMBINATION (--target is a home scheme)",
    on=targets("21.3.1", "23.3.2", "26.3"),
)
@not_swept
def target_and_prefix(lab: Lab, target: Target) -> Invocation:
    prefix = lab.root / "inst"
    return in_venv(lab, target, "install", *from_index(lab), "--target", "lib", "--prefix", str(prefix), "tinypkg")


@scenario(
    "INVALID_SCHEME_COMBINATION",
    "pip 20.3.4 and 21.2.4 (distutils asked first), `pip install --target lib --prefix /tmp/kb/inst tinypkg`: "
    "`ERROR: Exception:` and a traceback ending in `AssertionError: home=... prefix=...`",
    on=(Target("3.8", "20.3.4"), Target("3.9", "21.2.4")),
    variant="assert",
)
@not_swept
def target_and_prefix_asserted(lab: Lab, target: Target) -> Invocation:
    return target_and_prefix(lab, target)


# What a Python whose sysconfig has no user scheme looks like to pip (a trimmed or patched
# build): the scheme is taken out of sysconfig's table before pip reads it.
USER_SCHEME_REMOVED = 'import sysconfig\n\nsysconfig._INSTALL_SCHEMES.pop("posix_user", None)\n'


@scenario(
    "USER_INSTALLATION_INVALID",
    "`pip install --user tinypkg` with a Python 3.9 outside any venv whose sysconfig lists no posix_user scheme "
    "(a sitecustomize removes it): USER_INSTALLATION_INVALID",
    on=(Target("3.9", "21.1"), Target("3.9", "21.3.1"), Target("3.9", "26.0.1")),
)
@swept_on("3.9")
def user_scheme_missing(lab: Lab, target: Target) -> Invocation:
    system = lab.make_system_python(target)
    write(site_packages(system, target) / "sitecustomize.py", USER_SCHEME_REMOVED)
    return pip(system, "install", *from_index(lab), "--user", "tinypkg")


PYPROJECT_WITHOUT_GROUPS = """
[project]
name = "app"
version = "0.1.0"
dependencies = ["tinypkg"]
"""

PYPROJECT_WITH_TEST_GROUP = (
    PYPROJECT_WITHOUT_GROUPS
    + """
[dependency-groups]
test = ["otherpkg"]
"""
)


@scenario(
    "DEPENDENCY_GROUP_ERROR",
    "`pip install --group dev` where pyproject.toml has no [dependency-groups] table: DEPENDENCY_GROUP_ERROR",
    on=(Target("3.12", "25.1.1"), *targets("26.3")),
)
def dependency_groups_table_missing(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "pyproject.toml", PYPROJECT_WITHOUT_GROUPS)
    return in_venv(lab, target, "install", *from_index(lab), "--group", "dev")


@scenario(
    "DEPENDENCY_GROUP_ERROR",
    "`pip install --group dev` where pyproject.toml's [dependency-groups] has only `test`: DEPENDENCY_GROUP_ERROR, "
    "`resolution failed`",
    on=(Target("3.12", "25.1.1"), *targets("25.3", "26.3")),
    variant="unknown-group",
)
def dependency_group_not_declared(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "pyproject.toml", PYPROJECT_WITH_TEST_GROUP)
    return in_venv(lab, target, "install", *from_index(lab), "--group", "dev")


@scenario(
    "DEPENDENCY_GROUP_ERROR",
    "`pip install --group test` in a folder without pyproject.toml: DEPENDENCY_GROUP_ERROR, `not found`",
    on=targets("26.3"),
    variant="no-pyproject",
)
def dependency_group_without_pyproject(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "--group", "test")


# A requirements file saved in Latin-1, as editors on Windows do: its comment is not UTF-8.
LATIN1_REQUIREMENTS = "# Pins für das Büro\ntinypkg==1.0\n".encode("latin-1")
LATIN1_LOCALE = "en_US.ISO-8859-1"


def latin1_locale(lab: Lab) -> Path:
    """A folder holding a Latin-1 locale (glibc's LOCPATH), compiled once per lab from glibc's sources."""
    folder = lab.root / "locales"
    if not (folder / LATIN1_LOCALE).exists():
        folder.mkdir(exist_ok=True)
        subprocess.run(["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(folder / LATIN1_LOCALE)], check=True)
    return folder


@scenario(
    "REQUIREMENTS_FILE_DECODE_FALLBACK",
    "a Latin-1 requirements file on a Latin-1 locale (as on Windows with cp1252): "
    "REQUIREMENTS_FILE_DECODE_FALLBACK, success",
    on=targets("25.0.1", "26.3"),
)
def requirements_file_in_locale_encoding(lab: Lab, target: Target) -> Invocation:
    (lab.project / "requirements.txt").write_bytes(LATIN1_REQUIREMENTS)
    invocation = in_venv(lab, target, "install", *from_index(lab), "-r", "requirements.txt")
    invocation.env |= {"LOCPATH": str(latin1_locale(lab)), "LC_ALL": LATIN1_LOCALE}
    return invocation


@scenario(
    "REQUIREMENTS_FILE_DECODE_FALLBACK",
    "a Latin-1 requirements file on a UTF-8 locale: REQUIREMENTS_FILE_DECODE_FALLBACK, then `ERROR: Exception:` "
    "and a traceback ending in UnicodeDecodeError",
    on=targets("25.0.1", "26.3"),
    variant="utf8-locale",
)
@scenario(
    "REQUIREMENTS_FILE_DECODE_FALLBACK",
    "pip before 25.0, a Latin-1 requirements file on a UTF-8 locale: no warning, `ERROR: Exception:` and a "
    "traceback through auto_decode ending in UnicodeDecodeError",
    on=targets("20.3.4", "23.3.2"),
    variant="old-utf8-locale",
)
def requirements_file_not_utf8(lab: Lab, target: Target) -> Invocation:
    (lab.project / "requirements.txt").write_bytes(LATIN1_REQUIREMENTS)
    return in_venv(lab, target, "install", *from_index(lab), "-r", "requirements.txt")


def pylock(lab: Lab, *packages: Project) -> str:
    """A pylock.toml (PEP 751) locking these projects' wheels on the lab's index."""
    text = 'lock-version = "1.0"\ncreated-by = "hand"\n'
    for project in packages:
        wheel = index_file(lab, project.wheel_name)
        url = f"{lab.index_url.removesuffix('/simple')}/files/{project.wheel_name}"
        text += f'\n[[packages]]\nname = "{project.name}"\nversion = "{project.version}"\n'
        text += f'\n[[packages.wheels]]\nurl = "{url}"\nhashes = {{sha256 = "{sha256_of(wheel)}"}}\n'
    return text


@scenario(
    "PYLOCK_FILE_ERROR",
    "`pip install -r pylock.toml` whose lock-version line was lost in a merge: PYLOCK_FILE_ERROR",
    on=(Target("3.13", "26.1.2"), *targets("26.3")),
)
def pylock_without_lock_version(lab: Lab, target: Target) -> Invocation:
    text = pylock(lab, Project("tinypkg", "1.0")).replace('lock-version = "1.0"\n', "")
    write(lab.project / "pylock.toml", text)
    return in_venv(lab, target, "install", "-r", "pylock.toml")


@scenario(
    "PYLOCK_FILE_ERROR",
    "`pip install -r pylock.toml` with git's conflict markers left in it: PYLOCK_FILE_ERROR, TOML's own message",
    on=targets("26.3"),
    variant="conflict-markers",
)
def pylock_with_conflict_markers(lab: Lab, target: Target) -> Invocation:
    ours, theirs = pylock(lab, Project("tinypkg", "1.0")), pylock(lab, Project("tinypkg", "1.1"))
    write(lab.project / "pylock.toml", f"<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> upgrade\n")
    return in_venv(lab, target, "install", "-r", "pylock.toml")


@scenario(
    "LOCKED_REQUIREMENT_MISMATCH",
    "`pip install -r pylock.toml 'tinypkg>=1.1'` where the lock pins tinypkg 1.0: LOCKED_REQUIREMENT_MISMATCH",
    on=(Target("3.13", "26.2.1"), *targets("26.3")),
)
def locked_version_not_requested(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "pylock.toml", pylock(lab, Project("tinypkg", "1.0")))
    return in_venv(lab, target, "install", *from_index(lab), "-r", "pylock.toml", "tinypkg>=1.1")


@scenario(
    "HASH_UNPINNED",
    "pip 26.1 (before the lock file's own message, 26.2), `pip install -r pylock.toml 'tinypkg>=1.1'` where the "
    "lock pins tinypkg 1.0: the lock's hashes turn on --require-hashes, HASH_UNPINNED",
    on=(Target("3.13", "26.1.2"),),
    variant="pylock",
)
@not_swept
def locked_version_not_requested_before_its_message(lab: Lab, target: Target) -> Invocation:
    return locked_version_not_requested(lab, target)


def with_many_projects(lab: Lab, target: Target, count: int) -> Path:
    """An environment with count installed projects (bare dist-info folders): a long `pip list`."""
    prefix = old_pip_environment(lab, target)
    for number in range(1, count + 1):
        dist_info = site_packages(prefix, target) / f"project{number:03d}-1.0.dist-info"
        write(dist_info / "METADATA", f"Metadata-Version: 2.1\nName: project{number:03d}\nVersion: 1.0\n")
        write(dist_info / "INSTALLER", "pip\n")
        write(dist_info / "RECORD", "")
    return prefix


@scenario(
    "BROKEN_STDOUT_PIPE",
    "`pip list` into `head -n 1` in an environment with 300 projects: head leaves after the first line, "
    "BROKEN_STDOUT_PIPE",
    on=targets("19.3.1", "20.3.4", "23.3.2", "26.3"),
)
def list_into_head(lab: Lab, target: Target) -> Invocation:
    invocation = pip(with_many_projects(lab, target, 300), "list")
    invocation.piped_into = ["head", "-n", "1"]
    return invocation


# -- old pips (8 to 19) ----------------------------------------------------------------------


def old_pip_environment(lab: Lab, target: Target, *requirements: str) -> Path:
    """Python 2.7 has no venv module: its pips run from a copy of the interpreter's prefix."""
    if target.python == "2.7":
        return lab.make_system_python(target)
    return lab.make_venv(target, *requirements)


def old_pip_interpreter(prefix: Path, target: Target) -> Path:
    return system_interpreter(prefix, target) if target.python == "2.7" else prefix / "bin" / "python"


def pip_command_over_other_pip(lab: Lab, target: Target, command_pip: str) -> Path:
    """An environment whose `pip` command comes from the release command_pip and whose pip package
    is the target's: what is left when one of them is replaced without the other."""
    prefix = old_pip_environment(lab, Target(target.python, command_pip))
    command = prefix / "bin" / "pip"
    kept, mode = command.read_bytes(), command.stat().st_mode
    lab.install_pip(old_pip_interpreter(prefix, target), target.pip)
    command.unlink()  # a new file: the old one may be a hard link into the lab's stash
    command.write_bytes(kept)
    command.chmod(mode)
    return prefix


@scenario(
    "PIP_MAIN_MISSING",
    "pip 10 to 19.3.1, a program calls pip.main() to install tinypkg: AttributeError, pip has no main",
    on=(Target("2.7", "10.0.1"), Target("3.6", "18.1"), Target("3.8", "19.3.1")),
    variant="program",
)
@not_swept
def program_calls_pip_main(lab: Lab, target: Target) -> Invocation:
    prefix = old_pip_environment(lab, target)
    program = write(lab.project / "install_then_import.py", IN_PROCESS_INSTALL)
    argv = [str(old_pip_interpreter(prefix, target)), program.name, "install", "--isolated"]
    return Invocation([*argv, "--disable-pip-version-check", *from_index(lab), "tinypkg"], path=[prefix / "bin"])


@scenario(
    "PIP_MAIN_MISSING",
    "the pip 9 command left in place when pip 10 to 19.3.1 replaced the package under it (Debian's "
    "/usr/bin/pip after `sudo pip install --upgrade pip`): ImportError, cannot import name main",
    on=(Target("2.7", "10.0.1"), Target("3.6", "18.1"), Target("3.8", "19.3.1")),
    variant="old-command",
)
@not_swept
def pip9_command_over_newer_package(lab: Lab, target: Target) -> Invocation:
    return pip(pip_command_over_other_pip(lab, target, "9.0.3"), "install", *from_index(lab), "tinypkg")


@scenario(
    "NO_MODULE_NAMED_PIP",
    "the command of pip 10 or 18 left in place when the package went back to pip 8 or 9: `No module "
    "named _internal` (Python 2), `No module named 'pip._internal'` (Python 3)",
    on=(Target("2.7", "8.1.2"), Target("3.6", "9.0.3")),
    variant="old-package",
)
@not_swept
def newer_command_over_pip9_package(lab: Lab, target: Target) -> Invocation:
    command_pip = "10.0.1" if target.python == "2.7" else "18.1"
    return pip(pip_command_over_other_pip(lab, target, command_pip), "install", *from_index(lab), "tinypkg")


@scenario(
    "PREVIOUS_BUILD_DIR_ERROR",
    "pip 8 to 20.2, --build naming a folder that still holds plainsetup's source, unpacked by an earlier "
    "run: PREVIOUS_BUILD_DIR_ERROR",
    on=(*targets("8.1.2", "9.0.3", "10.0.1", "18.1", "19.3.1"), Target("3.8", "20.2.4")),
)
@not_swept
def leftover_build_directory(lab: Lab, target: Target) -> Invocation:
    return install_with_leftover_build_directory(lab, old_pip_environment(lab, target))


@scenario(
    "success",
    "the same with setuptools in the venv, on pip 20.3 and later, which ignore --build (a deprecation) "
    "and build in a new temporary folder",
    on=targets("20.3.4"),
    variant="build-dir",
)
@not_swept
def leftover_build_directory_ignored(lab: Lab, target: Target) -> Invocation:
    return install_with_leftover_build_directory(lab, lab.make_venv(target, "setuptools"))


def install_with_leftover_build_directory(lab: Lab, environment: Path) -> Invocation:
    build = lab.project / "build"
    shutil.unpack_archive(index_file(lab, "plainsetup-1.0.tar.gz"), build)
    (build / "plainsetup-1.0").rename(build / "plainsetup")
    return pip(environment, "install", *from_index(lab), "--build", str(build), "plainsetup")


@scenario(
    "SSL_VERIFICATION_FAILED",
    "pip 8 to 19, an HTTPS index with a self-signed certificate: `Could not fetch URL ...: There was a "
    "problem confirming the ssl certificate`, retries (without `WARNING:` before pip 10)",
    on=OLD_PIPS,
    variant="old",
)
@not_swept
def old_self_signed_index(lab: Lab, target: Target) -> Invocation:
    index = f"https://localhost:{lab.https_port}/simple"
    return pip(old_pip_environment(lab, target), "install", "--index-url", index, "tinypkg")


@scenario(
    "CONNECTION_FAILED",
    "index URLs holding a password and a token where nothing listens: pip 10 prints both in "
    "`Looking in indexes`, 18 leaves them out, 19.3 and later print `****` in their place",
    on=targets("10.0.1", "18.1", "19.3.1", "26.3"),
    variant="credentials",
)
@not_swept
def connection_refused_with_credentials(lab: Lab, target: Target) -> Invocation:
    index = f"http://deploy:{CAPTURED_PASSWORD}@127.0.0.1:{lab.refusing_port}/simple"
    extra_index = f"http://{CAPTURED_TOKEN}@127.0.0.1:{lab.refusing_port}/extra"
    return pip(
        old_pip_environment(lab, target), "install", "--index-url", index, "--extra-index-url", extra_index, "tinypkg"
    )


@scenario(
    "CONNECTION_FAILED",
    "pip 8 to 19, an index URL where nothing listens: retries, then no version found",
    on=OLD_PIPS,
    variant="old",
)
@not_swept
def old_connection_refused(lab: Lab, target: Target) -> Invocation:
    index = f"http://127.0.0.1:{lab.refusing_port}/simple"
    return pip(old_pip_environment(lab, target), "install", "--index-url", index, "tinypkg")


@scenario(
    "PROXY_CONNECTION_FAILED",
    "pip 8 to 19, the local index through a proxy port where nothing listens: `Cannot connect to proxy`",
    on=OLD_PIPS,
    variant="old",
)
@not_swept
def old_dead_proxy(lab: Lab, target: Target) -> Invocation:
    proxy = f"http://127.0.0.1:{lab.dead_proxy_port}"
    return pip(old_pip_environment(lab, target), "install", "--proxy", proxy, *from_index(lab), "tinypkg")


@scenario(
    "HTTP_ERROR_WHILE_GETTING",
    "pip 8 to 19, a wheel URL answering 404: `Exception:` and a traceback ending in "
    "`HTTPError: 404 Client Error` (an `ERROR:` line from pip 19.3)",
    on=OLD_PIPS,
    variant="old",
)
@not_swept
def old_http_404(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", lab.faulty_url("404", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "METADATA_GENERATION_FAILED",
    "pip 10 to 19, a setup.py-only sdist whose `setup.py egg_info` fails, setuptools in the venv: "
    '`Command "python setup.py egg_info" failed with error code 1` (pip 19.3: `Command errored out`)',
    on=targets("10.0.1", "18.1", "19.3.1"),
    variant="old-egg-info",
)
@not_swept
def old_egg_info_fails(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target, "setuptools==59.6.0"), "install", *from_index(lab), "noversion")


@scenario(
    "SETUPTOOLS_MISSING",
    "pip 9 on a Python 2.7 without setuptools, installing an sdist: pip's own `Could not import "
    "setuptools which is required to install from a source distribution.`",
    on=targets("9.0.3"),
    variant="old",
)
@not_swept
def old_pip_without_setuptools(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", *from_index(lab), "legacyfail")


@scenario(
    "LEGACY_INSTALL_FAILURE",
    "pip 10 to 19, a setup.py-only sdist whose `setup.py install` fails, setuptools in the venv: the whole "
    'command, with its own double quotes, inside `Command "..." failed with error code 1`',
    on=targets("10.0.1", "18.1"),
    variant="old",
)
@not_swept
def old_legacy_install_fails(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target, "setuptools==59.6.0"), "install", *from_index(lab), "legacyfail")


@scenario(
    "FAILED_BUILDING_WHEEL",
    "pip 10 to 18, a setup.py-only sdist whose install step fails, wheel in the venv: `Running setup.py "
    "bdist_wheel for legacyfail` fails first, then the `setup.py install` pip falls back to "
    "(LEGACY_INSTALL_FAILURE)",
    on=targets("10.0.1", "18.1"),
    variant="old",
)
@not_swept
def old_bdist_wheel_fails(lab: Lab, target: Target) -> Invocation:
    environment = old_pip_environment(lab, target, "setuptools==59.6.0", "wheel==0.37.1")
    return pip(environment, "install", *from_index(lab), "legacyfail")


@scenario(
    "CONNECTION_TIMEOUT",
    "pip 8 to 19, a wheel download that stops half-way, --timeout 3: `Exception:` and a traceback "
    "ending in ReadTimeoutError, with no `ERROR:` before pip 10",
    on=OLD_PIPS,
    variant="old",
)
@not_swept
def old_download_stalls(lab: Lab, target: Target) -> Invocation:
    wheel = lab.faulty_url("stall", f"files/{TINYPKG_WHEEL}")
    return pip(old_pip_environment(lab, target), "install", "--timeout", "3", wheel)


@scenario(
    "SSL_VERIFICATION_FAILED",
    "pip 8 to 19, a wheel URL on a server with a self-signed certificate: `Exception:` and a traceback "
    "ending in SSLError (an `ERROR:` line from pip 10)",
    on=OLD_PIPS,
    variant="old-download",
)
def old_download_self_signed(lab: Lab, target: Target) -> Invocation:
    wheel = f"https://localhost:{lab.https_port}/files/{TINYPKG_WHEEL}"
    return pip(old_pip_environment(lab, target), "install", wheel)


@scenario(
    "PROXY_CONNECTION_FAILED",
    "pip 8 to 19, a wheel URL through a proxy port where nothing listens: `Exception:` and a traceback "
    "ending in ProxyError",
    on=OLD_PIPS,
    variant="old-download",
)
def old_download_through_dead_proxy(lab: Lab, target: Target) -> Invocation:
    proxy = f"http://127.0.0.1:{lab.dead_proxy_port}"
    wheel = f"{lab.index_url.removesuffix('/simple')}/files/{TINYPKG_WHEEL}"
    return pip(old_pip_environment(lab, target), "install", "--proxy", proxy, wheel)


@scenario(
    "OS_ERROR_INSTALL",
    "pip 8 to 19, site-packages on a read-only file system: `Exception:` and a traceback ending in "
    "`OSError: [Errno 30]` (pip 10 and later: `Could not install packages due to an EnvironmentError`)",
    on=OLD_PIPS,
    variant="old",
)
def old_read_only_site_packages(lab: Lab, target: Target) -> Invocation:
    environment = old_pip_environment(lab, target)
    invocation = pip(environment, "install", *from_index(lab), "tinypkg")
    invocation.read_only.append(site_packages(environment, target))
    return invocation


@scenario(
    "PIP_INTERNAL_EXCEPTION",
    "pip 8 to 19, a wheel download cut short of its Content-Length: no length check, `Exception:` and a "
    "traceback ending in `BadZipfile: File is not a zip file`",
    on=OLD_PIPS,
    variant="old-truncated",
)
def old_incomplete_download(lab: Lab, target: Target) -> Invocation:
    return pip(old_pip_environment(lab, target), "install", lab.faulty_url("short", f"files/{TINYPKG_WHEEL}"))


@scenario(
    "BUILD_TOOL_FAILED",
    "a meson-python project whose C code does not compile: ninja's `FAILED:` and `ninja: build stopped`, "
    "under METADATA_GENERATION_FAILED",
    on=PYTHON_311_AND_NEW,
    variant="meson",
)
def meson_build_fails(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "mesonbroken")


@scenario(
    "BUILD_TOOL_FAILED",
    "a meson-python project whose meson.build meson refuses (a list of strings as `dependencies:`): "
    "`meson.build:3:3: ERROR: Argument is of an unacceptable type 'str'.`, under METADATA_GENERATION_FAILED",
    on=PYTHON_311_AND_NEW,
    variant="meson-build-file",
)
def meson_refuses_build_file(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "mesonbadbuildfile")


@scenario(
    "SYSTEM_HEADER_MISSING",
    "a meson-python project whose meson.build needs a library the machine lacks: meson's "
    '`ERROR: Dependency "libdemo" not found`',
    on=PYTHON_311_AND_NEW,
    variant="meson",
)
def meson_dependency_missing(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "mesonneedslib")


@scenario(
    "COMPILER_MISSING",
    "a meson-python project built with no C compiler on PATH: meson's `Unknown compiler(s)` and each "
    "compiler it ran, with the error each gave",
    on=PYTHON_311_AND_NEW,
    variant="meson",
)
def meson_compiler_missing(lab: Lab, target: Target) -> Invocation:
    return without_compilers(in_venv(lab, target, "install", *from_index(lab), "mesonneedslib"))


@scenario(
    "BUILD_TOOL_FAILED",
    "a scikit-build (setup.py) project whose C code does not compile: ninja's failure, then "
    "`An error occurred while building with CMake.`",
    on=PYTHON_311_AND_NEW,
    variant="scikit-build",
)
def classic_scikit_build_fails(lab: Lab, target: Target) -> Invocation:
    return install_with_cmake(lab, target, "skbuildclassicbroken")


@scenario(
    "CMAKE_FAILED",
    "a scikit-build (setup.py) project whose CMakeLists.txt stops on a missing library: `CMake Error at`, "
    "then `An error occurred while configuring with CMake.`",
    on=PYTHON_311_AND_NEW,
    variant="scikit-build",
)
def classic_scikit_build_configure_fails(lab: Lab, target: Target) -> Invocation:
    return install_with_cmake(lab, target, "skbuildclassicnolib")


@scenario(
    "BUILD_TOOL_FAILED",
    "a scikit-build-core project whose C code does not compile: ninja's failure, then `*** CMake build failed`",
    on=PYTHON_311_AND_NEW,
    variant="scikit-build-core",
)
def scikit_build_fails(lab: Lab, target: Target) -> Invocation:
    return install_with_cmake(lab, target, "skbuildbroken")


@scenario(
    "BUILD_TOOL_FAILED",
    "a setup.py that runs ninja itself (as torch's cpp_extension does) on C that does not compile: "
    "`subprocess.CalledProcessError: Command '['ninja', '-v']' returned non-zero exit status 1`",
    on=OLD_AND_NEW,
    variant="ninja",
)
def ninja_fails(lab: Lab, target: Target) -> Invocation:
    return in_venv(lab, target, "install", *from_index(lab), "nativebuild")


@scenario(
    "BUILD_TOOL_FAILED",
    "the same setup.py running make: `make: *** [Makefile:2: nativebuild.o] Error 1`, then "
    "`CalledProcessError: Command '['make']'`",
    on=OLD_AND_NEW,
    variant="make",
)
def make_fails(lab: Lab, target: Target) -> Invocation:
    invocation = in_venv(lab, target, "install", *from_index(lab), "nativebuild")
    invocation.env["NATIVE_BUILD"] = "make"
    return invocation


UV = "uv==0.5.11"


def uv_pip_install(lab: Lab, target: Target, *arguments: str) -> Invocation:
    """`uv pip install` into a venv, from the local index; the venv's pip only installed uv."""
    venv = lab.make_venv(target, UV)
    argv = [str(venv / "bin" / "uv"), "pip", "install", "--python", str(venv / "bin" / "python"), *arguments]
    return Invocation(argv, path=[venv / "bin"])


@scenario(
    "BUILD_TOOL_FAILED",
    "uv 0.5.11 (pip 24.0 only installed it) building an sdist whose C code does not compile: the "
    "compiler's error inside uv's own report; same cause, other installer",
    on=targets("24.0"),
    variant="uv",
)
def uv_build_fails(lab: Lab, target: Target) -> Invocation:
    return uv_pip_install(lab, target, *from_index(lab), "brokenbuild")


@scenario(
    "other-tools",
    "uv 0.5.11 (pip 24.0 only installed it) asked for a version the index lacks: uv's own "
    "`No solution found`, which no pip entry explains",
    on=targets("24.0"),
    variant="uv-no-solution",
)
def uv_no_solution(lab: Lab, target: Target) -> Invocation:
    return uv_pip_install(lab, target, *from_index(lab), "tinypkg==9.9")


def install_with_cmake(lab: Lab, target: Target, project: str) -> Invocation:
    """`pip install project` from the index, with the machine's cmake on PATH."""
    invocation = in_venv(lab, target, "install", *from_index(lab), project)
    invocation.path.append(cmake_on_path(lab))
    return invocation


def cmake_on_path(lab: Lab) -> Path:
    """A directory holding only the machine's cmake, which the tool directory leaves out."""
    lab.wrappers.mkdir(exist_ok=True)
    if not (lab.wrappers / "cmake").exists():
        (lab.wrappers / "cmake").symlink_to("/usr/bin/cmake")
    return lab.wrappers


@scenario(
    "CMAKE_FAILED",
    "a setup.py whose cmake run fails (CMakeLists.txt stops on a missing library): `CMake Error at`, "
    "then `subprocess.CalledProcessError: Command '['cmake', ...]' returned non-zero exit status 1`",
    on=targets("23.3.2", "26.3"),
    variant="process",
)
def cmake_fails(lab: Lab, target: Target) -> Invocation:
    return install_with_cmake(lab, target, "cmakefails")


# -- other installers that run build backends: Poetry, pip-tools, pipenv, PDM -----------------
# Each is installed into the venv from its own downloaded wheels (lab.make_installer_venv) and
# pointed at the local index alone.

POETRY = "poetry==2.5.1"
PIP_TOOLS = "pip-tools==7.7.0"
PIPENV = "pipenv==2026.10.3"
PDM = "pdm==2.29.4"
ANSIBLE = "ansible-core==2.19.14"
ON_24 = targets("24.0")
# What each needs to run unattended, its environment in the project: Poetry's keyring is kept
# off the desktop's, and the pips that pip-tools and pipenv run from the machine's configuration.
INSTALLER_SETTINGS = {
    POETRY: {"POETRY_VIRTUALENVS_IN_PROJECT": "true", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    PIP_TOOLS: {"PIP_CONFIG_FILE": "/dev/null"},
    PIPENV: {"PIP_CONFIG_FILE": "/dev/null", "PIPENV_VENV_IN_PROJECT": "1", "PIPENV_NOSPIN": "1"},
    PDM: {"PDM_CHECK_UPDATE": "false"},
}


def installer_run(lab: Lab, target: Target, installer: str, *argv: str) -> Invocation:
    """A program of the installer's venv run in the project folder, with the installers' settings."""
    venv = lab.make_installer_venv(target, installer)
    program, *arguments = argv
    settings = dict(INSTALLER_SETTINGS[installer])
    return Invocation([str(venv / "bin" / program), *arguments], env=settings, path=[venv / "bin"])


def run_first(lab: Lab, invocation: Invocation, *arguments: str) -> None:
    """Runs the invocation's program with other arguments as set-up (`lock`), output not kept."""
    lab.run(Invocation([invocation.argv[0], *arguments], env=invocation.env, path=invocation.path))


POETRY_PROJECT = """
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = [{dependencies}]

[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "local"
url = "{index}"
priority = "primary"
"""


def poetry_install(lab: Lab, target: Target, *dependencies: str) -> Invocation:
    quoted = ", ".join(f'"{dependency}"' for dependency in dependencies)
    write(lab.project / "pyproject.toml", POETRY_PROJECT.format(dependencies=quoted, index=lab.index_url))
    return installer_run(lab, target, POETRY, "poetry", "install", "--no-interaction", "--no-ansi")


@scenario(
    "COMPILER_MISSING",
    "Poetry 2.5.1 installing a C extension with no gcc on PATH: same cause, other installer",
    on=ON_24,
    variant="poetry",
)
@not_swept
def poetry_compiler_missing(lab: Lab, target: Target) -> Invocation:
    return without_compilers(poetry_install(lab, target, "cext"))


@scenario(
    "PYTHON_H_MISSING",
    "Poetry 2.5.1 building a C extension whose compiler cannot see Python's headers: same cause, other installer",
    on=ON_24,
    variant="poetry",
)
@not_swept
def poetry_python_h_missing(lab: Lab, target: Target) -> Invocation:
    return without_include_dirs(lab, poetry_install(lab, target, "cext"))


@scenario(
    "other-tools",
    "Poetry 2.5.1 building an sdist whose setup.py imports numpy, absent from its build environment",
    on=ON_24,
    variant="poetry-setup-py",
)
@not_swept
def poetry_setup_py_fails(lab: Lab, target: Target) -> Invocation:
    return poetry_install(lab, target, "brokenmeta")


@scenario(
    "BACKEND_UNAVAILABLE",
    "Poetry 2.5.1 building an sdist whose pyproject.toml names hatchling as its backend but requires only "
    "setuptools: `Backend 'hatchling.build' is not available.`, same cause, other installer",
    on=ON_24,
    variant="poetry",
)
@not_swept
def poetry_backend_unavailable(lab: Lab, target: Target) -> Invocation:
    return poetry_install(lab, target, "wrongbackend")


@scenario(
    "other-tools",
    "Poetry 2.5.1 asked for a version the index lacks: Poetry's own version solving failure",
    on=ON_24,
    variant="poetry-no-solution",
)
@not_swept
def poetry_no_solution(lab: Lab, target: Target) -> Invocation:
    return poetry_install(lab, target, "tinypkg==9.9")


@scenario(
    "other-tools",
    "Poetry 2.5.1 installing from a poetry.lock older than pyproject.toml: Poetry's own lock mismatch",
    on=ON_24,
    variant="poetry-stale-lock",
)
@not_swept
def poetry_stale_lock(lab: Lab, target: Target) -> Invocation:
    invocation = poetry_install(lab, target, "tinypkg==1.0")
    run_first(lab, invocation, "lock", "--no-interaction")
    write(lab.project / "pyproject.toml", POETRY_PROJECT.format(dependencies='"tinypkg==1.1"', index=lab.index_url))
    return invocation


def pip_compile(lab: Lab, target: Target, *requirements: str) -> Invocation:
    write(lab.project / "requirements.in", "".join(f"{requirement}\n" for requirement in requirements))
    return installer_run(lab, target, PIP_TOOLS, "pip-compile", "--no-header", *from_index(lab), "requirements.in")


@scenario(
    "other-tools",
    "pip-tools 7.7.0: pip-compile on two projects that pin different versions of a third",
    on=ON_24,
    variant="pip-compile-conflict",
)
@not_swept
def pip_compile_conflict(lab: Lab, target: Target) -> Invocation:
    return pip_compile(lab, target, "alpha", "beta")


@scenario(
    "other-tools",
    "pip-tools 7.7.0: pip-compile on an sdist whose setup.py imports numpy, absent from its build environment",
    on=ON_24,
    variant="pip-compile-setup-py",
)
@not_swept
def pip_compile_setup_py_fails(lab: Lab, target: Target) -> Invocation:
    return pip_compile(lab, target, "brokenmeta")


@scenario(
    "METADATA_GENERATION_FAILED",
    "pip-tools 7.7.0: pip-compile on a project whose build backend's prepare_metadata_for_build_wheel "
    "raises: pip's exception ends pip-compile's traceback",
    on=ON_24,
    variant="pip-compile",
)
@not_swept
def pip_compile_metadata_fails(lab: Lab, target: Target) -> Invocation:
    return pip_compile(lab, target, "intreemeta")


@scenario(
    "COMPILER_MISSING",
    "pip-tools 7.7.0: pip-sync installing a C extension with no gcc on PATH (pip-sync runs pip)",
    on=ON_24,
    variant="pip-sync",
)
@not_swept
def pip_sync_compiler_missing(lab: Lab, target: Target) -> Invocation:
    write(lab.project / "requirements.txt", "cext==1.0\n")
    return without_compilers(installer_run(lab, target, PIP_TOOLS, "pip-sync", *from_index(lab), "requirements.txt"))


PIPFILE = """
[[source]]
url = "{index}"
verify_ssl = false
name = "local"

[packages]
{packages}

[requires]
python_version = "3.12"
"""


def write_pipfile(lab: Lab, *packages: str) -> None:
    lines = "".join(f'{name} = "{version}"\n' for name, _, version in (p.partition(" ") for p in packages))
    write(lab.project / "Pipfile", PIPFILE.format(index=lab.index_url, packages=lines))


def pipenv_install(lab: Lab, target: Target, *packages: str) -> Invocation:
    write_pipfile(lab, *packages)
    return installer_run(lab, target, PIPENV, "pipenv", "install")


@scenario(
    "COMPILER_MISSING",
    "pipenv 2026.10.3 installing a C extension with no gcc on PATH: same cause, other installer",
    on=ON_24,
    variant="pipenv",
)
@not_swept
def pipenv_compiler_missing(lab: Lab, target: Target) -> Invocation:
    return without_compilers(pipenv_install(lab, target, "cext *"))


@scenario(
    "other-tools",
    "pipenv 2026.10.3 locking two projects that pin different versions of a third, at 80 columns (what rich "
    "falls back to without a terminal, as in CI): pip's resolver conflict relayed, its help URL wrapped",
    on=ON_24,
    variant="pipenv-conflict",
)
@not_swept
def pipenv_conflict(lab: Lab, target: Target) -> Invocation:
    invocation = pipenv_install(lab, target, "alpha *", "beta *")
    invocation.env["COLUMNS"] = "80"  # what rich falls back to without a terminal, as in CI
    return invocation


@scenario(
    "other-tools",
    "the same in a terminal 200 columns wide (pipenv's rich output wraps at 80 without one): "
    "pip's resolver's conflict, relayed unwrapped",
    on=ON_24,
    variant="pipenv-conflict-wide",
)
@not_swept
def pipenv_conflict_wide(lab: Lab, target: Target) -> Invocation:
    invocation = pipenv_conflict(lab, target)
    invocation.env["COLUMNS"] = "200"
    return invocation


@scenario(
    "other-tools",
    "pipenv 2026.10.3: `pipenv install --deploy` with a Pipfile.lock older than the Pipfile: pipenv's own lock mismatch",
    on=ON_24,
    variant="pipenv-stale-lock",
)
@not_swept
def pipenv_stale_lock(lab: Lab, target: Target) -> Invocation:
    invocation = pipenv_install(lab, target, "tinypkg ==1.0")
    run_first(lab, invocation, "lock")
    write_pipfile(lab, "tinypkg ==1.1")
    invocation.argv.append("--deploy")
    return invocation


PDM_PROJECT = """
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = [{dependencies}]

[[tool.pdm.source]]
name = "pypi"
url = "{index}"
"""


def write_pdm_project(lab: Lab, *dependencies: str) -> None:
    quoted = ", ".join(f'"{dependency}"' for dependency in dependencies)
    write(lab.project / "pyproject.toml", PDM_PROJECT.format(dependencies=quoted, index=lab.index_url))


def pdm_install(lab: Lab, target: Target, *dependencies: str) -> Invocation:
    write_pdm_project(lab, *dependencies)
    invocation = installer_run(lab, target, PDM, "pdm", "install", "--no-self")
    invocation.env["PDM_PYTHON"] = str(lab.venv / "bin" / "python")
    return invocation


@scenario(
    "COMPILER_MISSING",
    "PDM 2.29.4 installing a C extension with no gcc on PATH: same cause, other installer",
    on=ON_24,
    variant="pdm",
)
@not_swept
def pdm_compiler_missing(lab: Lab, target: Target) -> Invocation:
    return without_compilers(pdm_install(lab, target, "cext"))


@scenario(
    "other-tools",
    "PDM 2.29.4 locking two projects that pin different versions of a third: PDM's own resolution failure",
    on=ON_24,
    variant="pdm-conflict",
)
@not_swept
def pdm_conflict(lab: Lab, target: Target) -> Invocation:
    return pdm_install(lab, target, "alpha", "beta")


@scenario(
    "other-tools",
    "PDM 2.29.4: `pdm install --check` with a pdm.lock older than pyproject.toml: PDM's own lock mismatch",
    on=ON_24,
    variant="pdm-stale-lock",
)
@not_swept
def pdm_stale_lock(lab: Lab, target: Target) -> Invocation:
    invocation = pdm_install(lab, target, "tinypkg==1.0")
    run_first(lab, invocation, "lock")
    write_pdm_project(lab, "tinypkg==1.1")
    invocation.argv.append("--check")
    return invocation


# -- the resolver's round limit ----------------------------------------------------------------
# Every version of `deep` needs DEEP_HELPERS helpers and a `deepzend<N>` of its own, which needs
# a `deepnever>=2` the index lacks. pip pins a version, then its helpers (they sort first), then
# fails on its `deepzend` and backjumps to the next version: DEEP_HELPERS + 2 rounds a version.
# The `deepzend` that failed is never the next version's, so pip's preference for the causes of
# backtracking cannot shorten that, and 5200 versions pass the 200,000 rounds pip allows (since
# 23.1) before it could prove there is no solution: pip 24.0 stops at version 200 after about
# 4 minutes of CPU. pip 26.3 had not stopped after 15 minutes on it: see the chained index below.
DEEP_VERSIONS = 5200
DEEP_HELPERS = 38


def add_projects_once(lab: Lab, folder: str, projects: list[Project]) -> None:
    """Build the wheels of a large generated index the first time a lab needs them."""
    made = lab.root / folder
    if made.exists():
        return
    made.mkdir()
    write_simple_index(lab.index, [build_wheel(project, made) for project in projects])


def add_deep_projects(lab: Lab) -> None:
    helpers = [f"deeppart{number:02d}" for number in range(DEEP_HELPERS)]
    versions = range(1, DEEP_VERSIONS + 1)
    projects = [Project("deep", f"{n}.0", requires=(*helpers, f"deepzend{n}")) for n in versions]
    projects += [Project(f"deepzend{n}", "1.0", requires=("deepnever>=2",)) for n in versions]
    projects += [Project(name, "1.0") for name in (*helpers, "deepnever")]
    add_projects_once(lab, "made-deep", projects)


@scenario(
    "RESOLUTION_TOO_DEEP",
    "an index where every one of 5200 versions fails only after 40 resolver rounds, -q: "
    "`ERROR: Exception:` and a traceback ending in `ResolutionTooDeep: 200000`",
    on=targets("24.0"),
)
@not_swept
def resolution_too_deep(lab: Lab, target: Target) -> Invocation:
    add_deep_projects(lab)
    return long_install(lab, target, "deep", timeout=3600)


def long_install(lab: Lab, target: Target, project: str, timeout: int) -> Invocation:
    """`pip install -q project` from the lab's index, given longer than a run's usual timeout."""
    invocation = in_venv(lab, target, "install", "-q", *from_index(lab), project)
    invocation.timeout = timeout
    return invocation


# pip 25.1 and later use fewer rounds per version of `deep` and each round costs more: 26.3
# had not stopped after 15 minutes there. Here a round costs little (few names are pinned at
# once) and rounds multiply: every version of `chaintop` needs `chainmid`, whose every version
# needs a chain of its own that ends in `chainnever>=2`, absent. pip tries each chainmid under
# each chaintop (it keeps no lesson from one chaintop to the next), about 7 rounds a pair: 32,000
# pairs pass the 200,000 rounds. A round's cost grows with the number of chaintop versions: on a
# file index at load 5-7, 930 rounds a second with 100 of them, 285 with 1600 (26.3 reached the
# limit in 700 s).
CHAIN_TOPS = 1600
CHAIN_MIDS = 20
CHAIN_LENGTH = 6


def add_chained_projects(lab: Lab) -> None:
    mids = range(1, CHAIN_MIDS + 1)
    projects = [Project("chaintop", f"{n}.0", requires=("chainmid",)) for n in range(1, CHAIN_TOPS + 1)]
    projects += [Project("chainmid", f"{m}.0", requires=(f"chain{m}link0",)) for m in mids]
    for m in mids:
        for link in range(CHAIN_LENGTH):
            needs = f"chain{m}link{link + 1}" if link + 1 < CHAIN_LENGTH else "chainnever>=2"
            projects.append(Project(f"chain{m}link{link}", "1.0", requires=(needs,)))
    projects.append(Project("chainnever", "1.0"))
    add_projects_once(lab, "made-chained", projects)


@scenario(
    "RESOLUTION_TOO_DEEP",
    "an index where each of 1600 versions needs one of 20 versions that each fail after a chain of 6, -q: "
    "pip tries every pair and stops at its 200,000 rounds with `error: resolution-too-deep`",
    on=(Target("3.12", "25.1.1"), Target("3.13", "26.3")),
)
@not_swept
def resolution_too_deep_chained(lab: Lab, target: Target) -> Invocation:
    add_chained_projects(lab)
    return long_install(lab, target, "chaintop", timeout=1800)


@scenario(
    "PIP_COMMAND_NOT_FOUND",
    "Ansible's pip module (ansible-core 2.19.14, run ad hoc on localhost) told to use pip3, which is not on "
    "PATH: `Unable to find any of pip3 to use.  pip needs to be installed.`",
    on=ON_24,
    variant="ansible",
)
@not_swept
def ansible_finds_no_pip(lab: Lab, target: Target) -> Invocation:
    venv = lab.make_installer_venv(target, ANSIBLE)
    module = ["-m", "ansible.builtin.pip", "-a", "name=tinypkg executable=pip3"]
    interpreter = ["-e", f"ansible_python_interpreter={venv / 'bin' / 'python'}"]
    # The venv's folder stays off PATH: it holds a pip3.
    return Invocation([str(venv / "bin" / "ansible"), "localhost", *module, *interpreter])
