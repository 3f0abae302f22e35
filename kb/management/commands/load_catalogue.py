from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.catalogue import EntryFileError
from kb.staff.loading import load_catalogue


class Command(BaseCommand):
    help = (
        "Create or update the knowledge base's entries from fixtures/entries/ (and their source references). "
        "A file changed after staff changed its entry becomes a revision waiting for review, never an overwrite."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", type=Path, default=settings.BASE_DIR / "fixtures" / "entries")

    def handle(self, *args, dir: Path, **options) -> None:
        try:
            report = load_catalogue(dir)
        except EntryFileError as error:
            raise CommandError(str(error)) from None
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(str(report))
