"""What treatment needs from screening (issue #7), in one place: the routes a prescriber has
approved for a patient, and whether another session may be scheduled (the re-evaluation
gate after N sessions or a long gap, a signed consent, a treatment not stopped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ketacare.clinical.screening import APPROVE, SchedulingDecision
from ketacare.patients.models import Patient
from ketacare.screening import selectors as screening
from ketacare.screening.models import RouteDecision


def approved_routes(patient: Patient) -> set[str]:
    """The routes whose latest prescriber decision is an approval."""
    decisions = RouteDecision.objects.filter(screening__patient=patient)
    return {
        route
        for route, decision in screening.current_decisions(decisions).items()
        if decision.decision == APPROVE
    }


def patients_with_approved_routes(clinic_id: int) -> dict[int, set[str]]:
    """Patient id -> the routes approved for them, for the clinic's patients with any."""
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
            for route, decision in screening.current_decisions(items).items()
            if decision.decision == APPROVE
        }
        if routes:
            approved[patient_id] = routes
    return approved


def scheduling_gate(
    patient: Patient, at: dt.datetime, *, session_times: Sequence[dt.datetime]
) -> SchedulingDecision:
    """screening's `can_schedule_session`, given the sessions held so far (their dose times)."""
    return screening.can_schedule_session(patient, at, session_times=list(session_times))


def due_assessments(patient: Patient, at: dt.datetime) -> list[str]:
    """The instruments due or overdue before a session (shown on the check-in checklist)."""
    return [due.instrument for due in screening.due_assessments_for(patient, at)]
