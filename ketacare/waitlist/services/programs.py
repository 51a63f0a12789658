"""A program's settings (admins): weekly capacity, regions served, the priority weights,
how long an invitation stands, whether it takes sign-ups. New weights or regions re-rank
everyone on the list at once (their places in time are kept)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy

from ..choices import OPEN_STATUSES
from ..models import Program, WaitlistEntry
from .common import refresh_priority

PROGRAM_FIELDS = (
    "name", "weekly_capacity", "regions_served", "weight_severity", "weight_waiting",
    "weight_region", "invitation_valid_days", "accepting_signups",
)  # fmt: skip
RANKING_FIELDS = frozenset({"regions_served", "weight_severity", "weight_waiting", "weight_region"})


@transaction.atomic
def update_program(*, actor: User, program: Program, **fields: Any) -> Program:
    """Admins change capacity, regions served and weights. New weights or regions re-rank
    everyone on the list at once (their places in time are kept)."""
    policy.require(actor, policy.MANAGE_CLINIC, program, what="No such program.")
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown program fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(program, name) != value]
    for name in changed:
        setattr(program, name, fields[name])
    if changed:
        program.save()
    if set(changed) & RANKING_FIELDS:
        rerank(program)
    record(
        actor=actor,
        action="update",
        obj=program,
        detail="changed: " + ", ".join(changed) if changed else "no change",
    )
    return program


def rerank(program: Program, batch_size: int = 2000) -> int:
    """Recompute every open entry's stored priority key from the program's weights."""
    entries = WaitlistEntry.objects.filter(program=program, status__in=OPEN_STATUSES).only(
        "id",
        "region",
        "prescreen_total",
        "waiting_since",
        "created_at",
        "priority_override",
        "priority_override_at",
        "priority_key",
        "in_region",
    )
    batch: list[WaitlistEntry] = []
    count = 0
    for entry in entries.iterator(chunk_size=batch_size):
        refresh_priority(entry, program)
        batch.append(entry)
        if len(batch) >= batch_size:
            WaitlistEntry.objects.bulk_update(batch, ["priority_key", "in_region"])
            count += len(batch)
            batch = []
    if batch:
        WaitlistEntry.objects.bulk_update(batch, ["priority_key", "in_region"])
        count += len(batch)
    return count
