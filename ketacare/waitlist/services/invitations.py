"""Invitations, within each program's weekly capacity: staff invite chosen people or the next
in line (the Monday job does the same with no actor), invitations past their date are expired
(the person returns to their place), and an invited person accepts by choosing a password,
which creates their patient login and record in the clinic. The link works once.

Refusals: "capacity_reached", "not_waiting"; an invitation link that cannot be used has its
reason as the code: "invalid", "used", "revoked", "expired", "account_exists"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import Role, User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.patients.models import Patient

from .. import links, notifications
from ..choices import EntryStatus, InvitationStatus
from ..models import Invitation, Program, WaitlistEntry
from ..selectors import invitation_for_token, next_in_line, places_left_this_week
from .common import audit, locked, person_context, status_change

INVALID = "invalid"


def _invite_one(entry: WaitlistEntry, *, actor: User | None, now: dt.datetime) -> Invitation:
    raw, token_hash = links.new_invitation_token()
    program = entry.program
    invitation = Invitation.objects.create(
        entry=entry,
        program=program,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + dt.timedelta(days=program.invitation_valid_days),
        created_by=actor,
    )
    detail = status_change(entry, EntryStatus.INVITED)
    entry.save(update_fields=["status", "updated_at"])
    who = "by staff" if actor is not None else "by the scheduled job"
    audit(entry, "update", f"{detail}: invitation #{invitation.pk} sent {who}", actor=actor)
    notifications.queue(
        "invitation",
        {
            **person_context(entry),
            "invitation": invitation,
            "invitation_url": links.invitation_url(raw),
        },
        entry.email,
    )
    return invitation


@transaction.atomic
def invite(
    *, actor: User, entries: Iterable[WaitlistEntry], now: dt.datetime | None = None
) -> list[Invitation]:
    """Staff invite chosen people, within the week's capacity (all of them or none)."""
    now = now or timezone.now()
    chosen = list(locked(entries))
    for entry in chosen:
        policy.require(actor, policy.MANAGE_WAITLIST, entry, what="No such entry.")
    waiting = [e for e in chosen if e.status == EntryStatus.WAITING]
    if not waiting:
        raise Refusal("Only people waiting on the list can be invited.", code="not_waiting")
    by_program: dict[int, list[WaitlistEntry]] = {}
    for entry in waiting:
        by_program.setdefault(entry.program_id, []).append(entry)
    for group in by_program.values():
        left = places_left_this_week(group[0].program, now)
        if len(group) > left:
            raise Refusal(
                f"{group[0].program.name} has {left} place{'s' if left != 1 else ''} left this "
                f"week; {len(group)} selected. An administrator can raise the weekly capacity.",
                code="capacity_reached",
            )
    return [_invite_one(e, actor=actor, now=now) for e in waiting]


@dataclass
class InviteRun:
    program: Program
    places_left: int
    chosen: list[WaitlistEntry] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    dry_run: bool = False


@transaction.atomic
def invite_next(
    *,
    program: Program,
    actor: User | None = None,
    count: int | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> InviteRun:
    """Invite the next people in line, as many as this week's capacity allows (or `count`,
    if fewer). `actor` None is the scheduled job; staff must belong to the program's clinic.
    With `dry_run`, nobody is invited and the run says who would be."""
    if actor is not None:
        policy.require(actor, policy.MANAGE_WAITLIST, program, what="No such program.")
    now = now or timezone.now()
    if not dry_run:
        expire_invitations(now=now, program=program)
    left = places_left_this_week(program, now)
    wanted = left if count is None else max(0, min(left, count))
    run = InviteRun(program=program, places_left=left, dry_run=dry_run)
    run.chosen = list(next_in_line(program).select_related("clinic", "program")[:wanted])
    if not dry_run and run.chosen:
        rows = {e.pk: e for e in locked(run.chosen)}
        run.chosen = [rows[e.pk] for e in run.chosen if rows[e.pk].status == EntryStatus.WAITING]
        run.invitations = [_invite_one(e, actor=actor, now=now) for e in run.chosen]
        run.places_left = left - len(run.invitations)
    return run


def _expire(invitation: Invitation, *, now: dt.datetime) -> None:
    invitation.status = InvitationStatus.EXPIRED
    invitation.closed_at = now
    invitation.save(update_fields=["status", "closed_at"])
    entry = invitation.entry
    if entry.status != EntryStatus.INVITED:
        return
    # waiting_since and the priority key are untouched: the person gets their place back.
    detail = status_change(entry, EntryStatus.WAITING)
    entry.save(update_fields=["status", "updated_at"])
    audit(entry, "update", f"{detail}: invitation #{invitation.pk} expired, back at their place")
    notifications.queue("invitation_expired", person_context(entry), entry.email)


@transaction.atomic
def expire_invitations(*, now: dt.datetime | None = None, program: Program | None = None) -> int:
    """Close invitations past their date and return those people to the list."""
    now = now or timezone.now()
    due = (
        Invitation.objects.select_for_update()
        .select_related("entry__clinic", "entry__program")
        .filter(status=InvitationStatus.PENDING, expires_at__lte=now)
    )
    if program is not None:
        due = due.filter(program=program)
    count = 0
    for invitation in due.order_by("id"):
        _expire(invitation, now=now)
        count += 1
    return count


def check_invitation(invitation: Invitation | None, now: dt.datetime) -> None:
    """Refusal, its code the reason, unless the invitation may still be used."""
    if invitation is None:
        raise Refusal("This invitation link is not valid.", code=INVALID)
    if invitation.status == InvitationStatus.ACCEPTED:
        raise Refusal(
            "This invitation has already been used. Sign in with the email and password you chose.",
            code="used",
        )
    if invitation.status == InvitationStatus.REVOKED:
        raise Refusal("This invitation was withdrawn.", code="revoked")
    if invitation.status == InvitationStatus.EXPIRED or invitation.expires_at <= now:
        raise Refusal(
            "This invitation has expired. You are back on the waiting list at the place you "
            "had, and will be invited again as places open.",
            code="expired",
        )


def open_invitation(*, token: str) -> Invitation:
    """The invitation a link names, if it may still be used; else a Refusal. An invitation
    found past its date is expired on the spot (the person returns to the list)."""
    now = timezone.now()
    invitation = invitation_for_token(token)
    if (
        invitation is not None
        and invitation.status == InvitationStatus.PENDING
        and invitation.expires_at <= now
    ):
        with transaction.atomic():
            row = (
                Invitation.objects.select_for_update()
                .select_related("entry__clinic", "entry__program")
                .get(pk=invitation.pk)
            )
            if row.status == InvitationStatus.PENDING:
                _expire(row, now=now)
        invitation.refresh_from_db()
    check_invitation(invitation, now)
    assert invitation is not None  # noqa: S101 (check_invitation raised otherwise)
    return invitation


def accept_invitation(*, token: str, password: str) -> User:
    """The invited person chooses a password: this creates their patient login and their
    patient record in the clinic, and marks them enrolled. The link works once."""
    invitation = open_invitation(token=token)
    with transaction.atomic():
        return _accept(invitation.pk, password=password)


def _accept(invitation_id: int, *, password: str) -> User:
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("entry__clinic", "entry__program")
        .get(pk=invitation_id)
    )
    check_invitation(invitation, now)
    entry = invitation.entry
    if User.objects.filter(email__iexact=entry.email).exists():
        raise Refusal(
            "An account with this email address already exists. Sign in, or contact the clinic.",
            code="account_exists",
        )
    user = User(
        email=entry.email, full_name=entry.full_name, clinic_id=entry.clinic_id, role=Role.PATIENT
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    patient = Patient.objects.create(
        clinic_id=entry.clinic_id,
        user=user,
        first_name=entry.first_name,
        last_name=entry.last_name,
        date_of_birth=entry.date_of_birth,  # type: ignore[misc]  # set until the person leaves
        email=entry.email,
        phone=entry.phone,
    )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.closed_at = now
    invitation.save(update_fields=["status", "closed_at"])
    detail = status_change(entry, EntryStatus.ENROLLED)
    entry.patient = patient
    entry.save()
    record(
        actor=user,
        action="create",
        obj=user,
        clinic_id=entry.clinic_id,
        detail="patient account created from a waiting-list invitation",
    )
    record(
        actor=user,
        action="create",
        obj=patient,
        patient=patient,
        detail="patient record created from a waiting-list invitation",
    )
    audit(
        entry, "update", f"{detail}: invitation #{invitation.pk} accepted", actor=user,
        patient=patient,
    )  # fmt: skip
    return user
