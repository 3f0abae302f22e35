"""Who may do what: anonymous readers, people without a role, editors and reviewers, on every staff URL."""

from django.contrib.auth.models import User
from django.test import Client, TestCase

from kb.staff import revisions
from kb.staff.models import SharedLog
from kb.staff.snapshots import snapshot_of
from tests.test_staff_revisions import make_editable_entry, make_staff

ENTRY = "/staff/entries/pip/HASH_MISMATCH/"
# (method, url, does an editor may use it); reviewers may use every one.
STAFF_URLS = [
    ("get", "/staff/", True),
    ("get", "/staff/entries/new/", True),
    ("post", "/staff/entries/new/", True),
    ("get", ENTRY + "edit/", True),
    ("post", ENTRY + "edit/", True),
    ("get", ENTRY + "history/", True),
    ("get", ENTRY + "compare/?old=1&new=2", True),
    ("post", ENTRY + "revisions/2/submit/", True),
    ("post", ENTRY + "revisions/1/restore/", True),
    ("post", ENTRY + "revisions/3/publish/", False),
    ("post", ENTRY + "revisions/4/reject/", False),
    ("post", "/staff/preview/", True),
    ("get", "/staff/audit/", True),
    ("get", "/staff/logs/", True),
    ("get", "/staff/logs/{log}/", True),
    ("get", "/staff/logs/{log}/signature/?entry=pip/HASH_MISMATCH", True),
    ("post", "/staff/logs/{log}/triaged/", True),
    ("post", "/staff/logs/{log}/dismissed/", True),
    ("get", "/staff/stats/", True),
]


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie")
        cls.reviewer = make_staff("rita", "Reviewers")
        cls.nobody = make_staff("nora", group=None)
        entry = make_editable_entry()
        second = revisions.save_revision(entry, snapshot_of(entry), cls.editor, 0, "")
        for base in (second.number, second.number + 1):
            revisions.submit(revisions.save_revision(entry, snapshot_of(entry), cls.editor, base, ""), cls.editor)
        cls.log = SharedLog.objects.create(text="ERROR: something", reason="unmatched")

    def request(self, client: Client, method: str, url: str):
        return getattr(client, method)(url.format(log=self.log.pk))

    def test_anonymous_people_are_sent_to_the_login_page_from_every_staff_url(self):
        for method, url, _ in STAFF_URLS:
            with self.subTest(method=method, url=url):
                response = self.request(self.client, method, url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith("/staff/login/?next="))

    def test_people_without_a_staff_role_are_refused_everywhere(self):
        self.client.force_login(self.nobody)
        for method, url, _ in STAFF_URLS:
            with self.subTest(method=method, url=url):
                self.assertEqual(self.request(self.client, method, url).status_code, 403)

    def test_editors_may_edit_but_not_publish_or_reject(self):
        self.client.force_login(self.editor)
        for method, url, editor_may in STAFF_URLS:
            with self.subTest(method=method, url=url):
                status = self.request(self.client, method, url).status_code
                self.assertEqual(status == 403, not editor_may, f"{method} {url} answered {status}")

    def test_reviewers_may_use_every_staff_url(self):
        self.client.force_login(self.reviewer)
        for method, url, _ in STAFF_URLS:
            with self.subTest(method=method, url=url):
                response = self.request(self.client, method, url)
                self.assertNotIn(response.status_code, (403, 404, 405))
                self.assertFalse(response.get("Location", "").startswith("/staff/login/"))

    def test_every_staff_form_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.reviewer)
        for method, url, _ in STAFF_URLS:
            if method == "post":
                with self.subTest(url=url):
                    self.assertEqual(self.request(client, method, url).status_code, 403)
        self.assertEqual(client.post("/staff/logs/share/", {"log": "x", "reason": "unmatched"}).status_code, 403)

    def test_the_login_page_is_styled_like_the_site_and_offers_no_registration(self):
        response = self.client.get("/staff/login/")
        self.assertContains(response, 'href="/static/kb/site.css"')
        self.assertContains(response, 'autocomplete="current-password"')
        self.assertNotContains(response, "register", status_code=200)

    def test_an_editor_logs_in_and_lands_on_the_staff_dashboard(self):
        self.editor.set_password("a-good-password")
        self.editor.save()
        response = self.client.post("/staff/login/", {"username": "eddie", "password": "a-good-password"})
        self.assertRedirects(response, "/staff/")

    def test_the_editors_group_has_exactly_the_editing_permissions(self):
        editor_permissions = User.objects.get(username="eddie").get_all_permissions()
        self.assertIn("kb.change_entry", editor_permissions)
        self.assertNotIn("staff.publish_revision", editor_permissions)
        self.assertIn("staff.publish_revision", User.objects.get(username="rita").get_all_permissions())
