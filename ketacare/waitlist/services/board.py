"""The front desk working the list from the staff board: notes on a person's entry, a
priority set by hand (with a reason) and cleared again, taking people off the list and
putting them back. Each checks the policy (MANAGE_WAITLIST, the actor's own clinic) and
writes its audit row in its transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.core import policy
from ketacare.core.errors import Refusal

from ..choices import OPEN_STATUSES, EntryStatus
from ..models import WaitlistEntry, WaitlistNote
from .common import audit, locked, refresh_priority, revoke_pending_invitation, status_change

NO_SUCH_ENTRY = "No such entry."


@transaction.atomic
def add_note(*, actor: User, entry: WaitlistEntry, text: str) -> WaitlistNote:
    policy.require(actor, policy.MANAGE_WAITLIST, entry, what=NO_SUCH_ENTRY)
    if entry.is_erased:
        raise Refusal(
            "This person has left the list; their entry can no longer be noted.",
            code="entry_erased",
        )
    text = text.strip()
    if not text:
        raise Refusal("Write a note first.", code="note_empty")
    note = WaitlistNote.objects.create(entry=entry, author=actor, text=text[:2000])
    audit(entry, "create", f"note #{note.pk} added", actor=actor)
    return note


@transaction.atomic
def set_priority_override(*, actor: User, entry: WaitlistEntry, score: float, reason: str) -> None:
    """Staff set a person's priority by hand (a reason is required). From then on the person
    gains waiting points like everyone else."""
    policy.require(actor, policy.MANAGE_WAITLIST, entry, what=NO_SUCH_ENTRY)
    reason = " ".join(reason.split())
    if not reason:
        raise Refusal("Give a reason for the override.", code="reason_required")
    if entry.status not in OPEN_STATUSES:
        raise Refusal(
            "Only people on the list can have their priority changed.", code="not_on_list"
        )
    entry.priority_override = float(score)
    entry.priority_override_reason = reason[:500]
    entry.priority_override_at = timezone.now()
    entry.priority_override_by = actor
    refresh_priority(entry, entry.program)
    entry.save()
    audit(entry, "update", f"priority overridden to {score:g}", actor=actor)


@transaction.atomic
def clear_priority_override(*, actor: User, entry: WaitlistEntry) -> None:
    policy.require(actor, policy.MANAGE_WAITLIST, entry, what=NO_SUCH_ENTRY)
    if entry.priority_override is None:
        return
    entry.priority_override = None
    entry.priority_override_at = None
    entry.priority_override_by = None
    entry.priority_override_reason = ""
    refresh_priority(entry, entry.program)
    entry.save()
    audit(entry, "update", "priority override removed", actor=actor)


@transaction.atomic
def remove(*, actor: User, entries: Iterable[WaitlistEntry]) -> int:
    """Take people off the list (e.g. not suitable for the home program). Their data stays
    until they leave; staff can put them back."""
    count = 0
    now = timezone.now()
    for entry in locked(entries):
        policy.require(actor, policy.MANAGE_WAITLIST, entry, what=NO_SUCH_ENTRY)
        if entry.status not in OPEN_STATUSES:
            continue
        revoke_pending_invitation(entry, now)
        detail = status_change(entry, EntryStatus.REMOVED)
        entry.save()
        audit(entry, "update", detail, actor=actor)
        count += 1
    return count


@transaction.atomic
def restore(*, actor: User, entries: Iterable[WaitlistEntry]) -> int:
    """Put removed people back where they were (their place in the queue is kept)."""
    count = 0
    for entry in locked(entries):
        policy.require(actor, policy.MANAGE_WAITLIST, entry, what=NO_SUCH_ENTRY)
        if entry.status != EntryStatus.REMOVED:
            continue
        new = EntryStatus.WAITING if entry.waiting_since else EntryStatus.PENDING_CONFIRMATION
        detail = status_change(entry, new)
        entry.save()
        audit(entry, "update", detail, actor=actor)
        count += 1
    return count
