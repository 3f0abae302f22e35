"""Run every capture scenario on the last patch of every pip minor release from 20.0 on, and
each run claim's scenario on both sides of its boundary; keep each distinct output once.

    python tests/logs/sweep.py [--pip 24.3.1 ...] [--only download_timeout ...] [--jobs 2]

A run already stored is skipped; delete its scenario's folder and index entry to run it again.

A scenario is a function of scenarios.py (one function may be filed under several codes by
capture.py); the sweep runs it as capture.py does, in a throw-away world of its own per
release (one venv per release, copied for each scenario), and files the neutralised output
in tests/logs/sweep/ (see kb/releases/captures.py). Releases come from
fixtures/pip_releases/releases.txt (yanked ones skipped); the pip wheels from the cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing.util import Finalize
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

import scenarios  # noqa: E402
from capture import DEFAULT_CACHE, download_into_cache, run_neutralised  # noqa: E402
from lab import Lab, Prepare, Target  # noqa: E402

from kb.releases.captures import SWEEP_DIR, Run, Sweep  # noqa: E402
from kb.releases.matrix import read_releases, release_key  # noqa: E402

FIRST_SWEPT_MINOR = (20, 0)


def swept_functions() -> dict[str, tuple[str | None, Prepare]]:
    """Each scenario function by name, with the Python it is pinned to (None: the release's own)."""
    functions: dict[str, tuple[str | None, Prepare]] = {}
    for scenario in scenarios.SCENARIOS:
        if scenario.prepare.__name__ not in scenarios.NOT_SWEPT:
            functions.setdefault(scenario.prepare.__name__, (None, scenario.prepare))
    return functions | scenarios.SWEPT_ON_PYTHON


def last_patches(releases: Iterable[str]) -> list[str]:
    """The newest release of every minor from 20.0 on; a .postN only when its release is missing."""
    by_minor: dict[tuple[int, ...], list[str]] = {}
    for version in releases:
        numbers = release_key(version)[0]
        minor = (numbers + (0,))[:2]
        if minor >= FIRST_SWEPT_MINOR:
            by_minor.setdefault(minor, []).append(version)
    newest = []
    for versions in by_minor.values():
        kept = [v for v in versions if v.partition(".post")[0] == v or v.partition(".post")[0] not in versions]
        newest.append(max(kept, key=release_key))
    return sorted(newest, key=release_key)


def run_claim_sides(releases: list[str]) -> dict[str, set[str]]:
    """For each scenario a run claim names, the releases on both sides of its boundary."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    import django

    django.setup()
    from kb.catalogue import read_entry_files
    from kb.releases.dating import boundary_sides, claims_of

    entries = HERE.parent.parent / "fixtures" / "entries"
    sides: dict[str, set[str]] = {}
    for entry_file in read_entry_files(entries):
        for claim in claims_of(entry_file.front):
            if claim.run:
                sides.setdefault(claim.run, set()).update(boundary_sides(claim, releases))
    return sides


def plan(only: list[str] | None, pips: list[str] | None) -> dict[str, list[str]]:
    """For each release, the scenario functions to run on it."""
    releases = [release.version for release in read_releases() if not release.yanked]
    functions = [name for name in swept_functions() if not only or name in only]
    work: dict[str, list[str]] = {version: list(functions) for version in last_patches(releases)}
    for name, sides in run_claim_sides(releases).items():
        for version in sides:
            names = work.setdefault(version, [])
            if name in functions and name not in names:
                names.append(name)
    # The few runs that date claims first, then the minors from the newest down.
    order = sorted(work, key=release_key, reverse=True)
    order.sort(key=lambda version: len(work[version]))
    return {version: work[version] for version in order if work[version] and (not pips or version in pips)}


_worker_lab: Lab | None = None


def worker_lab(cache: Path) -> Lab:
    """The world of this worker process: its index and servers serve every release it runs."""
    global _worker_lab
    if _worker_lab is None:
        _worker_lab = Lab(cache)
        Finalize(_worker_lab, _worker_lab.close, exitpriority=10)
        scenarios.build_index(_worker_lab, download_into_cache(cache, scenarios.PYTHON_FOR_PIP))
        _worker_lab.start_servers()
    return _worker_lab


def sweep_release(version: str, names: list[str], cache: Path) -> list[tuple[str, Run | str]]:
    """Run the scenarios on one release: each one's run, or why its set-up failed."""
    functions = swept_functions()
    lab = worker_lab(cache)
    shutil.rmtree(lab.stash, ignore_errors=True)  # the venvs of the release before
    results: list[tuple[str, Run | str]] = []
    for name in names:
        python, prepare = functions[name]
        target = Target(python or scenarios.python_for(version), version)
        try:
            text, command, exit_status = run_neutralised(lab, prepare, target, f"{name} on {version}")
        except (SystemExit, subprocess.TimeoutExpired) as failure:
            results.append((name, f"set-up failed: {str(failure).splitlines()[0]}"))
            continue
        results.append((name, Run(text, exit_status, command)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip", nargs="+", help="only these pip releases")
    parser.add_argument("--only", nargs="+", metavar="FUNCTION", help="only these scenario functions")
    parser.add_argument("--jobs", type=int, default=1, help="releases run at the same time")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where pip releases are downloaded")
    parser.add_argument("--store", type=Path, default=SWEEP_DIR, help="where the captures are kept")
    parser.add_argument("--merge", type=Path, metavar="STORE", help="only add another store's captures to --store")
    options = parser.parse_args()

    sweep = Sweep.load(options.store)
    if options.merge:
        for name, releases, run in Sweep.load(options.merge).all_outputs():
            for version in releases:
                sweep.record(name, version, run)
        sweep.save()
        return
    # A run already in the store is not made again: an interrupted sweep goes on where it stopped.
    work = {
        version: todo
        for version, names in plan(options.only, options.pip).items()
        if (todo := [name for name in names if sweep.output(name, version) is None])
    }
    download_into_cache(options.cache, work)
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        pending = {
            pool.submit(sweep_release, version, names, options.cache): version for version, names in work.items()
        }
        for done in as_completed(pending):
            version = pending[done]
            for name, result in done.result():
                if isinstance(result, Run):
                    sweep.record(name, version, result)
                else:
                    print(f"{name} on {version}: {result}", flush=True)
            sweep.save()
            print(f"{version}: {len(work[version])} scenarios, {time.monotonic() - started:.0f} s", flush=True)
    runs = sum(len(names) for names in work.values())
    stored = sum(1 for _ in sweep.all_outputs())
    print(f"{runs} runs on {len(work)} releases; {stored} distinct outputs stored")


if __name__ == "__main__":
    main()
