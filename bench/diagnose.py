"""Benchmark of the diagnosis engine on a 10 MB CI-style log.

Run: .venv/bin/python bench/diagnose.py [--megabytes 10]

Prints the engine's throughput end to end (read_log + diagnose, which removes secrets), a naive
baseline (every line against every signature's regex with Python `re`), `grep -F -f`
over the same log with the signatures' literal parts, the time with ten times as many
signatures, and the peak memory against the log size.

The pip output inside the log is real, from tests/logs/ (made by tests/logs/capture.py); the
rest is generated CI noise. The signatures are the shipped catalogue's.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
django.setup()

from kb.catalogue import engine_signatures, read_entry_files  # noqa: E402
from kb.diagnosis import Matcher, Signature, read_log  # noqa: E402
from kb.diagnosis.signatures import required_literals  # noqa: E402

# Real pip output captured by tests/logs/capture.py, spread through the noise.
CAPTURED = ROOT / "tests" / "logs"
PIP_OUTPUTS = tuple(
    (CAPTURED / name).read_text()
    for name in (
        "PYTHON_H_MISSING/23.3.2.log",
        "SSL_VERIFICATION_FAILED/24.0.log",
        "HASH_MISMATCH/24.0.log",
        "DEPENDENCY_CONFLICT_WARNING/24.0.log",
    )
)

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


def catalogue() -> tuple[list[Signature], dict[str, list[str]]]:
    """Every signature of the shipped entries, and what each code refines."""
    signatures: list[Signature] = []
    refines: dict[str, list[str]] = {}
    for entry_file in read_entry_files(ROOT / "fixtures" / "entries"):
        signatures += engine_signatures(entry_file.front)
        refines[entry_file.code] = entry_file.front.get("refines", [])
    return signatures, refines


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
        matcher.diagnose(read_log(data, LIMIT_BYTES))
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
    matcher.diagnose(read_log(data, LIMIT_BYTES))
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
    signatures, refines = catalogue()
    many_signatures = signatures + synthetic_signatures(9 * len(signatures), rng)

    started = time.perf_counter()
    matcher = Matcher(signatures, refines)
    compile_seconds = time.perf_counter() - started
    many_matcher = Matcher(many_signatures, refines)
    engine = engine_seconds(matcher, data)
    many = engine_seconds(many_matcher, data)
    naive = naive_seconds_per_megabyte(signatures, data)
    with tempfile.TemporaryDirectory() as directory:
        log_path = Path(directory, "ci.log")
        log_path.write_bytes(data)
        grep = grep_seconds(signatures, log_path)
    peak = peak_memory(matcher, data)
    diagnosis = matcher.diagnose(read_log(data, LIMIT_BYTES))

    line_count = data.count(b"\n") + 1
    print(
        f"log: {megabytes:.1f} MB, {line_count} lines; {len(signatures)} signatures "
        f"(compiled in {compile_seconds * 1000:.0f} ms); root cause {diagnosis.matches[0].code}"
    )
    print(f"engine (read_log + diagnose, secrets removed): {engine:.3f} s = {megabytes / engine:.1f} MB/s")
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
