"""How long ``load_catalogue`` takes on the shipped catalogue: the first load, a load with nothing
changed (what every deploy and ``make run`` pays), and a load with one changed file.

Runs in-process on a scratch SQLite file (or ``--postgres``: a scratch database ``kb_bench_load``
that it creates and drops) and prints the median of ``--repeat`` runs with the query count.

    .venv/bin/python bench/load_catalogue.py [--repeat 5] [--postgres]
"""

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "kb_bench_load"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp())
    database_url = f"sqlite:///{scratch / 'bench.sqlite3'}"
    if arguments.postgres:
        recreate_database()
        database_url = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    os.environ.update({"DATABASE_URL": database_url, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "kb.settings"})
    sys.path.insert(0, str(ROOT))
    try:
        run(scratch / "entries", arguments.repeat)
    finally:
        shutil.rmtree(scratch)
        if arguments.postgres:
            from django.db import connections

            connections.close_all()
            drop_database()


def run(catalogue: Path, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shutil.copytree(ROOT / "fixtures" / "entries", catalogue)
    call_command("migrate", "--noinput", verbosity=0)

    def load() -> tuple[float, int, str]:
        out = io.StringIO()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call_command("load_catalogue", "--dir", str(catalogue), stdout=out, stderr=io.StringIO())
            elapsed = time.perf_counter() - started
        return elapsed, len(queries), out.getvalue().strip()

    entries = len(list(catalogue.glob("*/*.md")))
    print(f"{entries} entry files, {connection.vendor}")
    report("first load (empty database)", [load()])
    report("nothing changed", [load() for _ in range(repeat)])
    changed = []
    path = catalogue / "pip" / "HASH_MISMATCH.md"
    for number in range(repeat):
        path.write_text(path.read_text().replace("## How to fix it\n", f"## How to fix it\n\nChange {number}.\n", 1))
        changed.append(load())
    report("one file changed", changed)


def report(label: str, runs: list[tuple[float, int, str]]) -> None:
    seconds = statistics.median(elapsed for elapsed, _, _ in runs)
    print(f"{label:28} {seconds * 1000:8.1f} ms  {runs[-1][1]:5d} queries  ({runs[-1][2]})")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
