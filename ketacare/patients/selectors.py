"""Reads of patient records, already scoped to what the user may see and shaped for the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from ketacare.audit.log import AuditOutcome, record
from ketacare.core.errors import NotFound
from ketacare.core.policy import VIEW_PATIENT, can, scope_patients

from .models import Patient


def patients_visible_to(user: Any) -> QuerySet[Patient]:
    """Every patient this user may see at all; the base of every patient query."""
    return scope_patients(user, Patient.objects.all())


def get_patient_for(user: Any, patient_id: Any, *, action: str = VIEW_PATIENT) -> Patient:
    """The patient, if `user` may do `action` on them; else `NotFound` (and a denied audit
    row, so that probing for other people's records shows in the log)."""
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise NotFound("No such patient.") from None
    patient = None
    if can(user, action):
        patient = patients_visible_to(user).filter(pk=pk).first()
    if patient is None:
        record(
            actor=user,
            action="view",
            obj=("patients.Patient", pk),
            outcome=AuditOutcome.DENIED,
            detail=f"{action} refused",
        )
        raise NotFound("No such patient.")
    return patient


def own_patient(user: Any) -> Patient:
    """The patient record of a signed-in patient, or `NotFound`."""
    patient = patients_visible_to(user).select_related("clinic").first()
    if patient is None:
        raise NotFound("Your account is not linked to a patient record.")
    return patient


def patient_list(*, user: Any, query: str = "") -> QuerySet[Patient]:
    qs = patients_visible_to(user).select_related("user")
    query = query.strip()
    if query:
        for word in query.split()[:5]:
            qs = qs.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    return qs


def patient_detail(*, patient: Patient) -> dict[str, Any]:
    """Everything the record page shows, in a fixed, small number of queries."""
    weights = list(patient.weights.select_related("recorded_by")[:20])
    diagnoses = list(patient.diagnoses.all())
    return {
        "patient": patient,
        "weights": weights,
        "diagnoses": diagnoses,
        "latest_weight": weights[0] if weights else None,
    }


# --- Public face for other apps --------------------------------------------------------------


def latest_weight(patient: Patient) -> Decimal | None:
    """The patient's last recorded weight in kg (what a per-kg dose is worked out from)."""
    return (
        patient.weights.order_by("-measured_on", "-id").values_list("weight_kg", flat=True).first()
    )
