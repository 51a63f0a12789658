"""Assessments (read and create) and screening decisions (read) over the API, with the same
permissions and audit as the pages: staff see their clinic's patients, a patient their own
records; monitors and other clinics get 404. Scores come from `ketacare.clinical`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import StrictBool, StrictInt

from ketacare.audit.log import record
from ketacare.clinical.instruments import InvalidAnswers
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.patients.selectors import get_patient_for

from . import selectors, services
from .models import Assessment, AssessmentContext, RouteDecision

assessments_router = Router(tags=["assessments"])
decisions_router = Router(tags=["screening"])
MAX_LIMIT = 500


class AssessmentOut(Schema):
    id: int
    patient_id: int
    instrument: str
    instrument_version: str
    answers: list[int | None]
    total: float
    severity: str | None
    flags: list[str]
    subscales: dict[str, float | None]
    context: str
    completed_by_id: int
    completed_at: dt.datetime
    recorded_at: dt.datetime
    corrects_id: int | None
    correction_reason: str


class AssessmentCreated(AssessmentOut):
    crisis: bool = Field(description="True when the answers call for the crisis response.")
    urgent_task_id: int | None


class AssessmentIn(Schema):
    patient_id: int
    instrument: str = Field(max_length=20)
    # Strict: "2" or 2.0 is refused, as the clinical core refuses it (never coerced).
    answers: list[StrictInt | StrictBool | None] | dict[str, StrictInt | StrictBool | None] = Field(
        description="Answers in item order (null for a skipped item) or {item_number: value}; "
        "true/false only for the C-SSRS screener."
    )
    corrects_id: int | None = Field(
        default=None, description="Staff only: the assessment this one corrects."
    )
    correction_reason: str = Field(default="", max_length=500)


class DecisionOut(Schema):
    id: int
    patient_id: int
    screening_id: int
    route: str
    decision: str
    rule_status: str
    is_override: bool
    decided_by_id: int
    decided_at: dt.datetime
    # Staff only (null for a patient): the prescriber's reasoning and the rules' reasons.
    reason: str | None
    override_reason: str | None
    rule_reasons: list[dict[str, str]] | None


class ErrorOut(Schema):
    detail: str
    item: int | None = None


def _reader(request: AuthenticatedHttpRequest) -> None:
    if not selectors.may_read_screening(request.user):
        raise NotFound()


def _assessment_dict(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "patient_id": assessment.patient_id,
        "instrument": assessment.instrument,
        "instrument_version": assessment.instrument_version,
        "answers": list(assessment.answers),
        "total": float(assessment.total),
        "severity": assessment.severity or None,
        "flags": list(assessment.flags),
        "subscales": dict(assessment.subscales),
        "context": assessment.context,
        "completed_by_id": assessment.completed_by_id,
        "completed_at": assessment.completed_at,
        "recorded_at": assessment.recorded_at,
        "corrects_id": assessment.corrects_id,
        "correction_reason": assessment.correction_reason,
    }


def _patient_filter(request: AuthenticatedHttpRequest, patient_id: int | None) -> int | None:
    if patient_id is not None:
        get_patient_for(request.user, patient_id)
    return patient_id


@assessments_router.get("", response=list[AssessmentOut])
def list_assessments(
    request: AuthenticatedHttpRequest,
    patient_id: int | None = None,
    instrument: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    _reader(request)
    _patient_filter(request, patient_id)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    qs = selectors.assessments_for_api(
        user=request.user, patient_id=patient_id, instrument=instrument[:20]
    )
    items = list(qs[offset : offset + limit])
    record(
        action="list",
        obj=("screening.Assessment", ""),
        patient=patient_id,
        detail=f"api: {len(items)} assessments",
    )
    return [_assessment_dict(a) for a in items]


@assessments_router.get("/{assessment_id}", response={200: AssessmentOut, 404: ErrorOut})
def get_assessment(request: AuthenticatedHttpRequest, assessment_id: int) -> Any:
    _reader(request)
    assessment = selectors.get_assessment_for(
        request.user, assessment_id, refused="api: assessment refused"
    )
    record(action="view", obj=assessment, patient=assessment.patient_id)
    return _assessment_dict(assessment)


@assessments_router.post(
    "",
    response={201: AssessmentCreated, 404: ErrorOut, 422: ErrorOut},
    summary="Record an assessment",
)
def create_assessment(request: AuthenticatedHttpRequest, payload: AssessmentIn) -> Any:
    """Score and store a completed instrument. A patient records their own self-rated
    instruments; staff (clinicians, prescribers) any instrument of their clinic's patients,
    and corrections (`corrects_id` with a `correction_reason`)."""
    staff = policy.can(request.user, policy.CLINICAL_CARE)
    if not staff and not policy.can(request.user, policy.SELF_REPORT):
        raise NotFound()
    patient = get_patient_for(request.user, payload.patient_id)
    corrects = None
    if payload.corrects_id is not None:
        if not staff:
            raise Refusal("only staff can correct an assessment.", field="corrects_id")
        corrects = selectors.assessment_of(patient, payload.corrects_id)
        if corrects is None:
            raise Refusal("no such assessment of this patient.", field="corrects_id")
    try:
        assessment, task = services.record_assessment(
            actor=request.user,
            patient=patient,
            instrument=payload.instrument,
            answers=payload.answers,
            context=AssessmentContext.CORRECTION if corrects else AssessmentContext.API,
            screening=selectors.latest_screening(patient),
            corrects=corrects,
            correction_reason=payload.correction_reason,
        )
    except InvalidAnswers as exc:
        # The clinical core's scoring error, answered at the edge with the item at fault.
        return Status(422, {"detail": f"answers: {exc}", "item": exc.item})
    body = _assessment_dict(assessment)
    body.update(
        crisis=task is not None and task.is_crisis, urgent_task_id=task.pk if task else None
    )
    return Status(201, body)


def _decision_dict(decision: RouteDecision, *, staff: bool) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "patient_id": decision.screening.patient_id,
        "screening_id": decision.screening_id,
        "route": decision.route,
        "decision": decision.decision,
        "rule_status": decision.rule_status,
        "is_override": decision.is_override,
        "decided_by_id": decision.decided_by_id,
        "decided_at": decision.decided_at,
        "reason": decision.reason if staff else None,
        "override_reason": decision.override_reason if staff else None,
        "rule_reasons": list(decision.rule_reasons) if staff else None,
    }


@decisions_router.get("/decisions", response=list[DecisionOut])
def list_decisions(
    request: AuthenticatedHttpRequest,
    patient_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    _reader(request)
    _patient_filter(request, patient_id)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    items = list(
        selectors.decisions_for_api(user=request.user, patient_id=patient_id)[
            offset : offset + limit
        ]
    )
    record(
        action="list",
        obj=("screening.RouteDecision", ""),
        patient=patient_id,
        detail=f"api: {len(items)} decisions",
    )
    staff = policy.can(request.user, policy.REVIEW_SCREENING)
    return [_decision_dict(d, staff=staff) for d in items]


@decisions_router.get("/decisions/{decision_id}", response={200: DecisionOut, 404: ErrorOut})
def get_decision(request: AuthenticatedHttpRequest, decision_id: int) -> Any:
    _reader(request)
    decision = selectors.get_decision_for(request.user, decision_id)
    record(action="view", obj=decision, patient=decision.screening.patient_id)
    return _decision_dict(decision, staff=policy.can(request.user, policy.REVIEW_SCREENING))
