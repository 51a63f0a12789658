"""Sessions, their vitals, dose plans and events over the API, with the pages' permissions and
audit: staff read their clinic's sessions, clinicians and prescribers record (an override
is a prescriber's); a patient reads their own sessions; everyone else gets 404. A refused
write is a 422 whose `detail` says why, with `errors` per field and the rule `codes`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from ketacare.audit.log import record
from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.patients.selectors import get_patient_for

from . import selectors, services
from .models import DosePlan, SessionEvent, TimePoint, TreatmentSession, VitalSigns

router = Router(tags=["treatments"])
MAX_LIMIT = 500


class ErrorOut(Schema):
    """A refusal (`Refusal.as_json()`, answered by the API's one handler)."""

    detail: str
    code: str = "refused"
    field: str | None = None
    errors: dict[str, list[str]] = {}
    codes: list[str] = []


class SessionOut(Schema):
    id: int
    patient_id: int
    order_id: int
    protocol_code: str
    protocol_version: int
    route: str
    chair: str
    clinician_id: int
    scheduled_start: dt.datetime
    scheduled_end: dt.datetime
    status: str
    phase: str
    checked_in_at: dt.datetime | None
    dose_started_at: dt.datetime | None
    dose_ended_at: dt.datetime | None
    administered_dose_mg: float | None
    lot_number: str
    observation_ends_at: dt.datetime | None
    discharge_missing: list[str]
    overdue_time_points: list[str]
    discharged_at: dt.datetime | None
    rems_submitted_at: dt.datetime | None


class VitalsOut(Schema):
    id: int
    session_id: int
    taken_at: dt.datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    respiratory_rate: int | None
    moaas: int | None
    cadss_total: float | None
    cadss_assessment_id: int | None
    time_point: str
    alerts: list[str]
    note: str
    recorded_by_id: int
    recorded_at: dt.datetime
    corrects_id: int | None


def _plausible(measure: str) -> Any:
    plausible = PLAUSIBLE[measure]
    return Field(default=None, ge=plausible.low, le=plausible.high)


class VitalsIn(Schema):
    systolic: int | None = _plausible("systolic")
    diastolic: int | None = _plausible("diastolic")
    heart_rate: int | None = _plausible("heart_rate")
    spo2: int | None = _plausible("spo2")
    respiratory_rate: int | None = _plausible("respiratory_rate")
    moaas: int | None = Field(default=None, ge=0, le=5, description="MOAA/S sedation, 0-5")
    cadss_answers: list[int] | None = Field(
        default=None, description="The 23 CADSS items (0-4 each), or null."
    )
    time_point: TimePoint = TimePoint.NONE
    note: str = Field(default="", max_length=300)
    taken_at: dt.datetime | None = Field(default=None, description="Default: now.")
    corrects_id: int | None = Field(
        default=None, description="The reading of this session that this one corrects."
    )


class EventOut(Schema):
    id: int
    session_id: int
    category: str
    kind: str
    description: str
    severity: str
    serious: bool
    onset_at: dt.datetime
    actions_taken: str
    recorded_by_id: int
    recorded_at: dt.datetime


class EventIn(Schema):
    category: str = Field(max_length=20)
    kind: str = Field(max_length=30)
    severity: str = Field(max_length=10)
    serious: bool = False
    description: str = Field(default="", max_length=500)
    actions_taken: str = Field(default="", max_length=5000)
    onset_at: dt.datetime | None = None


class PlanIn(Schema):
    dose_mg: float | None = Field(default=None, gt=0, lt=10000)
    override_reason: str = Field(default="", max_length=2000)


class PlanOut(Schema):
    id: int
    session_id: int
    allowed: bool
    dose_mg: float | None
    infusion_rate_mg_per_min: float | None
    reasons: list[str]
    warnings: list[str]
    overridden: list[str]
    override_reason: str
    vitals_id: int | None
    planned_by_id: int
    planned_at: dt.datetime


def _session(
    request: AuthenticatedHttpRequest, session_id: int, *, staff_only: bool = True
) -> TreatmentSession:
    return selectors.session_for(request.user, session_id, staff_only=staff_only)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _session_dict(session: TreatmentSession, state: selectors.Monitoring) -> dict[str, Any]:
    return {
        "id": session.pk,
        "patient_id": session.patient_id,
        "order_id": session.order_id,
        "protocol_code": session.protocol.code,
        "protocol_version": session.protocol.version,
        "route": session.protocol.route,
        "chair": str(session.chair),
        "clinician_id": session.clinician_id,
        "scheduled_start": session.scheduled_start,
        "scheduled_end": session.scheduled_end,
        "status": session.status,
        "phase": state.phase,
        "checked_in_at": session.checked_in_at,
        "dose_started_at": session.dose_started_at,
        "dose_ended_at": session.dose_ended_at,
        "administered_dose_mg": _float(session.administered_dose_mg),
        "lot_number": session.lot_number,
        "observation_ends_at": state.observation_ends_at,
        "discharge_missing": state.discharge_missing,
        "overdue_time_points": [tp.code for tp in state.overdue_points],
        "discharged_at": session.discharged_at,
        "rems_submitted_at": session.rems_submitted_at,
    }


def _vitals_dict(row: VitalSigns) -> dict[str, Any]:
    return {
        **{
            name: getattr(row, name)
            for name in (
                "id", "session_id", "taken_at", "systolic", "diastolic", "heart_rate", "spo2",
                "respiratory_rate", "moaas", "time_point", "alerts", "note", "recorded_by_id",
                "recorded_at", "corrects_id",
            )
        },
        "cadss_total": _float(row.cadss.total) if row.cadss is not None else None,
        "cadss_assessment_id": row.cadss_id,
    }  # fmt: skip


def _event_dict(event: SessionEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EventOut.model_fields}


def _plan_dict(plan: DosePlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "session_id": plan.session_id,
        "allowed": plan.allowed,
        "dose_mg": _float(plan.dose_mg),
        "infusion_rate_mg_per_min": _float(plan.infusion_rate_mg_per_min),
        "reasons": plan.reasons,
        "warnings": plan.warnings,
        "overridden": plan.overridden,
        "override_reason": plan.override_reason,
        "vitals_id": plan.vitals_id,
        "planned_by_id": plan.planned_by_id,
        "planned_at": plan.planned_at,
    }


@router.get("/sessions", response=list[SessionOut], summary="Sessions (a day, a patient)")
def list_sessions(
    request: AuthenticatedHttpRequest,
    date: dt.date | None = None,
    patient_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Staff: the clinic's sessions; a patient: their own. Filter by `date` (the clinic's
    day) and `patient_id`."""
    policy.require(request.user, policy.VIEW_SESSIONS)
    qs = selectors.sessions_visible_to(request.user).select_related("protocol", "chair")
    if patient_id is not None:
        get_patient_for(request.user, patient_id)
        qs = qs.filter(patient_id=patient_id)
    if date is not None:
        start, end = selectors.local_day_bounds(date, selectors.zone_of(request.user))
        qs = qs.filter(scheduled_start__gte=start, scheduled_start__lt=end)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    sessions = list(qs.prefetch_related("vitals")[offset : offset + limit])
    now = timezone.now()
    record(actor=request.user, action="list", obj=("treatments.TreatmentSession", ""),
           patient=patient_id, detail=f"api: {len(sessions)} sessions")  # fmt: skip
    return [
        _session_dict(s, selectors.monitoring(s, selectors.effective_vitals(s.vitals.all()), now))
        for s in sessions
    ]


@router.get("/sessions/{int:session_id}", response=SessionOut, summary="One session")
def get_session(request: AuthenticatedHttpRequest, session_id: int) -> dict[str, Any]:
    session = _session(request, session_id, staff_only=False)
    record(actor=request.user, action="view", obj=session, patient=session.patient, detail="api")
    vitals = selectors.effective_vitals(session.vitals.all())
    return _session_dict(session, selectors.monitoring(session, vitals, timezone.now()))


@router.get("/sessions/{int:session_id}/vitals", response=list[VitalsOut], summary="Flowsheet")
def list_vitals(request: AuthenticatedHttpRequest, session_id: int) -> list[dict[str, Any]]:
    session = _session(request, session_id)
    rows = list(session.vitals.select_related("cadss"))
    detail = f"api: session {session.pk}, {len(rows)} rows"
    record(actor=request.user, action="list", obj=("treatments.VitalSigns", ""),
           patient=session.patient, detail=detail)  # fmt: skip
    return [_vitals_dict(row) for row in rows]


@router.post(
    "/sessions/{int:session_id}/vitals",
    response={201: VitalsOut, 422: ErrorOut},
    summary="Record a vitals row",
)
def create_vitals(request: AuthenticatedHttpRequest, session_id: int, payload: VitalsIn) -> Status:
    policy.require(request.user, policy.CLINICAL_CARE)
    session = _session(request, session_id)
    corrects = None
    if payload.corrects_id is not None:
        corrects = session.vitals.filter(pk=payload.corrects_id).first()
        if corrects is None:
            raise Refusal("no such reading in this session.", field="corrects_id",
                          errors={"corrects_id": ["No such reading."]})  # fmt: skip
    data = payload.dict(exclude={"corrects_id"})
    data["time_point"] = str(data["time_point"] or "")
    row = services.record_vitals(actor=request.user, session=session, corrects=corrects, **data)
    return Status(201, _vitals_dict(row))


@router.get("/sessions/{int:session_id}/events", response=list[EventOut], summary="Events")
def list_events(request: AuthenticatedHttpRequest, session_id: int) -> list[dict[str, Any]]:
    session = _session(request, session_id)
    events = list(session.events.all())
    detail = f"api: session {session.pk}, {len(events)} events"
    record(actor=request.user, action="list", obj=("treatments.SessionEvent", ""),
           patient=session.patient, detail=detail)  # fmt: skip
    return [_event_dict(e) for e in events]


@router.post(
    "/sessions/{int:session_id}/events",
    response={201: EventOut, 422: ErrorOut},
    summary="Record a side effect or adverse event",
)
def create_event(request: AuthenticatedHttpRequest, session_id: int, payload: EventIn) -> Status:
    policy.require(request.user, policy.CLINICAL_CARE)
    session = _session(request, session_id)
    event = services.record_event(actor=request.user, session=session, **payload.dict())
    return Status(201, _event_dict(event))


@router.post(
    "/sessions/{int:session_id}/dose-plan",
    response={201: PlanOut, 422: ErrorOut},
    summary="Plan the dose now (plan_dose)",
)
def create_plan(request: AuthenticatedHttpRequest, session_id: int, payload: PlanIn) -> Status:
    """The dose decision on the latest pre-dose vitals. `override_reason` is a prescriber's."""
    overriding = bool(payload.override_reason.strip())
    policy.require(request.user, policy.PRESCRIBE if overriding else policy.CLINICAL_CARE)
    session = _session(request, session_id)
    plan = services.plan_session_dose(
        actor=request.user,
        session=session,
        dose_mg=payload.dose_mg,
        override_reason=payload.override_reason,
    )
    return Status(201, _plan_dict(plan))
