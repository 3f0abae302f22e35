"""Does the site keep answering while three clients send their requests a byte a second?

Starts gunicorn with the shipped configuration (``kb/gunicorn_conf.py``: threaded workers),
opens three connections that each declare a 5 MB diagnosis and send it a byte a second (and,
in a second round, three that send their headers a byte a second), and meanwhile asks
``/healthz`` once a second. With ``--compare-sync`` it does the same against gunicorn's
default synchronous workers, which is what the security review found stalling for 30 s.

    .venv/bin/python bench/slow_clients.py [--seconds 15] [--compare-sync]
"""

import argparse
import http.client
import socket
import threading
import time

from serving import drop_database, prepare_database, production_environment, start_gunicorn, stop

DATABASE = "kb_bench_slow"
PORT = 18010
SLOW_BODY = (
    b"POST /api/diagnose HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 5000000\r\n\r\n"
)
SLOW_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"x" * 4000


def slow_client(opening: bytes, trickle: bool, stop_at: float) -> None:
    """Send ``opening`` (at once, or a byte a second when ``trickle``), then a byte a second."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=60) as connection:
        if not trickle:
            connection.sendall(opening)
        data = iter(opening if trickle else b"x" * 10_000)
        while time.monotonic() < stop_at:
            try:
                connection.sendall(bytes([next(data)]))
            except (OSError, StopIteration):
                return
            time.sleep(1)


def probe_health(seconds: float) -> list[float | None]:
    """Once a second, how long /healthz took to answer (None: no answer within 5 s)."""
    timings: list[float | None] = []
    for _ in range(int(seconds)):
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            answered = connection.getresponse().status == 200
            timings.append(time.monotonic() - started if answered else None)
        except OSError:
            timings.append(None)
        time.sleep(max(0.0, 1 - (time.monotonic() - started)))
    return timings


def attack(opening: bytes, trickle: bool, seconds: float) -> list[float | None]:
    stop_at = time.monotonic() + seconds + 1
    clients = [threading.Thread(target=slow_client, args=(opening, trickle, stop_at)) for _ in range(3)]
    for client in clients:
        client.start()
    time.sleep(2)  # let the slow requests take hold of whatever they can
    timings = probe_health(seconds)
    for client in clients:
        client.join()
    return timings


def report(label: str, timings: list[float | None]) -> None:
    answered = [timing for timing in timings if timing is not None]
    slowest = f"slowest {max(answered) * 1000:.0f} ms" if answered else "none answered"
    print(f"  {label:<34} /healthz answered {len(answered):>2}/{len(timings)} probes, {slowest}")


def run(label: str, env: dict[str, str], seconds: float, *options: str) -> None:
    server = start_gunicorn(env, PORT, *options)
    try:
        print(label)
        report("3 slow bodies (a byte a second)", attack(SLOW_BODY, trickle=False, seconds=seconds))
        report("3 slow headers (a byte a second)", attack(SLOW_HEADERS, trickle=True, seconds=seconds))
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--compare-sync", action="store_true")
    args = parser.parse_args()
    env = production_environment(DATABASE, PORT, WEB_CONCURRENCY="2")
    prepare_database(DATABASE, env)
    try:
        run("shipped config: gthread, 2 workers x 8 threads", env, args.seconds)
        if args.compare_sync:
            run("gunicorn's default: sync, 2 workers", env, args.seconds, "--worker-class", "sync", "--threads", "1")
    finally:
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
