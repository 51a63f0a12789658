"""`ketacare ledger verify`: recompute the ledger's hash chain and balances, streaming; exit 1
naming the first bad entry. `ketacare ledger report --from --to --format csv|pdf [--out FILE]`:
the period report of a clinic, to a file or standard output."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketacare.accounts.models import Clinic
from ketacare.audit.log import record
from ketacare.ledger import reports
from ketacare.ledger.chain import verify_ledger


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (use YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Controlled-substance ledger tools: `ledger verify`, `ledger report`."
    # Read-only tools: skip the system checks (they load every URL and API schema, seconds
    # of start-up) so verify starts at once; `ketacare check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        verify = sub.add_parser(
            "verify",
            help="Recompute the hash chain and the balances; exit 1 naming the first bad entry.",
        )
        verify.add_argument("--chunk-size", type=int, default=5000, help="Rows fetched at a time")
        report = sub.add_parser("report", help="The period report as CSV or PDF.")
        report.add_argument("--from", dest="date_from", required=True, help="First day, YYYY-MM-DD")
        report.add_argument("--to", dest="date_to", required=True, help="Last day, YYYY-MM-DD")
        report.add_argument("--format", dest="fmt", choices=["csv", "pdf"], default="csv")
        report.add_argument("--out", help="File to write (default: standard output)")
        report.add_argument(
            "--clinic", help="Clinic slug (needed when the database holds several clinics)"
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            self.verify(options["chunk_size"])
        else:
            self.report(**options)

    def verify(self, chunk_size: int) -> None:
        started = time.monotonic()
        result = verify_ledger(chunk_size=max(100, chunk_size))
        elapsed = time.monotonic() - started
        if not result.ok:
            raise CommandError(
                f"{result.message} The entries from there on cannot be trusted; compare them "
                "with a backup."
            )
        self.stdout.write(self.style.SUCCESS(f"{result.message} ({elapsed:.1f} s)"))

    def report(
        self,
        *,
        date_from: str,
        date_to: str,
        fmt: str,
        out: str | None,
        clinic: str | None,
        **_: Any,
    ) -> None:
        start, end = _date(date_from), _date(date_to)
        if start > end:
            raise CommandError("--to must be on or after --from.")
        clinics = Clinic.objects.all()
        if clinic:
            chosen = clinics.filter(slug=clinic).first()
            if chosen is None:
                raise CommandError(f"No clinic with slug {clinic!r}.")
        else:
            if clinics.count() != 1:
                slugs = ", ".join(clinics.values_list("slug", flat=True)) or "none"
                raise CommandError(f"Choose a clinic with --clinic (clinics: {slugs}).")
            chosen = clinics.get()
        from ketacare.ledger import exports  # the PDF library loads only when a report is made

        report = reports.period_report(chosen, start, end)
        data: bytes = exports.to_pdf(report) if fmt == "pdf" else exports.to_csv(report).encode()
        record(
            action="export",
            obj=("ledger.Report", "period"),
            clinic_id=chosen.pk,
            detail=f"CLI: {report.title} {start} to {end} as {fmt.upper()}"
            + (f" to {out}" if out else ""),
        )
        if out:
            Path(out).write_bytes(data)
            self.stderr.write(f"Wrote {len(data)} bytes to {out}")
        elif fmt == "pdf" and sys.stdout.isatty():
            raise CommandError("A PDF goes to a file: add --out FILE.")
        elif fmt == "csv":
            self.stdout.write(data.decode(), ending="")
        else:
            self.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
