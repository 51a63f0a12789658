"""The screening summary a clinician reviews: small named reads, assembled by
`screening_summary` in a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from ketacare.clinical.eligibility import (
    assess_eligibility,
)
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.patients.models import Patient

from ..catalog import Bundle, bundle_for
from ..forms import INTAKE_FORMS, describe
from ..models import (
    Assessment,
    ConsentKind,
    Reevaluation,
    Route,
    RouteDecision,
    Screening,
    ScreeningSettings,
    UrgentTask,
)
from .bundles import indications_of, settings_for
from .consent import consent_states_of, documents_with_signature
from .eligibility import (
    intake_answers,
    latest_by_instrument,
    medical_history,
    score_of,
)
from .intake import (
    step_state,
)
from .treatment import (
    current_decisions,
    due_for,
    scheduling_decision,
)


@dataclass
class InstrumentRow:
    code: str
    title: str
    latest: Assessment | None
    history: list[Assessment] = field(default_factory=list)
    clinician_rated: bool = False


def _latest_screening_and_settings(
    patient: Patient,
) -> tuple[Screening | None, ScreeningSettings]:
    """The patient's latest screening and their clinic's settings, in one query."""
    screening = (
        Screening.objects.filter(patient=patient)
        .select_related("patient__clinic__screening_settings", "findings_updated_by")
        .order_by("-started_at", "-id")
        .first()
    )
    if screening is None:
        return None, settings_for(patient.clinic_id)
    settings = getattr(screening.patient.clinic, "screening_settings", None) or ScreeningSettings(
        clinic_id=patient.clinic_id
    )
    screening.patient = patient
    return screening, settings


def _assessments(patient: Patient) -> list[Assessment]:
    """Every assessment of the patient, newest first, each marked `is_superseded` when a
    correction replaced it."""
    assessments = list(
        Assessment.objects.filter(patient=patient)
        .select_related("completed_by")
        .order_by("-completed_at", "-id")
    )
    corrected = {a.corrects_id for a in assessments if a.corrects_id}
    for a in assessments:
        a.is_superseded = a.pk in corrected  # type: ignore[attr-defined]
    return assessments


def _reevaluations(patient: Patient) -> list[Reevaluation]:
    return list(Reevaluation.objects.filter(patient=patient).select_related("evaluated_by"))


def _urgent_tasks(patient: Patient) -> list[UrgentTask]:
    return list(
        UrgentTask.objects.filter(patient=patient)
        .select_related("resolved_by", "assessment")
        .order_by("-created_at", "-id")
    )


def _decisions(patient: Patient) -> list[RouteDecision]:
    return list(
        RouteDecision.objects.filter(screening__patient=patient)
        .select_related("decided_by")
        .order_by("-decided_at", "-id")
    )


def _instrument_rows(
    bundle: Bundle, latest: dict[str, Assessment], assessments: list[Assessment]
) -> list[InstrumentRow]:
    """One row per instrument of the bundle (and any other the patient has a score for)."""
    rows = []
    for code in dict.fromkeys([*bundle.patient, *bundle.staff, *latest]):
        definition = INSTRUMENTS.get(code)
        if definition is None:
            continue
        history = [a for a in assessments if a.instrument == code]
        rows.append(
            InstrumentRow(
                code, definition.title, latest.get(code), history, definition.clinician_rated
            )
        )
    return rows


def _route_rows(
    eligibility: dict[str, Any], current: dict[str, RouteDecision]
) -> list[dict[str, Any]]:
    return [
        {
            "route": r.value,
            "label": r.label,
            "eligibility": eligibility[r.value],
            "decision": current.get(r.value),
        }
        for r in Route
    ]


def _intake_display(
    steps: dict[str, Any], answers: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each intake screen with the patient's answers as label/value rows."""
    return [
        {
            "key": key,
            "title": title,
            "rows": describe(form_class, answers[key]) if key in answers else None,
            "state": step_state(steps.get(key)),
        }
        for key, (title, form_class) in INTAKE_FORMS.items()
    ]


def _no_review() -> dict[str, Any]:
    """The review part of the page before the patient has started a screening."""
    return {
        "steps": {},
        "answers": {},
        "decisions": [],
        "notes": [],
        "requests": [],
        "current_decisions": {},
        "eligibility": {},
        "routes": [],
        "instrument_rows": [],
        "bundle": Bundle((), ()),
        "history": None,
        "due": [],
        "scheduling": None,
    }


def _review(
    *,
    patient: Patient,
    screening: Screening,
    settings: ScreeningSettings,
    assessments: list[Assessment],
    reevaluations: list[Reevaluation],
    treatment_consent_signed: bool,
    at: dt.datetime,
) -> dict[str, Any]:
    """The review part: the intake's answers, eligibility per route against the latest
    scores, the decisions, notes and requests, what is due and whether a session may be
    scheduled."""
    steps = {s.step: s for s in screening.steps.all()}
    decisions = _decisions(patient)
    answers = intake_answers(steps)
    history = medical_history(patient, screening, answers, timezone.localdate(at))
    latest = latest_by_instrument(assessments)
    eligibility = assess_eligibility(history, {c: score_of(a) for c, a in latest.items()})
    bundle = bundle_for(settings, indications_of(steps))
    current = current_decisions(decisions)
    return {
        "steps": steps,
        "answers": answers,
        "intake_display": _intake_display(steps, answers),
        "history": history,
        "decisions": decisions,
        "current_decisions": current,
        "notes": list(screening.notes.select_related("author")),
        "requests": list(screening.requests.select_related("created_by", "closed_by")),
        "eligibility": eligibility,
        "routes": _route_rows(eligibility, current),
        "bundle": bundle,
        "instrument_rows": _instrument_rows(bundle, latest, assessments),
        "due": due_for(
            settings=settings,
            bundle=bundle,
            decisions=decisions,
            last_completed={c: a.completed_at for c, a in latest.items()},
            at=at,
        ),
        "scheduling": scheduling_decision(
            decisions=decisions,
            reevaluations=reevaluations,
            treatment_consent_signed=treatment_consent_signed,
            settings=settings,
            session_times=(),
            at=at,
        ),
    }


def screening_summary(*, patient: Patient, at: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the review page shows, in at most 10 queries whatever the number of
    assessments (tests/screening/test_summary_queries.py)."""
    at = at or timezone.now()
    screening, settings = _latest_screening_and_settings(patient)
    assessments = _assessments(patient)
    reevaluations = _reevaluations(patient)
    tasks = _urgent_tasks(patient)
    consents = documents_with_signature(patient)
    context: dict[str, Any] = {
        "patient": patient,
        "screening": screening,
        "settings": settings,
        "tasks": tasks,
        "open_tasks": [t for t in tasks if t.is_open],
        "consents": consent_states_of(consents),
        "reevaluations": reevaluations,
        "assessments": assessments,
    }
    if screening is None:
        context.update(_no_review())
        return context
    treatment_signed = any(
        d.kind == ConsentKind.TREATMENT and d.signed_at is not None for d in consents
    )
    context.update(
        _review(
            patient=patient,
            screening=screening,
            settings=settings,
            assessments=assessments,
            reevaluations=reevaluations,
            treatment_consent_signed=treatment_signed,
            at=at,
        )
    )
    return context
