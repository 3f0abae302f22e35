"""Median time for POST /api/diagnose to answer a 100 KB log, through Django's whole request path.

Uses a scratch SQLite database with the shipped catalogue loaded, production-like settings,
and Django's test client (in process: no network, which a real server adds on top). Goal: under
50 ms at the median.

    .venv/bin/python bench/api_diagnose.py [--requests 50] [--kilobytes 100]
"""

import argparse
import statistics
import time

from in_process import catalogue_client
from serving import realistic_log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--kilobytes", type=int, default=100)
    arguments = parser.parse_args()
    log = realistic_log(arguments.kilobytes)
    timings = []
    with catalogue_client() as client:
        for _ in range(arguments.requests + 1):
            started = time.perf_counter()
            response = client.post("/api/diagnose", log, content_type="text/plain", secure=True)
            timings.append(time.perf_counter() - started)
    root = response.json()["matches"][0]["code"]
    first, rest = timings[0], timings[1:]
    print(f"POST /api/diagnose, {len(log) / 1024:.0f} KB log, root cause {root}")
    print(f"first request (builds the matcher): {first * 1000:.1f} ms")
    print(f"median of {len(rest)}: {statistics.median(rest) * 1000:.1f} ms (goal: under 50 ms)")
    print(f"slowest: {max(rest) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
