"""Single records and lists for the API and the pages, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ketacare.audit.log import AuditOutcome, record
from ketacare.core import policy
from ketacare.core.errors import NotFound
from ketacare.patients.models import Patient
from ketacare.patients.selectors import patients_visible_to

from ..models import (
    Assessment,
    PatientRequest,
    ReviewNote,
    RouteDecision,
    Screening,
    UrgentTask,
)


def may_read_screening(user: Any) -> bool:
    """Staff read their clinic's screening records, a patient their own; monitors none."""
    return policy.can(user, policy.REVIEW_SCREENING) or policy.can(user, policy.SELF_REPORT)


def _refused(user: Any, label: str, pk: Any, detail: str, message: str) -> NotFound:
    """A denied audit row (probing for other people's records shows in the log)."""
    record(actor=user, action="view", obj=(label, pk), outcome=AuditOutcome.DENIED, detail=detail)
    return NotFound(message)


def assessments_for_api(
    *, user: Any, patient_id: int | None, instrument: str | None
) -> QuerySet[Assessment]:
    qs = Assessment.objects.filter(patient__in=patients_visible_to(user)).select_related(
        "completed_by"
    )
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if instrument:
        qs = qs.filter(instrument=instrument)
    return qs.order_by("-completed_at", "-id")


def decisions_for_api(*, user: Any, patient_id: int | None) -> QuerySet[RouteDecision]:
    qs = RouteDecision.objects.filter(
        screening__patient__in=patients_visible_to(user)
    ).select_related("decided_by", "screening")
    if patient_id is not None:
        qs = qs.filter(screening__patient_id=patient_id)
    return qs.order_by("-decided_at", "-id")


def notes_visible(screening: Screening) -> QuerySet[ReviewNote]:
    return screening.notes.select_related("author")


def get_assessment_for(
    user: Any, assessment_id: int, *, refused: str = "assessment refused"
) -> Assessment:
    """The assessment, if `user` may read it; else `NotFound` and a denied audit row."""
    assessment = None
    if may_read_screening(user):
        assessment = (
            Assessment.objects.filter(pk=assessment_id, patient__in=patients_visible_to(user))
            .select_related("patient", "completed_by", "corrects", "correction")
            .first()
        )
    if assessment is None:
        raise _refused(user, "screening.Assessment", assessment_id, refused, "No such assessment.")
    return assessment


def get_decision_for(
    user: Any, decision_id: int, *, refused: str = "api: decision refused"
) -> RouteDecision:
    """The route decision, if `user` may read it; else `NotFound` and a denied audit row."""
    decision = None
    if may_read_screening(user):
        decision = decisions_for_api(user=user, patient_id=None).filter(pk=decision_id).first()
    if decision is None:
        raise _refused(user, "screening.RouteDecision", decision_id, refused, "No such decision.")
    return decision


def assessment_of(patient: Patient, assessment_id: int) -> Assessment | None:
    return Assessment.objects.filter(pk=assessment_id, patient=patient).first()


def patient_request_for(user: Any, request_id: int) -> PatientRequest:
    """A request to a patient the user may see (staff: their clinic's; a patient: their own)."""
    found = (
        PatientRequest.objects.select_related("screening__patient")
        .filter(pk=request_id, screening__patient__in=patients_visible_to(user))
        .first()
    )
    if found is None:
        raise NotFound("No PatientRequest matches the given query.")
    return found


def urgent_task_for(user: Any, task_id: int) -> UrgentTask:
    found = (
        UrgentTask.objects.select_related("patient", "assessment")
        .filter(pk=task_id, patient__in=patients_visible_to(user))
        .first()
    )
    if found is None:
        raise NotFound("No UrgentTask matches the given query.")
    return found
