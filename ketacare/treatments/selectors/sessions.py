"""Reads of treatment sessions, scoped to what the user may see and shaped for each page in a
fixed number of queries: the session page, the day's board, the calendar, the patient's own
sessions and calendar feed, the home page's REMS forms and alerts."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ketacare.clinical.monitoring_schedule import rems_form_status
from ketacare.core.errors import NotFound
from ketacare.core.policy import VIEW_SCHEDULE, VIEW_SESSIONS, can
from ketacare.patients.models import Patient
from ketacare.patients.selectors import patients_visible_to

from ..constants import NASAL_ROUTE
from ..models import (
    BOOKED,
    CalendarFeed,
    Chair,
    SessionStatus,
    TreatmentSession,
    VitalsAlert,
    VitalSigns,
)
from .monitoring import Monitoring, effective_vitals, monitoring


def zone_of(user: Any) -> ZoneInfo:
    return ZoneInfo(user.clinic.timezone)


# --- Sessions --------------------------------------------------------------------------------


def sessions_visible_to(user: Any) -> QuerySet[TreatmentSession]:
    """Staff: their clinic's sessions; a patient: their own; everyone else: none."""
    qs = TreatmentSession.objects.all()
    if can(user, VIEW_SCHEDULE):
        return qs.filter(clinic_id=user.clinic_id)
    if can(user, VIEW_SESSIONS):
        return qs.filter(patient__in=patients_visible_to(user))
    return qs.none()


def session_for(user: Any, session_id: Any, *, staff_only: bool = True) -> TreatmentSession:
    try:
        pk = int(session_id)
    except (TypeError, ValueError):
        raise NotFound("Not found.") from None
    qs = sessions_visible_to(user)
    if staff_only and not can(user, VIEW_SCHEDULE):
        qs = qs.none()
    session = (
        # What every step needs; the rest (plan, lot, prescriber) is read when a page shows it.
        qs.select_related("patient__clinic", "protocol", "order", "chair", "clinician")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise NotFound("Not found.")
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


def own_patient(user: Any) -> Patient:
    """The patient record of a signed-in patient."""
    patient = patients_visible_to(user).select_related("clinic").first()
    if patient is None:
        raise NotFound("Your account is not linked to a patient record.")
    return patient


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_for_token(token: str) -> CalendarFeed:
    """The calendar feed whose private link holds `token` (the unguessable key)."""
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_feed_token(token[:100]))
        .select_related("patient__clinic")
        .first()
    )
    if feed is None:
        raise NotFound("No such calendar.")
    return feed


def alert_for(user: Any, alert_id: Any) -> VitalsAlert:
    """A vitals alert of the user's clinic (with its session's patient)."""
    alert = (
        VitalsAlert.objects.filter(pk=alert_id, session__clinic_id=user.clinic_id)
        .select_related("session__patient")
        .first()
    )
    if alert is None:
        raise NotFound("Not found.")
    return alert


# --- Home page: REMS forms and alerts --------------------------------------------------------


@dataclass
class RemsFormDue:
    session: TreatmentSession
    due_on: dt.date
    status: str
    days_left: int


def rems_forms_pending(user: Any, today: dt.date) -> list[RemsFormDue]:
    """Esketamine sessions whose REMS patient monitoring form is not yet submitted."""
    if not can(user, VIEW_SCHEDULE):
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
    if not can(user, VIEW_SCHEDULE):
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
