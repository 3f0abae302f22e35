"""The throw-away world the capture scenarios run in, and the types they share."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sysconfig
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import servers

HERE = Path(__file__).resolve().parent
PYENV = Path("/root/.pyenv/versions")
NEUTRAL_HOME = "/home/user"
NEUTRAL_TMP = "/tmp/kb"
NEUTRAL_SYSTEM_PREFIX = "/usr"
NEUTRAL_PYENV_PREFIX = "/usr/local"
FORBIDDEN_IN_LOGS = ("/root", "/work", "/opt", ".pyenv", "kb-capture-")
# The user and password of the index that demands them (lab.password_port).
INDEX_CREDENTIALS = "deploy:s3cret-index-pass"
NOBODY = 65534
RUN_TIMEOUT_SECONDS = 600
# Where the linker finds the system's libraries by their link names (libz.so).
LIBRARY_FOLDER = f"/usr/lib/{sysconfig.get_config_var('MULTIARCH')}"
# Misbehaving servers by fault (see servers.FaultyHandler), with the port logs show for each.
FAULTS = {
    "404": 8404,
    "403": 8403,
    "500": 8500,
    "close": 8081,
    "short": 8082,
    "stall": 8083,
    "json": 8085,
    "resumable": 8086,
    "chunked-cut": 8087,
}
# Tools a scenario must not find on PATH unless it says so (the machine has them all).
ABSENT_TOOLS = ("pip", "pg_config", "cmake", "cargo", "rustc", "rustup", "maturin")
COMPILERS = ("gcc", "cc", "c++", "g++", "x86_64-linux-gnu-gcc", "clang")


@dataclass(frozen=True, order=True)
class Target:
    """One pip release on one Python (`pip` is None for a Python with no pip at all)."""

    python: str
    pip: str | None = None

    @property
    def label(self) -> str:
        return self.pip or f"python{self.python}"

    @property
    def interpreter(self) -> Path:
        return installed_python_prefix(self.python) / "bin" / f"python{self.python}"


def installed_python_prefix(python: str) -> Path:
    matches = sorted(PYENV.glob(f"{python}.*"))
    if not matches:
        raise SystemExit(f"Python {python} is not installed under {PYENV}")
    return matches[-1]


@dataclass
class Invocation:
    """What a scenario runs, once its files are in place."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    path: list[Path] = field(default_factory=list)
    as_nobody: bool = False
    hidden_tools: tuple[str, ...] = ()  # more tools to keep off PATH, besides ABSENT_TOOLS
    read_only: list[Path] = field(default_factory=list)
    memory_limit: int | None = None  # bytes of address space (prlimit --as)
    process_limit: int | None = None  # processes the user may run (prlimit --nproc; root is exempt)
    timeout: int = RUN_TIMEOUT_SECONDS
    # A command reading pip's standard output, as after `|` in a shell (["head", "-n", "1"]):
    # the log is what a terminal shows, the reader's output and pip's standard error.
    piped_into: list[str] | None = None
    interrupt_after: float | None = None  # seconds, then SIGINT, as Ctrl + C in a terminal
    small_tmp: str | None = None  # TMPDIR on a tmpfs of this size ("8k"): a /tmp that is full
    # Headers taken out of /usr/include ("zlib.h"), or link names out of the library folder
    # ("libz.so"): a machine without a library's development package.
    hidden_headers: tuple[str, ...] = ()
    hidden_libraries: tuple[str, ...] = ()


Prepare = Callable[["Lab", Target], Invocation]


@dataclass(frozen=True)
class Scenario:
    code: str
    variant: str
    targets: tuple[Target, ...]
    shows: str
    prepare: Prepare

    def log_path(self, target: Target) -> Path:
        suffix = f"-{self.variant}" if self.variant else ""
        return HERE / self.code / f"{target.label}{suffix}.log"


class Lab:
    """The throw-away world the scenarios run in: a home, a venv, an index and servers."""

    def __init__(self, cache: Path):
        self.cache = cache
        self.root = Path(tempfile.mkdtemp(prefix="kb-capture-"))
        self.root.chmod(0o755)
        self.home = self.root / "home"
        self.venv = self.home / "venv"
        self.project = self.home / "project"
        self.system_python_root = self.root / "system"
        self.index = self.root / "index"
        self.stash = self.root / "stash"
        self.wrappers = self.root / "wrappers"
        self.neutral_ports: dict[int, int] = {}
        self._toolbins: dict[tuple[str, ...], Path] = {}
        self._servers: list[servers.Server | servers.SilentServer] = []

    # -- servers ---------------------------------------------------------------------

    def start_servers(self) -> None:
        self.index_port = self._serve(servers.Server(self.index), 8080)
        self.fault_ports = {
            fault: self._serve(servers.Server(self.index, fault), neutral) for fault, neutral in FAULTS.items()
        }
        self.silent_port = self._serve(servers.SilentServer(), 8084)
        self.retired_search_port = self._serve(servers.Server(self.index, retired_search=True), 8085)
        tls = servers.self_signed_context(self.root)
        self.https_port = self._serve(servers.Server(self.index, tls=tls), 8443)
        self.cached_https_port = self._serve(servers.Server(self.index, tls=tls, cached=True), 8444)
        self.password_port = self._serve(servers.Server(self.index, credentials=INDEX_CREDENTIALS), 8401)
        self.refusing_port, self.dead_proxy_port = servers.unused_ports(2)
        self.neutral_ports |= {self.refusing_port: 8000, self.dead_proxy_port: 3128}

    def _serve(self, server: servers.Server | servers.SilentServer, neutral_port: int) -> int:
        self._servers.append(server)
        self.neutral_ports[server.port] = neutral_port
        return server.port

    def close(self) -> None:
        for server in self._servers:
            server.close()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def index_url(self) -> str:
        return f"http://{servers.HOST}:{self.index_port}/simple"

    def faulty_url(self, fault: str, path: str) -> str:
        return f"http://{servers.HOST}:{self.fault_ports[fault]}/{path}"

    # -- environments ------------------------------------------------------------------

    def fresh_home(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.system_python_root, ignore_errors=True)
        self.project.mkdir(parents=True)

    def pip_wheel(self, version: str) -> Path:
        return next(self.cache.glob(f"pip-{version}-*.whl"))

    def make_venv(self, target: Target, *requirements: str, base: Path | None = None) -> Path:
        """A fresh venv at the neutral venv path with the target's pip (restored from a stash),
        made from the installed Python or from another one (base)."""
        interpreter = base or target.interpreter
        stashed = self.stash / f"{interpreter.name}-{target.label}"
        if base or not stashed.exists():
            run_quietly([str(interpreter), "-m", "venv", "--without-pip", str(self.venv)])
            if target.pip:
                self.install_pip(self.venv / "bin" / "python", target.pip)
            if not base:
                shutil.copytree(self.venv, stashed, symlinks=True)
        else:
            shutil.copytree(stashed, self.venv, symlinks=True)
        if requirements:
            self.install(self.venv / "bin" / "python", *requirements)
        return self.venv

    def make_system_python(self, target: Target) -> Path:
        """A copy of an installed Python, outside any venv, with the target's pip: what a
        distribution's /usr looks like to pip. Copied once per target; later scenarios get hard
        links to a stash of that copy, never to the installed Python itself."""
        prefix = self.system_python_root
        stashed = self.stash / f"system-{target.python}-{target.label}"
        if stashed.exists():
            _link_tree(stashed, prefix)
            return prefix
        shutil.copytree(
            installed_python_prefix(target.python), prefix, symlinks=True, ignore=_not_part_of_a_system_python
        )
        site_packages(prefix, target).mkdir()
        if target.pip:
            self.install_pip(system_interpreter(prefix, target), target.pip)
        _link_tree(prefix, stashed)
        return prefix

    def install_pip(self, python: Path, version: str) -> None:
        """Install a pip release with itself (run from its wheel), over any pip the Python has."""
        wheel = str(self.pip_wheel(version))
        # pip 10 added --no-warn-script-location; older pips refuse it.
        quiet_scripts = ["--no-warn-script-location"] if int(version.split(".")[0]) >= 10 else []
        run_quietly(
            [str(python), f"{wheel}/pip", "install", "--isolated", "--no-index", "--disable-pip-version-check"]
            + [*quiet_scripts, "-q", wheel],
            env=self.base_env([]),
        )

    def make_installer_venv(self, target: Target, installer: str) -> Path:
        """A fresh venv holding another installer (`poetry==2.5.1`), from the wheels capture.py
        downloaded for it: its dependencies stay out of the index the captures install from."""
        venv = self.make_venv(target)
        self.install(venv / "bin" / "python", installer, find_links=installer_wheels(self.cache, installer))
        return venv

    def install(self, python: Path, *requirements: str, find_links: Path | None = None) -> None:
        """Set-up installs from the local index's files (or another folder): never captured."""
        run_quietly(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--isolated",
                "--no-index",
                "--disable-pip-version-check",
                "--no-warn-script-location",
                "-q",
                "--find-links",
                str(find_links or self.index / "files"),
                *requirements,
            ],
            env=self.base_env([]),
        )

    def toolbin(self, hidden_tools: tuple[str, ...]) -> Path:
        """A directory of links to /usr/bin without the tools scenarios need to be missing."""
        if hidden_tools not in self._toolbins:
            directory = self.root / f"tools-{len(self._toolbins)}"
            directory.mkdir()
            absent = ABSENT_TOOLS + hidden_tools
            for tool in Path("/usr/bin").iterdir():
                if not tool.name.startswith(absent):
                    (directory / tool.name).symlink_to(tool)
            self._toolbins[hidden_tools] = directory
        return self._toolbins[hidden_tools]

    def base_env(self, path: list[Path], hidden_tools: tuple[str, ...] = ()) -> dict[str, str]:
        search_path = [*map(str, path), str(self.toolbin(hidden_tools))]
        return {"PATH": os.pathsep.join(search_path), "HOME": str(self.home), "LANG": "C.UTF-8"}

    # -- running -------------------------------------------------------------------------

    def run(self, invocation: Invocation) -> tuple[bytes, int]:
        env = self.base_env(invocation.path, invocation.hidden_tools) | invocation.env
        argv = invocation.argv
        if invocation.read_only:
            argv = [*read_only_mounts(invocation.read_only), *argv]
        if invocation.small_tmp:
            env["TMPDIR"] = str(self.root / "small-tmp")
            argv = [*small_tmpfs_mount(Path(env["TMPDIR"]), invocation.small_tmp), *argv]
        hidden = {"/usr/include": invocation.hidden_headers, LIBRARY_FOLDER: invocation.hidden_libraries}
        if any(hidden.values()):
            argv = [*without_system_files(self.root / "system-overlay", hidden), *argv]
        if invocation.memory_limit:
            argv = ["prlimit", f"--as={invocation.memory_limit}", "--", *argv]
        if invocation.process_limit:
            argv = ["prlimit", f"--nproc={invocation.process_limit}", "--", *argv]
        if invocation.as_nobody:
            os.chown(self.home, NOBODY, NOBODY)
            # The copied Python still loads its libpython from the original, unreadable to nobody.
            env["LD_LIBRARY_PATH"] = str(self.system_python_root / "lib")
            argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *argv]
        if invocation.piped_into:
            return self._run_piped(argv, env, invocation)
        # No one answers pip's prompts: a capture must not read the terminal it was started from.
        process = subprocess.Popen(
            argv, cwd=self.project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        output = _communicate(process, invocation)
        return output, process.returncode

    def _run_piped(self, argv: list[str], env: dict[str, str], invocation: Invocation) -> tuple[bytes, int]:
        """pip's output into the reader; the exit status is pip's, not the pipeline's."""
        assert invocation.piped_into
        terminal, terminal_end = os.pipe()
        process = subprocess.Popen(argv, cwd=self.project, env=env, stdout=subprocess.PIPE, stderr=terminal_end)
        reader = subprocess.Popen(
            invocation.piped_into,
            cwd=self.project,
            env=env,
            stdin=process.stdout,
            stdout=terminal_end,
            stderr=terminal_end,
        )
        assert process.stdout
        process.stdout.close()  # the reader holds the only read end, so its exit breaks the pipe
        os.close(terminal_end)
        with os.fdopen(terminal, "rb") as shown:
            output = shown.read()
        process.wait(timeout=invocation.timeout)
        reader.wait(timeout=invocation.timeout)
        return output, process.returncode

    def neutralise(self, text: str) -> str:
        for local, neutral in self._path_rewrites():
            text = text.replace(local, neutral)
        return re.sub(r"(127\.0\.0\.1:|127\.1:|localhost:|port=)(\d+)", self._neutral_port, text)

    def _path_rewrites(self) -> list[tuple[str, str]]:
        rewrites = [
            (str(self.home), NEUTRAL_HOME),
            (str(self.wrappers), "/usr/bin"),
            *((str(toolbin), "/usr/bin") for toolbin in self._toolbins.values()),
            (str(self.system_python_root), NEUTRAL_SYSTEM_PREFIX),
            (str(self.root), NEUTRAL_TMP),
            (str(self.cache), f"{NEUTRAL_HOME}/Downloads"),
        ]
        rewrites += [(str(prefix), NEUTRAL_PYENV_PREFIX) for prefix in PYENV.iterdir()]
        return sorted(rewrites, key=lambda rewrite: len(rewrite[0]), reverse=True)

    def _neutral_port(self, match: re.Match[str]) -> str:
        port = int(match[2])
        return f"{match[1]}{self.neutral_ports.get(port, port)}"


def _communicate(process: subprocess.Popen[bytes], invocation: Invocation) -> bytes:
    """The process's output, after interrupting it once interrupt_after seconds have passed."""
    try:
        if invocation.interrupt_after is not None:
            try:
                return process.communicate(timeout=invocation.interrupt_after)[0]
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGINT)
        return process.communicate(timeout=invocation.timeout)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def installer_wheels(cache: Path, installer: str) -> Path:
    """Where an installer's wheels and its dependencies' are kept: `installers/poetry-2.5.1`."""
    return cache / "installers" / installer.replace("==", "-")


def system_interpreter(prefix: Path, target: Target) -> Path:
    return prefix / "bin" / f"python{target.python}"


def site_packages(prefix: Path, target: Target) -> Path:
    return prefix / "lib" / f"python{target.python}" / "site-packages"


def _not_part_of_a_system_python(directory: str, names: list[str]) -> set[str]:
    if Path(directory).parent.name == "lib" and Path(directory).name.startswith("python"):
        return {"test", "site-packages"} & set(names)
    if Path(directory).name == "bin":
        return {name for name in names if name.startswith(("pip", "easy_install", "idle", "2to3"))}
    return set()


def _link_tree(source: Path, destination: Path) -> None:
    """A copy of a tree made of hard links: scenarios add, delete or rename files (pip and
    Python write by unlinking or renaming), never rewrite one in place, so the source stays."""
    shutil.copytree(source, destination, symlinks=True, copy_function=os.link)


def read_only_mounts(directories: list[Path]) -> list[str]:
    """A prefix that runs a command in its own mount namespace where directories are read-only."""
    mounts = " && ".join(f"mount --bind -o ro {shlex.quote(str(d))} {shlex.quote(str(d))}" for d in directories)
    return ["unshare", "--mount", "--", "sh", "-c", f'{mounts} && exec "$@"', "sh"]


def small_tmpfs_mount(directory: Path, size: str) -> list[str]:
    """A prefix that runs a command in its own mount namespace with a tmpfs of that size on directory."""
    directory.mkdir(exist_ok=True)
    mount = f"mount -t tmpfs -o size={shlex.quote(size)} tmpfs {shlex.quote(str(directory))}"
    return ["unshare", "--mount", "--", "sh", "-c", f'{mount} && exec "$@"', "sh"]


def without_system_files(scratch: Path, hidden: dict[str, tuple[str, ...]]) -> list[str]:
    """A prefix that runs a command in its own mount namespace where system folders lack some of
    their files: an overlay on a tmpfs for each folder, whose deletions hide them from that
    command only."""
    scratch.mkdir(exist_ok=True)
    steps = [f"mount -t tmpfs tmpfs {shlex.quote(str(scratch))}"]
    for number, (folder, files) in enumerate((folder, files) for folder, files in hidden.items() if files):
        upper, work = shlex.quote(str(scratch / f"upper{number}")), shlex.quote(str(scratch / f"work{number}"))
        steps += [
            f"mkdir {upper} {work}",
            f"mount -t overlay overlay -o lowerdir={folder},upperdir={upper},workdir={work} {folder}",
            "rm -- " + " ".join(shlex.quote(f"{folder}/{name}") for name in files),
        ]
    return ["unshare", "--mount", "--", "sh", "-c", f'{" && ".join(steps)} && exec "$@"', "sh"]


def run_quietly(argv: list[str], env: dict[str, str] | None = None) -> None:
    completed = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if completed.returncode:
        raise SystemExit(f"set-up command failed: {shlex.join(argv)}\n{completed.stdout.decode(errors='replace')}")
