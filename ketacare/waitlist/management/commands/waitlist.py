"""`ketacare waitlist invite [--dry-run]` invites the next people in line, as this week's
capacity allows; `ketacare waitlist expire` returns people whose invitation ran out to the
list. Both are what the worker's scheduled jobs run; the command is for a cron job, a first
look with --dry-run, or a clinic without the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ketacare.clinical.waitlist_priority import priority_on
from ketacare.waitlist import services
from ketacare.waitlist.models import Program


class Command(BaseCommand):
    help = "Work the waiting list: invite the next people in line, or expire old invitations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        invite = sub.add_parser(
            "invite", help="Invite the next people, within this week's capacity."
        )
        invite.add_argument(
            "--dry-run", action="store_true", help="Show who would be invited; change nothing."
        )
        invite.add_argument("--clinic", help="Only this clinic (slug).")
        invite.add_argument("--program", help="Only this program (slug).")
        invite.add_argument("--count", type=int, help="Invite at most this many per program.")
        sub.add_parser("expire", help="Return people whose invitation expired to the list.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "expire":
            expired = services.expire_invitations()
            self.stdout.write(
                f"{expired} expired invitation{'s' if expired != 1 else ''}: back on the list."
            )
            return
        programs = Program.objects.select_related("clinic").order_by("clinic_id", "id")
        if options.get("clinic"):
            programs = programs.filter(clinic__slug=options["clinic"])
        if options.get("program"):
            programs = programs.filter(slug=options["program"])
        if not programs.exists():
            if options.get("clinic") or options.get("program"):
                raise CommandError("No such program.")
            self.stdout.write("No waiting-list program yet: it is created with the first sign-up.")
            return
        count: int | None = options.get("count")
        if count is not None and count < 0:
            raise CommandError("--count must be 0 or more.")
        dry_run = options["dry_run"]
        now = timezone.now()
        for program in programs:
            run = services.invite_next(program=program, count=count, dry_run=dry_run, now=now)
            verb = "Would invite" if dry_run else "Invited"
            chosen = run.chosen if dry_run else [i.entry for i in run.invitations]
            left = run.places_left
            self.stdout.write(
                f"{program.clinic.name} / {program.name}: {verb} {len(chosen)}; "
                f"{left} place{'s' if left != 1 else ''} left this week"
                + (" (before these invitations)." if dry_run else ".")
            )
            for entry in chosen:
                score = priority_on(entry.priority_key, now, program.weights)
                # Ids and scores only: the terminal may be logged, names stay out of it.
                self.stdout.write(
                    f"  entry #{entry.pk}  priority {score:.1f}  "
                    f"waiting since {entry.waiting_since:%Y-%m-%d}"
                )
