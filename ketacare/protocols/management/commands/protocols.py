"""`ketacare protocols`: list each clinic's current protocols; `--load-defaults` gives every
clinic the reference protocols it lacks (new clinics get them when they are created)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ketacare.accounts.models import Clinic
from ketacare.protocols import selectors, services


class Command(BaseCommand):
    help = "List the clinics' dosing protocols; --load-defaults adds missing reference protocols."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--load-defaults",
            action="store_true",
            help="Give every clinic version 1 of each reference protocol it does not have.",
        )

    def handle(self, *args: Any, load_defaults: bool = False, **options: Any) -> None:
        for clinic in Clinic.objects.order_by("id"):
            if load_defaults:
                created = services.ensure_default_protocols(clinic)
                if created:
                    codes = ", ".join(p.code for p in created)
                    self.stdout.write(f"{clinic.name}: loaded {codes}.")
            self.stdout.write(f"{clinic.name}:")
            for protocol in selectors.current_protocols(clinic.pk):
                state = "" if protocol.active else " (not in use)"
                self.stdout.write(
                    f"  {protocol.code:<18} v{protocol.version}  {protocol.title}{state}"
                )
