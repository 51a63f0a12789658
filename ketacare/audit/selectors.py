"""Reads of the audit trail, always within one clinic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEvent


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(
    *,
    clinic_id: int | None,
    actor_email: str = "",
    patient_id: int | None = None,
    action: str = "",
    outcome: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The clinic's events, newest first. Dates are whole days in the current time zone."""
    if clinic_id is None:
        # Events without a clinic (e.g. failed sign-ins of unknown emails) belong to no admin.
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.filter(clinic_id=clinic_id).order_by("-id")
    actor_email = actor_email.strip()
    if actor_email:
        qs = qs.filter(actor_email__icontains=actor_email)
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if action:
        qs = qs.filter(action=action)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if date_from is not None:
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to is not None:
        qs = qs.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    return qs


def rows_written_before(
    events: QuerySet[AuditEvent], *, event_id: int, columns: Sequence[str]
) -> QuerySet[Any]:
    """`events` written before `event_id` (an export's own audit row), as tuples of `columns`."""
    return events.filter(id__lt=event_id).values_list(*columns)
