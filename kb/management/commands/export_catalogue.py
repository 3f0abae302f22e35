from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.catalogue import EntryFileError
from kb.models import Entry
from kb.staff.exporting import export_catalogue


class Command(BaseCommand):
    help = (
        "Write the published entries (or the one named) back to fixtures/entries/ in the files' own format, "
        "so edits made in /staff/ can be committed. Files of unchanged entries stay byte for byte."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", nargs="?", help="only this entry's file, e.g. HASH_MISMATCH")
        parser.add_argument("--tool", default="pip")
        parser.add_argument("--dir", type=Path, default=settings.BASE_DIR / "fixtures" / "entries")

    def handle(self, *args, code: str | None, tool: str, dir: Path, **options) -> None:
        entries = Entry.objects.select_related("tool", "category").prefetch_related(
            "related", "refines", "signatures", "causes"
        )
        if code:
            entries = entries.filter(tool__slug=tool, code=code.upper())
            if not entries:
                raise CommandError(f"There is no {tool} entry with the code {code.upper()}.")
        else:
            entries = entries.published()
        try:
            report = export_catalogue(dir, list(entries))
        except EntryFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(report))
