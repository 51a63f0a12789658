"""Writes to the patient record: each one transaction, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from ketacare.accounts import services as accounts
from ketacare.accounts.models import Role, User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal

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


NO_PATIENT = "No such patient."


@transaction.atomic
def create_patient(*, actor: User, **fields: Any) -> Patient:
    policy.require(actor, policy.CREATE_PATIENT, what=NO_PATIENT)
    if actor.clinic_id is None:  # staff with no clinic: no patient can be theirs
        raise NotFound(NO_PATIENT)
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    patient = Patient.objects.create(clinic_id=actor.clinic_id, **fields)
    record(actor=actor, action="create", obj=patient, patient=patient)
    return patient


@transaction.atomic
def update_patient(*, actor: User, patient: Patient, **fields: Any) -> Patient:
    policy.require(actor, policy.EDIT_PATIENT, patient, what=NO_PATIENT)
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
        detail="changed: " + ", ".join(changed) if changed else "no change",
    )
    return patient


@transaction.atomic
def record_weight(
    *, actor: User, patient: Patient, weight_kg: Decimal, measured_on: dt.date
) -> WeightMeasurement:
    policy.require(actor, policy.EDIT_PATIENT, patient, what=NO_PATIENT)
    weight = WeightMeasurement.objects.create(
        patient=patient, weight_kg=weight_kg, measured_on=measured_on, recorded_by=actor
    )
    record(actor=actor, action="create", obj=weight, patient=patient)
    return weight


@transaction.atomic
def add_diagnosis(
    *,
    actor: User,
    patient: Patient,
    description: str,
    code: str = "",
    diagnosed_on: dt.date | None = None,
) -> Diagnosis:
    policy.require(actor, policy.EDIT_PATIENT, patient, what=NO_PATIENT)
    diagnosis = Diagnosis.objects.create(
        patient=patient,
        description=description,
        code=code,
        diagnosed_on=diagnosed_on,
        recorded_by=actor,
    )
    record(actor=actor, action="create", obj=diagnosis, patient=patient)
    return diagnosis


# --- The patient portal


@transaction.atomic
def invite_to_portal(*, actor: User, patient: Patient) -> User:
    """Give a patient a portal login linked to their record: they get an email with a link to
    choose a password (accounts' invitation, audited there with this patient)."""
    policy.require(actor, policy.EDIT_PATIENT, patient, what=NO_PATIENT)
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
