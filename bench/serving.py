"""What the server benches share: a scratch PostgreSQL database with the catalogue loaded, and
gunicorn started with the shipped configuration (``kb/gunicorn_conf.py``)."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOGS = ROOT / "tests" / "logs"


def realistic_log(kilobytes: int) -> bytes:
    """Successful pip runs as filler, then a real failing run at the end, as in a CI job."""
    filler = b"".join(path.read_bytes() for path in sorted((LOGS / "success").glob("*.log")))
    failure = (LOGS / "PYTHON_H_MISSING" / "26.3.log").read_bytes()
    body = filler * (kilobytes * 1024 // len(filler) + 1)
    return body[: kilobytes * 1024 - len(failure)] + b"\n" + failure


def production_environment(database: str, port: int, **extra: str) -> dict[str, str]:
    return server_environment(f"postgres://postgres@127.0.0.1:5432/{database}", KB_BIND=f"127.0.0.1:{port}", **extra)


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) for a server on loopback, over the given database."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def prepare_database(database: str, env: dict[str, str]) -> None:
    """A new database with the schema, the shipped catalogue and the static files."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {database}")
    for command in (["migrate", "--noinput"], ["load_catalogue"], ["collectstatic", "--noinput"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)


def drop_database(database: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def start_gunicorn(env: dict[str, str], port: int, *options: str) -> subprocess.Popen:
    """gunicorn with the shipped settings (``options`` override them), once it answers."""
    command = [PYTHON, "-m", "gunicorn", "-c", "python:kb.gunicorn_conf", "--access-logfile", os.devnull, *options]
    server = subprocess.Popen([*command, "kb.wsgi"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:  # a worker still held by a slow client
        server.kill()
        server.wait()


def server_cpu_seconds(pid: int) -> float:
    """CPU time gunicorn's master, workers and their diagnosis processes have used: on a machine
    shared with other work, CPU per request says more about the app than requests per second do."""
    ticks = 0
    for process in process_tree(pid):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime and stime
    return ticks / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, whichever of a process's threads started them."""
    children = [
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    ]
    return [pid, *(process for child in children for process in process_tree(child))]
