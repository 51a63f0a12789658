"""Writes to the patient record: each one transaction, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404

from ketacare.accounts import services as accounts
from ketacare.accounts.models import Role, User
from ketacare.accounts.permissions import CREATE_PATIENT, EDIT_PATIENT, allowed
from ketacare.audit.log import record
from ketacare.core.errors import Refusal
from ketacare.core.policy import require

from .models import Diagnosis, Patient, WeightMeasurement

PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "email",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
)


def _require(actor: User, action: str, patient: Patient | None = None) -> None:
    if not allowed(actor, action) or (patient is not None and patient.clinic_id != actor.clinic_id):
        raise Http404("No such patient.")


@transaction.atomic
def create_patient(*, actor: User, request: Any = None, **fields: Any) -> Patient:
    _require(actor, CREATE_PATIENT)
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    patient = Patient.objects.create(clinic_id=actor.clinic_id, **fields)
    record(actor=actor, action="create", obj=patient, patient=patient, request=request)
    return patient


@transaction.atomic
def update_patient(*, actor: User, patient: Patient, request: Any = None, **fields: Any) -> Patient:
    _require(actor, EDIT_PATIENT, patient)
    changed = [
        name for name in PATIENT_FIELDS if name in fields and getattr(patient, name) != fields[name]
    ]
    for name in changed:
        setattr(patient, name, fields[name])
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    record(
        actor=actor,
        action="update",
        obj=patient,
        patient=patient,
        request=request,
        detail="changed: " + ", ".join(changed) if changed else "no change",
    )
    return patient


@transaction.atomic
def record_weight(
    *, actor: User, patient: Patient, weight_kg: Decimal, measured_on: dt.date, request: Any = None
) -> WeightMeasurement:
    _require(actor, EDIT_PATIENT, patient)
    weight = WeightMeasurement.objects.create(
        patient=patient, weight_kg=weight_kg, measured_on=measured_on, recorded_by=actor
    )
    record(actor=actor, action="create", obj=weight, patient=patient, request=request)
    return weight


@transaction.atomic
def add_diagnosis(
    *,
    actor: User,
    patient: Patient,
    description: str,
    code: str = "",
    diagnosed_on: dt.date | None = None,
    request: Any = None,
) -> Diagnosis:
    _require(actor, EDIT_PATIENT, patient)
    diagnosis = Diagnosis.objects.create(
        patient=patient,
        description=description,
        code=code,
        diagnosed_on=diagnosed_on,
        recorded_by=actor,
    )
    record(actor=actor, action="create", obj=diagnosis, patient=patient, request=request)
    return diagnosis


# --- The patient portal


@transaction.atomic
def invite_to_portal(*, actor: User, patient: Patient) -> User:
    """Give a patient a portal login linked to their record: they get an email with a link to
    choose a password (accounts' invitation, audited there with this patient)."""
    require(actor, EDIT_PATIENT, patient, what="No such patient.")
    if not patient.email:
        raise Refusal(
            "Add the patient's email address first: the invitation is emailed.",
            field="email",
            code="no_email",
        )
    return accounts.invite_user(
        actor=actor,
        email=patient.email,
        full_name=patient.full_name,
        role=Role.PATIENT,
        patient=patient,
    )
