import time
import urllib.error
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kb.catalogue import EntryFile, read_entry_files
from kb.management.commands.sync_pip_sources import pip_wheel
from kb.releases.dating import claim_sources, computed_pip_versions, quoted_texts, set_pip_versions
from kb.releases.matrix import (
    PYPI_SIMPLE_PIP,
    RELEASES_FILE,
    Release,
    ReleaseReader,
    read_releases,
    releases_on_pypi,
    write_releases,
)
from kb.releases.newrelease import new_release_report, write_report
from kb.releases.pipsource import WHEEL_CACHE_DIR, compare_releases, open_release
from kb.releases.textindex import INDEX_FILE, TextIndex, build_index


class Command(BaseCommand):
    help = (
        "Index every pip release from 8.0 to the newest: which releases hold each text the entries "
        "quote; write the computed pip_versions into the entry files and report what the newest release changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offline", action="store_true", help="use the committed release list, not PyPI's")
        parser.add_argument("--simple-url", default=PYPI_SIMPLE_PIP, help="pip's page of a simple API (a PyPI mirror)")
        parser.add_argument("--cache-dir", type=Path, default=WHEEL_CACHE_DIR, help="where pip wheels are kept")
        parser.add_argument("--entries", type=Path, default=settings.BASE_DIR / "fixtures" / "entries")

    def handle(self, *args, offline: bool, simple_url: str, cache_dir: Path, entries: Path, **options) -> None:
        started = time.monotonic()
        releases = read_releases() if offline else self.releases_on_pypi(simple_url)
        versions = [release.version for release in releases]
        files = read_entry_files(entries)
        fronts = [entry_file.front for entry_file in files]
        reader = ReleaseReader(claim_sources(fronts))
        release_texts = {version: reader.read(pip_wheel(version, cache_dir)) for version in versions}
        index = build_index(quoted_texts(fronts), claim_sources(fronts), release_texts, versions)
        INDEX_FILE.write_text(index.to_json(), encoding="utf-8")
        yanked = sum(release.yanked for release in releases)
        self.stdout.write(
            f"Indexed {len(index.ranges)} literals of {len(index.texts)} quoted texts in {len(versions)} releases "
            f"({yanked} yanked) in {time.monotonic() - started:.0f} s"
        )
        self.write_pip_versions(files, index)
        newest, previous = (pip_wheel(version, cache_dir) for version in versions[:-3:-1])
        report = new_release_report(files, index, compare_releases(open_release(previous), open_release(newest)))
        write_report(report)
        self.stdout.write(report.as_text())

    def releases_on_pypi(self, simple_url: str) -> list[Release]:
        try:
            releases = releases_on_pypi(simple_url)
        except (OSError, urllib.error.URLError) as error:
            raise CommandError(f"Could not list pip's releases on PyPI ({error}); use --offline.") from None
        except (ValueError, KeyError):
            raise CommandError(f"{simple_url} is no JSON simple API page (PEP 691); use --offline.") from None
        write_releases(releases, RELEASES_FILE)
        return releases

    def write_pip_versions(self, files: list[EntryFile], index: TextIndex) -> None:
        for entry_file in files:
            pip_versions = computed_pip_versions(entry_file.front, index)
            if set_pip_versions(entry_file.path, pip_versions):
                self.stdout.write(f"{entry_file.code}: pip_versions = {pip_versions or '(none)'}")
