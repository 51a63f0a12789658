"""`ketacare treatments reminders`: email tomorrow's patients their reminder now (the worker
does it every hour; this is for a cron job or a first try)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ketacare.treatments import services


class Command(BaseCommand):
    help = "Treatment sessions: `reminders` emails the patients booked for tomorrow."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reminders"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        sent = services.send_reminders(earliest_hour=0)
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} queued.")
