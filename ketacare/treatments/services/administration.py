"""The dose: planned by `ketacare.clinical.dosing.plan_dose` on the latest pre-dose vitals (a
prescriber may override what the reference lets them), started on an allowed plan, and ended
with what was given — drawn from a ledger lot in the same transaction when the clinic keeps its
stock there."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.clinical.dosing import REASON_TEXT, DosingError, plan_dose
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal
from ketacare.ledger import selectors as ledger_selectors
from ketacare.ledger import services as ledger_services

from ..constants import ROUTE_PRODUCT_FORMS
from ..models import DosePlan, SessionStatus, TreatmentSession
from ..selectors import (
    default_dose_mg,
    dose_history,
    first_dose_at,
    latest_plan,
    latest_weighing,
    pre_dose_vitals,
)
from .common import clinic_zone, locked, positive_decimal, text


def plan_session_dose(
    *,
    actor: User,
    session: TreatmentSession,
    dose_mg: Decimal | float | None = None,
    override_reason: str = "",
) -> DosePlan:
    """Ask `plan_dose` about the dose now, with the last pre-dose vitals and the patient's
    latest weight (each with its date: stale ones block the dose) and their earlier
    administrations on this protocol. A prescriber may give an override reason; only what
    the reference lets them override is cleared."""
    override_reason = (override_reason or "").strip()
    policy.require(
        actor, policy.PRESCRIBE if override_reason else policy.CLINICAL_CARE, session.patient
    )
    if session.status != SessionStatus.IN_PROGRESS:
        raise Refusal("Check the patient in before planning the dose.", field=None)
    if session.dose_started_at is not None:
        raise Refusal("The dose has already been given.", field=None)
    proposed = (
        positive_decimal(dose_mg, "dose_mg", "the dose in mg")
        if dose_mg is not None
        else default_dose_mg(session)
    )
    vitals = pre_dose_vitals(session)
    weighing = latest_weighing(session.patient)
    weight, weighed_on = weighing if weighing is not None else (None, None)
    zone = clinic_zone(session.patient.clinic.timezone)
    now = timezone.localtime(timezone.now(), zone)
    first = first_dose_at(session.order)
    phase_start = timezone.localtime(first, zone).date() if first else None
    try:
        decision = plan_dose(
            session.protocol.as_protocol(),
            weight_kg=float(weight) if weight is not None else None,
            dose_mg=float(proposed) if proposed is not None else None,
            vitals=vitals.readings if vitals is not None else None,
            history=dose_history(session.patient, session.protocol.code, exclude=session.pk),
            at=now,
            phase_start=phase_start if phase_start and phase_start <= now.date() else None,
            override_reason=override_reason or None,
            weight_measured_on=weighed_on,
            vitals_taken_at=vitals.taken_at if vitals is not None else None,
        )
    except DosingError as exc:
        raise Refusal(str(exc), field="dose_mg") from None
    with transaction.atomic():
        plan = DosePlan.objects.create(
            session=session, vitals=vitals, weight_kg=weight, proposed_dose_mg=proposed,
            allowed=decision.allowed,
            dose_mg=_dec(decision.dose_mg), infusion_rate_mg_per_min=_dec(
                decision.infusion_rate_mg_per_min, "0.01"),
            reasons=list(decision.reasons), warnings=list(decision.warnings),
            overridden=list(decision.overridden), decision=decision.as_dict(),
            override_reason=override_reason if decision.overridden else "",
            planned_by=actor, planned_at=timezone.now(),
        )  # fmt: skip
        outcome = "allowed" if decision.allowed else "blocked: " + ", ".join(decision.reasons)
        detail = f"dose plan {decision.dose_mg} mg {outcome}"
        if decision.warnings:
            detail += "; warnings " + ", ".join(decision.warnings)
        if decision.overridden:
            detail += f"; override of {', '.join(decision.overridden)}: {override_reason}"
        record(actor=actor, action="create", obj=plan, patient=session.patient,
               detail=detail[:500])  # fmt: skip
    return plan


def override_dose(
    *, actor: User, session: TreatmentSession, dose_mg: Decimal | float | None, override_reason: str
) -> DosePlan:
    """A prescriber's override of a blocked dose: planned with their reason (the plan is kept
    either way), and refused when nothing the reference lets a prescriber override blocks it."""
    plan = plan_session_dose(
        actor=actor, session=session, dose_mg=dose_mg, override_reason=override_reason
    )
    if not plan.overridden:
        raise Refusal(
            "Nothing the reference lets a prescriber override blocks this dose: "
            + (" ".join(REASON_TEXT[r] for r in plan.reasons) or "it is allowed."),
            field="override_reason",
        )
    return plan


def _dec(value: float | None, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def start_administration(*, actor: User, session: TreatmentSession) -> TreatmentSession:
    """Start the dose, on the latest plan: refused unless that plan allows it and was made on
    the latest pre-dose vitals."""
    policy.require(actor, policy.CLINICAL_CARE, session.patient)
    with transaction.atomic():
        session = locked(session)
        if session.status != SessionStatus.IN_PROGRESS:
            raise Refusal("Check the patient in first.", field=None)
        if session.dose_started_at is not None:
            raise Refusal("The dose has already started.", field=None)
        plan = latest_plan(session)
        if plan is None:
            raise Refusal("Plan the dose first.", field=None)
        if not plan.allowed:
            raise Refusal(
                "The dose is blocked: "
                + " ".join(REASON_TEXT.get(r, r) for r in plan.reasons)
                + " It cannot be administered.",
                field=None,
                codes=plan.reasons,
            )
        vitals = pre_dose_vitals(session)
        if vitals is not None and (plan.vitals_id != vitals.pk):
            raise Refusal(
                "New vitals were recorded after the dose was planned: plan the dose again.",
                field=None,
            )
        now = timezone.now()
        session.dose_plan = plan
        session.dose_started_at = now
        session.administered_by = actor
        session.administration_route = session.protocol.route
        session.save(
            update_fields=[
                "dose_plan",
                "dose_started_at",
                "administered_by",
                "administration_route",
            ]
        )
        record(actor=actor, action="update", obj=session, patient=session.patient,
               detail=f"dose started ({plan.dose_mg} mg planned, "
                                       f"plan #{plan.pk})")  # fmt: skip
    return session


def end_administration(
    *,
    actor: User,
    session: TreatmentSession,
    dose_mg: Any,
    lot: Any = None,
    location: Any = None,
    lot_number: str = "",
) -> TreatmentSession:
    """End the dose with what was actually given (at most the planned dose). When the clinic
    keeps its stock in the ledger, the dose is drawn from a lot there in the same
    transaction; otherwise the lot number is written down."""
    policy.require(actor, policy.CLINICAL_CARE, session.patient)
    dose = positive_decimal(dose_mg, "dose_mg", "the dose given in mg").quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    uses_ledger = ledger_selectors.clinic_keeps_stock(clinic_id=actor.clinic_id)
    if uses_ledger:
        if lot is None:
            raise Refusal("Choose the lot the dose was drawn from.", field="lot")
        if location is None:
            raise Refusal("Choose where the dose was drawn from.", field="location")
        if lot.clinic_id != actor.clinic_id or location.clinic_id != actor.clinic_id:
            raise NotFound("Not found.")
    else:
        lot_number = text(lot_number, "lot_number", "the lot number", max_length=40)
    with transaction.atomic():
        session = locked(session)
        if session.dose_started_at is None:
            raise Refusal("Start the dose first.", field=None)
        if session.dose_ended_at is not None:
            raise Refusal("The dose has already ended.", field=None)
        plan = session.dose_plan
        if plan is not None and plan.dose_mg is not None and dose > plan.dose_mg:
            raise Refusal(
                f"{dose.normalize():f} mg is more than the planned {plan.dose_mg.normalize():f}"
                " mg: a larger dose needs a new plan.",
                field="dose_mg",
            )
        entry = None
        if uses_ledger:
            entry = _draw_from_ledger(actor=actor, session=session, lot=lot, location=location,
                                      dose=dose)  # fmt: skip
            lot_number = lot.lot_number
        session.dose_ended_at = timezone.now()
        session.administered_dose_mg = dose
        session.lot = lot if uses_ledger else None
        session.lot_number = lot_number
        session.ledger_entry = entry
        session.save(
            update_fields=[
                "dose_ended_at", "administered_dose_mg", "lot", "lot_number", "ledger_entry",
            ]
        )  # fmt: skip
        record(actor=actor, action="update", obj=session, patient=session.patient,
               detail=f"dose ended: {dose.normalize():f} mg given, lot {lot_number}")  # fmt: skip
    return session


def _draw_from_ledger(
    *, actor: User, session: TreatmentSession, lot: Any, location: Any, dose: Decimal
) -> Any:
    """The ledger's administration entry for the dose (inside the caller's transaction); the
    ledger's refusal becomes the session's, on the dose field where it is the quantity."""
    forms = ROUTE_PRODUCT_FORMS.get(session.protocol.route, set())
    if lot.product.form not in forms:
        raise Refusal(
            f"{lot.product.name} is not used for the {session.protocol.route} route.",
            field="lot",
        )
    quantity = (dose / lot.product.mg_per_unit).quantize(Decimal("0.001"))
    try:
        return ledger_services.record_administration(
            actor=actor, lot=lot, location=location, patient=session.patient,
            quantity=quantity, treatment_session_id=session.pk,
            note=f"treatment session #{session.pk}",
        )  # fmt: skip
    except Refusal as refusal:
        # The ledger's quantity is the session form's dose.
        field = {"quantity": "dose_mg"}.get(refusal.field or "", refusal.field)
        raise Refusal(refusal.message, field=field, codes=[refusal.code]) from None
