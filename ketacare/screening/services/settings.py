"""The clinic's screening settings: its instrument bundles and re-assessment schedule."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal

from ..models import ScreeningSettings

BUNDLE_FIELDS = (
    "intake_instruments",
    "ocd_instruments",
    "pain_instruments",
    "review_instruments",
    "pre_session_instruments",
)
SETTINGS_FIELDS = (
    *BUNDLE_FIELDS,
    "full_bundle_every_weeks",
    "overdue_after_days",
    "reevaluation_every_sessions",
    "reevaluation_gap_days",
)


@transaction.atomic
def update_screening_settings(*, actor: User, **fields: Any) -> ScreeningSettings:
    policy.require(actor, policy.MANAGE_CLINIC, what="Page not found.")
    if not actor.clinic_id:
        raise NotFound("Page not found.")
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    for name in BUNDLE_FIELDS:
        if name in fields and any(code not in INSTRUMENTS for code in fields[name]):
            raise Refusal("Unknown instrument.", field=name, code="unknown_instrument")
    current, _ = ScreeningSettings.objects.get_or_create(clinic_id=actor.clinic_id)
    changed = [
        name
        for name in SETTINGS_FIELDS
        if name in fields and getattr(current, name) != fields[name]
    ]
    for name in changed:
        setattr(current, name, fields[name])
    current.updated_by = actor
    current.save()
    record(
        actor=actor,
        action="update",
        obj=current,
        detail="changed: " + (", ".join(changed) or "nothing"),
    )
    return current
