"""Reads for orders and sessions, scoped to what the user may see and shaped for each page in
a fixed number of queries; and the monitoring state of a session (phase, REMS time points,
discharge criteria, observation clock, vitals due), worked out by the clinical core."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ketacare.accounts.models import Role
from ketacare.accounts.permissions import has_role, patients_visible_to
from ketacare.clinical.dosing import OBSERVATION_TIME_MET, discharge_check
from ketacare.clinical.monitoring_schedule import (
    ATTESTED_AT_DISCHARGE,
    PHASE_TEXT,
    VITALS_DUE,
    TimePointStatus,
    VitalsDue,
    monitoring_discharge_check,
    observation_ends_at,
    rems_form_status,
    session_phase,
    suggest_time_point,
    time_point_statuses,
    vitals_due,
)
from ketacare.patients.models import Patient, WeightMeasurement

from .models import (
    BOOKED,
    Chair,
    DosePlan,
    SessionStatus,
    TreatmentOrder,
    TreatmentSession,
    VitalsAlert,
    VitalSigns,
)

NASAL_ROUTE = "nasal"


def zone_of(user: Any) -> ZoneInfo:
    return ZoneInfo(user.clinic.timezone)


def latest_weight(patient: Patient) -> Decimal | None:
    return (
        WeightMeasurement.objects.filter(patient=patient)
        .order_by("-measured_on", "-id")
        .values_list("weight_kg", flat=True)
        .first()
    )


# --- Vitals and the monitoring state -------------------------------------------------------


def effective_vitals(rows: Iterable[VitalSigns]) -> list[VitalSigns]:
    """The flowsheet without the rows a later correction replaced, oldest first."""
    rows = list(rows)
    corrected = {row.corrects_id for row in rows if row.corrects_id}
    return sorted(
        (row for row in rows if row.pk not in corrected), key=lambda r: (r.taken_at, r.pk)
    )


def pre_dose_vitals(session: TreatmentSession) -> VitalSigns | None:
    """The latest complete pre-dose reading (BP, heart rate, SpO2): what `plan_dose` gets."""
    qs = session.vitals.filter(
        systolic__isnull=False,
        diastolic__isnull=False,
        heart_rate__isnull=False,
        spo2__isnull=False,
        correction__isnull=True,
    )
    if session.dose_started_at is not None:
        qs = qs.filter(taken_at__lt=session.dose_started_at)
    return qs.order_by("-taken_at", "-id").first()


def _last(vitals: list[VitalSigns], test: Any) -> VitalSigns | None:
    for row in reversed(vitals):
        if test(row):
            return row
    return None


@dataclass
class Monitoring:
    phase: str
    time_points: list[TimePointStatus]
    # Criteria not met (the attestations made at discharge included: they are met only
    # when the clinician ticks them on the discharge form).
    discharge_missing: list[str]
    observation_ends_at: dt.datetime | None
    vitals_due: VitalsDue | None
    last_vitals: VitalSigns | None
    last_bp: VitalSigns | None
    last_moaas: int | None
    suggested_time_point: str
    open_alerts: list[VitalsAlert] = field(default_factory=list)

    @property
    def phase_label(self) -> str:
        return PHASE_TEXT[self.phase]

    @property
    def missing_before_attestation(self) -> list[str]:
        """The criteria still to be met, without those attested on the discharge form."""
        return [code for code in self.discharge_missing if code not in ATTESTED_AT_DISCHARGE]

    @property
    def overdue_points(self) -> list[TimePointStatus]:
        return [tp for tp in self.time_points if tp.status == "overdue"]


def discharge_missing(
    session: TreatmentSession,
    vitals: list[VitalSigns],
    now: dt.datetime,
    *,
    steady_on_feet: bool,
    escort_present: bool,
) -> list[str]:
    """Every discharge criterion not met (the clinical core's `discharge_check` and
    `monitoring_discharge_check`)."""
    if session.dose_ended_at is None:
        return [OBSERVATION_TIME_MET]
    protocol = session.protocol.as_protocol()
    last_bp = _last(vitals, lambda r: r.has_bp)
    missing = discharge_check(
        protocol,
        dosed_at=session.dose_ended_at,
        now=now,
        last_vitals=last_bp.readings if last_bp else None,
        alert_and_steady=steady_on_feet,
        escort_confirmed=escort_present,
    )
    last_moaas = _last(vitals, lambda r: r.moaas is not None)
    missing += monitoring_discharge_check(
        last_moaas=last_moaas.moaas if last_moaas else None,
        time_points=_time_points(session, vitals, now),
    )
    return missing


def _time_points(
    session: TreatmentSession, vitals: list[VitalSigns], now: dt.datetime
) -> list[TimePointStatus]:
    return time_point_statuses(
        now=now,
        dose_started_at=session.dose_started_at,
        dose_ended_at=session.dose_ended_at,
        observation_minutes=session.protocol.observation_minutes,
        recorded={row.time_point for row in vitals if row.time_point},
        discharged=session.discharged_at is not None,
    )


def monitoring(
    session: TreatmentSession,
    vitals: list[VitalSigns],
    now: dt.datetime,
    alerts: Iterable[VitalsAlert] = (),
) -> Monitoring:
    """Where the session stands now, from its (effective) vitals."""
    missing = (
        discharge_missing(session, vitals, now, steady_on_feet=False, escort_present=False)
        if session.dose_ended_at is not None and session.discharged_at is None
        else []
    )
    phase = session_phase(
        cancelled=session.status == SessionStatus.CANCELLED,
        checked_in=session.checked_in_at is not None,
        dose_started=session.dose_started_at is not None,
        dose_ended=session.dose_ended_at is not None,
        discharged=session.discharged_at is not None,
        discharge_missing=missing,
    )
    ends = (
        observation_ends_at(
            dose_ended_at=session.dose_ended_at,
            observation_minutes=session.protocol.observation_minutes,
        )
        if session.dose_ended_at is not None
        else None
    )
    last = vitals[-1] if vitals else None
    due: VitalsDue | None = None
    if session.status == SessionStatus.IN_PROGRESS:
        if session.dose_started_at is not None:
            due = vitals_due(
                now=now,
                since=session.dose_started_at,
                last_taken_at=last.taken_at if last else None,
                interval_minutes=session.protocol.vitals_interval_minutes,
            )
        elif not any(r.readings and len(r.readings) == 4 for r in vitals):
            due = VitalsDue(session.checked_in_at or now, VITALS_DUE)
    recorded = {row.time_point for row in vitals if row.time_point}
    last_moaas = _last(vitals, lambda r: r.moaas is not None)
    return Monitoring(
        phase=phase,
        time_points=_time_points(session, vitals, now),
        discharge_missing=missing,
        observation_ends_at=ends,
        vitals_due=due,
        last_vitals=last,
        last_bp=_last(vitals, lambda r: r.has_bp),
        last_moaas=last_moaas.moaas if last_moaas else None,
        suggested_time_point=suggest_time_point(
            now=now,
            dose_started_at=session.dose_started_at,
            dose_ended_at=session.dose_ended_at,
            observation_minutes=session.protocol.observation_minutes,
            recorded=recorded,
        )
        if session.status == SessionStatus.IN_PROGRESS
        else "",
        open_alerts=[a for a in alerts if a.acknowledged_at is None],
    )


# --- Sessions --------------------------------------------------------------------------------


def sessions_visible_to(user: Any) -> QuerySet[TreatmentSession]:
    """Staff: their clinic's sessions; a patient: their own; everyone else: none."""
    qs = TreatmentSession.objects.all()
    if has_role(user, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN):
        return qs.filter(clinic_id=user.clinic_id)
    if has_role(user, Role.PATIENT):
        return qs.filter(patient__in=patients_visible_to(user))
    return qs.none()


def session_for(user: Any, session_id: Any, *, staff_only: bool = True) -> TreatmentSession:
    try:
        pk = int(session_id)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None
    qs = sessions_visible_to(user)
    if staff_only and not has_role(user, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN):
        qs = qs.none()
    session = (
        # What every step needs; the rest (plan, lot, prescriber) is read when a page shows it.
        qs.select_related("patient__clinic", "protocol", "order", "chair", "clinician")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404("Not found.")
    return session


def session_page(
    session: TreatmentSession, now: dt.datetime, *, light: bool = False
) -> dict[str, Any]:
    """Everything the session workflow page shows, in a fixed number of queries (`light`:
    without the events and notes, for the answer to a vitals row)."""
    rows = list(session.vitals.select_related("recorded_by", "cadss"))
    vitals = effective_vitals(rows)
    corrected = [row for row in rows if row not in vitals]
    plans = list(session.plans.select_related("planned_by", "vitals"))
    alerts = list(session.alerts.select_related("acknowledged_by", "vitals"))
    state = monitoring(session, vitals, now, alerts)
    return {
        "session": session,
        "vitals": vitals,
        "corrected_vitals": corrected,
        "plans": plans,
        "plan": plans[-1] if plans else None,
        "events": [] if light else list(session.events.select_related("recorded_by")),
        "notes": [] if light else list(session.notes.select_related("author")),
        "alerts": alerts,
        "state": state,
        "now": now,
        "is_esketamine": session.protocol.route == NASAL_ROUTE,
    }


def local_day_bounds(
    day: dt.date, zone: ZoneInfo, days: int = 1
) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time.min, tzinfo=zone)
    return start, end


def sessions_between(
    user: Any,
    start: dt.datetime,
    end: dt.datetime,
    *,
    clinician_id: int | None = None,
    room: str = "",
    with_vitals: bool = False,
) -> list[TreatmentSession]:
    qs = (
        sessions_visible_to(user)
        .filter(scheduled_start__gte=start, scheduled_start__lt=end)
        .select_related("patient", "protocol", "chair", "clinician", "order")
        .order_by("scheduled_start", "chair__room", "chair__name", "id")
    )
    if clinician_id:
        qs = qs.filter(clinician_id=clinician_id)
    if room:
        qs = qs.filter(chair__room=room)
    if with_vitals:
        # Each reading with its alert (a reverse one-to-one): one query for both.
        qs = qs.prefetch_related(
            Prefetch(
                "vitals",
                queryset=VitalSigns.objects.select_related("alert").order_by("taken_at", "id"),
            )
        )
    return list(qs)


def alerts_of(vitals: Iterable[VitalSigns]) -> list[VitalsAlert]:
    """The alerts of readings fetched with `select_related("alert")`."""
    found = []
    for row in vitals:
        try:
            found.append(row.alert)
        except VitalsAlert.DoesNotExist:
            continue
    return found


@dataclass
class BoardRow:
    session: TreatmentSession
    state: Monitoring


def board(
    user: Any,
    day: dt.date,
    now: dt.datetime,
    *,
    clinician_id: int | None = None,
    room: str = "",
    chairs: list[Chair] | None = None,
) -> dict[str, Any]:
    """The day's session board: every chair in use with its sessions and their monitoring
    state (`chairs`: the clinic's chairs in use, when the caller has them already)."""
    zone = zone_of(user)
    start, end = local_day_bounds(day, zone)
    sessions = sessions_between(
        user, start, end, clinician_id=clinician_id, room=room, with_vitals=True
    )
    rows = [
        BoardRow(s, monitoring(s, effective_vitals(s.vitals.all()), now, alerts_of(s.vitals.all())))
        for s in sessions
        if s.status != SessionStatus.CANCELLED
    ]
    if chairs is None:
        chairs = list(Chair.objects.filter(clinic_id=user.clinic_id, active=True))
    if room:
        chairs = [c for c in chairs if c.room == room]
    by_chair: dict[int, list[BoardRow]] = defaultdict(list)
    for row in rows:
        by_chair[row.session.chair_id].append(row)
    known = {c.pk for c in chairs}
    extra = {
        row.session.chair.pk: row.session.chair for row in rows if row.session.chair_id not in known
    }
    return {
        "day": day,
        "rows": rows,
        "chairs": [(chair, by_chair.get(chair.pk, [])) for chair in [*chairs, *extra.values()]],
    }


def calendar(
    user: Any, first_day: dt.date, days: int, *, clinician_id: int | None = None, room: str = ""
) -> dict[str, Any]:
    zone = zone_of(user)
    start, end = local_day_bounds(first_day, zone, days)
    sessions = sessions_between(user, start, end, clinician_id=clinician_id, room=room)
    by_day: dict[dt.date, list[TreatmentSession]] = defaultdict(list)
    for session in sessions:
        by_day[timezone.localtime(session.scheduled_start, zone).date()].append(session)
    day_list = [first_day + dt.timedelta(days=i) for i in range(days)]
    return {
        "days": [(day, by_day.get(day, [])) for day in day_list],
        "session_count": len(sessions),
    }


def upcoming_for_patient(patient: Patient, now: dt.datetime) -> list[TreatmentSession]:
    return list(
        TreatmentSession.objects.filter(
            patient=patient, status__in=BOOKED, scheduled_end__gte=now
        ).select_related("protocol", "chair", "clinic")
    )


def feed_sessions(patient: Patient, now: dt.datetime) -> list[TreatmentSession]:
    """What the patient's calendar feed holds: the last month and everything booked ahead."""
    return list(
        TreatmentSession.objects.filter(
            patient=patient, scheduled_start__gte=now - dt.timedelta(days=31)
        ).select_related("protocol", "chair", "clinic")
    )


# --- Orders --------------------------------------------------------------------------------


def orders_for_patient(patient: Patient) -> list[TreatmentOrder]:
    return list(
        TreatmentOrder.objects.filter(patient=patient).select_related("protocol", "prescriber")
    )


def order_for(user: Any, order_id: Any) -> TreatmentOrder:
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None
    if not has_role(user, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN):
        raise Http404("Not found.")
    order = (
        TreatmentOrder.objects.filter(clinic_id=user.clinic_id, pk=pk)
        .select_related("patient", "protocol", "prescriber")
        .first()
    )
    if order is None:
        raise Http404("Not found.")
    return order


def active_orders(user: Any) -> QuerySet[TreatmentOrder]:
    return (
        TreatmentOrder.objects.filter(clinic_id=user.clinic_id, status="active")
        .select_related("patient", "protocol")
        .order_by("patient__last_name", "patient__first_name", "-signed_at")
    )


# --- Home page: REMS forms and alerts --------------------------------------------------------


@dataclass
class RemsFormDue:
    session: TreatmentSession
    due_on: dt.date
    status: str
    days_left: int


def rems_forms_pending(user: Any, today: dt.date) -> list[RemsFormDue]:
    """Esketamine sessions whose REMS patient monitoring form is not yet submitted."""
    if not has_role(user, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN):
        return []
    zone = zone_of(user)
    sessions = (
        TreatmentSession.objects.filter(
            clinic_id=user.clinic_id,
            protocol__route=NASAL_ROUTE,
            dose_started_at__isnull=False,
            rems_submitted_at__isnull=True,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("patient")
        .order_by("dose_started_at")
    )
    pending = []
    for session in sessions:
        status = rems_form_status(
            session_day=timezone.localtime(session.dose_started_at, zone).date(),
            submitted_on=None,
            today=today,
        )
        pending.append(RemsFormDue(session, status.due_on, status.status, status.days_left))
    return pending


def open_alerts(user: Any) -> list[VitalsAlert]:
    if not has_role(user, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN):
        return []
    return list(
        VitalsAlert.objects.filter(
            session__clinic_id=user.clinic_id, acknowledged_at__isnull=True
        ).select_related("session__patient", "session__chair", "vitals")
    )


def today_count(user: Any, day: dt.date) -> int:
    start, end = local_day_bounds(day, zone_of(user))
    return (
        sessions_visible_to(user)
        .filter(scheduled_start__gte=start, scheduled_start__lt=end)
        .exclude(status=SessionStatus.CANCELLED)
        .count()
    )


def latest_plan(session: TreatmentSession) -> DosePlan | None:
    return session.plans.order_by("-planned_at", "-id").first()


def clinic_staff(user: Any) -> QuerySet[Any]:
    from ketacare.accounts.models import User

    return User.objects.filter(
        clinic_id=user.clinic_id, is_active=True, role__in=[Role.CLINICIAN, Role.PRESCRIBER]
    ).order_by("full_name")


def ledger_choices(user: Any, route: str) -> dict[str, Any]:
    """The lots and storage locations a dose on `route` may be drawn from (the ledger's)."""
    from ketacare.ledger.models import Lot, StorageLocation

    from .services import ROUTE_PRODUCT_FORMS

    lots = list(
        Lot.objects.filter(
            clinic_id=user.clinic_id, product__form__in=ROUTE_PRODUCT_FORMS.get(route, set())
        )
        .filter(Q(product__active=True))
        .select_related("product")
    )
    uses_ledger = Lot.objects.filter(clinic_id=user.clinic_id).exists()
    locations = list(StorageLocation.objects.filter(clinic_id=user.clinic_id, active=True))
    return {"lots": lots, "locations": locations, "uses_ledger": uses_ledger}
