"""Create the demo accounts (author, reviewer, admin) and print their passwords."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from editorial.roles import ADMINISTRATOR, AUTHOR, REVIEWER

ACCOUNTS = (
    ("author", AUTHOR, False),
    ("reviewer", REVIEWER, False),
    ("admin", ADMINISTRATOR, True),
)


class Command(BaseCommand):
    help = "Create or reset the demo accounts and print their new passwords."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="Address the site is served on, for the login hint.",
        )

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        self.stdout.write("Demo accounts (passwords are new on every run):")
        for username, role, is_superuser in ACCOUNTS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_staff = True
            user.is_superuser = is_superuser
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username:<9} {password}   ({role})")
        site = options["site"].rstrip("/")
        self.stdout.write(f"Public site: {site}/   Log in at {site}/admin/")
