"""Writes to the waiting list. Each is one transaction that checks who may do it and writes
the audit row before it commits; emails leave once it has committed.

A person's path: sign up (pending_confirmation) → confirm their address (waiting, with a
place in the queue) → invited → enrolled (a patient account and record in the clinic). An
invitation that expires puts them back to waiting with the place they had. They may leave at
any time: their personal data is then erased and only a non-identifying row stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from ketacare.accounts.models import STAFF_ROLES, Clinic, Role, User
from ketacare.accounts.permissions import MANAGE_CLINIC, allowed, has_role
from ketacare.audit.log import record
from ketacare.clinical.instruments import POSITIVE_SCREEN, ScoreResult
from ketacare.clinical.waitlist_priority import override_key, priority_key
from ketacare.patients.models import Patient

from . import links, notifications
from .choices import OPEN_STATUSES, EntryStatus, InvitationStatus
from .models import Invitation, Program, WaitlistEntry, WaitlistNote

if TYPE_CHECKING:
    from django.http import HttpRequest

ENTRY = "waitlist.WaitlistEntry"
# What a person may fill in, and what a duplicate sign-up may change (never the address).
SIGNUP_FIELDS = (
    "first_name", "last_name", "phone", "date_of_birth", "region", "conditions",
    "preferred_route", "heard_from",
)  # fmt: skip
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
# Blanked when the person leaves (with the dates of birth, answers and scores).
ERASED_TEXT_FIELDS = (
    "first_name", "last_name", "email", "phone", "region", "preferred_route", "heard_from",
    "priority_override_reason", "confirm_nonce", "status_nonce",
)  # fmt: skip


class WaitlistError(ValueError):
    """A request that cannot be carried out, with a message for the person who made it."""


class SignupsClosed(WaitlistError):
    pass


class CapacityReached(WaitlistError):
    pass


# --- Helpers


def normalise_email(email: str) -> str:
    """The address as duplicates are found: case-insensitive everywhere; for Gmail (where
    the provider itself ignores them) also without dots and "+tag" in the local part."""
    local, _, domain = email.strip().lower().rpartition("@")
    domain = domain.rstrip(".")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def public_clinic() -> Clinic | None:
    """The clinic the public site speaks for: PUBLIC_CLINIC, else the first clinic created."""
    clinics = Clinic.objects.order_by("id")
    if settings.PUBLIC_CLINIC:
        return clinics.filter(slug=settings.PUBLIC_CLINIC).first()
    return clinics.first()


def program_for_signups() -> Program:
    """The program public sign-ups join: WAITLIST_PROGRAM of the clinic the public site
    speaks for (PUBLIC_CLINIC, else the first clinic created), created with defaults the
    first time so a new install takes sign-ups at once."""
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
            raise SignupsClosed("The waiting list is not open yet. Please try again later.")
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
        raise SignupsClosed("The waiting list is closed to new sign-ups at the moment.")
    return program


def _refresh_priority(entry: WaitlistEntry, program: Program) -> None:
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


def _apply(entry: WaitlistEntry, data: dict[str, Any]) -> list[str]:
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


def _audit(
    entry: WaitlistEntry,
    action: str,
    detail: str,
    *,
    actor: Any = None,
    request: Any = None,
    patient: Any = None,
) -> None:
    record(
        actor=actor,
        action=action,
        obj=(ENTRY, entry.pk),
        request=request,
        clinic_id=entry.clinic_id,
        detail=detail,
        patient=patient,
    )


def _status_change(entry: WaitlistEntry, new: str) -> str:
    old = entry.status
    entry.status = new
    return f"status {old} → {new}"


def _require_staff(actor: Any, entry: WaitlistEntry | None = None) -> None:
    if not has_role(actor, *STAFF_ROLES) or (
        entry is not None and entry.clinic_id != actor.clinic_id
    ):
        raise Http404("No such entry.")


def _person_context(entry: WaitlistEntry, request: Any) -> dict[str, Any]:
    return {
        "entry": entry,
        "clinic": entry.clinic,
        "program": entry.program,
        "status_url": links.status_url(entry, request) if entry.status_nonce else "",
    }


# --- The person


@dataclass(frozen=True)
class SignupResult:
    entry: WaitlistEntry
    created: bool


def signup(
    *, data: dict[str, Any], source: str, request: HttpRequest | None = None
) -> SignupResult:
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
    _apply(entry, data)
    _refresh_priority(entry, program)
    context = {
        **_person_context(entry, request),
        "confirm_url": links.confirm_url(entry, request),
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
            _duplicate(existing, data, source=source, request=request)
            return SignupResult(existing, created=False)
        _audit(entry, "create", f"signed up ({source})", request=request)
        notifications.queue_rendered(confirmation, entry.email)
    return SignupResult(entry, created=True)


def _duplicate(entry: WaitlistEntry, data: dict[str, Any], *, source: str, request: Any) -> None:
    changed: list[str] = []
    if entry.status in OPEN_STATUSES:
        changed = _apply(entry, data)
        entry.consent_at = timezone.now()
        _refresh_priority(entry, entry.program)
        entry.save()
    what = f"changed {', '.join(changed)}" if changed else "no change"
    _audit(entry, "update", f"signed up again ({source}): {what}", request=request)
    context = {**_person_context(entry, request), "changed": bool(changed)}
    if entry.status == EntryStatus.PENDING_CONFIRMATION:
        context["confirm_url"] = links.confirm_url(entry, request)
        context["confirm_hours"] = settings.WAITLIST_CONFIRM_HOURS
    notifications.queue("already_listed", context, entry.email)


class ConfirmOutcome:
    CONFIRMED = "confirmed"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"


@transaction.atomic
def confirm(*, token: str, request: HttpRequest | None = None) -> tuple[str, WaitlistEntry | None]:
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
    detail = _status_change(entry, EntryStatus.WAITING) + ": address confirmed"
    entry.waiting_since = timezone.now()
    entry.confirm_nonce = ""
    _refresh_priority(entry, entry.program)
    entry.save()
    _audit(entry, "update", detail, request=request)
    from .selectors import queue_estimate

    notifications.queue(
        "confirmed",
        {**_person_context(entry, request), "estimate": queue_estimate(entry)},
        entry.email,
    )
    return ConfirmOutcome.CONFIRMED, entry


def entry_for_status_token(token: str, *, for_update: bool = False) -> WaitlistEntry | None:
    unsigned = links.read_status_token(token)
    if unsigned is None or not unsigned.nonce:
        return None
    qs = WaitlistEntry.objects.select_related("clinic", "program")
    if for_update:
        qs = qs.select_for_update()
    entry = qs.filter(public_id=unsigned.public_id).first()
    if entry is None or entry.status_nonce != unsigned.nonce or entry.is_erased:
        return None
    return entry


@transaction.atomic
def update_details(
    *, token: str, data: dict[str, Any], request: HttpRequest | None = None
) -> WaitlistEntry:
    """The person changes their details from their private status page."""
    entry = entry_for_status_token(token, for_update=True)
    if entry is None:
        raise Http404("No such entry.")
    if entry.status not in OPEN_STATUSES:
        raise WaitlistError(
            "Your details can no longer be changed here. Please contact the clinic."
        )
    changed = _apply(entry, data)
    _refresh_priority(entry, entry.program)
    entry.save()
    _audit(
        entry,
        "update",
        "details updated by the person: " + (", ".join(changed) if changed else "no change"),
        request=request,
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


def _revoke_pending_invitation(entry: WaitlistEntry, now: dt.datetime) -> None:
    Invitation.objects.filter(entry=entry, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED, closed_at=now
    )


@transaction.atomic
def leave(*, token: str, request: HttpRequest | None = None) -> None:
    """The person leaves the list: their personal data is erased now. The row keeps only its
    status and dates, and the audit trail keeps what happened (no names, no answers)."""
    entry = entry_for_status_token(token, for_update=True)
    if entry is None:
        raise Http404("No such entry.")
    if entry.status == EntryStatus.ENROLLED:
        raise WaitlistError(
            "You are already a patient of the clinic, so you are no longer on the waiting list. "
            "To close your patient account, please contact the clinic."
        )
    now = timezone.now()
    # Rendered before the address is erased: the last email this address gets from the list.
    notifications.queue("left", {"clinic": entry.clinic}, entry.email)
    _revoke_pending_invitation(entry, now)
    detail = _status_change(entry, EntryStatus.WITHDRAWN) + ": left the list, personal data erased"
    _erase(entry)
    entry.left_at = now
    entry.save()
    _audit(entry, "delete", detail, request=request)


# --- Staff


@transaction.atomic
def add_note(
    *, actor: User, entry: WaitlistEntry, text: str, request: HttpRequest | None = None
) -> WaitlistNote:
    _require_staff(actor, entry)
    if entry.is_erased:
        raise WaitlistError("This person has left the list; their entry can no longer be noted.")
    text = text.strip()
    if not text:
        raise WaitlistError("Write a note first.")
    note = WaitlistNote.objects.create(entry=entry, author=actor, text=text[:2000])
    _audit(entry, "create", f"note #{note.pk} added", actor=actor, request=request)
    return note


@transaction.atomic
def set_priority_override(
    *,
    actor: User,
    entry: WaitlistEntry,
    score: float,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Staff set a person's priority by hand (a reason is required). From then on the person
    gains waiting points like everyone else."""
    _require_staff(actor, entry)
    reason = " ".join(reason.split())
    if not reason:
        raise WaitlistError("Give a reason for the override.")
    if entry.status not in OPEN_STATUSES:
        raise WaitlistError("Only people on the list can have their priority changed.")
    entry.priority_override = float(score)
    entry.priority_override_reason = reason[:500]
    entry.priority_override_at = timezone.now()
    entry.priority_override_by = actor
    _refresh_priority(entry, entry.program)
    entry.save()
    _audit(entry, "update", f"priority overridden to {score:g}", actor=actor, request=request)


@transaction.atomic
def clear_priority_override(
    *, actor: User, entry: WaitlistEntry, request: HttpRequest | None = None
) -> None:
    _require_staff(actor, entry)
    if entry.priority_override is None:
        return
    entry.priority_override = None
    entry.priority_override_at = None
    entry.priority_override_by = None
    entry.priority_override_reason = ""
    _refresh_priority(entry, entry.program)
    entry.save()
    _audit(entry, "update", "priority override removed", actor=actor, request=request)


@transaction.atomic
def remove(
    *, actor: User, entries: Iterable[WaitlistEntry], request: HttpRequest | None = None
) -> int:
    """Take people off the list (e.g. not suitable for the home program). Their data stays
    until they leave; staff can put them back."""
    count = 0
    now = timezone.now()
    for entry in _locked(entries):
        _require_staff(actor, entry)
        if entry.status not in OPEN_STATUSES:
            continue
        _revoke_pending_invitation(entry, now)
        detail = _status_change(entry, EntryStatus.REMOVED)
        entry.save()
        _audit(entry, "update", detail, actor=actor, request=request)
        count += 1
    return count


@transaction.atomic
def restore(
    *, actor: User, entries: Iterable[WaitlistEntry], request: HttpRequest | None = None
) -> int:
    """Put removed people back where they were (their place in the queue is kept)."""
    count = 0
    for entry in _locked(entries):
        _require_staff(actor, entry)
        if entry.status != EntryStatus.REMOVED:
            continue
        new = EntryStatus.WAITING if entry.waiting_since else EntryStatus.PENDING_CONFIRMATION
        detail = _status_change(entry, new)
        entry.save()
        _audit(entry, "update", detail, actor=actor, request=request)
        count += 1
    return count


def _locked(entries: Iterable[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    ids = [e.pk for e in entries]
    return (
        WaitlistEntry.objects.select_for_update()
        .select_related("clinic", "program")
        .filter(pk__in=ids)
        .order_by("id")
    )


# --- Capacity and invitations


CAPACITY_WINDOW = dt.timedelta(days=7)


def used_places_filter(now: dt.datetime) -> dict[str, Any]:
    """Invitations that hold one of a program's weekly places at `now`: those sent in the
    last 7 days that still stand (an expired or withdrawn invitation gives its place back).
    A rolling week, so capacity means "at most N in any 7 days", in every time zone."""
    return {
        "created_at__gt": now - CAPACITY_WINDOW,
        "status__in": [InvitationStatus.PENDING, InvitationStatus.ACCEPTED],
    }


def places_left_this_week(program: Program, now: dt.datetime | None = None) -> int:
    """Weekly capacity minus the places held by invitations of the last 7 days."""
    now = now or timezone.now()
    used = Invitation.objects.filter(program=program, **used_places_filter(now)).count()
    return max(0, program.weekly_capacity - used)


def _invite_one(
    entry: WaitlistEntry, *, actor: User | None, now: dt.datetime, request: Any
) -> Invitation:
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
    detail = _status_change(entry, EntryStatus.INVITED)
    entry.save(update_fields=["status", "updated_at"])
    who = "by staff" if actor is not None else "by the scheduled job"
    _audit(
        entry,
        "update",
        f"{detail}: invitation #{invitation.pk} sent {who}",
        actor=actor,
        request=request,
    )
    notifications.queue(
        "invitation",
        {
            **_person_context(entry, request),
            "invitation": invitation,
            "invitation_url": links.invitation_url(raw, request),
        },
        entry.email,
    )
    return invitation


@transaction.atomic
def invite(
    *,
    actor: User,
    entries: Iterable[WaitlistEntry],
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> list[Invitation]:
    """Staff invite chosen people, within the week's capacity (all of them or none)."""
    now = now or timezone.now()
    chosen = list(_locked(entries))
    for entry in chosen:
        _require_staff(actor, entry)
    waiting = [e for e in chosen if e.status == EntryStatus.WAITING]
    if not waiting:
        raise WaitlistError("Only people waiting on the list can be invited.")
    by_program: dict[int, list[WaitlistEntry]] = {}
    for entry in waiting:
        by_program.setdefault(entry.program_id, []).append(entry)
    for group in by_program.values():
        left = places_left_this_week(group[0].program, now)
        if len(group) > left:
            raise CapacityReached(
                f"{group[0].program.name} has {left} place{'s' if left != 1 else ''} left this "
                f"week; {len(group)} selected. An administrator can raise the weekly capacity."
            )
    return [_invite_one(e, actor=actor, now=now, request=request) for e in waiting]


@dataclass
class InviteRun:
    program: Program
    places_left: int
    chosen: list[WaitlistEntry] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    dry_run: bool = False


def next_in_line(program: Program) -> QuerySet[WaitlistEntry]:
    """Waiting people in the order they are invited: highest priority, then longest wait."""
    return WaitlistEntry.objects.filter(program=program, status=EntryStatus.WAITING).order_by(
        "-priority_key", "waiting_since", "id"
    )


@transaction.atomic
def invite_next(
    *,
    program: Program,
    actor: User | None = None,
    count: int | None = None,
    dry_run: bool = False,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> InviteRun:
    """Invite the next people in line, as many as this week's capacity allows (or `count`,
    if fewer). `actor` None is the scheduled job; staff must belong to the program's clinic.
    With `dry_run`, nobody is invited and the run says who would be."""
    if actor is not None and (
        not has_role(actor, *STAFF_ROLES) or actor.clinic_id != program.clinic_id
    ):
        raise Http404("No such program.")
    now = now or timezone.now()
    if not dry_run:
        expire_invitations(now=now, program=program)
    left = places_left_this_week(program, now)
    wanted = left if count is None else max(0, min(left, count))
    run = InviteRun(program=program, places_left=left, dry_run=dry_run)
    run.chosen = list(next_in_line(program).select_related("clinic", "program")[:wanted])
    if not dry_run and run.chosen:
        locked = {e.pk: e for e in _locked(run.chosen)}
        run.chosen = [
            locked[e.pk] for e in run.chosen if locked[e.pk].status == EntryStatus.WAITING
        ]
        run.invitations = [
            _invite_one(e, actor=actor, now=now, request=request) for e in run.chosen
        ]
        run.places_left = left - len(run.invitations)
    return run


def _expire(invitation: Invitation, *, now: dt.datetime, request: Any = None) -> None:
    invitation.status = InvitationStatus.EXPIRED
    invitation.closed_at = now
    invitation.save(update_fields=["status", "closed_at"])
    entry = invitation.entry
    if entry.status != EntryStatus.INVITED:
        return
    # waiting_since and the priority key are untouched: the person gets their place back.
    detail = _status_change(entry, EntryStatus.WAITING)
    entry.save(update_fields=["status", "updated_at"])
    _audit(
        entry,
        "update",
        f"{detail}: invitation #{invitation.pk} expired, back at their place",
        request=request,
    )
    notifications.queue("invitation_expired", _person_context(entry, request), entry.email)


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


class InvitationProblem(WaitlistError):
    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def invitation_for_token(raw: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("entry__clinic", "entry__program", "program__clinic")
        .filter(token_hash=links.invitation_hash(raw))
        .first()
    )


def check_invitation(invitation: Invitation | None, now: dt.datetime) -> None:
    if invitation is None:
        raise InvitationProblem("This invitation link is not valid.", reason="invalid")
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationProblem(
            "This invitation has already been used. Sign in with the email and password you chose.",
            reason="used",
        )
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationProblem("This invitation was withdrawn.", reason="revoked")
    if invitation.status == InvitationStatus.EXPIRED or invitation.expires_at <= now:
        raise InvitationProblem(
            "This invitation has expired. You are back on the waiting list at the place you "
            "had, and will be invited again as places open.",
            reason="expired",
        )


def open_invitation(token: str, *, request: HttpRequest | None = None) -> Invitation:
    """The invitation a link names, if it may still be used; else InvitationProblem. An
    invitation found past its date is expired on the spot (the person returns to the list)."""
    now = timezone.now()
    invitation = invitation_for_token(token)
    if (
        invitation is not None
        and invitation.status == InvitationStatus.PENDING
        and invitation.expires_at <= now
    ):
        with transaction.atomic():
            locked = (
                Invitation.objects.select_for_update()
                .select_related("entry__clinic", "entry__program")
                .get(pk=invitation.pk)
            )
            if locked.status == InvitationStatus.PENDING:
                _expire(locked, now=now, request=request)
        invitation.refresh_from_db()
    check_invitation(invitation, now)
    assert invitation is not None  # noqa: S101 (check_invitation raised otherwise)
    return invitation


def accept_invitation(*, token: str, password: str, request: HttpRequest | None = None) -> User:
    """The invited person chooses a password: this creates their patient login and their
    patient record in the clinic, and marks them enrolled. The link works once."""
    invitation = open_invitation(token, request=request)
    with transaction.atomic():
        return _accept(invitation.pk, password=password, request=request)


def _accept(invitation_id: int, *, password: str, request: HttpRequest | None) -> User:
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("entry__clinic", "entry__program")
        .get(pk=invitation_id)
    )
    check_invitation(invitation, now)
    entry = invitation.entry
    if User.objects.filter(email__iexact=entry.email).exists():
        raise InvitationProblem(
            "An account with this email address already exists. Sign in, or contact the clinic.",
            reason="account_exists",
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
        date_of_birth=entry.date_of_birth,
        email=entry.email,
        phone=entry.phone,
    )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.closed_at = now
    invitation.save(update_fields=["status", "closed_at"])
    detail = _status_change(entry, EntryStatus.ENROLLED)
    entry.patient = patient
    entry.save()
    record(
        actor=user,
        action="create",
        obj=user,
        request=request,
        clinic_id=entry.clinic_id,
        detail="patient account created from a waiting-list invitation",
    )
    record(
        actor=user,
        action="create",
        obj=patient,
        patient=patient,
        request=request,
        detail="patient record created from a waiting-list invitation",
    )
    _audit(
        entry,
        "update",
        f"{detail}: invitation #{invitation.pk} accepted",
        actor=user,
        request=request,
        patient=patient,
    )
    return user


# --- Programs (admins)

PROGRAM_FIELDS = (
    "name", "weekly_capacity", "regions_served", "weight_severity", "weight_waiting",
    "weight_region", "invitation_valid_days", "accepting_signups",
)  # fmt: skip


@transaction.atomic
def update_program(
    *, actor: User, program: Program, request: HttpRequest | None = None, **fields: Any
) -> Program:
    """Admins change capacity, regions served and weights. New weights or regions re-rank
    everyone on the list at once (their places in time are kept)."""
    if not allowed(actor, MANAGE_CLINIC) or program.clinic_id != actor.clinic_id:
        raise Http404("No such program.")
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown program fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(program, name) != value]
    for name in changed:
        setattr(program, name, fields[name])
    if changed:
        program.save()
    if set(changed) & {"regions_served", "weight_severity", "weight_waiting", "weight_region"}:
        rerank(program)
    record(
        actor=actor,
        action="update",
        obj=program,
        request=request,
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
        _refresh_priority(entry, program)
        batch.append(entry)
        if len(batch) >= batch_size:
            WaitlistEntry.objects.bulk_update(batch, ["priority_key", "in_region"])
            count += len(batch)
            batch = []
    if batch:
        WaitlistEntry.objects.bulk_update(batch, ["priority_key", "in_region"])
        count += len(batch)
    return count
