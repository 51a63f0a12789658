"""The ledger's reports as plain tables (title, facts, sections of rows), so that one builder
serves the page, the CSV and the PDF: period report, running balance per lot, per-patient
history, per-staff summary and the inventory (count) report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from ketacare.accounts.models import STAFF_ROLES, Clinic, User

from .models import (
    THOUSANDTH,
    EntryKind,
    InventoryCount,
    InventoryCountLine,
    LedgerEntry,
    Lot,
    Product,
)
from .selectors import day_bounds


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    empty: str = "Nothing to show."


@dataclass
class Report:
    title: str
    filename: str
    meta: list[tuple[str, str]]
    sections: list[Section] = field(default_factory=list)


def qty(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).quantize(THOUSANDTH).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def when(value: dt.datetime | None, clinic: Clinic) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, ZoneInfo(clinic.timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _header(clinic: Clinic, *facts: tuple[str, str]) -> list[tuple[str, str]]:
    generated = when(timezone.now(), clinic)
    return [
        ("Registrant", clinic.name),
        ("DEA registration", clinic.dea_registration or "(not on file)"),
        *facts,
        ("Generated", generated),
    ]


def _entries_qs(clinic: Clinic) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(clinic=clinic)
        .select_related("lot__product", "location", "actor", "witness", "patient")
        .order_by("seq")
    )


def one_line(text: str) -> str:
    """A multi-line address as one line, its lines joined by commas."""
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def patient_name(entry: LedgerEntry) -> str:
    """The patient's name as the entry recorded it (the record's, on entries written before
    the ledger kept it)."""
    if entry.patient_name:
        return entry.patient_name
    return entry.patient.full_name if entry.patient else ""


ENTRY_COLUMNS = [
    "Seq",
    "Date and time",
    "Entry",
    "Product",
    "Lot",
    "Location",
    "Quantity",
    "Unit",
    "mg",
    "Balance after",
    "Recorded by",
    "Witness",
    "Patient",
    "Patient address",
    "Supplier / distributor",
    "Supplier / distributor address",
    "DEA no.",
    "Document",
    "Directions / reason",
]
ENTRY_NUMERIC = frozenset({0, 6, 8, 9})


def entry_row(entry: LedgerEntry, clinic: Clinic) -> list[str]:
    product = entry.lot.product
    notes = entry.directions or entry.reason
    if entry.corrects_id:
        notes = f"corrects entry {entry.corrects_id}: {notes}"
    return [
        str(entry.seq),
        when(entry.recorded_at, clinic),
        entry.get_kind_display(),
        product.name,
        entry.lot.lot_number,
        entry.location.name,
        qty(entry.quantity),
        product.unit,
        qty(entry.quantity_mg),
        qty(entry.balance_after),
        entry.actor.full_name,
        entry.witness.full_name if entry.witness else "",
        patient_name(entry),
        one_line(entry.patient_address),
        entry.counterparty_name,
        entry.counterparty_address,
        entry.counterparty_dea,
        entry.document_number,
        notes,
    ]


SUMMARY_KINDS = [
    (EntryKind.RECEIPT, "Received"),
    (EntryKind.TRANSFER_IN, "Transferred in"),
    (EntryKind.TRANSFER_OUT, "Transferred out"),
    (EntryKind.ADMINISTRATION, "Administered"),
    (EntryKind.DISPENSING, "Dispensed"),
    (EntryKind.WASTE, "Wasted"),
    (EntryKind.RETURN_TO_SUPPLIER, "Returned"),
    (EntryKind.REVERSE_DISTRIBUTOR, "Reverse distributor"),
    (EntryKind.LOSS, "Lost / stolen"),
    (EntryKind.ADJUSTMENT, "Adjustments"),
    (EntryKind.CORRECTION, "Corrections"),
]


def period_report(
    clinic: Clinic, start: dt.date, end: dt.date, *, product: Product | None = None
) -> Report:
    """Receipts, administrations, dispensing, waste, losses and balances between two dates
    (inclusive, in the clinic's time zone), per lot, followed by every entry of the period."""
    lower, upper = day_bounds(clinic, start, end)
    base = LedgerEntry.objects.filter(clinic=clinic)
    if product is not None:
        base = base.filter(lot__product=product)
    opening = dict(
        base.filter(recorded_at__lt=lower).values_list("lot").annotate(total=Sum("quantity"))
    )
    period = base.filter(recorded_at__gte=lower, recorded_at__lt=upper)
    moves: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for lot_id, kind, total in period.values_list("lot", "kind").annotate(total=Sum("quantity")):
        moves[lot_id][kind] = total
    lot_ids = {lot_id for lot_id, total in opening.items() if total} | set(moves)
    lots = Lot.objects.filter(pk__in=lot_ids).select_related("product")
    columns = ["Product", "Lot", "Expires", "Unit", "Opening"]
    columns += [label for _, label in SUMMARY_KINDS] + ["Closing", "Closing mg"]
    rows = []
    for lot in sorted(lots, key=lambda lot: (lot.product.name, lot.lot_number)):
        start_balance = opening.get(lot.pk) or Decimal(0)
        lot_moves = moves.get(lot.pk, {})
        closing = start_balance + sum(lot_moves.values(), Decimal(0))
        rows.append(
            [
                lot.product.name,
                lot.lot_number,
                lot.expires_on.isoformat(),
                lot.product.unit,
                qty(start_balance),
            ]
            + [
                qty(abs(lot_moves[kind]))
                if kind in lot_moves and kind not in (EntryKind.ADJUSTMENT, EntryKind.CORRECTION)
                else qty(lot_moves.get(kind))
                for kind, _ in SUMMARY_KINDS
            ]
            + [qty(closing), qty(closing * lot.product.mg_per_unit)]
        )
    entry_rows = [
        entry_row(entry, clinic)
        for entry in _entries_qs(clinic)
        .filter(pk__in=period.values("pk"))
        .iterator(chunk_size=2000)
    ]
    facts = [("Period", f"{start.isoformat()} to {end.isoformat()} (inclusive)")]
    if product is not None:
        facts.append(("Product", product.name))
    return Report(
        title="Controlled-substance period report",
        filename=f"ledger-period-{start.isoformat()}-{end.isoformat()}",
        meta=_header(clinic, *facts),
        sections=[
            Section(
                "Balances and movements by lot", columns, rows, frozenset(range(4, len(columns)))
            ),
            Section("Entries in the period", ENTRY_COLUMNS, entry_rows, ENTRY_NUMERIC),
        ],
    )


def lot_running_balance(clinic: Clinic, lot: Lot) -> Report:
    """Every entry of one lot in ledger order, with the balance at its location and the lot's
    balance across all locations after it."""
    columns = [
        "Seq",
        "Date and time",
        "Entry",
        "Location",
        "Change",
        "mg",
        "Balance at location",
        "Lot balance",
        "Lot balance mg",
        "Recorded by",
        "Witness",
        "Patient",
        "Reference",
    ]
    rows = []
    total = Decimal(0)
    mg_per_unit = lot.product.mg_per_unit
    for entry in _entries_qs(clinic).filter(lot=lot).iterator(chunk_size=2000):
        total += entry.quantity
        rows.append(
            [
                str(entry.seq),
                when(entry.recorded_at, clinic),
                entry.get_kind_display(),
                entry.location.name,
                qty(entry.quantity),
                qty(entry.quantity_mg),
                qty(entry.balance_after),
                qty(total),
                qty(total * mg_per_unit),
                entry.actor.full_name,
                entry.witness.full_name if entry.witness else "",
                patient_name(entry),
                entry.document_number or entry.reason or entry.directions,
            ]
        )
    return Report(
        title=f"Running balance: {lot.product.name}, lot {lot.lot_number}",
        filename=f"ledger-lot-{lot.lot_number}",
        meta=_header(
            clinic,
            ("Product", f"{lot.product.name} ({qty(mg_per_unit)} mg per {lot.product.unit})"),
            ("Lot", lot.lot_number),
            ("Expires", lot.expires_on.isoformat()),
            ("Balance now", f"{qty(total)} {lot.product.unit} ({qty(total * mg_per_unit)} mg)"),
        ),
        sections=[Section("Entries", columns, rows, frozenset({0, 4, 5, 6, 7, 8}))],
    )


def patient_history(clinic: Clinic, patient: Any) -> Report:
    """Everything administered to or dispensed for one patient, with linked waste and
    corrections."""
    rows = [
        entry_row(entry, clinic)
        for entry in _entries_qs(clinic).filter(patient=patient).iterator(chunk_size=2000)
    ]
    given = LedgerEntry.objects.filter(
        patient=patient, kind__in=[EntryKind.ADMINISTRATION, EntryKind.DISPENSING]
    ).aggregate(total=Sum("quantity_mg"))["total"]
    return Report(
        title=f"Administration and dispensing history: {patient.full_name}",
        filename=f"ledger-patient-{patient.pk}",
        meta=_header(
            clinic,
            ("Patient", f"{patient.full_name}, born {patient.date_of_birth:%Y-%m-%d}"),
            ("Address", one_line(patient.address) or "(none on file)"),
            ("Total administered and dispensed", f"{qty(abs(given or 0))} mg"),
        ),
        sections=[Section("Entries", ENTRY_COLUMNS, rows, ENTRY_NUMERIC)],
    )


def staff_summary(
    clinic: Clinic, start: dt.date | None = None, end: dt.date | None = None
) -> Report:
    """Per staff member: waste recorded and witnessed, count discrepancies they were part of,
    losses reported and corrections made. A pattern matters more than one event."""
    lower, upper = day_bounds(clinic, start, end)
    entries = LedgerEntry.objects.filter(clinic=clinic)
    counts = InventoryCountLine.objects.filter(count__clinic=clinic)
    if lower is not None:
        entries = entries.filter(recorded_at__gte=lower)
        counts = counts.filter(count__counted_at__gte=lower)
    if upper is not None:
        entries = entries.filter(recorded_at__lt=upper)
        counts = counts.filter(count__counted_at__lt=upper)
    stats: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(lambda: Decimal(0)))
    for actor, kind, n, mg in (
        entries.filter(kind__in=[EntryKind.WASTE, EntryKind.LOSS, EntryKind.CORRECTION])
        .values_list("actor", "kind")
        .annotate(n=Count("id"), mg=Sum("quantity_mg"))
    ):
        stats[actor][f"{kind}_n"] += n
        stats[actor][f"{kind}_mg"] += abs(mg)
    for witness, n in (
        entries.filter(kind=EntryKind.WASTE, witness__isnull=False)
        .values_list("witness")
        .annotate(n=Count("id"))
    ):
        stats[witness]["witnessed_n"] += n
    for line in counts.exclude(counted=F("expected")).select_related("lot__product", "count"):
        diff_mg = abs(line.difference_mg)
        for person_id in {line.count.counted_by_id, line.count.second_counter_id}:
            stats[person_id]["discrepancy_n"] += 1
            stats[person_id]["discrepancy_mg"] += diff_mg
    people = User.objects.filter(pk__in=stats.keys()) | User.objects.filter(
        clinic=clinic, role__in=list(STAFF_ROLES)
    )
    rows = []
    for person in people.distinct().order_by("full_name"):
        s = stats.get(person.pk, {})
        rows.append(
            [
                person.full_name,
                person.get_role_display(),
                qty(Decimal(s.get("waste_n", 0))),
                qty(s.get("waste_mg", Decimal(0))),
                qty(Decimal(s.get("witnessed_n", 0))),
                qty(Decimal(s.get("discrepancy_n", 0))),
                qty(s.get("discrepancy_mg", Decimal(0))),
                qty(Decimal(s.get("loss_n", 0))),
                qty(s.get("loss_mg", Decimal(0))),
                qty(Decimal(s.get("correction_n", 0))),
            ]
        )
    period = "all time"
    if start or end:
        period = f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"
    columns = [
        "Staff member",
        "Role",
        "Wastes recorded",
        "Waste mg",
        "Wastes witnessed",
        "Count discrepancies",
        "Discrepancy mg",
        "Losses reported",
        "Loss mg",
        "Corrections",
    ]
    return Report(
        title="Waste and discrepancies per staff member",
        filename="ledger-staff-summary",
        meta=_header(clinic, ("Period", period)),
        sections=[Section("Per staff member", columns, rows, frozenset(range(2, 10)))],
    )


def count_report(count: InventoryCount) -> Report:
    """An inventory: what two staff counted at one location, with the date and time of the
    count (21 CFR 1304.11: the biennial inventory records whether it was taken at the opening
    or close of business)."""
    clinic = count.clinic
    columns = [
        "Product",
        "NDC",
        "Form",
        "Lot",
        "Expires",
        "Unit",
        "Book quantity",
        "Counted",
        "Counted mg",
        "Difference",
        "Investigation",
    ]
    rows = []
    for line in count.lines.all():
        product = line.lot.product
        investigation = getattr(line, "investigation", None)
        status = ""
        if investigation is not None:
            status = f"{investigation.get_status_display()} (#{investigation.pk})"
        rows.append(
            [
                product.name,
                product.ndc,
                product.get_form_display(),
                line.lot.lot_number,
                line.lot.expires_on.isoformat(),
                product.unit,
                qty(line.expected),
                qty(line.counted),
                qty(line.counted * product.mg_per_unit),
                qty(line.difference),
                status,
            ]
        )
    return Report(
        title=f"Inventory count: {count.location.name}",
        filename=f"ledger-count-{count.pk}",
        meta=_header(
            clinic,
            ("Kind of count", count.get_kind_display()),
            ("Date and time of count", when(count.counted_at, clinic)),
            ("Location", count.location.name),
            ("Counted by", count.counted_by.full_name),
            ("Second counter", count.second_counter.full_name),
            ("Notes", count.notes or "—"),
        ),
        sections=[Section("Lots counted", columns, rows, frozenset({6, 7, 8, 9}))],
    )


def rows_of(sections: Iterable[Section]) -> int:
    return sum(len(section.rows) for section in sections)
