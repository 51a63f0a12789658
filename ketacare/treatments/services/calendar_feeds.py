"""The patient's private calendar feed: a link for their own calendar app (no login there; the
unguessable token in the link is the key, and only its hash is stored)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.patients.models import Patient

from ..models import CalendarFeed
from ..selectors import hash_feed_token


def create_calendar_feed(*, actor: User, patient: Patient) -> str:
    """A new private feed link for the patient's own calendar (the old one stops working).
    Returns the token, which is shown once."""
    policy.require(actor, policy.OWN_CALENDAR_FEED, patient)
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(patient=patient).delete()
        feed = CalendarFeed.objects.create(
            patient=patient, token_hash=hash_feed_token(raw), created_at=timezone.now()
        )
        record(actor=actor, action="create", obj=feed, patient=patient,
               detail="calendar feed link created")  # fmt: skip
    return raw
