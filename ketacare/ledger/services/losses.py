"""Losses and thefts: the missing stock leaves the ledger and a case opens with its DEA
deadlines (notification within one business day, Form 106 within 45 days); an administrator
records the follow-up until the case closes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import Refusal

from .. import deadlines
from ..models import EntryKind, LossCase, LossKind, Lot, StorageLocation
from ..selectors import actor_clinic, clinic_today
from .base import Code, append, audit_entry, check_in_use, required_text, to_quantity


def report_loss(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    quantity: Any,
    kind: str,
    discovered_at: dt.datetime,
    description: str,
    police_report: str = "",
) -> LossCase:
    """A loss or theft: the missing stock leaves the ledger and a case opens with its DEA
    deadlines (notification within one business day, Form 106 within 45 days)."""
    for obj in (lot, location):
        policy.require(actor, policy.RECORD_LEDGER, obj)
    clinic = actor_clinic(actor)
    check_in_use(location)
    quantity = to_quantity(quantity, product=lot.product)
    description = required_text(description, "description", "description of what happened")
    if kind not in LossKind.values:
        raise Refusal("Choose loss or theft.", code=Code.INVALID_VALUE, field="kind")
    now = timezone.now()
    if discovered_at > now:
        raise Refusal(
            "The discovery time cannot be in the future.",
            code=Code.INVALID_VALUE,
            field="discovered_at",
        )
    local = timezone.localtime(discovered_at, ZoneInfo(clinic.timezone))
    with transaction.atomic():
        entry = append(
            actor=actor,
            kind=EntryKind.LOSS,
            lot=lot,
            location=location,
            quantity=-quantity,
            reason=f"{LossKind(kind).label}: {description}",
            document_number=police_report,
        )
        case = LossCase.objects.create(
            clinic=clinic,
            dea_registration=entry.dea_registration,
            entry=entry,
            kind=kind,
            discovered_at=discovered_at,
            description=description,
            police_report=police_report,
            dea_notify_due=deadlines.dea_notification_due(local),
            form_106_due=deadlines.form_106_due(local),
        )
        audit_entry(entry, actor=actor, detail=f"loss case {case.pk}")
    return case


def update_loss_case(
    *,
    actor: User,
    case: LossCase,
    dea_notified_at: dt.datetime | None = None,
    form_106_filed_on: dt.date | None = None,
    form_106_number: str = "",
    close: bool = False,
) -> LossCase:
    """Record the follow-up of a loss: DEA notified, Form 106 filed, case closed."""
    policy.require(actor, policy.MANAGE_CLINIC, case)
    now = timezone.now()
    changed = []
    with transaction.atomic():
        case = LossCase.objects.select_for_update().get(pk=case.pk)
        if dea_notified_at is not None and case.dea_notified_at is None:
            if dea_notified_at > now or dea_notified_at < case.discovered_at:
                raise Refusal(
                    "The notification time must be between the discovery and now.",
                    code=Code.INVALID_VALUE,
                    field="dea_notified_at",
                )
            case.dea_notified_at = dea_notified_at
            changed.append("dea_notified_at")
        if form_106_filed_on is not None and case.form_106_filed_on is None:
            if form_106_filed_on > clinic_today(actor_clinic(actor)):
                raise Refusal(
                    "The filing date cannot be in the future.",
                    code=Code.INVALID_VALUE,
                    field="form_106_filed_on",
                )
            case.form_106_filed_on = form_106_filed_on
            case.form_106_number = (form_106_number or "").strip()
            changed += ["form_106_filed_on", "form_106_number"]
        if close and case.closed_at is None:
            if case.dea_notified_at is None or case.form_106_filed_on is None:
                raise Refusal(
                    "A case closes once DEA has been notified and Form 106 filed.",
                    code=Code.INVALID_VALUE,
                    field="close",
                )
            case.closed_at = now
            changed.append("closed_at")
        if changed:
            case.save(update_fields=changed)
        record(
            actor=actor,
            action="update",
            obj=case,
            detail="loss case: " + (", ".join(changed) or "no change"),
        )
    return case
