"""MANIFEST.md: one row per captured log, kept across partial runs (`--only`, `--pip`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capture import Capture
    from lab import Scenario

HEADER = """# Captured pip logs

Made by `python tests/logs/capture.py`: real pip runs in throw-away environments, against
packages, indexes and servers the script makes offline. Paths are neutralised: the home is
`/home/user`, the venv `/home/user/venv`, a Python outside any venv `/usr`, other temporary
directories `/tmp/kb`; local servers appear as 127.0.0.1 on ports 8080 (index), 8081
(misbehaving server), 8082 (never answers), 8443 (self-signed HTTPS) and 3128 (nothing
listening). Each log is pip's combined stdout and stderr, byte for byte after that rewrite.
Files under `success/` must diagnose as no error. `sweep/` holds `python tests/logs/sweep.py`'s
runs of every scenario on the last patch of each minor release from 20.0 (and on both sides of
each run claim's boundary): each distinct output once, `sweep/index.json` naming the releases
that printed it.

| file | pip | python | exit | command | shows |
|---|---|---|---|---|---|
"""
ROW_START = "| `"
NOT_CAPTURED_HEADING = "\n## Not captured\n\n| code | why |\n|---|---|\n"


def update(manifest: Path, captures: list[Capture], scenarios: list[Scenario], not_captured: dict[str, str]) -> None:
    """Rows of this run replace earlier ones; every row's description follows the scenarios."""
    rows = _existing_rows(manifest)
    for capture in captures:
        file = _relative(manifest, capture.scenario.log_path(capture.target))
        rows[file] = [
            f"`{file}`",
            capture.target.pip or "none",
            capture.target.python,
            str(capture.exit_status),
            "`" + capture.command.replace("|", "\\|") + "`",
            "",
        ]
    descriptions = {_relative(manifest, s.log_path(t)): s.shows for s in scenarios for t in s.targets}
    lines = []
    for file in sorted(rows):
        if file in descriptions and (manifest.parent / file).exists():
            cells = rows[file][:5] + [descriptions[file]]
            lines.append("| " + " | ".join(cells) + " |\n")
    skipped = "".join(f"| `{code}` | {why} |\n" for code, why in sorted(not_captured.items()))
    manifest.write_text(HEADER + "".join(lines) + NOT_CAPTURED_HEADING + skipped)


def _relative(manifest: Path, log: Path) -> str:
    return log.relative_to(manifest.parent).as_posix()


def _existing_rows(manifest: Path) -> dict[str, list[str]]:
    if not manifest.exists():
        return {}
    rows = [line for line in manifest.read_text().splitlines() if line.startswith(ROW_START)]
    return {row.split("`")[1]: _cells(row) for row in rows if row.split("`")[1].endswith(".log")}


def _cells(row: str) -> list[str]:
    """A table row's cells; commands keep their escaped `\\|`."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]
