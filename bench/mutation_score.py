"""Per file, how many of mutmut's mutants the tests killed, read from the last run's mutants/.

A timeout counts as killed (the mutant made the tests hang); "no tests" counts as survived
(nothing reaches the code); mutants not checked yet (an interrupted run) are left out of the
rate and shown apart. Run it from the project directory after `make mutate`.
"""

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

COLUMNS = ("killed", "timeout", "survived", "no tests", "not checked")


def statuses(meta: Path) -> Counter:
    exit_codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return Counter(status_by_exit_code[code] for code in exit_codes.values())


def rate(counts: Counter) -> str:
    checked = sum(counts.values()) - counts["not checked"]
    return f"{(counts['killed'] + counts['timeout']) / checked:.1%}" if checked else "-"


def main() -> int:
    files = {meta: statuses(meta) for meta in sorted(Path("mutants").glob("**/*.py.meta"))}
    files = {meta: counts for meta, counts in files.items() if counts}
    if not files:
        print("No mutants/ here: run `make mutate` first.", file=sys.stderr)
        return 1
    print(f"{'file':34} {'mutants':>7} " + " ".join(f"{column:>11}" for column in COLUMNS) + "  killed")
    for meta, counts in [*files.items(), (Path("mutants/all.meta"), sum(files.values(), Counter()))]:
        name = meta.relative_to("mutants").as_posix().removesuffix(".meta")
        cells = " ".join(f"{counts[column]:>11}" for column in COLUMNS)
        print(f"{name:34} {sum(counts.values()):>7} {cells}  {rate(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
