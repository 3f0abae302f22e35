"""``manage.py createeditor``: staff accounts in the right group, never by self-registration."""

import io
from unittest import mock

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class CreateEditorTests(TestCase):
    def create(self, *args: str, stdin: io.StringIO | None = None) -> str:
        out = io.StringIO()
        call_command("createeditor", *args, stdout=out, stdin=stdin or Terminal())
        return out.getvalue()

    def test_it_makes_an_editor_who_can_log_in(self):
        output = self.create("eddie", "--password", "a-good-password")
        self.assertIn("Created eddie in Editors", output)
        user = User.objects.get(username="eddie")
        self.assertEqual(list(user.groups.values_list("name", flat=True)), ["Editors"])
        self.assertFalse(user.is_staff)
        response = self.client.post("/staff/login/", {"username": "eddie", "password": "a-good-password"})
        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)

    def test_reviewer_puts_the_account_in_the_reviewers_group(self):
        self.create("rita", "--reviewer", "--password", "a-good-password")
        self.assertTrue(User.objects.get(username="rita").has_perm("staff.publish_revision"))

    def test_it_asks_for_the_password_twice_when_none_is_given(self):
        with mock.patch("getpass.getpass", side_effect=["typed-password", "typed-password"]):
            self.create("eddie")
        self.assertTrue(User.objects.get(username="eddie").check_password("typed-password"))

    def test_a_weak_password_is_refused_with_the_reasons(self):
        with self.assertRaisesMessage(CommandError, "This password is too short. It must contain at least 10"):
            self.create("weak", "--password", "a")
        with self.assertRaisesMessage(CommandError, "This password is too common."):
            self.create("weak", "--password", "password123")
        self.assertFalse(User.objects.filter(username="weak").exists())

    def test_two_different_passwords_are_refused(self):
        with (
            mock.patch("getpass.getpass", side_effect=["one", "two"]),
            self.assertRaisesMessage(CommandError, "differ"),
        ):
            self.create("eddie")
        self.assertFalse(User.objects.filter(username="eddie").exists())

    def test_without_input_it_needs_a_password_option(self):
        with self.assertRaisesMessage(CommandError, "Give --password"):
            self.create("eddie", "--no-input")

    def test_without_a_terminal_it_asks_for_a_password_option_instead_of_failing(self):
        with self.assertRaisesMessage(
            CommandError, "There is no terminal to ask for the password on: give --password."
        ):
            self.create("eddie", stdin=io.StringIO())
        self.assertFalse(User.objects.filter(username="eddie").exists())

    def test_an_existing_username_is_refused(self):
        self.create("eddie", "--password", "a-good-password")
        with self.assertRaisesMessage(CommandError, "already a user 'eddie'"):
            self.create("eddie", "--password", "another-password")
