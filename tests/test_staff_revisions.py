"""Revisions: drafts, review, publishing onto the entry, restoring, conflicts and the audit trail."""

from unittest import mock

from django.contrib.auth.models import Group, User
from django.test import TestCase
from django.utils import timezone

from kb.models import Entry
from kb.staff import revisions
from kb.staff.models import AuditEvent, Revision
from kb.staff.snapshots import blank_snapshot, snapshot_of
from tests.helpers import make_entry, make_signature

HASH_EXAMPLE = """\
pip 24.0 run:

```text
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.
```
"""


def make_staff(username: str, group: str | None = "Editors") -> User:
    user = User.objects.create_user(username=username)  # tests log in with force_login
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_editable_entry(code: str = "HASH_MISMATCH") -> Entry:
    entry = make_entry(code, meaning="The published meaning.", examples=HASH_EXAMPLE, symbols="HashMismatch")
    entry.causes.create(position=0, title="A cut download", body="The file was cut short.")
    make_signature(entry, "THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE")
    return entry


def changed(entry: Entry, **front) -> dict:
    """The entry's snapshot with some front-matter fields or sections replaced."""
    snapshot = snapshot_of(entry)
    for name, value in front.items():
        target = snapshot["sections"] if name in Entry.SECTIONS else snapshot["front"]
        target[name] = value
    return snapshot


class SnapshotTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.entry = make_editable_entry()
        cls.other = make_entry("HASH_MISSING")
        cls.entry.related.add(cls.other)

    def test_a_snapshot_holds_every_editable_part_of_the_entry(self):
        snapshot = snapshot_of(self.entry)
        self.assertEqual(snapshot["front"]["related"], ["HASH_MISSING"])
        self.assertEqual(snapshot["front"]["symbols"], ["HashMismatch"])
        self.assertEqual(snapshot["causes"], [["A cut download", "The file was cut short."]])
        self.assertEqual(snapshot["front"]["signatures"][0]["pattern"], self.entry.signatures.get().pattern)
        self.assertEqual(snapshot["sections"]["meaning"], "The published meaning.")

    def test_applying_a_snapshot_of_an_entry_changes_nothing(self):
        before = snapshot_of(self.entry)
        revisions.apply_snapshot(before, Entry.Status.PUBLISHED)
        self.assertEqual(snapshot_of(Entry.objects.get(pk=self.entry.pk)), before)


class RevisionWorkflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.reviewer = make_staff("rita", "Reviewers")
        cls.entry = make_editable_entry()

    def test_the_first_save_keeps_the_content_from_before_as_revision_one(self):
        revision = revisions.save_revision(self.entry, changed(self.entry, title="New"), self.editor, 0, "retitle")
        self.assertEqual(revision.number, 2)
        first = revision.base
        self.assertEqual((first.number, first.state, first.author), (1, "published", None))
        self.assertEqual(first.snapshot["front"]["title"], "Title of HASH_MISMATCH")
        self.assertEqual((first.message, first.reviewed is None), (revisions.FIRST_EDIT_MESSAGE, False))

    def test_the_content_of_a_draft_entry_before_its_first_save_is_kept_as_a_draft(self):
        Entry.objects.filter(pk=self.entry.pk).update(status=Entry.Status.DRAFT)
        revisions.save_revision(self.entry, changed(self.entry, title="New"), self.editor, 0, "retitle")
        first = self.entry.revisions.get(number=1)
        self.assertEqual((first.state, first.reviewed), ("draft", None))

    def test_a_saved_draft_leaves_the_published_entry_alone(self):
        revisions.save_revision(self.entry, changed(self.entry, meaning="Draft meaning."), self.editor, 0, "")
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.meaning, "The published meaning.")

    def test_publishing_a_submitted_revision_writes_it_onto_the_entry(self):
        draft = changed(self.entry, meaning="Better meaning.")
        draft["causes"] = [["A proxy rewrote the file", "Some proxies do."]]
        draft["front"]["signatures"].append(
            {"pattern": "Expected sha256", "regex": False, "detail": "", "only_if_failed": False}
        )
        revision = revisions.save_revision(self.entry, draft, self.editor, 0, "")
        revisions.submit(revision, self.editor)
        revisions.publish(revision, self.reviewer)
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.meaning, "Better meaning.")
        self.assertEqual(list(self.entry.causes.values_list("title", flat=True)), ["A proxy rewrote the file"])
        self.assertEqual(self.entry.signatures.count(), 2)
        revision.refresh_from_db()
        self.assertEqual((revision.state, revision.reviewer), ("published", self.reviewer))

    def test_publishing_a_revision_leaves_the_ones_saved_after_it_waiting(self):
        second = revisions.save_revision(self.entry, changed(self.entry, title="Second"), self.editor, 0, "")
        revisions.submit(second, self.editor)
        third = revisions.save_revision(self.entry, changed(self.entry, title="Third"), self.editor, 2, "")
        before = timezone.now()
        revisions.publish(second, self.reviewer)
        second.refresh_from_db()
        third.refresh_from_db()
        self.assertEqual((second.state, third.state), ("published", "draft"))
        self.assertGreaterEqual(second.reviewed, before)
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.title, "Second")

    def test_a_rejected_revision_folded_into_a_publish_stays_rejected(self):
        wrong = revisions.save_revision(self.entry, changed(self.entry, title="Wrong"), self.editor, 0, "")
        revisions.submit(wrong, self.editor)
        revisions.reject(wrong, self.reviewer, "The title must name the error.")
        rework = revisions.save_revision(self.entry, changed(self.entry, title="Reworked"), self.editor, 2, "")
        revisions.submit(rework, self.editor)
        revisions.publish(rework, self.reviewer)
        states = dict(self.entry.revisions.values_list("number", "state"))
        self.assertEqual(states, {1: "replaced", 2: "rejected", 3: "published"})

    def test_a_rejected_revision_keeps_the_reviewers_comment_and_changes_nothing(self):
        revision = revisions.save_revision(self.entry, changed(self.entry, title="Wrong"), self.editor, 0, "")
        revisions.submit(revision, self.editor)
        revisions.reject(revision, self.reviewer, "The title must name the error.")
        revision.refresh_from_db()
        self.entry.refresh_from_db()
        self.assertEqual((revision.state, revision.reviewer_comment), ("rejected", "The title must name the error."))
        self.assertEqual(self.entry.title, "Title of HASH_MISMATCH")

    def test_restoring_makes_a_new_draft_from_the_old_snapshot(self):
        second = revisions.save_revision(self.entry, changed(self.entry, title="Second"), self.editor, 0, "")
        revisions.save_revision(self.entry, changed(self.entry, title="Third"), self.editor, second.number, "")
        restored = revisions.restore(second, self.editor, base_number=3)
        self.assertEqual((restored.number, restored.state), (4, "draft"))
        self.assertEqual(restored.snapshot["front"]["title"], "Second")
        self.assertEqual(Revision.objects.filter(entry=self.entry).count(), 4)
        self.assertEqual(AuditEvent.objects.get(revision=restored).action, "restored")

    def test_the_editor_starts_from_the_newest_revision_or_the_entry_before_its_first_edit(self):
        self.assertEqual(revisions.editable_content(self.entry), (snapshot_of(self.entry), 0))
        self.assertIsNone(revisions.started_from(self.entry, 0))
        second = revisions.save_revision(self.entry, changed(self.entry, title="Second"), self.editor, 0, "")
        self.assertEqual(revisions.editable_content(self.entry), (second.snapshot, 2))
        self.assertEqual([revisions.started_from(self.entry, base).number for base in (0, 1, 2)], [1, 1, 2])

    def test_readers_see_a_published_entry_and_nothing_of_a_new_one(self):
        self.assertEqual(revisions.live_content(self.entry), snapshot_of(self.entry))
        new = revisions.create_entry(changed(self.entry, code="HASH_UNPINNED"), self.editor, "").entry
        self.assertEqual(revisions.live_content(new), blank_snapshot())

    def test_a_save_from_an_older_revision_raises_a_conflict_and_saves_nothing(self):
        revisions.save_revision(self.entry, changed(self.entry, title="First editor"), self.editor, 0, "")
        with self.assertRaises(revisions.RevisionConflict) as caught:
            revisions.save_revision(self.entry, changed(self.entry, title="Second editor"), self.reviewer, 0, "")
        self.assertEqual(caught.exception.newest.number, 2)
        self.assertEqual(self.entry.revisions.count(), 2)

    def test_when_two_saves_pass_the_check_together_the_revision_number_stops_the_second(self):
        first = revisions.save_revision(self.entry, changed(self.entry, title="First"), self.editor, 0, "")
        stale, newest = first.base, first
        checks = mock.patch.object(revisions, "newest_revision", side_effect=[stale, newest])
        with checks, self.assertRaises(revisions.RevisionConflict) as caught:
            revisions.save_revision(self.entry, changed(self.entry, title="Second"), self.reviewer, 1, "")
        self.assertEqual(caught.exception.newest, newest)
        self.assertEqual(self.entry.revisions.count(), 2)

    def test_a_new_entry_is_a_hidden_draft_with_its_first_revision(self):
        snapshot = changed(self.entry, code="HASH_UNPINNED", title="Unpinned")
        revision = revisions.create_entry(snapshot, self.editor, "new")
        self.assertEqual((revision.number, revision.entry.status), (1, "draft"))
        self.assertFalse(Entry.objects.published().filter(code="HASH_UNPINNED").exists())

    def test_every_step_is_in_the_audit_trail(self):
        revision = revisions.save_revision(self.entry, changed(self.entry, title="Audited"), self.editor, 0, "")
        revisions.submit(revision, self.editor)
        revisions.publish(revision, self.reviewer)
        actions = list(AuditEvent.objects.order_by("pk").values_list("actor__username", "action", "entry__code"))
        self.assertEqual(
            actions,
            [
                ("eddie", "changed", "HASH_MISMATCH"),
                ("eddie", "submitted", "HASH_MISMATCH"),
                ("rita", "published", "HASH_MISMATCH"),
            ],
        )


class RevisionAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = User.objects.create_superuser("root")
        entry = make_editable_entry()
        cls.revision = revisions.save_revision(entry, snapshot_of(entry), make_staff("eddie"), 0, "")

    def test_the_admin_cannot_delete_or_change_a_revision(self):
        self.client.force_login(self.admin)
        url = f"/admin/staff/revision/{self.revision.pk}/delete/"
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertTrue(Revision.objects.filter(pk=self.revision.pk).exists())


class AuditPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.other_editor = make_staff("olga")
        mismatch, missing = make_editable_entry(), make_editable_entry("HASH_MISSING")
        revisions.save_revision(mismatch, snapshot_of(mismatch), cls.editor, 0, "")
        revisions.save_revision(missing, snapshot_of(missing), cls.other_editor, 0, "")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_audit_list_shows_who_did_what_to_which_entry(self):
        response = self.client.get("/staff/audit/")
        self.assertContains(response, "<td>eddie</td><td>changed</td>")
        self.assertContains(response, "<code>HASH_MISSING</code> revision 2")

    def test_the_audit_list_filters_by_entry_and_by_person(self):
        by_entry = self.client.get("/staff/audit/?entry=hash_missing")
        self.assertContains(by_entry, "<code>HASH_MISSING</code>")
        self.assertNotContains(by_entry, "<code>HASH_MISMATCH</code>")
        by_person = self.client.get("/staff/audit/?person=Eddie")
        self.assertContains(by_person, "<code>HASH_MISMATCH</code>")
        self.assertNotContains(by_person, "olga")

    def test_the_audit_list_shows_the_message_a_revision_was_saved_with(self):
        entry = Entry.objects.get(code="HASH_MISMATCH")
        base = revisions.newest_revision(entry).number
        revisions.save_revision(entry, changed(entry, title="Typo fixed"), self.editor, base, "Fixed the typo")
        self.assertContains(self.client.get("/staff/audit/"), "<td>“Fixed the typo”</td>")

    def test_the_audit_list_runs_a_fixed_number_of_queries(self):
        with self.assertNumQueries(6):  # session, user, the user's and the groups' permissions, count, events
            self.client.get("/staff/audit/")

    def test_the_history_lists_every_revision_with_its_actions(self):
        response = self.client.get("/staff/entries/pip/HASH_MISMATCH/history/")
        self.assertContains(response, "Revision 2")
        self.assertContains(response, "From the catalogue")
        self.assertContains(response, "Submit for review")
        self.assertContains(response, "Restore as a new draft")
        self.assertNotContains(response, "Publish revision")

    def test_two_revisions_are_compared_field_by_field(self):
        entry = Entry.objects.get(code="HASH_MISMATCH")
        revisions.save_revision(entry, changed(entry, title="A <b>new</b> title"), self.editor, 2, "")
        response = self.client.get("/staff/entries/pip/HASH_MISMATCH/compare/?old=2&new=3")
        self.assertContains(response, "<h3>Title</h3>")
        self.assertContains(response, "&lt;b&gt;new&lt;/b&gt;")
        self.assertNotContains(response, "<h3>Summary</h3>")

    def test_comparing_with_a_revision_the_entry_does_not_have_names_it(self):
        other = Entry.objects.get(code="HASH_MISSING")
        base = revisions.newest_revision(other).number
        third = revisions.save_revision(other, changed(other, title="Only here"), self.other_editor, base, "")
        for query, missing in [("old=2&new=9", 9), (f"old={third.number}&new=2", third.number)]:
            with self.subTest(query=query):
                response = self.client.get(f"/staff/entries/pip/HASH_MISMATCH/compare/?{query}")
                self.assertContains(response, f"<code>HASH_MISMATCH</code> has no revision {missing};", status_code=404)

    def test_comparing_with_something_that_is_not_a_revision_number_asks_for_two(self):
        for query in ["old=two&new=2", "old=2", "old=0&new=2", "old=2.5&new=2"]:
            with self.subTest(query=query):
                response = self.client.get(f"/staff/entries/pip/HASH_MISMATCH/compare/?{query}")
                self.assertContains(response, "Give two revision numbers to compare.", status_code=400)
