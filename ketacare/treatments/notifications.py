"""Treatment emails: templates in `treatments/email/`, put in the outbox
(ketacare.core.outbox) in the transaction that causes them; the worker sends them. Alerts to
prescribers carry no patient name or reading (email is not a secure channel): they say where
to look. Reminders go to the patient, about their own session."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from ketacare.accounts.models import Role, User
from ketacare.clinical.monitoring_schedule import preparation_instructions
from ketacare.core import outbox
from ketacare.core.urls import absolute_url


def _queue(name: str, context: dict[str, Any], recipients: list[str]) -> None:
    outbox.queue(f"treatments/email/{name}", context, recipients)


def _prescribers(clinic_id: int) -> list[str]:
    return list(
        User.objects.filter(clinic_id=clinic_id, role=Role.PRESCRIBER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _link(session: Any) -> str:
    return absolute_url("treatments:session", session.pk)


def alert_prescribers(*, session: Any, alert: Any) -> None:
    context = {"chair": session.chair, "link": _link(session), "kind": "vitals alert"}
    _queue("alert", context, _prescribers(session.clinic_id))


def serious_event_to_prescribers(*, session: Any, event: Any) -> None:
    context = {"chair": session.chair, "link": _link(session), "kind": "serious adverse event"}
    _queue("alert", context, _prescribers(session.clinic_id))


def session_reminder(*, session: Any) -> None:
    zone = ZoneInfo(session.clinic.timezone)
    from .models import TreatmentSettings

    clinic_settings = TreatmentSettings.objects.filter(clinic_id=session.clinic_id).first()
    context = {
        "patient": session.patient,
        "clinic": session.clinic,
        "start": timezone.localtime(session.scheduled_start, zone),
        "instructions": preparation_instructions(session.protocol.route),
        "extra": clinic_settings.preparation_note if clinic_settings else "",
        "address": clinic_settings,
        "link": absolute_url("treatments:mine"),
    }
    _queue("reminder", context, [session.patient.email])
