"""The one permission policy: who may do what, to which object. Views, API routers and services
all ask it; no app keeps a role table of its own.

Two questions, always both: may this *role* do this *action* (the table below), and is this
*object* theirs (staff: their clinic's; a patient: their own record; a monitor: the patients
they sit for)? A refusal is `NotFound`, never "forbidden", so that a record's existence does
not leak."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import NotFound
from .roles import STAFF_ROLES, Role

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

# --- actions ------------------------------------------------------------------------------
# Patients' records
VIEW_PATIENT = "view_patient"
EDIT_PATIENT = "edit_patient"
CREATE_PATIENT = "create_patient"
# Clinical work at the chair and in review: assessments, sessions, vitals, urgent tasks.
CLINICAL_CARE = "clinical_care"
# Read screening summaries, consents and the clinic's schedule (admins run the front desk).
REVIEW_SCREENING = "review_screening"
VIEW_SCHEDULE = "view_schedule"
# Orders, dose overrides, per-route decisions, dispensing for home use: a prescriber's acts.
PRESCRIBE = "prescribe"
# Clinic settings, staff, protocols, chairs, consent documents, ledger products and locations.
MANAGE_CLINIC = "manage_clinic"
# The controlled-substance ledger: record entries (and witness them); read its reports.
RECORD_LEDGER = "record_ledger"
WITNESS_LEDGER = "witness_ledger"
READ_LEDGER_REPORTS = "read_ledger_reports"
# The front desk: waiting list, contact inbox.
MANAGE_WAITLIST = "manage_waitlist"
READ_INBOX = "read_inbox"

_CLINICAL = frozenset({Role.CLINICIAN, Role.PRESCRIBER})

POLICY: dict[str, frozenset[str]] = {
    VIEW_PATIENT: frozenset(
        {Role.PATIENT, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN, Role.MONITOR}
    ),
    EDIT_PATIENT: STAFF_ROLES,
    CREATE_PATIENT: STAFF_ROLES,
    CLINICAL_CARE: _CLINICAL,
    REVIEW_SCREENING: STAFF_ROLES,
    VIEW_SCHEDULE: STAFF_ROLES,
    PRESCRIBE: frozenset({Role.PRESCRIBER}),
    MANAGE_CLINIC: frozenset({Role.ADMIN}),
    RECORD_LEDGER: STAFF_ROLES,
    WITNESS_LEDGER: STAFF_ROLES,
    READ_LEDGER_REPORTS: frozenset({Role.PRESCRIBER, Role.ADMIN}),
    MANAGE_WAITLIST: STAFF_ROLES,
    READ_INBOX: STAFF_ROLES,
}


# --- screening (issue 12) ------------------------------------------------------------------
# A patient's own part of their screening: the intake, consents, questionnaires and answers
# to the clinic's requests (their own record only; staff act on it through CLINICAL_CARE).
SELF_REPORT = "self_report"
POLICY[SELF_REPORT] = frozenset({Role.PATIENT})
# --- end screening ------------------------------------------------------------------------


def roles_for(action: str) -> frozenset[str]:
    return POLICY[action]


def has_role(user: Any, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in roles)


def _in_scope(user: Any, obj: Any) -> bool:
    """Is `obj` within what `user` may see? Staff: their clinic's objects; a patient or a
    monitor: a patient record that is theirs (or an object belonging to one)."""
    label = getattr(getattr(obj, "_meta", None), "label", "")
    if label == "accounts.Clinic":
        return bool(user.clinic_id) and obj.pk == user.clinic_id
    if label != "patients.Patient" and getattr(obj, "patient_id", None) is not None:
        obj = obj.patient
        label = "patients.Patient"
    if user.role in STAFF_ROLES:
        return bool(user.clinic_id) and getattr(obj, "clinic_id", None) == user.clinic_id
    if label != "patients.Patient":
        return False
    if user.role == Role.PATIENT:
        return bool(obj.user_id == user.pk)
    if user.role == Role.MONITOR:
        return bool(obj.clinic_id == user.clinic_id and obj.monitors.filter(pk=user.pk).exists())
    return False


def can(user: Any, action: str, obj: Model | None = None) -> bool:
    """May `user` do `action` (to `obj`, when given)?"""
    if not has_role(user, *POLICY[action]):
        return False
    return obj is None or _in_scope(user, obj)


def require(user: Any, action: str, obj: Model | None = None, *, what: str = "Not found.") -> None:
    """`can()`, or `NotFound(what)`."""
    if not can(user, action, obj):
        raise NotFound(what)


def scope_patients(user: Any, patients: QuerySet[Any]) -> QuerySet[Any]:
    """The part of a Patient queryset `user` may see at all: the base of every patient query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return patients.none()
    if user.role in STAFF_ROLES:
        return patients.filter(clinic_id=user.clinic_id) if user.clinic_id else patients.none()
    if user.role == Role.PATIENT:
        return patients.filter(user=user)
    if user.role == Role.MONITOR:
        return patients.filter(monitors=user, clinic_id=user.clinic_id)
    return patients.none()


def scope_clinic(user: Any, queryset: QuerySet[Any], *, field: str = "clinic") -> QuerySet[Any]:
    """Rows of the user's own clinic (staff); nothing for anyone else."""
    if not has_role(user, *STAFF_ROLES) or not user.clinic_id:
        return queryset.none()
    return queryset.filter(**{f"{field}_id": user.clinic_id})
