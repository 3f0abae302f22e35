import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kb.models import Entry
from kb.releases.pipsource import (
    FIXTURE_DIR,
    WHEEL_CACHE_DIR,
    ReleaseChanges,
    ReleaseIndex,
    cached_versions,
    cached_wheel,
    compare_releases,
    fixture_definitions,
    last_patch_of_each_minor,
    open_release,
    release_order,
    write_fixtures,
)
from kb.releases.sources import SyncResult, sync_release

PIP = [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check"]


class Command(BaseCommand):
    help = "Record where each pip release defines the symbols entries name (downloads the wheels it lacks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("versions", nargs="*", metavar="VERSION", help="pip releases to sync, e.g. 24.0")
        parser.add_argument(
            "--wheel",
            action="append",
            type=Path,
            default=[],
            metavar="PATH",
            help="a pip wheel or unpacked pip tree to sync, offline (repeatable)",
        )
        parser.add_argument("--cache-dir", type=Path, default=WHEEL_CACHE_DIR, help="where downloaded wheels are kept")
        parser.add_argument(
            "--all-minors",
            action="store_true",
            help="the last patch release of every minor since 20.0, among the VERSIONs if given, "
            "else among those on PyPI (or, offline, in the cache)",
        )
        parser.add_argument("--save-fixtures", action="store_true", help="write the synced releases' fixtures")
        parser.add_argument("--fixtures-dir", type=Path, default=FIXTURE_DIR)

    def handle(self, *args, versions: list[str], wheel: list[Path], cache_dir: Path, **options) -> None:
        self.verbosity = options["verbosity"]
        if options["all_minors"]:
            versions = last_patch_of_each_minor(versions or self.available_versions(cache_dir))
        locations = [self.wheel_for(version, cache_dir) for version in versions] + wheel
        if not locations:
            raise CommandError("Name the pip releases to sync, or use --all-minors or --wheel.")
        entries = list(Entry.objects.all())
        named_symbols = {symbol for entry in entries for symbol in entry.symbol_list}
        previous: ReleaseIndex | None = None
        results: list[SyncResult] = []
        fixtures = {}
        for index in sorted(map(open_location, locations), key=lambda index: release_order(index.version)):
            results.append(sync_release(entries, index.version, index.find))
            self.report_release(index, previous, results[-1])
            fixtures[index.version] = fixture_definitions(index, named_symbols)
            previous = index
        self.report_total(SyncResult.total(results), len(results))
        if options["save_fixtures"]:
            write_fixtures(options["fixtures_dir"], fixtures)
            self.report_fixtures(options["fixtures_dir"], len(fixtures))

    def available_versions(self, cache_dir: Path) -> list[str]:
        listing = subprocess.run([*PIP, "index", "versions", "pip"], capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            if line.startswith("Available versions:"):
                return [version.strip() for version in line.split(":", 1)[1].split(",")]
        cached = cached_versions(cache_dir)
        if not cached:
            raise CommandError(f"Could not list pip's releases (offline?) and {cache_dir} holds no pip wheel.")
        self.stderr.write(f"Could not list pip's releases on PyPI; using the wheels in {cache_dir}.")
        return cached

    def wheel_for(self, version: str, cache_dir: Path) -> Path:
        if cached_wheel(version, cache_dir) is None:
            self.stdout.write(f"Downloading pip {version}…")
        return pip_wheel(version, cache_dir)

    def report_release(self, index: ReleaseIndex, previous: ReleaseIndex | None, result: SyncResult) -> None:
        self.stdout.write(f"pip {index.version}: {result}")
        if result.missing:
            self.stdout.write(f"  {len(result.missing)} symbols of entries not in this release")
            if self.verbosity > 1:
                for code, symbol in sorted(result.missing):
                    self.stdout.write(f"    {code}: {symbol}")
        if previous is None:
            self.stdout.write(
                f"  {len(index.exception_classes)} exception classes, {len(index.diagnostics)} diagnostic references"
            )
        else:
            self.report_changes(compare_releases(previous, index))

    def report_changes(self, changes: ReleaseChanges) -> None:
        for label, names in (
            ("new exception classes", changes.new_exceptions),
            ("gone exception classes", changes.gone_exceptions),
            ("new diagnostic references", changes.new_references),
            ("gone diagnostic references", changes.gone_references),
        ):
            if names:
                self.stdout.write(f"  {label}: {', '.join(names)}")
        for name, old_path, new_path in changes.moved_exceptions:
            self.stdout.write(f"  moved: {name} from {old_path} to {new_path}")
        for reference, old_message, new_message in changes.changed_messages:
            self.stdout.write(f"  message of {reference} changed: {old_message!r} -> {new_message!r}")

    def report_total(self, total: SyncResult, release_count: int) -> None:
        self.stdout.write(f"Synced {release_count} releases: {total}")
        for code, symbol in sorted(total.missing):
            self.stdout.write(self.style.WARNING(f"{code}: symbol {symbol} is in none of these releases"))

    def report_fixtures(self, directory: Path, release_count: int) -> None:
        size = sum(path.stat().st_size for path in directory.glob("*.json"))
        self.stdout.write(f"Saved {release_count} releases' fixtures in {directory} ({size / 1_000_000:.1f} MB in all)")


def open_location(location: Path) -> ReleaseIndex:
    try:
        return open_release(location)
    except ValueError as error:
        raise CommandError(str(error)) from None


def pip_wheel(version: str, cache_dir: Path) -> Path:
    """The wheel of a pip release, downloaded from PyPI into the cache unless already there."""
    cached = cached_wheel(version, cache_dir)
    if cached:
        return cached
    download = [*PIP, "download", f"pip=={version}", "--no-deps", "--only-binary", ":all:", "-d", str(cache_dir)]
    completed = subprocess.run(download, capture_output=True, text=True)
    downloaded = cached_wheel(version, cache_dir)
    if completed.returncode != 0 or downloaded is None:
        reason = (completed.stderr.strip().splitlines() or ["no wheel was saved"])[-1]
        raise CommandError(f"Could not download pip {version}: {reason}")
    return downloaded
