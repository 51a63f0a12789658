"""Patient records over the API, with the same permission checks and audit as the pages:
staff list and create within their clinic; anyone may read the one record they may see
(a patient their own, a monitor the patient they sit with); everything else is a 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import NotFound

from . import selectors, services
from .models import Patient, Sex

router = Router(tags=["patients"])

MAX_PAGE = 200


class PatientOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    email: str
    phone: str
    address: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relationship: str


class PatientIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date
    sex: Sex = Sex.UNKNOWN
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=1000)
    emergency_contact_name: str = Field(default="", max_length=200)
    emergency_contact_phone: str = Field(default="", max_length=30)
    emergency_contact_relationship: str = Field(default="", max_length=60)

    @field_validator("first_name", "last_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("blank", "This field must not be blank.")
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth_date(cls, value: dt.date) -> dt.date:
        today = timezone.localdate()
        if value > today:
            raise PydanticCustomError(
                "date_in_future", "The date of birth cannot be in the future."
            )
        if value.year < today.year - 120:
            raise PydanticCustomError(
                "date_too_old", "Please check the year: that is more than 120 years ago."
            )
        return value

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise PydanticCustomError("email", "Enter a valid email address.") from None
        return value


@router.get("", response=list[PatientOut], summary="List your clinic's patients")
def list_patients(
    request: HttpRequest, q: str = Query("", max_length=100), limit: int = 50, offset: int = 0
) -> list[Patient]:
    if not policy.can(request.user, policy.CREATE_PATIENT):
        # Patients and monitors read the one record they may see through /patients/{id}.
        raise NotFound()
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    patients = list(selectors.patient_list(user=request.user, query=q)[offset : offset + limit])
    detail = f"api: {len(patients)} shown" + (f", search {q!r}" if q else "")
    record(action="list", obj=("patients.Patient", ""), detail=detail)
    return patients


@router.get("/{int:patient_id}", response=PatientOut, summary="One patient's record")
def get_patient(request: HttpRequest, patient_id: int) -> Patient:
    patient = selectors.get_patient_for(request.user, patient_id, action=policy.VIEW_PATIENT)
    record(action="view", obj=patient, patient=patient, detail="api")
    return patient


@router.post("", response={201: PatientOut}, summary="Add a patient to your clinic")
def create_patient(request: HttpRequest, payload: PatientIn) -> Status:
    if not policy.can(request.user, policy.CREATE_PATIENT):
        raise NotFound()
    patient = services.create_patient(
        actor=request.user,  # type: ignore[arg-type]
        **payload.dict(),
    )
    return Status(201, patient)
