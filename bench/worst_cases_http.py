"""The crafted 5 MB logs of ``worst_cases.py`` sent over HTTP to gunicorn (the shipped
configuration, 3 workers, PostgreSQL and Redis), one at a time and then the slowest three at
once while a reader asks for an entry page every 0.2 s. Goals: every log answers in under 2 s,
and the entry page keeps answering while three of them run.

It then publishes a staff signature that the save check lets through (its regex is fast on the
check's lines and slow on lines made for it) and sends a log made for it, to show what one
published pattern can cost a diagnosis.

    .venv/bin/python bench/worst_cases_http.py [--megabytes 5] [--only NAME] [--port 18040]
                                               [--redis-url URL] [--database kb_bench_worst_http]
"""

import argparse
import http.client
import json
import random
import shutil
import statistics
import subprocess
import threading
import time

from in_process import SCRATCH  # first: it sets Django up for worst_cases' builders
from serving import (
    PYTHON,
    ROOT,
    drop_database,
    prepare_database,
    production_environment,
    server_cpu_seconds,
    start_gunicorn,
    stop,
)
from worst_cases import ERROR_AT_THE_END, crafted_logs

DATABASE = "kb_bench_worst_http"
ENTRY_PAGE = "/pip/hash-mismatch/"
# Fast on the save check's random lines (its literal, then random characters it names), slow on
# lines that hold the three digits and the dash before long runs of a and b.
EVASIVE_PATTERN = r"ERR \d\d\d-[ab]*a[ab]{30}"
PUBLISH_SIGNATURE = f"""
from kb.models import Entry
Entry.objects.get(code="HASH_MISMATCH").signatures.create(pattern={EVASIVE_PATTERN!r}, is_regex=True)
"""


def post_log(port: int, log: bytes) -> tuple[float, int, dict]:
    """Seconds to the whole answer, its status and its JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.monotonic()
    connection.request("POST", "/api/diagnose", body=log, headers={"Host": "127.0.0.1", "Content-Type": "text/plain"})
    response = connection.getresponse()
    body = response.read()
    return time.monotonic() - started, response.status, {"size": len(body), **json.loads(body)}


def entry_page_seconds(port: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.monotonic()
    connection.request("GET", ENTRY_PAGE, headers={"Host": "127.0.0.1"})
    connection.getresponse().read()
    return time.monotonic() - started


def report(name: str, seconds: float, status: int, answer: dict, cpu: float | None = None) -> None:
    root = answer["matches"][0]["code"] if answer.get("matches") else answer.get("error", "none")
    partial = "partial" if answer.get("partial") else ""
    cpu_column = f"{cpu:6.2f}s" if cpu is not None else " " * 7
    print(f"{name:<52} {seconds:6.2f}s {cpu_column} {status:>4} {answer['size'] / 1024:6.0f}KB  {root} {partial}")


def alone(server: subprocess.Popen, port: int, log: bytes) -> tuple[float, int, dict, float]:
    """``post_log``, and the CPU time gunicorn spent on it: on a busy machine wall time says
    more about the machine than about the app."""
    cpu = server_cpu_seconds(server.pid)
    seconds, status, answer = post_log(port, log)
    return seconds, status, answer, server_cpu_seconds(server.pid) - cpu


def one_at_a_time(server: subprocess.Popen, port: int, logs: dict[str, bytes]) -> dict[str, float]:
    print(f"{'crafted log, alone':<52} {'wall':>7} {'CPU':>7} {'code':>4} {'answer':>8}  root cause")
    timings = {}
    for name, log in logs.items():
        seconds, status, answer, cpu = alone(server, port, log)
        timings[name] = cpu
        report(name, seconds, status, answer, cpu)
    return timings


def three_at_once(port: int, logs: dict[str, bytes]) -> None:
    """The three logs sent together while a reader asks for an entry page every 0.2 s."""
    answers: dict[str, tuple[float, int, dict]] = {}
    senders = [
        threading.Thread(target=lambda name=name: answers.__setitem__(name, post_log(port, logs[name])))
        for name in logs
    ]
    for sender in senders:
        sender.start()
    probes = []
    while any(sender.is_alive() for sender in senders):
        probes.append(entry_page_seconds(port))
        time.sleep(0.2)
    for sender in senders:
        sender.join()
    print("\nthe three slowest at once")
    for name, (seconds, status, answer) in answers.items():
        report(name, seconds, status, answer)
    probes_ms = sorted(probe * 1000 for probe in probes)
    print(
        f"  meanwhile {ENTRY_PAGE}: {len(probes)} probes, median {statistics.median(probes_ms):.0f} ms, "
        f"slowest {probes_ms[-1]:.0f} ms"
    )


def evasive_log(size: int) -> bytes:
    generator = random.Random(7)
    lines, total = [], 0
    while total < size - len(ERROR_AT_THE_END):
        line = b"ERR 123-" + bytes(generator.choice(b"ab") for _ in range(990))
        lines.append(line)
        total += len(line) + 1
    return b"\n".join(lines)[: size - len(ERROR_AT_THE_END)] + ERROR_AT_THE_END


def published_evasive_pattern(server: subprocess.Popen, port: int, env: dict[str, str], size: int) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", PUBLISH_SIGNATURE], cwd=ROOT, env=env, check=True, capture_output=True
    )
    print(f"\nafter publishing the staff signature {EVASIVE_PATTERN!r}")
    log = evasive_log(size)
    for _ in range(3):  # the first answers of each worker rebuild its matcher
        post_log(port, b"Collecting six\n")
    seconds, status, answer, cpu = alone(server, port, log)
    report("lines made for it", seconds, status, answer, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=5)
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--port", type=int, default=18040)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1", help="a Redis database it may empty")
    parser.add_argument("--database", default=DATABASE, help="PostgreSQL database to make and drop")
    arguments = parser.parse_args()
    size = int(arguments.megabytes * 1024 * 1024) - 64
    logs = {name: build() for name, build in crafted_logs(size).items() if not arguments.only or arguments.only in name}
    env = production_environment(
        arguments.database, arguments.port, REDIS_URL=arguments.redis_url, WEB_CONCURRENCY="3", KB_RATE_LIMIT="1000000"
    )
    subprocess.run(["redis-cli", "-u", arguments.redis_url, "flushdb"], check=True, capture_output=True)
    prepare_database(arguments.database, env)
    server = start_gunicorn(env, arguments.port)
    try:
        for _ in range(12):  # every worker builds its matcher before the clock starts
            post_log(arguments.port, b"Collecting six\n")
        timings = one_at_a_time(server, arguments.port, logs)
        slowest = sorted(timings, key=timings.get)[-3:]
        three_at_once(arguments.port, {name: logs[name] for name in slowest})
        published_evasive_pattern(server, arguments.port, env, size)
    finally:
        stop(server)
        drop_database(arguments.database)
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
