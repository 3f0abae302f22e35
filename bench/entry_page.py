"""Requests per second for an entry page and for a minimal Django view, on one gunicorn server.

Serves the app with production settings on PostgreSQL (a scratch database ``kb_bench`` that this
script creates and drops), loads the shipped catalogue, then drives both URLs from client
processes over keep-alive connections and prints both rates and their ratio. Goal: the entry
page at 0.7 or more of the minimal view.

    .venv/bin/python bench/entry_page.py [--seconds 8] [--clients 4] [--workers 2]
"""

import argparse
import http.client
import multiprocessing
import subprocess
import time

from serving import PYTHON, ROOT, drop_database, prepare_database, production_environment

BENCH_DB = "kb_bench"
PORT = 8765


def start_server(env: dict[str, str], workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "kb.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            fetch(http.client.HTTPConnection("127.0.0.1", PORT, timeout=5), "/healthz")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def fetch(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    return response.status


def client(path: str, seconds: float, results: multiprocessing.Queue) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if fetch(connection, path) != 200:
            raise SystemExit(f"{path} did not answer 200")
        done += 1
    results.put(done)


def requests_per_second(path: str, seconds: float, clients: int) -> float:
    results: multiprocessing.Queue = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=client, args=(path, seconds, results)) for _ in range(clients)]
    for process in processes:
        process.start()
    total = sum(results.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--entry", default="/pip/hash-mismatch/")
    args = parser.parse_args()
    env = production_environment(BENCH_DB, PORT)
    server = None
    try:
        prepare_database(BENCH_DB, env)
        server = start_server(env, args.workers)
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        for path in (args.entry, "/healthz"):
            for _ in range(50):  # warm every worker's caches
                fetch(connection, path)
        minimal = requests_per_second("/healthz", args.seconds, args.clients)
        entry = requests_per_second(args.entry, args.seconds, args.clients)
    finally:
        if server:
            server.terminate()
            server.wait()
        drop_database(BENCH_DB)
    print(f"gunicorn, {args.workers} workers, {args.clients} keep-alive clients, {args.seconds:.0f} s each")
    print(f"minimal view /healthz:      {minimal:8.0f} requests/s")
    print(f"entry page {args.entry}: {entry:8.0f} requests/s")
    print(f"ratio entry/minimal:        {entry / minimal:8.2f}  (goal: 0.70 or more)")


if __name__ == "__main__":
    main()
