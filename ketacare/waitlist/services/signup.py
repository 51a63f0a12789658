"""The person's own path: sign up (pending_confirmation, a confirmation email), confirm their
address (waiting, with a place in the queue), change their details from their private
status page, or leave: their personal data is then erased and only a non-identifying row
stays. No one is signed in for any of it: the links in their emails say who they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone

from ketacare.accounts.models import Clinic
from ketacare.core.errors import NotFound, Refusal

from .. import links, notifications
from ..choices import OPEN_STATUSES, EntryStatus
from ..models import Program, WaitlistEntry
from ..selectors import entry_for_status_token, public_clinic, queue_estimate
from .common import (
    apply_answers,
    audit,
    normalise_email,
    person_context,
    refresh_priority,
    revoke_pending_invitation,
    status_change,
)

# Blanked when the person leaves (with the dates of birth, answers and scores).
ERASED_TEXT_FIELDS = (
    "first_name", "last_name", "email", "phone", "region", "preferred_route", "heard_from",
    "priority_override_reason", "confirm_nonce", "status_nonce",
)  # fmt: skip
SIGNUPS_CLOSED = "signups_closed"


def program_for_signups() -> Program:
    """The program public sign-ups join: WAITLIST_PROGRAM of the clinic the public site
    speaks for (PUBLIC_CLINIC, else the first clinic created), created with defaults the
    first time so a new install takes sign-ups at once. Refusal (code "signups_closed")
    when there is no clinic yet or the program takes no sign-ups."""
    # One query on the hot path: the program with its clinic.
    found = Program.objects.select_related("clinic").filter(slug=settings.WAITLIST_PROGRAM)
    if settings.PUBLIC_CLINIC:
        found = found.filter(clinic__slug=settings.PUBLIC_CLINIC)
    else:
        found = found.filter(clinic_id=Subquery(Clinic.objects.order_by("id").values("id")[:1]))
    program = next(iter(found[:1]), None)
    if program is None:
        clinic = public_clinic()
        if clinic is None:
            raise Refusal(
                "The waiting list is not open yet. Please try again later.", code=SIGNUPS_CLOSED
            )
        try:
            with transaction.atomic():
                program = Program.objects.create(
                    clinic=clinic,
                    slug=settings.WAITLIST_PROGRAM,
                    name="Home-based treatment",
                    invitation_valid_days=settings.WAITLIST_INVITATION_DAYS,
                )
        except IntegrityError:  # created by a concurrent request
            program = Program.objects.select_related("clinic").get(
                clinic=clinic, slug=settings.WAITLIST_PROGRAM
            )
    if not program.accepting_signups:
        raise Refusal(
            "The waiting list is closed to new sign-ups at the moment.", code=SIGNUPS_CLOSED
        )
    return program


@dataclass(frozen=True)
class SignupResult:
    entry: WaitlistEntry
    created: bool


def signup(*, data: dict[str, Any], source: str) -> SignupResult:
    """Add a person (status pending_confirmation, confirmation email sent), or, when their
    address is already listed, update their entry and tell them by email. One transaction;
    what needs no lock (finding the program, building the row, rendering the email) is done
    before it, so that SQLite's single writer is held as briefly as possible."""
    program = program_for_signups()
    key = normalise_email(data["email"])
    now = timezone.now()
    entry = WaitlistEntry(
        clinic=program.clinic,
        program=program,
        email=data["email"],
        email_key=key,
        source=source,
        consent_at=now,
        confirm_nonce=links.new_nonce(),
        status_nonce=links.new_nonce(),
        created_at=now,
    )
    apply_answers(entry, data)
    refresh_priority(entry, program)
    context = {
        **person_context(entry),
        "confirm_url": links.confirm_url(entry),
        "confirm_hours": settings.WAITLIST_CONFIRM_HOURS,
    }
    confirmation = notifications.render("confirm", context)
    with transaction.atomic():
        # Most sign-ups are new: insert first, and let the unique (program, email_key)
        # constraint find the duplicates, including two sign-ups racing each other.
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
        except IntegrityError:
            existing = (
                WaitlistEntry.objects.select_for_update()
                .select_related("clinic", "program")
                .filter(program=program, email_key=key)
                .first()
            )
            if existing is None:
                raise
            _duplicate(existing, data, source=source)
            return SignupResult(existing, created=False)
        audit(entry, "create", f"signed up ({source})")
        notifications.queue_rendered(confirmation, entry.email)
    return SignupResult(entry, created=True)


def _duplicate(entry: WaitlistEntry, data: dict[str, Any], *, source: str) -> None:
    changed: list[str] = []
    if entry.status in OPEN_STATUSES:
        changed = apply_answers(entry, data)
        entry.consent_at = timezone.now()
        refresh_priority(entry, entry.program)
        entry.save()
    what = f"changed {', '.join(changed)}" if changed else "no change"
    audit(entry, "update", f"signed up again ({source}): {what}")
    context = {**person_context(entry), "changed": bool(changed)}
    if entry.status == EntryStatus.PENDING_CONFIRMATION:
        context["confirm_url"] = links.confirm_url(entry)
        context["confirm_hours"] = settings.WAITLIST_CONFIRM_HOURS
    notifications.queue("already_listed", context, entry.email)


class ConfirmOutcome:
    CONFIRMED = "confirmed"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"


@transaction.atomic
def confirm(*, token: str) -> tuple[str, WaitlistEntry | None]:
    """Double opt-in: a valid, unexpired, unused confirmation link puts the person in the
    queue (their place is the moment they confirm)."""
    try:
        unsigned = links.read_confirm_token(token)
    except links.LinkExpired:
        return ConfirmOutcome.EXPIRED, None
    if unsigned is None:
        return ConfirmOutcome.INVALID, None
    entry = (
        WaitlistEntry.objects.select_for_update()
        .select_related("clinic", "program")
        .filter(public_id=unsigned.public_id)
        .first()
    )
    if entry is None or entry.is_erased:
        return ConfirmOutcome.INVALID, None
    if entry.status != EntryStatus.PENDING_CONFIRMATION or entry.confirm_nonce != unsigned.nonce:
        return ConfirmOutcome.USED, entry
    detail = status_change(entry, EntryStatus.WAITING) + ": address confirmed"
    entry.waiting_since = timezone.now()
    entry.confirm_nonce = ""
    refresh_priority(entry, entry.program)
    entry.save()
    audit(entry, "update", detail)
    notifications.queue(
        "confirmed",
        {**person_context(entry), "estimate": queue_estimate(entry)},
        entry.email,
    )
    return ConfirmOutcome.CONFIRMED, entry


@transaction.atomic
def update_details(*, token: str, data: dict[str, Any]) -> WaitlistEntry:
    """The person changes their details from their private status page."""
    entry = entry_for_status_token(token, for_update=True)
    if entry is None:
        raise NotFound("No such entry.")
    if entry.status not in OPEN_STATUSES:
        raise Refusal(
            "Your details can no longer be changed here. Please contact the clinic.",
            code="details_locked",
        )
    changed = apply_answers(entry, data)
    refresh_priority(entry, entry.program)
    entry.save()
    audit(
        entry,
        "update",
        "details updated by the person: " + (", ".join(changed) if changed else "no change"),
    )
    return entry


def _erase(entry: WaitlistEntry) -> None:
    entry.notes.all().delete()
    for name in ERASED_TEXT_FIELDS:
        setattr(entry, name, "")
    entry.email_key = None
    entry.date_of_birth = None
    entry.conditions = []
    entry.phq2_answers = entry.gad2_answers = []
    entry.phq2_total = entry.gad2_total = entry.prescreen_total = None
    entry.positive_screen = entry.in_region = False
    entry.priority_override = None
    entry.priority_override_at = None
    entry.priority_override_by = None
    entry.priority_key = 0.0


@transaction.atomic
def leave(*, token: str) -> None:
    """The person leaves the list: their personal data is erased now. The row keeps only its
    status and dates, and the audit trail keeps what happened (no names, no answers)."""
    entry = entry_for_status_token(token, for_update=True)
    if entry is None:
        raise NotFound("No such entry.")
    if entry.status == EntryStatus.ENROLLED:
        raise Refusal(
            "You are already a patient of the clinic, so you are no longer on the waiting list. "
            "To close your patient account, please contact the clinic.",
            code="already_enrolled",
        )
    now = timezone.now()
    # Rendered before the address is erased: the last email this address gets from the list.
    notifications.queue("left", {"clinic": entry.clinic}, entry.email)
    revoke_pending_invitation(entry, now)
    detail = status_change(entry, EntryStatus.WITHDRAWN) + ": left the list, personal data erased"
    _erase(entry)
    entry.left_at = now
    entry.save()
    audit(entry, "delete", detail)
