"""Orders: a prescriber's signed order for a course on an approved route, and its pauses,
resumptions and stop. Signing re-enters the prescriber's password (and a fresh code from
their authenticator app when they have one)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import AuditOutcome, record
from ketacare.clinical.dosing import (
    DOSE_ABOVE_MAX,
    DOSE_NOT_ALLOWED,
    REASON_TEXT,
    WEIGHT_MISSING,
    plan_dose,
)
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal
from ketacare.core.reauth import ReentryLocked, check_password_reentry
from ketacare.patients.models import Patient
from ketacare.protocols.selectors import current_version
from ketacare.screening.selectors import approved_routes

from ..constants import ORDER_TRANSITIONS
from ..models import OrderStatus, OrderStatusChange, SessionStatus, TreatmentOrder
from ..selectors import dose_history, dose_in_mg, latest_weight
from .common import clinic_zone, positive_decimal, text


def verify_signature(*, actor: User, password: str, otp_code: str) -> str:
    """The prescriber proves it is them: their password, plus a fresh code from their
    authenticator app when they have one. Returns how they signed."""
    from ketacare.accounts import mfa
    from ketacare.accounts.services import verify_second_factor

    try:
        right = check_password_reentry(user=actor, password=password, purpose="order-signature")
    except ReentryLocked:
        raise Refusal(
            "Too many wrong passwords: you can sign orders again in 15 minutes.", field="password"
        ) from None
    if not right:
        record(actor=actor, action="update", obj=actor,
               outcome=AuditOutcome.DENIED, detail="order signature: wrong password")  # fmt: skip
        raise Refusal("That is not your password: the order was not signed.", field="password")
    if mfa.has_confirmed_device(actor):
        code = mfa.normalise_code(otp_code)
        if not mfa.TOTP_CODE_RE.match(code):
            raise Refusal(
                "Enter the six-digit code your authenticator app shows now.", field="otp_code"
            )
        result = verify_second_factor(user=actor, code=code)
        if result.device is None:
            raise Refusal(
                "That code is not right (or too many tries: wait a moment). Enter the code "
                "your authenticator app shows now.",
                field="otp_code",
            )
        return "password+totp"
    if actor.mfa_required:
        raise Refusal(
            "Set up two-factor authentication (Security page) before signing orders.",
            field="otp_code",
        )
    return "password"


def create_order(
    *,
    actor: User,
    patient: Patient,
    protocol: Any,
    starting_dose: Decimal,
    titration_plan: str,
    sessions_planned: int,
    start_date: dt.date,
    password: str,
    otp_code: str = "",
    rems_patient_id: str = "",
) -> TreatmentOrder:
    """A prescriber's signed order for a course on an approved route."""
    policy.require(actor, policy.PRESCRIBE, patient)
    if protocol.clinic_id != actor.clinic_id:
        raise NotFound("Not found.")
    current = current_version(actor.clinic_id, protocol.code)
    if current is None or current.pk != protocol.pk or not current.active:
        raise Refusal("Choose a protocol in use (its current version).", field="protocol")
    if protocol.route not in approved_routes(patient):
        raise Refusal(
            f"No prescriber has approved the {protocol.route} route for {patient.full_name}: "
            "record the route decision in screening first.",
            field="protocol",
        )
    titration_plan = text(titration_plan, "titration_plan", "the titration plan")
    starting_dose = positive_decimal(starting_dose, "starting_dose", "the starting dose")
    if not 1 <= int(sessions_planned) <= 100:
        raise Refusal("Plan between 1 and 100 sessions.", field="sessions_planned")
    today = timezone.localdate(timezone.now(), clinic_zone(patient.clinic.timezone))
    if start_date < today:
        raise Refusal("The start date cannot be in the past.", field="start_date")
    weight = latest_weight(patient)
    core = protocol.as_protocol()
    dose_mg = dose_in_mg(starting_dose, per_kg=protocol.per_kg, weight_kg=weight)
    decision = plan_dose(
        core,
        weight_kg=float(weight) if weight is not None else None,
        dose_mg=dose_mg,
        history=dose_history(patient, protocol.code),
        at=timezone.now(),
    )
    if WEIGHT_MISSING in decision.reasons:
        raise Refusal(
            "This protocol is dosed per kg: record the patient's weight first.",
            field="starting_dose",
            codes=[WEIGHT_MISSING],
        )
    dose_problems = [r for r in decision.reasons if r in (DOSE_NOT_ALLOWED, DOSE_ABOVE_MAX)]
    if dose_problems:
        raise Refusal(
            " ".join(REASON_TEXT[r] for r in dose_problems), field="starting_dose",
            codes=dose_problems,
        )  # fmt: skip
    rems_patient_id = (rems_patient_id or "").strip()[:40]
    method = verify_signature(actor=actor, password=password, otp_code=otp_code)
    with transaction.atomic():
        order = TreatmentOrder.objects.create(
            clinic_id=actor.clinic_id, patient=patient, protocol=protocol, route=protocol.route,
            starting_dose=starting_dose, titration_plan=titration_plan,
            sessions_planned=int(sessions_planned), start_date=start_date,
            rems_patient_id=rems_patient_id, prescriber=actor, signed_at=timezone.now(),
            signature_method=method,
        )  # fmt: skip
        record(actor=actor, action="create", obj=order, patient=patient,
               detail=f"order signed ({method}): {protocol.code} v{protocol.version}, "
                      f"{starting_dose.normalize():f} {protocol.dose_unit}, "
                      f"{sessions_planned} sessions from {start_date}")  # fmt: skip
    return order


def change_order_status(
    *, actor: User, order: TreatmentOrder, to_status: str, reason: str
) -> TreatmentOrder:
    """Pause, resume or stop an order, with the reason. Stopping cancels its sessions not
    yet started."""
    policy.require(actor, policy.PRESCRIBE, order.patient)
    reason = text(reason, "reason", "the reason")
    with transaction.atomic():
        order = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
        if (order.status, to_status) not in ORDER_TRANSITIONS:
            raise Refusal(
                f"An order that is {order.get_status_display().lower()} cannot become "
                f"{OrderStatus(to_status).label.lower()}.",
                field="reason",
            )
        now = timezone.now()
        OrderStatusChange.objects.create(
            order=order, from_status=order.status, to_status=to_status, reason=reason,
            changed_by=actor, changed_at=now,
        )  # fmt: skip
        previous = order.status
        order.status = to_status
        order.status_reason = reason
        order.save(update_fields=["status", "status_reason"])
        cancelled = 0
        if to_status == OrderStatus.STOPPED:
            for session in order.sessions.select_for_update().filter(
                status=SessionStatus.SCHEDULED
            ):
                session.status = SessionStatus.CANCELLED
                session.cancelled_at = now
                session.cancelled_by = actor
                session.cancel_reason = f"Order stopped: {reason}"[:2000]
                session.save(
                    update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"]
                )
                cancelled += 1
        record(actor=actor, action="update", obj=order, patient=order.patient,
               detail=f"order {previous} -> {to_status}: {reason}"
                      + (f"; {cancelled} sessions cancelled" if cancelled else ""))  # fmt: skip
    return order
