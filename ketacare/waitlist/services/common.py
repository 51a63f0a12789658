"""What every waiting-list workflow shares: the entry's audit label, how a person's answers
are copied onto their entry and ranked, a status change as the audit row words it, the
context of every email to the person, and locking chosen entries for a change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ketacare.audit.log import record
from ketacare.clinical.instruments import POSITIVE_SCREEN, ScoreResult
from ketacare.clinical.waitlist_priority import override_key, priority_key

from .. import links
from ..choices import InvitationStatus
from ..models import Invitation, Program, WaitlistEntry

ENTRY = "waitlist.WaitlistEntry"
# What a person may fill in, and what a duplicate sign-up may change (never the address).
SIGNUP_FIELDS = (
    "first_name", "last_name", "phone", "date_of_birth", "region", "conditions",
    "preferred_route", "heard_from",
)  # fmt: skip
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def normalise_email(email: str) -> str:
    """The address as duplicates are found: case-insensitive everywhere; for Gmail (where
    the provider itself ignores them) also without dots and "+tag" in the local part."""
    local, _, domain = email.strip().lower().rpartition("@")
    domain = domain.rstrip(".")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def refresh_priority(entry: WaitlistEntry, program: Program) -> None:
    entry.in_region = entry.region in program.region_codes
    if entry.priority_override is not None and entry.priority_override_at is not None:
        entry.priority_key = override_key(
            entry.priority_override, at=entry.priority_override_at, weights=program.weights
        )
    elif entry.prescreen_total is not None:
        entry.priority_key = priority_key(
            prescreen_total=entry.prescreen_total,
            in_region=entry.in_region,
            waiting_since=entry.waiting_since or entry.created_at or timezone.now(),
            weights=program.weights,
        )


def apply_answers(entry: WaitlistEntry, data: dict[str, Any]) -> list[str]:
    """Copy validated form data onto the entry; the names of the fields that changed."""
    changed = []
    for name in SIGNUP_FIELDS:
        if name in data and getattr(entry, name) != data[name]:
            setattr(entry, name, data[name])
            changed.append(name)
    results: list[ScoreResult] = [data[code] for code in ("phq2", "gad2") if code in data]
    for result in results:
        answers = list(result.answers)
        if getattr(entry, f"{result.code}_answers") != answers:
            setattr(entry, f"{result.code}_answers", answers)
            setattr(entry, f"{result.code}_total", int(result.total))
            changed.append(result.code)
    if results:
        entry.prescreen_total = (entry.phq2_total or 0) + (entry.gad2_total or 0)
        entry.positive_screen = any(POSITIVE_SCREEN in r.flags for r in results)
    return changed


def audit(
    entry: WaitlistEntry, action: str, detail: str, *, actor: Any = None, patient: Any = None
) -> None:
    """The entry's audit row (IP and path from the audit context)."""
    record(
        actor=actor,
        action=action,
        obj=(ENTRY, entry.pk),
        clinic_id=entry.clinic_id,
        detail=detail,
        patient=patient,
    )


def status_change(entry: WaitlistEntry, new: str) -> str:
    old = entry.status
    entry.status = new
    return f"status {old} → {new}"


def person_context(entry: WaitlistEntry) -> dict[str, Any]:
    """What every email to the person has: their entry, clinic, program and status link."""
    return {
        "entry": entry,
        "clinic": entry.clinic,
        "program": entry.program,
        "status_url": links.status_url(entry) if entry.status_nonce else "",
    }


def locked(entries: Iterable[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    ids = [e.pk for e in entries]
    return (
        WaitlistEntry.objects.select_for_update()
        .select_related("clinic", "program")
        .filter(pk__in=ids)
        .order_by("id")
    )


def revoke_pending_invitation(entry: WaitlistEntry, now: dt.datetime) -> None:
    Invitation.objects.filter(entry=entry, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED, closed_at=now
    )
