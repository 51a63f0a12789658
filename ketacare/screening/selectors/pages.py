"""The patient's own screening page, the staff worklist and the screening part of home pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, When
from django.utils import timezone

from ketacare.accounts.models import Role
from ketacare.clinical.screening import (
    APPROVE,
    DueAssessment,
)
from ketacare.core import policy
from ketacare.patients.models import Patient
from ketacare.patients.selectors import patients_visible_to

from ..catalog import self_rated
from ..models import (
    OPEN_STATUSES,
    Assessment,
    PatientRequest,
    RouteDecision,
    Screening,
    ScreeningStatus,
    Urgency,
    UrgentTask,
)
from .bundles import intake_bundle, settings_for
from .consent import (
    INTAKE_CONSENTS,
    consent_states,
)
from .intake import (
    intake_overview,
    latest_screening,
)
from .treatment import current_decisions, due_assessments_for, due_for, last_completed

HOME_LIST_LIMIT = 50


def patient_screening_page(*, patient: Patient, at: dt.datetime | None = None) -> dict[str, Any]:
    """What the patient sees: their intake status, the clinic's requests, the decisions (not
    the clinician's notes or reasons), consents, their assessments and what is due."""
    at = at or timezone.now()
    screening = latest_screening(patient)
    requests = (
        list(PatientRequest.objects.filter(screening__patient=patient).order_by("-created_at"))
        if screening is not None
        else []
    )
    decisions = list(RouteDecision.objects.filter(screening__patient=patient))
    assessments = list(
        Assessment.objects.filter(patient=patient, correction__isnull=True).order_by(
            "-completed_at", "-id"
        )[:100]
    )
    return {
        "patient": patient,
        "screening": screening,
        "requests": requests,
        "current_decisions": sorted(current_decisions(decisions).values(), key=lambda d: d.route),
        "consents": consent_states(patient),
        "assessments": assessments,
        "due": due_assessments_for(patient, at),
    }


def reassessment_offered(patient: Patient, code: str) -> bool:
    """May the patient take `code` outside the intake? The self-rated instruments due before
    sessions or in their bundle."""
    settings = settings_for(patient.clinic_id)
    screening = latest_screening(patient)
    bundle = intake_bundle(screening, settings=settings) if screening else None
    offered = set(settings.pre_session_instruments) | set(bundle.patient if bundle else ())
    return code in offered and self_rated(code)


# --- Home pages and the staff worklist ---------------------------------------------------------


@dataclass
class DueRow:
    patient: Patient
    due: DueAssessment


def clinic_worklist(*, user: Any, at: dt.datetime | None = None) -> dict[str, Any]:
    """For staff: open urgent tasks, intakes awaiting review or in progress, and due or
    overdue re-assessments of the clinic's patients in treatment."""
    at = at or timezone.now()
    patients = patients_visible_to(user)
    urgent = list(
        UrgentTask.objects.filter(patient__in=patients, resolved_at__isnull=True)
        .select_related("patient")
        # Crisis tasks first, then same-day reviews; oldest first within each.
        .order_by(Case(When(urgency=Urgency.CRISIS, then=0), default=1), "created_at", "id")[
            :HOME_LIST_LIMIT
        ]
    )
    screenings = list(
        Screening.objects.filter(patient__in=patients, status__in=OPEN_STATUSES)
        .select_related("patient")
        .order_by("submitted_at", "started_at", "id")[: HOME_LIST_LIMIT * 2]
    )
    settings = settings_for(getattr(user, "clinic_id", None))
    decisions = list(
        RouteDecision.objects.filter(screening__patient__in=patients, decision=APPROVE)
        .select_related("screening__patient")
        .order_by("decided_at", "id")
    )
    # Only patients whose current decision on some route is an approval are in treatment.
    by_patient: dict[int, list[RouteDecision]] = {}
    for decision in RouteDecision.objects.filter(
        screening__patient_id__in={d.screening.patient_id for d in decisions}
    ).select_related("screening"):
        by_patient.setdefault(decision.screening.patient_id, []).append(decision)
    patients_by_id = {d.screening.patient_id: d.screening.patient for d in decisions}
    last = last_completed(by_patient)
    due_rows: list[DueRow] = []
    for patient_id, items in by_patient.items():
        for due in due_for(
            settings=settings,
            bundle=None,
            decisions=items,
            last_completed=last.get(patient_id, {}),
            at=at,
        ):
            due_rows.append(DueRow(patients_by_id[patient_id], due))
    due_rows.sort(key=lambda r: (r.due.status != "overdue", r.due.due_at or at))
    return {
        "urgent_tasks": urgent,
        "awaiting_review": [s for s in screenings if s.status == ScreeningStatus.SUBMITTED],
        "in_intake": [s for s in screenings if s.status == ScreeningStatus.INTAKE],
        "due_rows": due_rows[:HOME_LIST_LIMIT],
    }


def home_context(
    *, user: Any, patient: Patient | None = None, at: dt.datetime | None = None
) -> dict[str, Any]:
    """The screening part of a home page: one call from `ketacare.web.views.home`."""
    at = at or timezone.now()
    if policy.has_role(user, Role.PATIENT):
        if patient is None:
            return {}
        overview = intake_overview(patient)
        return {
            "intake": overview,
            "due_assessments": due_assessments_for(patient, at),
            "open_requests": list(
                PatientRequest.objects.filter(
                    screening__patient=patient, closed_at__isnull=True, responded_at__isnull=True
                ).order_by("-created_at")
            ),
            # During the intake, consents are screens of the intake; afterwards a new version
            # of a document the intake asked for is shown here to re-sign.
            "consents_to_sign": [
                c
                for c in consent_states(patient)
                if c.needs_signature and overview.is_finished and c.kind in INTAKE_CONSENTS
            ],
        }
    if policy.can(user, policy.REVIEW_SCREENING):
        return {"screening": clinic_worklist(user=user, at=at)}
    return {}
