"""What the reader of each captured log is told, kept in expected.json for a person to review.

`python tests/logs/expect.py --write` diagnoses every captured log with the shipped entry files
and rewrites expected.json; the diff is what a change to the engine or the entries does to the
diagnoses people read. Without `--write` it names the logs whose diagnosis differs from the file.
tests/test_captured_logs.py holds every log to the file.
"""

import argparse
import json
import os
import sys
from functools import cache
from pathlib import Path

LOGS = Path(__file__).resolve().parent
EXPECTED = LOGS / "expected.json"
ENTRIES = LOGS.parent.parent / "fixtures" / "entries"
MAX_LOG_BYTES = 10 * 1024 * 1024


def captured_logs() -> list[Path]:
    return sorted(LOGS.glob("*/*.log"))


def log_name(log: Path) -> str:
    return log.relative_to(LOGS).as_posix()


@cache
def catalogue():
    """The matcher of the shipped entry files, and the wrapper codes each code refines."""
    from kb.catalogue import matcher_from_files

    return matcher_from_files(ENTRIES)


def diagnose(text: str):
    from kb.diagnosis import read_log

    matcher, _ = catalogue()
    return matcher.diagnose(read_log(text.encode(), MAX_LOG_BYTES))


def told(diagnosis) -> dict:
    """The part of a diagnosis a reader sees: each cause's program, lines and facts, the versions,
    the outcome and whose output the log is."""
    return {
        "outcome": diagnosis.outcome,
        "tool": diagnosis.tool,
        "pip_version": diagnosis.pip_version,
        "python_version": diagnosis.python_version,
        "facts": diagnosis.facts,
        "matches": [
            {"code": match.code, "tool": match.tool, "lines": "{}-{}".format(*match.lines), "facts": match.facts}
            for match in diagnosis.matches
        ],
    }


def expected() -> dict[str, dict]:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def current() -> dict[str, dict]:
    return {log_name(log): told(diagnose(log.read_text(encoding="utf-8"))) for log in captured_logs()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite expected.json from today's diagnoses")
    arguments = parser.parse_args()
    sys.path.insert(0, str(LOGS.parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    import django

    django.setup()
    now = current()
    if arguments.write:
        EXPECTED.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"Wrote what {len(now)} logs tell the reader to {EXPECTED.relative_to(Path.cwd())}")
        return 0
    kept = expected()
    differing = sorted(name for name in now.keys() | kept.keys() if now.get(name) != kept.get(name))
    for name in differing:
        print(f"{name}: differs from {EXPECTED.name}")
    print(f"{len(differing)} of {len(now)} logs differ; run with --write and review the diff")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
