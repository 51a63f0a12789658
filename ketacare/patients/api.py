"""Patient records over the API, with the same permission checks and audit as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from ketacare.accounts.permissions import CREATE_PATIENT, VIEW_PATIENT, allowed, get_patient_for
from ketacare.audit.log import record

from . import selectors, services
from .models import Sex

router = Router(tags=["patients"])


class PatientOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    email: str
    phone: str
    emergency_contact_name: str
    emergency_contact_phone: str


class PatientIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date
    sex: Sex = Sex.UNKNOWN
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=30)
    emergency_contact_name: str = Field(default="", max_length=200)
    emergency_contact_phone: str = Field(default="", max_length=30)


@router.get("/", response=list[PatientOut])
def list_patients(request: HttpRequest, q: str = "", limit: int = 50, offset: int = 0) -> list:
    if not allowed(request.user, CREATE_PATIENT):
        # Patients and monitors read their own record through /patients/{id}.
        raise HttpError(404, "Not found.")
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    patients = list(selectors.patient_list(user=request.user, query=q[:100])[offset : offset + limit])
    record(request=request, action="list", obj=("patients.Patient", ""), detail=f"api: {len(patients)} shown")
    return patients


@router.get("/{patient_id}", response=PatientOut)
def get_patient(request: HttpRequest, patient_id: int):  # type: ignore[no-untyped-def]
    patient = get_patient_for(request.user, patient_id, action=VIEW_PATIENT, request=request)
    record(request=request, action="view", obj=patient, patient=patient)
    return patient


@router.post("/", response={201: PatientOut})
def create_patient(request: HttpRequest, payload: PatientIn):  # type: ignore[no-untyped-def]
    if not allowed(request.user, CREATE_PATIENT):
        raise HttpError(404, "Not found.")
    if payload.date_of_birth > timezone.localdate():
        raise HttpError(422, "date_of_birth: cannot be in the future.")
    patient = services.create_patient(actor=request.user, request=request, **payload.dict())
    return 201, patient
