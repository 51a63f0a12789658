"""The screening objects the permission matrix (tests/test_permission_matrix.py) puts in its
paths: all of `world.patient` (of the admin's clinic), built once per test."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from ketacare.screening import services
from ketacare.screening.models import (
    AssessmentContext,
    PatientRequest,
    RouteDecision,
    Screening,
    UrgentTask,
)


def screening_objects(t: Any) -> SimpleNamespace:
    """An earlier screening of world.patient, decided (IV approved), and an open one in
    intake with an assessment, a request to the patient and an urgent task; the clinic's
    treatment consent document."""
    if hasattr(t, "_screening_objects"):
        return t._screening_objects
    now = timezone.now()
    earlier = Screening.objects.create(
        patient=t.patient,
        status="decided",
        started_at=now - dt.timedelta(days=400),
        submitted_at=now - dt.timedelta(days=399),
        decided_at=now - dt.timedelta(days=398),
    )
    decision = RouteDecision.objects.create(
        screening=earlier,
        route="iv",
        decision="approve",
        reason="Eligible.",
        rule_status="eligible",
        decided_by=t.prescriber,
        decided_at=earlier.decided_at,
    )
    current = Screening.objects.create(patient=t.patient, started_at=now)
    assessment, _ = services.record_assessment(
        actor=t.clinician,
        patient=t.patient,
        instrument="gad7",
        answers=[1] * 7,
        context=AssessmentContext.REVIEW,
        screening=current,
    )
    request = PatientRequest.objects.create(
        screening=current,
        kind="information",
        message="Your last ECG, please.",
        created_by=t.clinician,
        created_at=now,
    )
    task = UrgentTask.objects.create(
        patient=t.patient, instrument="phq9", flags=["suicidal_ideation"], created_at=now
    )
    document = services.publish_consent_document(
        actor=t.admin, kind="treatment", title="Consent to treatment", body="Risks."
    )
    t._screening_objects = SimpleNamespace(
        decision=decision, assessment=assessment, request=request, task=task, document=document
    )
    return t._screening_objects


def step(t: Any) -> dict[str, Any]:
    screening_objects(t)
    return {"step": "about"}


def code(t: Any) -> dict[str, Any]:
    screening_objects(t)
    return {"code": "phq9"}


def kind(t: Any) -> dict[str, Any]:
    screening_objects(t)
    return {"kind": "treatment"}


def patient_code(t: Any) -> dict[str, Any]:
    screening_objects(t)
    return {"patient_id": t.patient.pk, "code": "madrs"}


def patient(t: Any) -> dict[str, Any]:
    screening_objects(t)
    return {"patient_id": t.patient.pk}


def request_id(t: Any) -> dict[str, Any]:
    return {"request_id": screening_objects(t).request.pk}


def assessment_id(t: Any) -> dict[str, Any]:
    return {"assessment_id": screening_objects(t).assessment.pk}


def task_id(t: Any) -> dict[str, Any]:
    return {"task_id": screening_objects(t).task.pk}


def document_id(t: Any) -> dict[str, Any]:
    return {"document_id": screening_objects(t).document.pk}


def decision_id(t: Any) -> dict[str, Any]:
    return {"decision_id": screening_objects(t).decision.pk}


def new_assessment(t: Any) -> dict[str, Any]:
    return {"patient_id": t.patient.pk, "instrument": "gad7", "answers": [0] * 7}
