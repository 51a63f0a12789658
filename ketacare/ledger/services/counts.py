"""Physical counts by two staff members, and the investigations their differences open: an
administrator resolves each with an explanation and an adjustment entry."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal

from ..models import (
    THOUSANDTH,
    CountKind,
    EntryKind,
    InventoryCount,
    InventoryCountLine,
    Investigation,
    InvestigationStatus,
    StockBalance,
    StorageLocation,
)
from ..selectors import actor_clinic
from .base import Code, append, audit_entry, dea_registration, lock_head, required_text
from .witness import verify_second_person


def record_count(
    *,
    actor: User,
    location: StorageLocation,
    kind: str,
    counted: dict[int, Any],
    second_counter: User | None,
    second_counter_password: str,
    notes: str = "",
) -> InventoryCount:
    """A physical count by two staff members. Each lot at the location is compared with the
    book balance at the moment of the count; every difference opens an investigation."""
    policy.require(actor, policy.RECORD_LEDGER, location)
    if kind not in CountKind.values:
        raise Refusal("Choose the kind of count.", code=Code.INVALID_VALUE, field="kind")
    amounts: dict[int, Decimal] = {}
    for lot_id, value in counted.items():
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(THOUSANDTH):
            raise Refusal(
                "Enter what you counted: zero or more, at most three decimal places.",
                code=Code.INVALID_QUANTITY,
                field=f"lot_{lot_id}",
            )
        amounts[int(lot_id)] = amount.quantize(THOUSANDTH)
    second = verify_second_person(
        actor=actor,
        person=second_counter,
        password=second_counter_password,
        field="second_counter",
        what="second counter",
    )
    clinic = actor_clinic(actor)
    with transaction.atomic():
        dea = dea_registration(clinic)
        lock_head(clinic)
        balances = {
            b.lot_id: b
            for b in StockBalance.objects.filter(location=location).select_related("lot__product")
        }
        missing = set(balances) - set(amounts)
        missing = {lot_id for lot_id in missing if balances[lot_id].quantity != 0}
        if missing:
            raise Refusal(
                "Count every lot held at this location (the list changed: reload the form).",
                code=Code.INVALID_VALUE,
            )
        unknown = set(amounts) - set(balances)
        if unknown:
            raise NotFound("No such lot at this location.")
        now = timezone.now()
        count = InventoryCount.objects.create(
            clinic=clinic,
            dea_registration=dea,
            location=location,
            kind=kind,
            counted_at=now,
            counted_by=actor,
            second_counter=second,
            notes=(notes or "").strip(),
        )
        discrepancies = 0
        for lot_id, amount in sorted(amounts.items()):
            line = InventoryCountLine.objects.create(
                count=count, lot_id=lot_id, expected=balances[lot_id].quantity, counted=amount
            )
            if line.counted != line.expected:
                discrepancies += 1
                Investigation.objects.create(
                    clinic=clinic, dea_registration=dea, count_line=line, opened_at=now
                )
        record(
            actor=actor,
            action="create",
            obj=count,
            detail=f"{count.get_kind_display()} count of {location.name} with {second.email}: "
            f"{len(amounts)} lots, {discrepancies} discrepancies",
        )
    return count


def resolve_investigation(
    *, actor: User, investigation: Investigation, explanation: str
) -> Investigation:
    """An administrator closes a discrepancy: the explanation, and an adjustment entry that
    brings the book to what was counted."""
    policy.require(actor, policy.MANAGE_CLINIC, investigation)
    explanation = required_text(explanation, "explanation", "explanation")
    with transaction.atomic():
        lock_head(actor_clinic(actor))
        investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
        if investigation.status != InvestigationStatus.OPEN:
            raise Refusal("This investigation is already resolved.", code=Code.ALREADY_RESOLVED)
        line = investigation.count_line
        adjustment = append(
            actor=actor,
            kind=EntryKind.ADJUSTMENT,
            lot=line.lot,
            location=line.count.location,
            quantity=line.difference,
            reason=explanation,
            investigation_id=investigation.pk,
        )
        investigation.status = InvestigationStatus.RESOLVED
        investigation.explanation = explanation
        investigation.resolved_by = actor
        investigation.resolved_at = adjustment.recorded_at
        investigation.adjustment = adjustment
        investigation.save()
        audit_entry(
            adjustment,
            actor=actor,
            detail=f"resolves investigation {investigation.pk}",
        )
    return investigation
