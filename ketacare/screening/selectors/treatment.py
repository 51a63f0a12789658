"""Patients in treatment: current decisions, whether a session may be scheduled, and the
re-assessments due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Max

from ketacare.clinical.screening import (
    APPROVE,
    DueAssessment,
    SchedulingDecision,
    due_assessments,
)
from ketacare.clinical.screening import can_schedule_session as _can_schedule
from ketacare.patients.models import Patient

from ..catalog import Bundle
from ..models import (
    Assessment,
    ConsentKind,
    Reevaluation,
    ReevaluationOutcome,
    RouteDecision,
    ScreeningSettings,
)
from .bundles import (
    intake_bundle,
    policy_of,
    schedule_of,
    settings_for,
)
from .consent import (
    consents_signed,
)
from .intake import (
    latest_screening,
)


def current_decisions(decisions: Iterable[RouteDecision]) -> dict[str, RouteDecision]:
    """The latest decision on each route (a later decision supersedes an earlier one)."""
    latest: dict[str, RouteDecision] = {}
    for decision in decisions:
        known = latest.get(decision.route)
        if known is None or (decision.decided_at, decision.pk) > (known.decided_at, known.pk):
            latest[decision.route] = decision
    return latest


def scheduling_decision(
    *,
    decisions: Iterable[RouteDecision],
    reevaluations: Sequence[Reevaluation],
    treatment_consent_signed: bool,
    settings: ScreeningSettings,
    session_times: Sequence[dt.datetime],
    at: dt.datetime,
) -> SchedulingDecision:
    current = current_decisions(decisions)
    approvals = [d for d in current.values() if d.decision == APPROVE]
    latest_reevaluation = max(reevaluations, key=lambda r: (r.evaluated_at, r.pk), default=None)
    evaluations = [d.decided_at for d in approvals]
    if latest_reevaluation is not None:
        evaluations.append(latest_reevaluation.evaluated_at)
    last_approval = max((d.decided_at for d in approvals), default=None)
    stopped = (
        latest_reevaluation is not None
        and latest_reevaluation.outcome == ReevaluationOutcome.STOP
        and (last_approval is None or last_approval <= latest_reevaluation.evaluated_at)
    )
    return _can_schedule(
        policy_of(settings),
        approved_routes=[d.route for d in approvals],
        last_evaluation_at=max(evaluations, default=None),
        session_times=session_times,
        at=at,
        stopped=stopped,
        consent_missing=not treatment_consent_signed,
    )


def can_schedule_session(
    patient: Patient, at: dt.datetime, *, session_times: Sequence[dt.datetime] | None = None
) -> SchedulingDecision:
    """May a new treatment session be scheduled for `patient` at `at`? `allowed` with the
    reasons when not (`ketacare.clinical.screening.SCHEDULING_REASON_TEXT`): no approved
    route, treatment stopped, the current treatment consent unsigned, or a prescriber
    re-evaluation due (after every N sessions, or after a gap of more than N days).

    `session_times` are the patient's treatment sessions held so far; the treatment-session
    work passes them (sessions are not recorded by this app)."""
    decisions = RouteDecision.objects.filter(screening__patient=patient)
    return scheduling_decision(
        decisions=list(decisions),
        reevaluations=list(Reevaluation.objects.filter(patient=patient)),
        treatment_consent_signed=bool(consents_signed(patient).get(ConsentKind.TREATMENT)),
        settings=settings_for(patient.clinic_id),
        session_times=list(session_times or ()),
        at=at,
    )


def due_for(
    *,
    settings: ScreeningSettings,
    bundle: Bundle | None,
    decisions: Iterable[RouteDecision],
    last_completed: Mapping[str, dt.datetime],
    at: dt.datetime,
    last_session_at: dt.datetime | None = None,
    next_session_at: dt.datetime | None = None,
) -> list[DueAssessment]:
    """Due and overdue re-assessments of a patient in treatment (an approved route)."""
    approvals = [d for d in current_decisions(decisions).values() if d.decision == APPROVE]
    if not approvals:
        return []
    since = min(d.decided_at for d in approvals)
    return due_assessments(
        schedule_of(settings, bundle),
        last_completed=last_completed,
        since=since,
        at=at,
        last_session_at=last_session_at,
        next_session_at=next_session_at,
    )


def due_assessments_for(
    patient: Patient,
    at: dt.datetime,
    *,
    last_session_at: dt.datetime | None = None,
    next_session_at: dt.datetime | None = None,
) -> list[DueAssessment]:
    """The re-assessments due or overdue for `patient` at `at`: the clinic's full bundle every
    N weeks and, given the last session held and the next one booked, the instruments due
    before each session (`ketacare.clinical.screening.due_assessments`)."""
    screening = latest_screening(patient)
    settings = settings_for(patient.clinic_id)
    bundle = intake_bundle(screening, settings=settings) if screening is not None else None
    return due_for(
        settings=settings,
        bundle=bundle,
        decisions=RouteDecision.objects.filter(screening__patient=patient),
        last_completed=last_completed([patient.pk]).get(patient.pk, {}),
        at=at,
        last_session_at=last_session_at,
        next_session_at=next_session_at,
    )


def last_completed(patient_ids: Iterable[int]) -> dict[int, dict[str, dt.datetime]]:
    rows = (
        Assessment.objects.filter(patient_id__in=list(patient_ids), correction__isnull=True)
        .values("patient_id", "instrument")
        .annotate(last=Max("completed_at"))
    )
    found: dict[int, dict[str, dt.datetime]] = {}
    for row in rows:
        found.setdefault(row["patient_id"], {})[row["instrument"]] = row["last"]
    return found


# --- Public face for other apps --------------------------------------------------------------
# What treatments reads of screening: the routes a prescriber has approved (no other app
# queries screening's models).


def approved_routes(patient: Patient) -> set[str]:
    """The routes whose latest prescriber decision for `patient` is an approval."""
    decisions = RouteDecision.objects.filter(screening__patient=patient)
    return {
        route
        for route, decision in current_decisions(decisions).items()
        if decision.decision == APPROVE
    }


def patients_with_approved_routes(clinic_id: int | None) -> dict[int, set[str]]:
    """Patient id -> the routes approved for them, for the clinic's patients with any."""
    if clinic_id is None:
        return {}
    decisions = RouteDecision.objects.filter(
        screening__patient__clinic_id=clinic_id
    ).select_related("screening")
    by_patient: dict[int, list[RouteDecision]] = {}
    for decision in decisions:
        by_patient.setdefault(decision.screening.patient_id, []).append(decision)
    approved = {}
    for patient_id, items in by_patient.items():
        routes = {
            route
            for route, decision in current_decisions(items).items()
            if decision.decision == APPROVE
        }
        if routes:
            approved[patient_id] = routes
    return approved
