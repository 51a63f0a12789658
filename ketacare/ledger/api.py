"""Read-only ledger API at /api/v1/ledger/ for administrators and prescribers: products,
locations, lots, balances, entries (filterable), one entry, a patient's history, the period
report, loss cases and investigations. Every call is audited; anyone else gets 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.patients.selectors import get_patient_for

from . import reports, selectors
from .models import EntryKind

router = Router(tags=["ledger"])
MAX_LIMIT = 500


class ProductOut(Schema):
    id: int
    name: str
    form: str
    unit: str
    mg_per_unit: Decimal
    concentration_mg_per_ml: Decimal | None
    volume_ml: Decimal | None
    strength_mg: Decimal | None
    ndc: str
    schedule: str
    active: bool
    dea_registration: str


class LocationOut(Schema):
    id: int
    name: str
    kind: str
    active: bool
    dea_registration: str


class LotOut(Schema):
    id: int
    product_id: int
    product: str
    lot_number: str
    expires_on: dt.date
    dea_registration: str

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return str(obj.product.name)


class BalanceOut(Schema):
    lot_id: int
    lot_number: str
    product: str
    location_id: int
    location: str
    quantity: Decimal
    unit: str
    quantity_mg: Decimal


class EntryOut(Schema):
    id: int
    seq: int
    kind: str
    recorded_at: dt.datetime
    dea_registration: str
    product: str
    lot_id: int
    lot_number: str
    location_id: int
    location: str
    quantity: Decimal
    unit: str
    quantity_mg: Decimal
    balance_after: Decimal
    actor: str
    witness: str | None
    patient_id: int | None
    patient_name: str
    patient_address: str
    treatment_session_id: int | None
    counterparty_name: str
    counterparty_dea: str
    counterparty_address: str
    document_number: str
    received_on: dt.date | None
    directions: str
    reason: str
    corrects_id: int | None
    related_entry_id: int | None
    prev_hash: str
    hash: str


def _entry(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "seq": entry.seq,
        "kind": entry.kind,
        "recorded_at": entry.recorded_at,
        "dea_registration": entry.dea_registration,
        "product": entry.lot.product.name,
        "lot_id": entry.lot_id,
        "lot_number": entry.lot.lot_number,
        "location_id": entry.location_id,
        "location": entry.location.name,
        "quantity": entry.quantity,
        "unit": entry.lot.product.unit,
        "quantity_mg": entry.quantity_mg,
        "balance_after": entry.balance_after,
        "actor": entry.actor.email,
        "witness": entry.witness.email if entry.witness_id else None,
        "patient_id": entry.patient_id,
        "patient_name": entry.patient_name,
        "patient_address": entry.patient_address,
        "treatment_session_id": entry.treatment_session_id,
        "counterparty_name": entry.counterparty_name,
        "counterparty_dea": entry.counterparty_dea,
        "counterparty_address": entry.counterparty_address,
        "document_number": entry.document_number,
        "received_on": entry.received_on,
        "directions": entry.directions,
        "reason": entry.reason,
        "corrects_id": entry.corrects_id,
        "related_entry_id": entry.related_entry_id,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


class EntryQuery(Schema):
    q: str = ""
    kind: EntryKind | None = None
    lot: int | None = None
    location: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = 100
    offset: int = 0


class LossCaseOut(Schema):
    id: int
    kind: str
    entry_id: int
    discovered_at: dt.datetime
    description: str
    dea_notify_due: dt.datetime
    dea_notified_at: dt.datetime | None
    form_106_due: dt.date
    form_106_filed_on: dt.date | None
    form_106_number: str
    closed_at: dt.datetime | None
    overdue: bool


class InvestigationOut(Schema):
    id: int
    status: str
    opened_at: dt.datetime
    location: str
    lot_number: str
    expected: Decimal
    counted: Decimal
    difference: Decimal
    explanation: str
    resolved_at: dt.datetime | None
    adjustment_id: int | None


class SectionOut(Schema):
    title: str
    columns: list[str]
    rows: list[list[str]]


class ReportOut(Schema):
    title: str
    meta: list[tuple[str, str]]
    sections: list[SectionOut]


@router.get("/products", response=list[ProductOut], url_name="ledger_products")
def list_products(request: HttpRequest) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    record(action="list", obj=("ledger.Product", ""), detail="api")
    return list(selectors.products(user))


@router.get("/locations", response=list[LocationOut], url_name="ledger_locations")
def list_locations(request: HttpRequest) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    record(action="list", obj=("ledger.StorageLocation", ""), detail="api")
    return list(selectors.locations(user))


@router.get("/lots", response=list[LotOut], url_name="ledger_lots")
def list_lots(request: HttpRequest) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    record(action="list", obj=("ledger.Lot", ""), detail="api")
    return list(selectors.lots(user))


@router.get("/balances", response=list[BalanceOut], url_name="ledger_balances")
def list_balances(request: HttpRequest, include_empty: bool = False) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    qs = selectors.balances(user, include_empty=include_empty)
    record(action="list", obj=("ledger.StockBalance", ""), detail="api")
    return [
        {
            "lot_id": b.lot_id,
            "lot_number": b.lot.lot_number,
            "product": b.lot.product.name,
            "location_id": b.location_id,
            "location": b.location.name,
            "quantity": b.quantity,
            "unit": b.lot.product.unit,
            "quantity_mg": b.quantity_mg,
        }
        for b in qs
    ]


@router.get("/entries", response=list[EntryOut], url_name="ledger_entries")
def list_entries(request: HttpRequest, filters: Query[EntryQuery]) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    lot = selectors.lot_detail(user, filters.lot) if filters.lot else None
    location = selectors.location_detail(user, filters.location) if filters.location else None
    chosen = selectors.EntryFilters(
        q=filters.q[:100],
        kind=filters.kind or "",
        lot=lot,
        location=location,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    limit = max(1, min(filters.limit, MAX_LIMIT))
    offset = max(0, filters.offset)
    found = list(selectors.filtered_entries(user, chosen)[offset : offset + limit])
    record(
        action="list",
        obj=("ledger.LedgerEntry", ""),
        detail=f"api: {len(found)} shown; {chosen.describe()}"[:500],
    )
    return [_entry(entry) for entry in found]


@router.get("/entries/{entry_id}", response=EntryOut, url_name="ledger_entry")
def get_entry(request: HttpRequest, entry_id: int) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    entry = selectors.entry_detail(user, entry_id)
    record(action="view", obj=entry, patient=entry.patient_id, detail="api")
    return _entry(entry)


@router.get(
    "/patients/{patient_id}/history", response=list[EntryOut], url_name="ledger_patient_history"
)
def patient_history(request: HttpRequest, patient_id: int) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    patient = get_patient_for(user, patient_id)
    found = list(selectors.patient_entries(user, patient))
    record(
        action="view",
        obj=("ledger.LedgerEntry", ""),
        patient=patient,
        detail=f"api: patient ledger history, {len(found)} entries",
    )
    return [_entry(entry) for entry in found]


@router.get("/reports/period", response=ReportOut, url_name="ledger_period_report")
def period_report(request: HttpRequest, date_from: dt.date, date_to: dt.date) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    if date_from > date_to:
        raise HttpError(422, "date_to: must be on or after date_from.")
    if (date_to - date_from).days > 3 * 366:
        raise HttpError(422, "date_to: choose a period of at most three years.")
    report = reports.period_report(user.clinic, date_from, date_to)
    record(
        action="view",
        obj=("ledger.Report", "period"),
        detail=f"api: {report.title} {date_from} to {date_to}",
    )
    return {
        "title": report.title,
        "meta": report.meta,
        "sections": [
            {"title": s.title, "columns": s.columns, "rows": s.rows} for s in report.sections
        ],
    }


@router.get("/losses", response=list[LossCaseOut], url_name="ledger_losses")
def list_losses(request: HttpRequest) -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    overdue = {case.pk for case in selectors.overdue_loss_cases(user)}
    record(action="list", obj=("ledger.LossCase", ""), detail="api")
    return [
        {
            **{f: getattr(c, f) for f in LossCaseOut.model_fields if f not in ("overdue",)},
            "overdue": c.pk in overdue,
        }
        for c in selectors.loss_cases(user)
    ]


@router.get("/investigations", response=list[InvestigationOut], url_name="ledger_investigations")
def list_investigations(request: HttpRequest, status: str = "") -> Any:
    user: Any = request.user  # signed in: the API authenticates every call
    policy.require(user, policy.READ_LEDGER_REPORTS, user.clinic)
    qs = selectors.investigations(user, status=status)
    record(action="list", obj=("ledger.Investigation", ""), detail="api")
    return [
        {
            "id": i.pk,
            "status": i.status,
            "opened_at": i.opened_at,
            "location": i.count_line.count.location.name,
            "lot_number": i.count_line.lot.lot_number,
            "expected": i.count_line.expected,
            "counted": i.count_line.counted,
            "difference": i.count_line.difference,
            "explanation": i.explanation,
            "resolved_at": i.resolved_at,
            "adjustment_id": i.adjustment_id,
        }
        for i in qs
    ]
