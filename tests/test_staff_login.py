"""Staff logins: password guessing is locked out per account and per client, and a login POST
never leaves the browser signed in as the person it was before."""

from datetime import timedelta

from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.test import TestCase, override_settings

PASSWORD = "a-good-password"
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


@override_settings(AXES_FAILURE_LIMIT=5)
class PasswordGuessingTests(TestCase):
    def setUp(self):  # not setUpTestData: the passwords must be hashed with the tests' fast hasher
        for username in ("eddie", "olga", "rita"):
            User.objects.create_user(username, password=PASSWORD)

    def log_in(self, username: str, password: str, address: str = ATTACKER):
        return self.client.post("/staff/login/", {"username": username, "password": password}, REMOTE_ADDR=address)

    def guess(self, username: str, times: int, address: str = ATTACKER) -> list[int]:
        return [self.log_in(username, f"guess-{number}", address).status_code for number in range(times)]

    def test_a_wrong_password_below_the_limit_just_says_it_does_not_match(self):
        response = self.log_in("eddie", "wrong")
        self.assertContains(response, "That username and password do not match an account.")
        self.assertEqual(self.log_in("eddie", PASSWORD).status_code, 302)

    def test_after_five_wrong_passwords_even_the_right_one_is_refused(self):
        self.assertEqual(self.guess("eddie", 5), [200, 200, 200, 200, 429])
        refused = self.log_in("eddie", PASSWORD)
        self.assertContains(refused, "Too many failed logins", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_account_stays_locked_from_another_address(self):
        self.guess("eddie", 5)
        self.client.cookies.clear()
        self.assertEqual(self.log_in("eddie", PASSWORD, address=OFFICE).status_code, 429)
        self.assertEqual(self.log_in("olga", PASSWORD, address=OFFICE).status_code, 302)

    def test_one_client_guessing_across_accounts_is_locked_out_too(self):
        for username in ("eddie", "olga", "nobody", "admin", "root"):
            self.guess(username, 1)
        self.assertEqual(self.log_in("rita", PASSWORD).status_code, 429)
        self.assertEqual(self.log_in("rita", PASSWORD, address=OFFICE).status_code, 302)

    @override_settings(KB_TRUSTED_PROXIES=1)
    def test_a_forwarded_address_that_is_no_address_does_not_break_the_login(self):
        forged = {"username": "eddie", "password": PASSWORD}
        response = self.client.post("/staff/login/", forged, HTTP_X_FORWARDED_FOR="10.0.0.1, not-an-address")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(AccessLog.objects.values_list("ip_address", flat=True)), [None])

    def test_the_lockout_ends_once_the_guessing_has_stopped_for_the_cool_off(self):
        self.guess("eddie", 5)
        AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(hours=1))
        self.assertEqual(self.log_in("eddie", PASSWORD, address=OFFICE).status_code, 302)


class SessionAcrossLoginsTests(TestCase):
    def setUp(self):
        self.first = User.objects.create_user("eddie", password=PASSWORD)
        self.second = User.objects.create_user("olga", password=PASSWORD)
        self.client.force_login(self.first)

    def test_opening_the_login_page_while_signed_in_goes_to_the_dashboard(self):
        self.assertRedirects(self.client.get("/staff/login/"), "/staff/", fetch_redirect_response=False)

    def test_a_failed_login_as_someone_else_ends_the_old_session(self):
        response = self.client.post("/staff/login/", {"username": "olga", "password": "wrong"})
        self.assertContains(response, "do not match an account")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(self.client.get("/staff/").status_code, 302)

    def test_a_login_as_someone_else_signs_in_only_as_them(self):
        self.client.post("/staff/login/", {"username": "olga", "password": PASSWORD})
        self.assertEqual(self.client.session["_auth_user_id"], str(self.second.pk))


class LoginPageTests(TestCase):
    def test_the_staff_style_sheet_is_linked_in_the_head_not_the_body(self):
        html = self.client.get("/staff/login/").content.decode()
        head, body = html.split("</head>")
        self.assertIn('href="/static/staff/staff.css"', head)
        self.assertNotIn("<link", body)
