"""Reads of orders and of what a dose is worked out from: the patient's weight, their earlier
administrations, the dose to propose, the orders pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ketacare.clinical.dosing import round_mg
from ketacare.core.errors import NotFound
from ketacare.core.policy import VIEW_SCHEDULE, can
from ketacare.patients.models import Patient
from ketacare.patients.selectors import latest_weight, patients_visible_to
from ketacare.screening.selectors import patients_with_approved_routes

from ..constants import ORDER_TRANSITIONS
from ..models import DosePlan, OrderStatus, TreatmentOrder, TreatmentSession

# --- What a dose is worked out from ----------------------------------------------------------


def latest_weighing(patient: Patient) -> tuple[Decimal, dt.date] | None:
    """The patient's last recorded weight in kg and the day it was measured (`plan_dose`
    refuses a per-kg dose on a weight more than 30 days old)."""
    row = patient.weights.order_by("-measured_on", "-id").values_list("weight_kg", "measured_on")
    return row.first()


def dose_in_mg(amount: Decimal, *, per_kg: bool, weight_kg: Decimal | None) -> float | None:
    """An order's dose in mg (a per-kg dose needs the weight)."""
    if not per_kg:
        return round_mg(amount)
    if weight_kg is None:
        return None
    return round_mg(amount * weight_kg)


def dose_history(
    patient: Patient, code: str, *, exclude: int | None = None
) -> list[tuple[dt.datetime, float]]:
    """Earlier administrations to this patient on protocols with this code."""
    given = TreatmentSession.objects.filter(
        patient=patient,
        protocol__code=code,
        dose_started_at__isnull=False,
        administered_dose_mg__isnull=False,
    )
    if exclude is not None:
        given = given.exclude(pk=exclude)
    rows = given.values_list("dose_started_at", "administered_dose_mg")
    # The filter leaves no nulls; the test tells the type checker so.
    return [(when, float(dose)) for when, dose in rows if when is not None and dose is not None]


def default_dose_mg(session: TreatmentSession) -> Decimal | None:
    """The dose to propose: the last dose given on this order (the titration continues from
    it), else the order's starting dose in mg."""
    last = (
        TreatmentSession.objects.filter(order=session.order, administered_dose_mg__isnull=False)
        .exclude(pk=session.pk)
        .order_by("-dose_started_at")
        .values_list("administered_dose_mg", flat=True)
        .first()
    )
    if last is not None:
        return last
    mg = dose_in_mg(
        session.order.starting_dose,
        per_kg=session.protocol.per_kg,
        weight_kg=latest_weight(session.patient),
    )
    return None if mg is None else Decimal(repr(mg))


def first_dose_at(order: TreatmentOrder) -> dt.datetime | None:
    """When the first dose of the order was given (the start of its dosing phase)."""
    return (
        TreatmentSession.objects.filter(order=order, dose_started_at__isnull=False)
        .order_by("dose_started_at")
        .values_list("dose_started_at", flat=True)
        .first()
    )


def latest_plan(session: TreatmentSession) -> DosePlan | None:
    return session.plans.order_by("-planned_at", "-id").first()


# --- Orders ----------------------------------------------------------------------------------


def orders_for_patient(patient: Patient) -> list[TreatmentOrder]:
    return list(
        TreatmentOrder.objects.filter(patient=patient).select_related("protocol", "prescriber")
    )


def order_for(user: Any, order_id: Any) -> TreatmentOrder:
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise NotFound("Not found.") from None
    if not can(user, VIEW_SCHEDULE):
        raise NotFound("Not found.")
    order = (
        TreatmentOrder.objects.filter(clinic_id=user.clinic_id, pk=pk)
        .select_related("patient", "protocol", "prescriber")
        .first()
    )
    if order is None:
        raise NotFound("Not found.")
    return order


def order_page(order: TreatmentOrder) -> dict[str, Any]:
    """What the order page shows besides its form: the status history, the sessions and the
    changes a prescriber may make now."""
    return {
        "order": order,
        "changes": list(order.changes.select_related("changed_by")),
        "sessions": list(order.sessions.select_related("chair", "clinician")),
        "transitions": [s for s in OrderStatus if (order.status, s) in ORDER_TRANSITIONS],
    }


def active_orders(user: Any) -> QuerySet[TreatmentOrder]:
    return (
        TreatmentOrder.objects.filter(clinic_id=user.clinic_id, status="active")
        .select_related("patient", "protocol")
        .order_by("patient__last_name", "patient__first_name", "-signed_at")
    )


def patient_sessions(patient: Patient, *, limit: int = 50) -> list[TreatmentSession]:
    """The patient's sessions, latest first (the orders page)."""
    return list(
        patient.treatment_sessions.select_related("protocol", "chair").order_by("-scheduled_start")[
            :limit
        ]
    )


def patients_in_treatment(user: Any) -> list[tuple[Patient, list[str], list[TreatmentOrder]]]:
    """The clinic's patients with a route approved in screening: each with those routes and
    their orders."""
    approved = patients_with_approved_routes(user.clinic_id)
    patients = list(
        patients_visible_to(user)
        .filter(pk__in=list(approved))
        .prefetch_related("treatment_orders__protocol")
    )
    return [(p, sorted(approved[p.pk]), list(p.treatment_orders.all())) for p in patients]
