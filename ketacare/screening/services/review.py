"""The clinician's review of a submitted screening: notes, requests to the patient (and the
patient's answers), the clinician's findings, then the prescriber's decision on each route
against the rule-based eligibility, and re-evaluations during treatment."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.clinical.screening import APPROVE, is_override
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.patients.models import Patient

from .. import selectors
from ..models import (
    ConsentKind,
    PatientRequest,
    Reevaluation,
    ReviewNote,
    Route,
    RouteDecision,
    Screening,
    ScreeningStatus,
)

NO_PATIENT = "No such patient."
FINDING_FIELDS = (
    "screening_systolic",
    "screening_diastolic",
    "named_adult_monitor",
    "validated_home_bp_cuff",
    "supervised_first_dose_without_sae",
)


@transaction.atomic
def add_review_note(*, actor: User, screening: Screening, body: str) -> ReviewNote:
    policy.require(actor, policy.CLINICAL_CARE, screening.patient, what=NO_PATIENT)
    body = body.strip()
    if not body:
        raise Refusal("Write the note.", field="body", code="note_required")
    note = ReviewNote.objects.create(
        screening=screening, author=actor, body=body, created_at=timezone.now()
    )
    record(actor=actor, action="create", obj=note, patient=screening.patient)
    return note


@transaction.atomic
def add_patient_request(
    *, actor: User, screening: Screening, kind: str, message: str
) -> PatientRequest:
    policy.require(actor, policy.CLINICAL_CARE, screening.patient, what=NO_PATIENT)
    message = message.strip()
    if not message:
        raise Refusal("Write the message to the patient.", field="message", code="message_required")
    patient_request = PatientRequest.objects.create(
        screening=screening,
        kind=kind,
        message=message,
        created_by=actor,
        created_at=timezone.now(),
    )
    record(
        actor=actor,
        action="create",
        obj=patient_request,
        patient=screening.patient,
        detail=f"request to patient: {kind}",
    )
    return patient_request


@transaction.atomic
def respond_to_request(
    *, actor: User, patient_request: PatientRequest, response: str
) -> PatientRequest:
    patient = patient_request.screening.patient
    policy.require(actor, policy.SELF_REPORT, patient, what=NO_PATIENT)
    if patient_request.closed_at is not None:
        raise Refusal("This request has been closed by your clinic.", code="request_closed")
    response = response.strip()
    if not response:
        raise Refusal("Write your answer.", field="response", code="answer_required")
    patient_request.response = response
    patient_request.responded_at = timezone.now()
    patient_request.save(update_fields=["response", "responded_at"])
    record(
        actor=actor,
        action="update",
        obj=patient_request,
        patient=patient,
        detail="patient answered a request",
    )
    return patient_request


@transaction.atomic
def close_request(*, actor: User, patient_request: PatientRequest) -> PatientRequest:
    patient = patient_request.screening.patient
    policy.require(actor, policy.CLINICAL_CARE, patient, what=NO_PATIENT)
    if patient_request.closed_at is None:
        patient_request.closed_at = timezone.now()
        patient_request.closed_by = actor
        patient_request.save(update_fields=["closed_at", "closed_by"])
        record(
            actor=actor,
            action="update",
            obj=patient_request,
            patient=patient,
            detail="request closed",
        )
    return patient_request


@transaction.atomic
def record_findings(*, actor: User, screening: Screening, **fields: Any) -> Screening:
    """The clinician's findings: screening blood pressure and the at-home checklist."""
    policy.require(actor, policy.CLINICAL_CARE, screening.patient, what=NO_PATIENT)
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise TypeError(f"unknown finding fields: {sorted(unknown)}")
    changed = [
        name
        for name in FINDING_FIELDS
        if name in fields and getattr(screening, name) != fields[name]
    ]
    for name in changed:
        setattr(screening, name, fields[name])
    screening.findings_updated_at = timezone.now()
    screening.findings_updated_by = actor
    screening.save(update_fields=[*changed, "findings_updated_at", "findings_updated_by"])
    record(
        actor=actor,
        action="update",
        obj=screening,
        patient=screening.patient,
        detail="findings: " + (", ".join(changed) or "no change"),
    )
    return screening


def _check_consents_for_approval(patient: Patient, route: str) -> None:
    signed = selectors.consents_signed(patient)
    if not signed.get(ConsentKind.TREATMENT):
        raise Refusal(
            "The patient has not signed the current treatment consent.",
            field="decision",
            code="treatment_consent_missing",
        )
    if route == Route.HOME_TROCHE and not signed.get(ConsentKind.HOME_PROGRAM):
        raise Refusal(
            "The patient has not signed the current at-home program consent.",
            field="decision",
            code="home_consent_missing",
        )


@transaction.atomic
def record_route_decision(
    *,
    actor: User,
    screening: Screening,
    route: str,
    decision: str,
    reason: str,
    override_reason: str = "",
) -> RouteDecision:
    """The prescriber's decision on one route, against the rule-based eligibility now. An
    override of the rules needs its own reason."""
    patient = screening.patient
    policy.require(actor, policy.PRESCRIBE, patient, what=NO_PATIENT)
    if screening.status == ScreeningStatus.INTAKE:
        raise Refusal("The patient has not submitted the intake yet.", code="intake_open")
    if route not in Route.values:
        raise Refusal("Unknown route.", field="route", code="unknown_route")
    reason = reason.strip()
    override_reason = override_reason.strip()
    if not reason:
        raise Refusal("Give the reason for the decision.", field="reason", code="reason_required")
    eligibility = selectors.eligibility_for(screening)[route]
    override = is_override(eligibility.status, decision)
    if override and not override_reason:
        raise Refusal(
            f"The rules find this route {eligibility.status.replace('_', ' ')}: overriding "
            "that needs a reason.",
            field="override_reason",
            code="override_reason_required",
        )
    if decision == APPROVE:
        _check_consents_for_approval(patient, route)
    at = timezone.now()
    decided = RouteDecision.objects.create(
        screening=screening,
        route=route,
        decision=decision,
        reason=reason,
        rule_status=eligibility.status,
        rule_reasons=[r.as_dict() for r in eligibility.reasons],
        is_override=override,
        override_reason=override_reason if override else "",
        decided_by=actor,
        decided_at=at,
    )
    if screening.status != ScreeningStatus.DECIDED:
        screening.status = ScreeningStatus.DECIDED
        screening.decided_at = at
        screening.save(update_fields=["status", "decided_at"])
    record(
        actor=actor,
        action="create",
        obj=decided,
        patient=patient,
        detail=f"{route}: {decision}" + (" (override of the rules)" if override else ""),
    )
    return decided


@transaction.atomic
def record_reevaluation(*, actor: User, patient: Patient, outcome: str, note: str) -> Reevaluation:
    policy.require(actor, policy.PRESCRIBE, patient, what=NO_PATIENT)
    note = note.strip()
    if not note:
        raise Refusal("Write the assessment and plan.", field="note", code="note_required")
    reevaluation = Reevaluation.objects.create(
        patient=patient,
        outcome=outcome,
        note=note,
        evaluated_by=actor,
        evaluated_at=timezone.now(),
    )
    record(
        actor=actor,
        action="create",
        obj=reevaluation,
        patient=patient,
        detail=f"re-evaluation: {outcome}",
    )
    return reevaluation
