"""Where the usability review's search queries put the right entry, on SQLite or PostgreSQL.

    python bench/search_ranks.py                                    # a scratch SQLite database
    python bench/search_ranks.py postgres://postgres@127.0.0.1/NAME  # that database's schema is replaced

It reads the search page as a reader does (Django's test client, no network), so it also runs
unchanged in a checkout of an older commit, to compare before and after. The catalogue is the
one in the checkout's fixtures/entries/.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp(prefix='kb-ranks-')}/ranks.sqlite3"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "kb.settings",
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "1",  # static addresses without collectstatic
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "KB_RATE_LIMIT": "1000000",
        "KB_SEARCH_RATE_LIMIT": "1000000",
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

# The review's queries and the entries that answer them (any one of them, where two do).
QUERIES = [
    (
        "ERROR: Could not find a version that satisfies the requirement torchh==2.1.0 (from versions: none)",
        {"DISTRIBUTION_NOT_FOUND"},
    ),
    ("hash mismatch", {"HASH_MISMATCH"}),
    ("externally managed", {"EXTERNALLY_MANAGED_ENVIRONMENT"}),
    ("no matching distribution", {"DISTRIBUTION_NOT_FOUND"}),
    ("Microsoft Visual C++ 14.0", {"MSVC_REQUIRED"}),
    ("pg_config", {"PG_CONFIG_MISSING"}),
    ("Error: pg_config executable not found.", {"PG_CONFIG_MISSING"}),
    ("externaly managed enviroment", {"EXTERNALLY_MANAGED_ENVIRONMENT"}),
    ("hash missmatch", {"HASH_MISMATCH"}),
    ('File ".../pip/_internal/cli/base_command.py", line 160, in exc_logging_wrapper', {"PIP_INTERNAL_EXCEPTION"}),
    # The same traceback line as a terminal prints it, with a whole path (not in the review).
    (
        'File "/home/me/.venv/lib/python3.12/site-packages/pip/_internal/cli/base_command.py", line 160, '
        "in exc_logging_wrapper",
        {"PIP_INTERNAL_EXCEPTION"},
    ),
    ("ModuleNotFoundError: No module named 'pip'", {"NO_MODULE_NAMED_PIP"}),
    (
        "ERROR: Cannot install fastapi==0.110.0 and pydantic==1.10.2 because these package versions have "
        "conflicting dependencies.",
        {"RESOLUTION_IMPOSSIBLE"},
    ),
    ("fatal error: Python.h: No such file or directory", {"PYTHON_H_MISSING"}),
    (
        "ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Read timed out.",
        {"CONNECTION_TIMEOUT"},
    ),
    ("ERROR: numpy-1.26.4-cp312-cp312-win_amd64.whl is not a supported wheel on this platform.", {"UNSUPPORTED_WHEEL"}),
    ("ERROR: Failed building wheel for psycopg2", {"FAILED_BUILDING_WHEEL"}),
    ("Requires-Python", {"IGNORED_REQUIRES_PYTHON_VERSIONS", "UNSUPPORTED_PYTHON_VERSION"}),
    ("how do I upgrade pip", {"PIP_VERSION_OUTDATED"}),
    ("uv", set()),
    ("poetry", set()),
    ("エラー", set()),
    ("(((", set()),
]
LISTED_CODE = re.compile(r"<code>\w+ · ([A-Z0-9_]+)</code>")
COUNT_LINE = re.compile(r'<p class="result-count">(.*?)</p>', re.S)


def fresh_database() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)


def rank_line(client: Client, query: str, wanted: set[str]) -> str:
    response = client.get("/search/", {"q": query})
    html = response.content.decode()
    listed = LISTED_CODE.findall(html)
    count = " ".join(COUNT_LINE.search(html).group(1).split()) if COUNT_LINE.search(html) else "no results"
    if not wanted:
        return f"| `{query}` | – | HTTP {response.status_code}; {count}; first: {', '.join(listed[:3]) or '–'} |"
    ranks = [number for number, code in enumerate(listed, start=1) if code in wanted]
    rank = str(ranks[0]) if ranks else "not listed"
    return f"| `{query[:90]}` | {' or '.join(sorted(wanted))} | **{rank}** of {len(listed)} listed ({count}) |"


def main() -> None:
    fresh_database()
    client = Client()
    print(f"Search ranks on {connection.vendor}, code at {ROOT}")
    print("| query | right entry | rank |")
    print("|---|---|---|")
    for query, wanted in QUERIES:
        print(rank_line(client, query, wanted))


if __name__ == "__main__":
    main()
