"""The sweep's captures: every scenario's output on every swept pip release, each distinct
output stored once.

tests/logs/sweep.py runs the capture scenarios on the last patch of every minor release and
on both sides of each run claim's boundary, and files them here: `SCENARIO/<release>.log`
holds one output, named after the oldest release that printed it, and `index.json` says for
each scenario which releases printed which output, with the command and its exit status.
Plain Python: no Django.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.releases.matrix import release_key

SWEEP_DIR = Path(__file__).resolve().parents[2] / "tests" / "logs" / "sweep"
INDEX_FILE = "index.json"


@dataclass(frozen=True)
class Run:
    """What one pip release printed for one scenario (paths neutralised)."""

    text: str
    exit_status: int
    command: str


class Sweep:
    def __init__(self, directory: Path = SWEEP_DIR, runs: dict[str, dict[str, Run]] | None = None):
        self.directory = directory
        self.runs: dict[str, dict[str, Run]] = runs if runs is not None else {}

    @classmethod
    def load(cls, directory: Path = SWEEP_DIR) -> Sweep:
        index = directory / INDEX_FILE
        if not index.exists():
            return cls(directory)
        runs: dict[str, dict[str, Run]] = {}
        for scenario, outputs in json.loads(index.read_text(encoding="utf-8")).items():
            for output in outputs:
                text = (directory / scenario / output["log"]).read_text(encoding="utf-8")
                run = Run(text, output["exit"], output["command"])
                runs.setdefault(scenario, {}).update(dict.fromkeys(output["releases"], run))
        return cls(directory, runs)

    def output(self, scenario: str, release: str) -> str | None:
        run = self.runs.get(scenario, {}).get(release)
        return run.text if run else None

    def record(self, scenario: str, release: str, run: Run) -> None:
        self.runs.setdefault(scenario, {})[release] = run

    def distinct_outputs(self, scenario: str) -> list[tuple[list[str], Run]]:
        """Each distinct run of a scenario with the releases that printed it, oldest first."""
        by_run: dict[Run, list[str]] = {}
        for release in sorted(self.runs.get(scenario, {}), key=release_key):
            by_run.setdefault(self.runs[scenario][release], []).append(release)
        return [(releases, run) for run, releases in by_run.items()]

    def all_outputs(self) -> Iterator[tuple[str, list[str], Run]]:
        for scenario in sorted(self.runs):
            for releases, run in self.distinct_outputs(scenario):
                yield scenario, releases, run

    def save(self) -> None:
        """Write each distinct output once and the index; drop logs no release prints any more."""
        index: dict[str, list[dict]] = {}
        for scenario in sorted(self.runs):
            folder = self.directory / scenario
            folder.mkdir(parents=True, exist_ok=True)
            kept = set()
            for releases, run in self.distinct_outputs(scenario):
                log = f"{releases[0]}.log"
                (folder / log).write_bytes(run.text.encode("utf-8"))
                kept.add(log)
                index.setdefault(scenario, []).append(
                    {"log": log, "exit": run.exit_status, "command": run.command, "releases": releases}
                )
            for stale in set(path.name for path in folder.glob("*.log")) - kept:
                (folder / stale).unlink()
        (self.directory / INDEX_FILE).write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
