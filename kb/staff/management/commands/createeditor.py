import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

EDITORS = "Editors"
REVIEWERS = "Reviewers"


class Command(BaseCommand):
    stealth_options = ("stdin",)  # tests pass one that is not a terminal
    help = "Create a support staff account that logs in at /staff/login/: an editor, or a reviewer with --reviewer."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reviewer", action="store_true", help="may also publish and reject submitted changes")
        parser.add_argument("--password", help="asked for when left out and the command runs in a terminal")
        parser.add_argument("--email", default="")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="never prompt")

    def handle(self, *args, username: str, reviewer: bool, password: str | None, email: str, **options) -> None:
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            raise CommandError(f"There is already a user {username!r}.")
        if password is None:
            if not options["interactive"]:
                raise CommandError("Give --password, or leave out --no-input to be asked for one.")
            if not options.get("stdin", sys.stdin).isatty():
                raise CommandError("There is no terminal to ask for the password on: give --password.")
            password = ask_password()
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        group = Group.objects.get(name=REVIEWERS if reviewer else EDITORS)
        user = users.objects.create_user(username=username, email=email, password=password)
        user.groups.add(group)
        self.stdout.write(f"Created {username} in {group.name}; they log in at /staff/login/.")


def ask_password() -> str:
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        raise CommandError("The two passwords differ.")
    if not password:
        raise CommandError("The password is empty.")
    return password
