from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kb.management.commands.sync_pip_sources import open_location, pip_wheel
from kb.models import Entry
from kb.releases.coverage import CoverageReport, EntryCoverage, codes_by_tier, coverage
from kb.releases.pipsource import WHEEL_CACHE_DIR, fixture_versions


class Command(BaseCommand):
    help = (
        "List pip errors with no published entry: codes.md's codes by tier, and the newest pip "
        "release's exception classes and diagnostic references. Exits 1 when any is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tier", type=int, help="check only this tier of codes.md (no pip release check)")
        parser.add_argument("--codes", type=Path, default=settings.BASE_DIR / "fixtures" / "codes.md")
        parser.add_argument("--wheel", type=Path, help="a pip wheel or directory instead of the newest synced release")
        parser.add_argument("--cache-dir", type=Path, default=WHEEL_CACHE_DIR)

    def handle(self, *args, tier: int | None, codes: Path, wheel: Path | None, cache_dir: Path, **options) -> None:
        try:
            tiers = codes_by_tier(codes.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {codes}: {error.strerror}") from None
        if tier is not None:
            if tier not in tiers:
                raise CommandError(f"{codes} has no Tier {tier}; it has tiers {sorted(tiers)}")
            tiers = {tier: tiers[tier]}
        release = None if tier is not None else open_location(wheel or self.newest_wheel(cache_dir))
        entries = [EntryCoverage(entry.code, frozenset(entry.symbol_list)) for entry in Entry.objects.published()]
        report = coverage(entries, tiers, release)
        self.print_report(report, tiers, release.version if release else None)
        if not report.complete:
            raise SystemExit(1)

    def newest_wheel(self, cache_dir: Path) -> Path:
        versions = fixture_versions(settings.BASE_DIR / "fixtures" / "pip_sources")
        if not versions:
            raise CommandError("No synced pip release: run sync_pip_sources first, or pass --wheel.")
        return pip_wheel(versions[-1], cache_dir)

    def print_report(self, report: CoverageReport, tiers: dict[int, list[str]], version: str | None) -> None:
        for tier, wanted in sorted(tiers.items()):
            missing = report.missing_codes[tier]
            self.stdout.write(f"Tier {tier}: {len(wanted) - len(missing)}/{len(wanted)} codes have a published entry")
            self.list_missing(missing)
        if version is not None:
            self.stdout.write(f"pip {version}: {len(report.missing_classes)} exception classes without an entry")
            self.list_missing(report.missing_classes)
            self.stdout.write(f"pip {version}: {len(report.missing_references)} diagnostic references without an entry")
            self.list_missing(report.missing_references)
        self.stdout.write("Complete." if report.complete else "Incomplete.")

    def list_missing(self, names: list[str]) -> None:
        for name in names:
            self.stdout.write(f"  missing {name}")
