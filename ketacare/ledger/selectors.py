"""Reads of the ledger, scoped to the user's clinic and shaped for their page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from ketacare.accounts.models import Clinic, User
from ketacare.core import policy
from ketacare.core.errors import NotFound
from ketacare.core.roles import STAFF_ROLES

from .models import (
    GATE_COUNT_KINDS,
    CountKind,
    EntryKind,
    InventoryCount,
    Investigation,
    InvestigationStatus,
    LedgerEntry,
    LedgerSettings,
    LossCase,
    Lot,
    Product,
    StockBalance,
    StorageLocation,
)

BIENNIAL_INTERVAL_DAYS = 2 * 365


def actor_clinic(actor: User) -> Clinic:
    """The clinic a staff actor works in. Past the policy check a staff member always has one;
    an actor without one may see nothing of the ledger: `NotFound`, as the policy answers."""
    clinic = actor.clinic
    if clinic is None:
        raise NotFound()
    return clinic


def clinic_today(clinic: Clinic, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the clinic is."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(clinic.timezone)).date()


def ledger_settings(clinic: Clinic) -> LedgerSettings:
    """The clinic's ledger settings; the defaults (unsaved) when it has none yet."""
    found = LedgerSettings.objects.filter(clinic=clinic).first()
    if found is None:
        return LedgerSettings(
            clinic=clinic, require_opening_count=settings.LEDGER_REQUIRE_OPENING_COUNT
        )
    return found


def products(user: Any, *, active_only: bool = False) -> QuerySet[Product]:
    qs = Product.objects.filter(clinic_id=user.clinic_id)
    return qs.filter(active=True) if active_only else qs


def locations(user: Any, *, active_only: bool = False) -> QuerySet[StorageLocation]:
    qs = StorageLocation.objects.filter(clinic_id=user.clinic_id)
    return qs.filter(active=True) if active_only else qs


def lots(user: Any) -> QuerySet[Lot]:
    return Lot.objects.filter(clinic_id=user.clinic_id).select_related("product")


def staff(user: Any) -> QuerySet[User]:
    return User.objects.filter(clinic_id=user.clinic_id, role__in=list(STAFF_ROLES))


def witnesses(user: Any) -> QuerySet[User]:
    """Staff of the user's clinic who could witness or second-count for them."""
    return User.objects.filter(
        clinic_id=user.clinic_id,
        role__in=sorted(policy.roles_for(policy.WITNESS_LEDGER)),
        is_active=True,
    ).exclude(pk=user.pk)


def lot_detail(user: Any, lot_id: int) -> Lot:
    lot = lots(user).filter(pk=lot_id).first()
    if lot is None:
        raise NotFound("No such lot.")
    return lot


def location_detail(user: Any, location_id: int) -> StorageLocation:
    location = locations(user).filter(pk=location_id).first()
    if location is None:
        raise NotFound("No such location.")
    return location


def balances(
    user: Any, *, location: StorageLocation | None = None, include_empty: bool = True
) -> QuerySet[StockBalance]:
    """What each (lot, location) of the clinic holds; without the empty ones when asked."""
    qs = StockBalance.objects.filter(clinic_id=user.clinic_id).select_related(
        "lot__product", "location"
    )
    if location is not None:
        qs = qs.filter(location=location)
    return qs if include_empty else qs.exclude(quantity=0)


def entries(user: Any) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(clinic_id=user.clinic_id)
        .select_related("lot__product", "location", "actor", "witness", "patient")
        .order_by("-seq")
    )


@dataclass
class EntryFilters:
    q: str = ""
    kind: str = ""
    product: Product | None = None
    lot: Lot | None = None
    location: StorageLocation | None = None
    staff: User | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def describe(self) -> str:
        parts = [f"{name}={value}" for name, value in vars(self).items() if value not in ("", None)]
        return ", ".join(parts)


def day_bounds(clinic: Any, start: dt.date | None, end: dt.date | None) -> tuple[Any, Any]:
    """The instants that open `start` and close `end` (inclusive) in the clinic's time zone."""
    tz = ZoneInfo(clinic.timezone)
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=tz) if start else None
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if end else None
    return lower, upper


def filtered_entries(user: Any, filters: EntryFilters) -> QuerySet[LedgerEntry]:
    qs = entries(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.product is not None:
        qs = qs.filter(lot__product=filters.product)
    if filters.lot is not None:
        qs = qs.filter(lot=filters.lot)
    if filters.location is not None:
        qs = qs.filter(location=filters.location)
    if filters.staff is not None:
        qs = qs.filter(Q(actor=filters.staff) | Q(witness=filters.staff))
    lower, upper = day_bounds(user.clinic, filters.date_from, filters.date_to)
    if lower is not None:
        qs = qs.filter(recorded_at__gte=lower)
    if upper is not None:
        qs = qs.filter(recorded_at__lt=upper)
    for word in filters.q.split()[:5]:
        condition = (
            Q(lot__lot_number__icontains=word)
            | Q(lot__product__name__icontains=word)
            | Q(patient__first_name__icontains=word)
            | Q(patient__last_name__icontains=word)
            | Q(counterparty_name__icontains=word)
            | Q(document_number__icontains=word)
            | Q(reason__icontains=word)
            | Q(actor__full_name__icontains=word)
        )
        if word.isdigit():
            condition |= Q(seq=int(word))
        qs = qs.filter(condition)
    return qs


def patient_entries(user: Any, patient: Any) -> QuerySet[LedgerEntry]:
    """A patient's ledger history, oldest first."""
    return entries(user).filter(patient=patient).order_by("seq")


def entry_detail(user: Any, entry_id: int) -> LedgerEntry:
    """One entry of the user's clinic, with its corrections; `NotFound` otherwise."""
    entry = (
        entries(user)
        .select_related("corrects", "related_entry")
        .prefetch_related("corrections")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFound("No such entry.")
    return entry


def counts(user: Any) -> QuerySet[InventoryCount]:
    return InventoryCount.objects.filter(clinic_id=user.clinic_id).select_related(
        "location", "counted_by", "second_counter"
    )


def inventories(user: Any, *, limit: int = 20) -> QuerySet[InventoryCount]:
    """The latest biennial and on-demand inventories, for the reports page."""
    return counts(user).filter(kind__in=[CountKind.BIENNIAL, CountKind.ON_DEMAND])[:limit]


def count_detail(user: Any, count_id: int) -> InventoryCount:
    """One count of the user's clinic, with its lines; `NotFound` otherwise."""
    count = (
        counts(user)
        .prefetch_related("lines__lot__product", "lines__investigation")
        .filter(pk=count_id)
        .first()
    )
    if count is None:
        raise NotFound("No such count.")
    return count


def investigations(user: Any, *, status: str = "") -> QuerySet[Investigation]:
    """The clinic's investigations, all of them or those with `status` (open, resolved)."""
    qs = Investigation.objects.filter(clinic_id=user.clinic_id).select_related(
        "count_line__lot__product",
        "count_line__count__location",
        "count_line__count__counted_by",
        "count_line__count__second_counter",
        "resolved_by",
        "adjustment",
    )
    return qs.filter(status=status) if status else qs


def investigation_detail(user: Any, investigation_id: int) -> Investigation:
    investigation = investigations(user).filter(pk=investigation_id).first()
    if investigation is None:
        raise NotFound("No such investigation.")
    return investigation


def loss_cases(user: Any) -> QuerySet[LossCase]:
    return LossCase.objects.filter(clinic_id=user.clinic_id).select_related(
        "entry__lot__product", "entry__location", "entry__actor"
    )


def loss_case_detail(user: Any, case_id: int) -> LossCase:
    case = loss_cases(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound("No such case.")
    return case


def overdue_loss_cases(user: Any, now: dt.datetime | None = None) -> list[LossCase]:
    now = now or timezone.now()
    today = clinic_today(user.clinic, now)
    return list(
        loss_cases(user).filter(
            Q(dea_notified_at__isnull=True, dea_notify_due__lt=now)
            | Q(form_106_filed_on__isnull=True, form_106_due__lt=today)
        )
    )


def count_status_today(user: Any) -> list[dict[str, Any]]:
    """Each active location and whether today's opening count there is done."""
    clinic = user.clinic
    lower, _ = day_bounds(clinic, clinic_today(clinic), None)
    done = dict(
        InventoryCount.objects.filter(
            clinic_id=clinic.pk, kind__in=list(GATE_COUNT_KINDS), counted_at__gte=lower
        )
        .order_by("location_id", "counted_at")
        .values_list("location_id", "counted_at")
    )
    return [
        {"location": location, "counted_at": done.get(location.pk)}
        for location in locations(user, active_only=True)
    ]


def overview(user: Any) -> dict[str, Any]:
    """The ledger's home page: what is on hand where, and what needs attention."""
    rows = list(balances(user, include_empty=False))
    totals: dict[int, dict[str, Any]] = {}
    for row in rows:
        product = row.lot.product
        total = totals.setdefault(product.pk, {"product": product, "quantity": Decimal(0)})
        total["quantity"] += row.quantity
    for total in totals.values():
        total["mg"] = total["quantity"] * total["product"].mg_per_unit
    today = clinic_today(user.clinic)
    return {
        "balances": rows,
        "totals": list(totals.values()),
        "today": today,
        "count_status": count_status_today(user),
        "gate_on": ledger_settings(user.clinic).require_opening_count,
        "open_investigations": investigations(user).filter(status=InvestigationStatus.OPEN).count(),
        "open_losses": loss_cases(user).filter(closed_at__isnull=True).count(),
        "overdue_losses": overdue_loss_cases(user),
        "recent": list(entries(user)[:10]),
        "dea_registration": user.clinic.dea_registration,
    }


def biennial_status(user: Any) -> dict[str, Any]:
    last = counts(user).filter(kind=CountKind.BIENNIAL).order_by("-counted_at").first()
    due = None
    if last is not None:
        due = timezone.localtime(
            last.counted_at, ZoneInfo(user.clinic.timezone)
        ).date() + dt.timedelta(days=BIENNIAL_INTERVAL_DAYS)
    return {"last_biennial": last, "biennial_due": due}


__all__ = [
    "EntryFilters",
    "EntryKind",
    "actor_clinic",
    "balances",
    "biennial_status",
    "clinic_today",
    "count_detail",
    "counts",
    "entries",
    "entry_detail",
    "filtered_entries",
    "inventories",
    "investigation_detail",
    "investigations",
    "ledger_settings",
    "location_detail",
    "locations",
    "loss_case_detail",
    "loss_cases",
    "lot_detail",
    "lots",
    "overdue_loss_cases",
    "overview",
    "patient_entries",
    "products",
    "witnesses",
]


# --- Public face for other apps --------------------------------------------------------------
# What treatments reads of the ledger when a dose is drawn at the chair (no other app queries
# the ledger's models).


def clinic_keeps_stock(*, clinic_id: int | None) -> bool:
    """Does the clinic keep its stock in the ledger (any lot at all)? Then every dose is drawn
    from a lot there; otherwise the lot number is written down."""
    if clinic_id is None:
        return False
    return Lot.objects.filter(clinic_id=clinic_id).exists()


def lots_for_route(*, clinic_id: int | None, product_forms: set[str] | list[str]) -> QuerySet[Lot]:
    """The clinic's lots of products in use, in the forms a route draws from."""
    if clinic_id is None:
        return Lot.objects.none()
    return Lot.objects.filter(
        clinic_id=clinic_id, product__form__in=list(product_forms), product__active=True
    ).select_related("product")


def locations_in_use(*, clinic_id: int | None) -> QuerySet[StorageLocation]:
    """The clinic's storage locations in use, where a dose may be drawn from."""
    if clinic_id is None:
        return StorageLocation.objects.none()
    return StorageLocation.objects.filter(clinic_id=clinic_id, active=True)
