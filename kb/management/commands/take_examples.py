from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kb.catalogue import example_logs, read_entry_files
from kb.releases.examples import example_sources, source_problems, with_captured_examples


class Command(BaseCommand):
    help = (
        "Write each entry's ```text examples from the captured logs its [[examples]] name "
        "(tests/logs/, paths already neutral); --check only reports the blocks that differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="change no file; fail when a block differs")
        parser.add_argument("--entries", type=Path, default=settings.BASE_DIR / "fixtures" / "entries")

    def handle(self, *args, check: bool, entries: Path, **options) -> None:
        captured = by_hand = rewritten = 0
        problems = []
        for entry_file in read_entry_files(entries):
            sources = example_sources(entry_file.front)
            captured += sum(bool(source.log) for source in sources)
            by_hand += sum(bool(source.not_captured) for source in sources)
            blocks = example_logs(entry_file.sections.get("examples", ""))
            found = source_problems(entry_file.front, blocks)
            if not found:
                continue
            if check or len(sources) != len(blocks):
                problems += [f"{entry_file.code}: {problem}" for problem in found]
                continue
            text = entry_file.path.read_text(encoding="utf-8")
            entry_file.path.write_text(with_captured_examples(text, entry_file.front), encoding="utf-8")
            rewritten += 1
        self.stdout.write(
            f"{captured} examples from captures, {by_hand} marked not captured; {rewritten} files rewritten"
        )
        if problems:
            raise CommandError("\n".join(problems))
