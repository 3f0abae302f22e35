"""Requests per second and latency percentiles under concurrent clients, against gunicorn
started with the shipped configuration, on PostgreSQL and Redis (loopback only).

Scenarios: an entry page, a search for a pasted error line (the same one, and a new one each
time), and ``POST /api/diagnose`` with a 100 KB log (the same one, whose diagnosis the server
remembers, and a new one each time) and a 2 MB log, each under 10 and then 50 keep-alive
clients. The clients are one asyncio process (bounded by --seconds and --max-requests). Rate
limits are raised for the run: every client comes from 127.0.0.1. Goals: search at least 300
requests/s with p99 under 100 ms, the 100 KB diagnosis at least 300 requests/s, and no p99
over 1 s with 10 clients.

    .venv/bin/python bench/load.py [--seconds 10] [--clients 10 50] [--workers 3] [--threads 8]
                                   [--database kb_bench_load] [--redis-url redis://127.0.0.1:6379/1]
                                   [--port 18020]

The database is made anew and dropped after, and the Redis database is emptied: give each
person who runs the bench at the same time their own, and their own port.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count, repeat
from urllib.parse import quote

from serving import (
    drop_database,
    prepare_database,
    production_environment,
    realistic_log,
    server_cpu_seconds,
    start_gunicorn,
    stop,
)

PORT = 18020
SEARCH = "ERROR: Could not find a version that satisfies the requirement torchh==2.1.0 (from versions: none)"


@dataclass
class Scenario:
    """Requests sent in turn, each client taking the next one."""

    name: str
    requests: Iterator[bytes]


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    failures: int = 0


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def post(path: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def scenarios() -> list[Scenario]:
    return [
        Scenario("entry page /pip/hash-mismatch/", repeat(get("/pip/hash-mismatch/"))),
        Scenario("search, a pasted error line", repeat(get("/search/?q=" + quote(SEARCH)))),
        Scenario("search, a new pasted line each", (get("/search/?q=" + quote(line)) for line in distinct_lines())),
        Scenario("POST /api/diagnose, 100 KB", repeat(post("/api/diagnose", realistic_log(100)))),
        Scenario("POST /api/diagnose, 100 KB, a new log each", distinct_logs(100)),
        Scenario("POST /api/diagnose, 2 MB", repeat(post("/api/diagnose", realistic_log(2048)))),
    ]


def distinct_lines() -> Iterator[str]:
    """The pasted line with a different requirement each time, so no answer can be remembered."""
    for number in count():
        yield SEARCH.replace("torchh==2.1.0", f"torch{number}=={number % 7}.{number % 13}")


def distinct_logs(kilobytes: int) -> Iterator[bytes]:
    """The log with a different first line each time, so no diagnosis can be remembered."""
    log = realistic_log(kilobytes)
    for number in count():
        yield post("/api/diagnose", f"Job {number} started\n".encode() + log)


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return status


async def client(port: int, requests: Iterator[bytes], deadline: float, budget: list[int], outcome: Outcome) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            started = time.monotonic()
            writer.write(next(requests))
            status = await read_response(reader)
            outcome.latencies.append(time.monotonic() - started)
            if status != 200:
                outcome.failures += 1
    finally:
        writer.close()


async def drive(
    port: int, requests: Iterator[bytes], clients: int, seconds: float, max_requests: int
) -> tuple[Outcome, float]:
    outcome = Outcome()
    budget = [max_requests]
    started = time.monotonic()
    await asyncio.gather(*(client(port, requests, started + seconds, budget, outcome) for _ in range(clients)))
    return outcome, time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def report(scenario: Scenario, clients: int, outcome: Outcome, elapsed: float, cpu: float) -> None:
    done = outcome.latencies
    p50, p99 = statistics.median(done) * 1000, percentile(done, 0.99) * 1000
    print(
        f"{scenario.name:<34} {clients:>3} {len(done):>7} {len(done) / elapsed:>8.0f} {p50:>7.1f} {p99:>7.1f} "
        f"{max(done) * 1000:>7.0f} {outcome.failures:>5} {cpu * 1000 / len(done):>7.2f} {os.getloadavg()[0]:>5.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--only", help="run only the scenarios whose name holds this text")
    parser.add_argument("--database", default="kb_bench_load", help="PostgreSQL database to make and drop")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1", help="Redis database to empty and use")
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    unlimited = {"KB_RATE_LIMIT": "1000000000", "KB_SEARCH_RATE_LIMIT": "1000000000"}
    env = production_environment(
        args.database, args.port, REDIS_URL=args.redis_url, WEB_CONCURRENCY=str(args.workers), **unlimited
    )
    env["KB_THREADS"] = str(args.threads)
    subprocess.run(["redis-cli", "-n", args.redis_url.rsplit("/", 1)[1], "flushdb"], check=True, capture_output=True)
    prepare_database(args.database, env)
    server = start_gunicorn(env, args.port)
    try:
        print(f"gunicorn gthread, {args.workers} workers x {args.threads} threads, PostgreSQL + Redis")
        print(
            f"{args.seconds:.0f} s per row; !200: answers other than 200; cpu ms: gunicorn CPU per request; "
            "load: the machine's load average (1 min) after the row"
        )
        print(f"{'scenario':<34} {'cl':>3} {'reqs':>7} {'req/s':>8}", end=" ")
        print(f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'!200':>5} {'cpu ms':>7} {'load':>5}")
        for scenario in scenarios():
            if args.only and args.only not in scenario.name:
                continue
            # Warm every worker: many connections at once reach all of them (each builds its
            # matcher on its first diagnosis or search), then keep-alive requests as measured.
            connections = 8 * args.workers
            asyncio.run(drive(args.port, scenario.requests, connections, 30, connections))
            asyncio.run(drive(args.port, scenario.requests, 4, 1, 200))
            for clients in args.clients:
                cpu_before = server_cpu_seconds(server.pid)
                outcome, elapsed = asyncio.run(
                    drive(args.port, scenario.requests, clients, args.seconds, args.max_requests)
                )
                report(scenario, clients, outcome, elapsed, server_cpu_seconds(server.pid) - cpu_before)
    finally:
        stop(server)
        drop_database(args.database)


if __name__ == "__main__":
    main()
