"""Scheduling: booking a session at a chair (refused when the order, the patient's screening
gates, the course or the chair and the patient's other bookings say no), cancelling it, and
the reminder each patient gets the day before."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal
from ketacare.patients.models import Patient
from ketacare.protocols.selectors import current_version
from ketacare.screening.selectors import approved_routes, can_schedule_session

from .. import notifications
from ..constants import REMINDER_HOUR
from ..models import BOOKED, Chair, OrderStatus, SessionStatus, TreatmentOrder, TreatmentSession
from .common import clinic_zone, locked, text


def _overlap(qs: Any, start: dt.datetime, end: dt.datetime) -> TreatmentSession | None:
    return (
        qs.filter(status__in=BOOKED, scheduled_start__lt=end, scheduled_end__gt=start)
        .order_by("scheduled_start")
        .first()
    )


def _local(value: dt.datetime, zone: ZoneInfo) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")


def schedule_session(
    *,
    actor: User,
    order: TreatmentOrder,
    chair: Chair,
    clinician: User,
    start: dt.datetime,
    duration_minutes: int,
) -> TreatmentSession:
    """Book a session of `order` at `chair`. Refused when the order is not active, the
    patient's re-evaluation (or consent, or route approval) blocks it, the course is fully
    booked, or the chair or the patient is already booked at that time."""
    patient = order.patient
    policy.require(actor, policy.BOOK_SESSION, patient)
    if chair.clinic_id != actor.clinic_id or clinician.clinic_id != actor.clinic_id:
        raise NotFound("Not found.")
    if not chair.active:
        raise Refusal(f"{chair} is no longer in use.", field="chair")
    if not policy.can(clinician, policy.CLINICAL_CARE):
        raise Refusal("Choose a clinician or prescriber of the clinic.", field="clinician")
    if order.status != OrderStatus.ACTIVE:
        raise Refusal(
            f"The order is {order.get_status_display().lower()}: sessions cannot be booked.",
            field="order",
        )
    if start.utcoffset() is None:
        raise Refusal("Give the start time.", field="start")
    now = timezone.now()
    if start < now - dt.timedelta(minutes=5):
        raise Refusal("The start time is in the past.", field="start")
    if not 15 <= int(duration_minutes) <= 12 * 60:
        raise Refusal("The duration must be between 15 and 720 minutes.", field="duration")
    zone = clinic_zone(patient.clinic.timezone)
    if timezone.localtime(start, zone).date() < order.start_date:
        raise Refusal(f"The order starts on {order.start_date:%Y-%m-%d}.", field="start")
    protocol = current_version(actor.clinic_id, order.protocol.code)
    if protocol is None or not protocol.active:
        raise Refusal("The order's protocol is no longer in use.", field="order")
    if protocol.at_home:
        raise Refusal(
            "At-home doses are not booked at a chair: they follow the home program.",
            field="order",
        )
    if order.route not in approved_routes(patient):
        raise Refusal(
            f"The {order.route} route is no longer approved for this patient.", field="order"
        )
    end = start + dt.timedelta(minutes=int(duration_minutes))
    held = [
        s.dose_started_at or s.scheduled_start
        for s in TreatmentSession.objects.filter(patient=patient).exclude(
            status=SessionStatus.CANCELLED
        )
        if (s.dose_started_at or s.scheduled_start) < start
        and (s.dose_started_at is not None or s.status in BOOKED)
    ]
    gate = can_schedule_session(patient, start, session_times=held)
    if not gate.allowed:
        raise Refusal(" ".join(gate.reason_texts), field="start", codes=gate.reasons)
    try:
        with transaction.atomic():
            # Lock the chair and the patient: two bookings of either wait for each other, so
            # the overlap checks below see every committed booking.
            Chair.objects.select_for_update().get(pk=chair.pk)
            Patient.objects.select_for_update().get(pk=patient.pk)
            booked = order.sessions.exclude(status=SessionStatus.CANCELLED).count()
            if booked >= order.sessions_planned:
                raise Refusal(
                    f"All {order.sessions_planned} sessions of this order are booked or held.",
                    field="order",
                )
            clash = _overlap(TreatmentSession.objects.filter(chair=chair), start, end)
            if clash is not None:
                raise Refusal(
                    f"{chair} is booked from {_local(clash.scheduled_start, zone)} to "
                    f"{_local(clash.scheduled_end, zone)[-5:]}.",
                    field="chair",
                )
            clash = _overlap(TreatmentSession.objects.filter(patient=patient), start, end)
            if clash is not None:
                raise Refusal(
                    f"{patient.full_name} already has a session from "
                    f"{_local(clash.scheduled_start, zone)} to "
                    f"{_local(clash.scheduled_end, zone)[-5:]}.",
                    field="start",
                )
            session = TreatmentSession.objects.create(
                clinic_id=actor.clinic_id, patient=patient, order=order, protocol=protocol,
                chair=chair, clinician=clinician, scheduled_start=start, scheduled_end=end,
                created_at=now, created_by=actor,
            )  # fmt: skip
            record(actor=actor, action="create", obj=session, patient=patient,
                   detail=f"session booked {_local(start, zone)} at {chair}")  # fmt: skip
    except IntegrityError:
        raise Refusal(
            "That chair or patient was just booked at this time: choose another time.",
            field="start",
        ) from None
    return session


def cancel_session(*, actor: User, session: TreatmentSession, reason: str) -> TreatmentSession:
    """Cancel a booking, or end a session that was checked in but not dosed (a held dose)."""
    policy.require(actor, policy.BOOK_SESSION, session.patient)
    reason = text(reason, "reason", "the reason")
    with transaction.atomic():
        session = locked(session)
        if session.status not in BOOKED:
            raise Refusal("This session has already ended.", field="reason")
        if session.dose_started_at is not None:
            raise Refusal(
                "The dose has started: the session ends with the discharge.", field="reason"
            )
        session.status = SessionStatus.CANCELLED
        session.cancelled_at = timezone.now()
        session.cancelled_by = actor
        session.cancel_reason = reason
        session.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        record(actor=actor, action="update", obj=session, patient=session.patient,
               detail=f"session cancelled: {reason}"[:500])  # fmt: skip
    return session


def send_reminders(*, now: dt.datetime | None = None, earliest_hour: int = REMINDER_HOUR) -> int:
    """Email each patient booked for tomorrow (in their clinic's time zone) their session time
    and how to prepare, once, from `earliest_hour` on. Returns the number of reminders queued."""
    now = now or timezone.now()
    sent = 0
    window = TreatmentSession.objects.filter(
        status=SessionStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        scheduled_start__gt=now,
        scheduled_start__lt=now + dt.timedelta(hours=60),
    ).select_related("patient", "clinic", "protocol", "chair")
    for session in window:
        zone = clinic_zone(session.clinic.timezone)
        local_now = timezone.localtime(now, zone)
        tomorrow = local_now.date() + dt.timedelta(days=1)
        if local_now.hour < earliest_hour:
            continue
        if timezone.localtime(session.scheduled_start, zone).date() != tomorrow:
            continue
        with transaction.atomic():
            claimed = TreatmentSession.objects.filter(
                pk=session.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            if session.patient.email:
                notifications.session_reminder(session=session)
                sent += 1
            record(actor=None, action="update", obj=session, patient=session.patient,
                   clinic_id=session.clinic_id,
                   detail="reminder emailed" if session.patient.email
                   else "no reminder: the patient has no email address")  # fmt: skip
    return sent
