"""`ketacare audit verify`: walk the audit trail's hash chain and report the first break."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketacare.audit.log import iter_breaks
from ketacare.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit trail tools. `audit verify` checks that no row was edited, removed or forged."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "verify",
            help="Recompute the hash chain; exit 1 naming the first broken row, if any.",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            self.verify()

    def verify(self) -> None:
        # Counted first: rows appended while we walk are beyond the count and still checked.
        total = AuditEvent.objects.count()
        for chain_break in iter_breaks():
            raise CommandError(
                f"Audit chain broken at event #{chain_break.event_id}: {chain_break.reason}. "
                "The rows from there on cannot be trusted; compare them with a backup."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {total} events"))
