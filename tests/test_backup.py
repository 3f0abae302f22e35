"""A backup made as the README says, restored into an empty database, brings everything back."""

import io
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase

from kb.models import Entry, LoadedFile, Signature
from kb.staff import revisions
from kb.staff.models import Revision, RootCauseCount, SharedLog
from tests.test_staff_revisions import changed, make_staff

# The README's backup command, without its output option.
BACKUP = [
    "dumpdata",
    "--natural-foreign",
    "--natural-primary",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
    "--exclude=admin.logentry",
    "--exclude=axes",
]


def restore_into_empty_sqlite(dump: Path) -> sqlite3.Connection:
    """``migrate`` and ``loaddata`` in a separate process, on a database file nothing else has touched."""
    database = dump.parent / "restored.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    for command in (["migrate", "--noinput"], ["loaddata", str(dump)]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env=environment,
            check=True,
            capture_output=True,
        )
    return sqlite3.connect(database)


class BackupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())
        entry = Entry.objects.get(code="HASH_MISMATCH")
        editor, reviewer = make_staff("eddie"), make_staff("rita", "Reviewers")
        revision = revisions.save_revision(entry, changed(entry, title="A swapped download"), editor, 0, "Clearer")
        revisions.submit(revision, editor)
        revisions.publish(revision, reviewer)
        SharedLog.objects.create(text="ERROR: something new", reason=SharedLog.Reason.UNMATCHED)
        RootCauseCount.objects.create(code="HASH_MISMATCH", day="2026-12-01", count=7)

    def test_a_restored_dump_has_every_published_entry_its_history_shared_logs_and_counts(self):
        dump = Path(tempfile.mkdtemp()) / "backup.json"
        call_command(*BACKUP, f"--output={dump}")
        restored = restore_into_empty_sqlite(dump)
        published = dict(restored.execute("SELECT code, title FROM kb_entry WHERE status = 'published'").fetchall())
        self.assertEqual(published, dict(Entry.objects.published().values_list("code", "title")))
        self.assertEqual(published["HASH_MISMATCH"], "A swapped download")
        history = restored.execute(
            "SELECT revision.number, revision.state, revision.message, author.username, reviewer.username"
            " FROM staff_revision revision JOIN kb_entry entry ON entry.id = revision.entry_id"
            " LEFT JOIN auth_user author ON author.id = revision.author_id"
            " LEFT JOIN auth_user reviewer ON reviewer.id = revision.reviewer_id"
            " WHERE entry.code = 'HASH_MISMATCH' ORDER BY revision.number"
        ).fetchall()
        expected = [
            (revision.number, revision.state, revision.message, username(revision.author), username(revision.reviewer))
            for revision in Revision.objects.filter(entry__code="HASH_MISMATCH").order_by("number")
        ]
        self.assertEqual(history, expected)
        self.assertEqual(len(history), 2)
        self.assertEqual(restored.execute("SELECT text FROM staff_sharedlog").fetchall(), [("ERROR: something new",)])
        self.assertEqual(
            restored.execute("SELECT code, count FROM staff_rootcausecount").fetchall(), [("HASH_MISMATCH", 7)]
        )
        groups = restored.execute(
            "SELECT user.username, grp.name FROM auth_user_groups link JOIN auth_user user ON user.id = link.user_id"
            " JOIN auth_group grp ON grp.id = link.group_id ORDER BY user.username"
        ).fetchall()
        self.assertEqual(groups, [("eddie", "Editors"), ("rita", "Reviewers")])
        self.assertEqual(restored.execute("SELECT COUNT(*) FROM kb_signature").fetchone()[0], Signature.objects.count())
        marks = restored.execute(
            "SELECT entry.code, loaded.content_hash FROM kb_loadedfile loaded"
            " JOIN kb_entry entry ON entry.id = loaded.entry_id"
        ).fetchall()
        self.assertEqual(dict(marks), dict(LoadedFile.objects.values_list("entry__code", "content_hash")))
        self.assertEqual(len(marks), Entry.objects.count())  # so the next load skips every unchanged file


def username(user: User | None) -> str | None:
    return user.username if user else None
