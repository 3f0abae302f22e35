"""The command line on big logs: its time against `grep -F -f`, and its memory on 1 GB.

    .venv/bin/python bench/cli.py [--megabytes 10] [--gigabyte-log] [--log FILE ...] [--runs 5]
                                  [--make-big-log ../shared/bench/make_big_log.py]

For each log (a dense one where nearly every line is pip's, the sparse CI log of
bench/diagnose.py, the log ../shared/bench/make_big_log.py writes when that script is
there, and any --log given), prints the CPU time of `manage.py diagnose --json` on the log
minus its time on a one-line log (Django's start and the matcher's compile), against the
CPU time of `grep -F -i -c -f` over the catalogue's literals, and both as MB/s. Goal:
within 10x grep. CPU time, not wall time, so that others' work on a shared machine counts
less; still, a busy machine slows every process, and grep's few milliseconds most of all:
all the commands run in turn, --runs rounds, and each one's best time is kept; the one-line
log's best is the start-up taken off every log's. Every
line ends with the load average. With --gigabyte-log it also writes a 1 GB log to a
temporary folder (deleted after) and prints the command's peak memory on it. Goal: under
500 MB.

The pip output in the logs is real, from tests/logs/ (made by tests/logs/capture.py); the
rest is what busy CI jobs print around it. Uses a scratch SQLite database with the
shipped catalogue.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.mkdtemp(prefix="kb-bench-"))
ENVIRONMENT = {
    **os.environ,
    "DATABASE_URL": f"sqlite:///{SCRATCH}/bench.sqlite3",
    "DJANGO_SETTINGS_MODULE": "kb.settings",
}
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from bench.diagnose import PIP_OUTPUTS, build_log  # noqa: E402

CAPTURED = ROOT / "tests" / "logs"
# What a busy pip job prints between its failures: nearly every line is pip's.
DENSE_NOISE = (
    "Collecting numpy==1.26.4",
    "  Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl (18.2 MB)",
    "     \x1b[32m━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\x1b[0m 18.2/18.2 MB 61.3 MB/s eta 0:00:00",
    "Requirement already satisfied: six in ./venv/lib/python3.11/site-packages (1.16.0)",
    "tests/test_views.py::test_index PASSED                                    [ 12%]",
    "gcc -pthread -Wno-unused-result -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -I/usr/include/python3.11 -c src/m.c -o m.o",
    "Installing collected packages: urllib3, idna, charset-normalizer, certifi, requests",
    "Successfully installed certifi-2024.2.2 charset-normalizer-3.3.2 idna-3.6 requests-2.31.0 urllib3-2.2.1",
)


def dense_log(megabytes: float) -> bytes:
    """A GitHub Actions log of a busy pip job, a real failing pip run every 2000 lines."""
    rng = random.Random(7)
    failures = [path.read_text() for path in sorted(CAPTURED.glob("*/2*.log"))]
    lines: list[str] = []
    size, target = 0, int(megabytes * 1024 * 1024)
    while size < target:
        block = rng.choice(failures).splitlines() if len(lines) % 2000 == 1999 else [rng.choice(DENSE_NOISE)]
        for line in block:
            number = len(lines)
            lines.append(f"2024-05-0{1 + number % 9}T12:{number % 60:02d}:{number % 60:02d}.{number:07d}Z {line}\n")
            size += len(lines[-1].encode())
    return "".join(lines).encode()


def child_cpu_seconds(command: list[str]) -> tuple[float, int]:
    """CPU seconds (user and system) of one run of `command`, and its peak memory in bytes."""
    process = subprocess.Popen(command, cwd=ROOT, env=ENVIRONMENT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # grep says 1 when nothing matched
        raise SystemExit(f"{command[:3]} failed")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def best_in_turn(commands: list[list[str]], runs: int) -> list[float]:
    """Each command's best CPU time over `runs` rounds that run every command once, so that a
    burst of load elsewhere weighs on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, times, strict=True):
            taken.append(child_cpu_seconds(command)[0])
    return [min(taken) for taken in times]


def load() -> str:
    return "load " + " ".join(f"{average:.1f}" for average in os.getloadavg())


def literals_file() -> Path:
    from bench.diagnose import catalogue
    from kb.diagnosis.signatures import required_literals

    signatures, _ = catalogue()
    literals = [
        literal
        for signature in signatures
        for literal in (required_literals(signature.pattern) if signature.is_regex else [signature.pattern])
    ]
    path = SCRATCH / "literals.txt"
    path.write_text("\n".join(literals) + "\n")
    return path


DIAGNOSE = [PYTHON, "manage.py", "diagnose", "--json"]


def compare(logs: dict[str, Path], one_line: Path, patterns: Path, runs: int) -> None:
    """Every command in turn each round: the one-line log, then each log and each grep. The
    start-up is that of one command, so one estimate of it (the best of every round) is
    taken off every log's time: three estimates made apart differed by up to 0.1 s."""
    greps = [["grep", "-F", "-i", "-c", "-f", str(patterns), str(log)] for log in logs.values()]
    wholes = [[*DIAGNOSE, str(log)] for log in logs.values()]
    start_up, *times = best_in_turn([[*DIAGNOSE, str(one_line)], *wholes, *greps], runs)
    for (name, log), whole, grep_time in zip(logs.items(), times[: len(logs)], times[len(logs) :], strict=True):
        engine = whole - start_up
        megabytes = log.stat().st_size / (1024 * 1024)
        print(
            f"{name}: {megabytes:.1f} MB; diagnose {engine:.3f} s CPU, {megabytes / engine:.0f} MB/s "
            f"(after {start_up:.2f} s to start); grep {grep_time:.3f} s, {megabytes / grep_time:.0f} MB/s "
            f"-> {engine / grep_time:.1f}x grep (goal <= 10x); best of {runs}, {load()}"
        )


def shared_big_log(script: Path) -> bytes | None:
    """The log the shared make_big_log.py writes (real logs of ../shared/corpus), if it is there."""
    if not script.is_file():
        print(f"skipped the shared big log: no {script} (it lives in the shared folder beside the repository)")
        return None
    return subprocess.run([sys.executable, str(script), "10"], check=True, capture_output=True).stdout


def gigabyte(dense: bytes, one_line: Path) -> None:
    log = SCRATCH / "gigabyte.log"
    with log.open("wb") as handle:
        for _ in range(1024 * 1024 * 1024 // len(dense) + 1):
            handle.write(dense)
    _, start_up_memory = child_cpu_seconds([*DIAGNOSE, str(one_line)])
    seconds, memory = child_cpu_seconds([*DIAGNOSE, str(log)])
    gigabytes = log.stat().st_size / 1024**3
    print(
        f"{gigabytes:.2f} GB log: peak memory {memory / 1024**2:.0f} MB (a one-line log: "
        f"{start_up_memory / 1024**2:.0f} MB; goal < 500 MB), {seconds:.0f} s CPU, {load()}"
    )
    log.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--make-big-log", type=Path, default=ROOT.parent / "shared" / "bench" / "make_big_log.py")
    parser.add_argument("--gigabyte-log", action="store_true")
    parser.add_argument("--log", type=Path, action="append", default=[])
    arguments = parser.parse_args()
    for command in (["migrate", "--verbosity", "0"], ["load_catalogue"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=ENVIRONMENT, check=True, capture_output=True)
    one_line = SCRATCH / "one-line.log"
    one_line.write_text(next(line for line in PIP_OUTPUTS[2].splitlines() if line.startswith("ERROR:")) + "\n")
    patterns = literals_file()
    dense = dense_log(arguments.megabytes)
    logs = {
        "dense (nearly every line pip's)": dense,
        "sparse (bench/diagnose.py)": build_log(arguments.megabytes, random.Random(7)),
    }
    shared = shared_big_log(arguments.make_big_log)
    if shared is not None:
        logs["shared make_big_log.py 10 (GitHub Actions, nearly every line pip's)"] = shared
    paths = {}
    for number, (name, data) in enumerate(logs.items()):
        paths[name] = SCRATCH / f"log{number}.log"
        paths[name].write_bytes(data)
    compare(paths | {str(path): path for path in arguments.log}, one_line, patterns, arguments.runs)
    if arguments.gigabyte_log:
        gigabyte(dense, one_line)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
