"""`ketacare demo`: load the demo clinic, its five logins and a few patients."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketacare.accounts.models import User
from ketacare.web.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Load demo data: the 'Demo Ketamine Clinic', one login per role "
        f"(password {DEMO_PASSWORD!r}, no MFA) and a few patients. Safe to run twice. "
        "Refused when DEBUG is off unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off (never on a clinic's real server).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any user exists already (used by `make run`).",
        )

    def handle(
        self, *args: Any, force: bool = False, if_empty: bool = False, **options: Any
    ) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("Users exist already: demo data not loaded.")
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: its logins have a published "
                "password. Set DEBUG=1 for a local demo, or pass --force if you really mean it."
            )
        result = load_demo()
        if result.created or result.updated:
            changes = ", ".join([*result.created, *(f"updated {u}" for u in result.updated)])
            self.stdout.write(f"Demo data loaded: {changes}.")
        else:
            self.stdout.write("Demo data already loaded: nothing to change.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.clinic.name}: {len(result.users)} logins, "
                f"{len(result.patients)} patients. Sign in with any of:"
            )
        )
        for user in result.users.values():
            self.stdout.write(f"  {user.email:<28} ({user.get_role_display()})")
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
