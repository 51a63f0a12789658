"""Reads of the waiting list: the clinic the public site speaks for, the entry or invitation a
private link names, a program's places this week and who is next in line, a person's place
and honest wait estimate, and the staff board (filtered, sorted, keyset-paginated so a page
costs the same on the 100,000th entry as on the first), already scoped to the user's clinic.
Nothing here writes; the services (`ketacare.waitlist.services`) build on these reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ketacare.accounts.models import Clinic
from ketacare.clinical.waitlist_priority import priority_on
from ketacare.core import policy
from ketacare.core.errors import NotFound

from . import links
from .choices import REGION_NAMES, Condition, EntryStatus, InvitationStatus, Route
from .models import Invitation, Program, WaitlistEntry

# --- The public site's clinic, and what a private link names


def public_clinic() -> Clinic | None:
    """The clinic the public site speaks for: PUBLIC_CLINIC, else the first clinic created."""
    clinics = Clinic.objects.order_by("id")
    if settings.PUBLIC_CLINIC:
        return clinics.filter(slug=settings.PUBLIC_CLINIC).first()
    return clinics.first()


def entry_for_status_token(token: str, *, for_update: bool = False) -> WaitlistEntry | None:
    """The entry a private status link names; None for a link that is not (or no longer)
    valid. `for_update` locks the row, for a service about to change it."""
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


def invitation_for_token(raw: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("entry__clinic", "entry__program", "program__clinic")
        .filter(token_hash=links.invitation_hash(raw))
        .first()
    )


# --- Capacity and the queue

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


def next_in_line(program: Program) -> QuerySet[WaitlistEntry]:
    """Waiting people in the order they are invited: highest priority, then longest wait."""
    return WaitlistEntry.objects.filter(program=program, status=EntryStatus.WAITING).order_by(
        "-priority_key", "waiting_since", "id"
    )


def weeks_until_invited(*, position: int, weekly_capacity: int, left_this_week: int) -> int | None:
    """Whole weeks from now until the person at `position` (1 = next) is reached, if each
    week invites `weekly_capacity` people and `left_this_week` places remain this week.
    0 means this week; None when invitations are paused (capacity 0)."""
    left_this_week = max(0, min(left_this_week, weekly_capacity))
    if position <= left_this_week:
        return 0
    if weekly_capacity <= 0:
        return None
    return -(-(position - left_this_week) // weekly_capacity)


@dataclass(frozen=True)
class Estimate:
    position: int
    weekly_capacity: int
    places_left_this_week: int
    weeks: int | None
    around: dt.date | None


def queue_position(entry: WaitlistEntry) -> int:
    """1 + the number of waiting people invited before this one."""
    ahead = next_in_line(entry.program).filter(
        Q(priority_key__gt=entry.priority_key)
        | Q(priority_key=entry.priority_key, waiting_since__lt=entry.waiting_since)
        | Q(priority_key=entry.priority_key, waiting_since=entry.waiting_since, id__lt=entry.pk)
    )
    return ahead.count() + 1


def queue_estimate(entry: WaitlistEntry, now: dt.datetime | None = None) -> Estimate | None:
    """Where a waiting person stands and roughly when they may be invited, at the current
    pace. None unless they are waiting."""
    if entry.status != EntryStatus.WAITING:
        return None
    now = now or timezone.now()
    program = entry.program
    position = queue_position(entry)
    left = places_left_this_week(program, now)
    weeks = weeks_until_invited(
        position=position, weekly_capacity=program.weekly_capacity, left_this_week=left
    )
    around = None
    if weeks is not None:
        around = (now + dt.timedelta(weeks=weeks)).date()
    return Estimate(position, program.weekly_capacity, left, weeks, around)


def entry_for_staff(user: Any, entry_id: Any) -> WaitlistEntry:
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        raise NotFound("No such entry.") from None
    entry = (
        entries_visible_to(user)
        .select_related("program", "priority_override_by", "patient")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise NotFound("No such entry.")
    return entry


def entries_visible_to(user: Any) -> QuerySet[WaitlistEntry]:
    if not policy.can(user, policy.MANAGE_WAITLIST) or not user.clinic_id:
        return WaitlistEntry.objects.none()
    return WaitlistEntry.objects.filter(clinic_id=user.clinic_id)


def program_for_staff(user: Any, program_id: Any) -> Program:
    """One of the staff member's clinic's programs; NotFound for any other."""
    try:
        pk = int(program_id)
    except (TypeError, ValueError):
        raise NotFound("No such program.") from None
    if not policy.can(user, policy.MANAGE_WAITLIST) or not user.clinic_id:
        raise NotFound("No such program.")
    program = Program.objects.filter(pk=pk, clinic_id=user.clinic_id).first()
    if program is None:
        raise NotFound("No such program.")
    return program


def entry_detail(entry: WaitlistEntry) -> dict[str, Any]:
    notes = list(entry.notes.select_related("author")[:50])
    invitations = list(Invitation.objects.filter(entry=entry).select_related("created_by")[:20])
    estimate = queue_estimate(entry)
    return {
        "entry": entry,
        "notes": notes,
        "invitations": invitations,
        "estimate": estimate,
        "priority": display_priority(entry),
    }


def display_priority(entry: WaitlistEntry, now: dt.datetime | None = None) -> float | None:
    if entry.status not in (
        EntryStatus.WAITING,
        EntryStatus.INVITED,
        EntryStatus.PENDING_CONFIRMATION,
    ):
        return None
    return round(priority_on(entry.priority_key, now or timezone.now(), entry.program.weights), 1)


# --- The board

# sort name → (field, descending). Every sort ends with `id` ascending, the keyset tie-break.
SORTS: dict[str, tuple[str, bool]] = {
    "priority": ("priority_key", True),
    "waiting": ("waiting_since", False),
    "prescreen": ("prescreen_total", True),
    "newest": ("created_at", True),
}
SORT_LABELS = {
    "priority": "Priority (highest first)",
    "waiting": "Waiting time (longest first)",
    "prescreen": "Pre-screen score (highest first)",
    "newest": "Newest sign-ups first",
}
STATUS_FILTERS = [
    ("open", "On the list (all but left or removed)"),
    *EntryStatus.choices,
    ("all", "All"),
]
PAGE_SIZE = 50
COUNT_LIMIT = 10_000


@dataclass
class BoardFilters:
    status: str = EntryStatus.WAITING
    region: str = ""
    route: str = ""
    condition: str = ""
    min_score: int | None = None
    positive_only: bool = False
    min_weeks: int | None = None
    sort: str = "priority"
    after: str = ""

    @classmethod
    def from_query(cls, params: Any) -> BoardFilters:
        def pick(name: str, allowed: Any, default: str = "") -> str:
            value = str(params.get(name, default))[:40]
            return value if value in allowed else default

        def number(name: str, low: int, high: int) -> int | None:
            raw = str(params.get(name, "")).strip()
            return max(low, min(high, int(raw))) if raw.isdigit() else None

        return cls(
            status=pick("status", dict(STATUS_FILTERS), EntryStatus.WAITING),
            region=pick("region", REGION_NAMES),
            route=pick("route", dict(Route.choices)),
            condition=pick("condition", dict(Condition.choices)),
            min_score=number("min_score", 0, 12),
            positive_only=params.get("positive") == "1",
            min_weeks=number("min_weeks", 0, 520),
            sort=pick("sort", SORTS, "priority"),
            after=str(params.get("after", ""))[:100],
        )

    def query(self, *, after: str | None = None) -> dict[str, str]:
        """The filters as GET parameters (for links and the CSV export)."""
        params = {
            "status": self.status,
            "region": self.region,
            "route": self.route,
            "condition": self.condition,
            "min_score": "" if self.min_score is None else str(self.min_score),
            "positive": "1" if self.positive_only else "",
            "min_weeks": "" if self.min_weeks is None else str(self.min_weeks),
            "sort": self.sort,
            "after": after or "",
        }
        return {k: v for k, v in params.items() if v}


def board_queryset(
    user: Any, filters: BoardFilters, now: dt.datetime | None = None
) -> QuerySet[WaitlistEntry]:
    """The board's rows for these filters, sorted, without pagination."""
    qs = entries_visible_to(user)
    if filters.status == "open":
        qs = qs.filter(
            status__in=[EntryStatus.PENDING_CONFIRMATION, EntryStatus.WAITING, EntryStatus.INVITED]
        )
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.route:
        qs = qs.filter(preferred_route=filters.route)
    if filters.condition:
        # JSON list membership, the same on SQLite and PostgreSQL: the code sits in quotes.
        qs = qs.filter(conditions__icontains=f'"{filters.condition}"')
    if filters.min_score is not None:
        qs = qs.filter(prescreen_total__gte=filters.min_score)
    if filters.positive_only:
        qs = qs.filter(positive_screen=True)
    if filters.min_weeks is not None:
        qs = qs.filter(
            waiting_since__lte=(now or timezone.now()) - dt.timedelta(weeks=filters.min_weeks)
        )
    name, descending = SORTS[filters.sort]
    order = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
    return qs.select_related("program").order_by(order, "id")


def _cursor_value(name: str, raw: str) -> Any:
    if raw == "":
        return None
    if name == "priority_key":
        return float(raw)
    if name == "prescreen_total":
        return int(raw)
    value = parse_datetime(raw)
    if value is None:
        raise ValueError(raw)
    return value


def _after(
    qs: QuerySet[WaitlistEntry], name: str, descending: bool, cursor: str
) -> QuerySet[WaitlistEntry]:
    raw_value, _, raw_id = cursor.rpartition("~")
    try:
        last_id = int(raw_id)
        value = _cursor_value(name, raw_value)
    except ValueError:
        return qs  # a mangled cursor shows the first page
    if value is None:  # already in the tail of empty values
        return qs.filter(**{f"{name}__isnull": True, "id__gt": last_id})
    beyond = "lt" if descending else "gt"
    return qs.filter(
        Q(**{f"{name}__{beyond}": value})
        | Q(**{name: value, "id__gt": last_id})
        | Q(**{f"{name}__isnull": True})
    )


def _cursor_for(entry: WaitlistEntry, name: str) -> str:
    value = getattr(entry, name)
    if value is None:
        text = ""
    elif isinstance(value, dt.datetime):
        text = value.isoformat()
    else:
        text = repr(value)
    return f"{text}~{entry.pk}"


@dataclass
class BoardRow:
    entry: WaitlistEntry
    priority: float | None
    waited_weeks: int | None


@dataclass
class BoardPage:
    rows: list[BoardRow]
    total: int  # at most COUNT_LIMIT + 1 (shown as "more than COUNT_LIMIT")
    next_cursor: str | None
    filters: BoardFilters
    programs: list[Program] = field(default_factory=list)

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_LIMIT

    @property
    def count_limit(self) -> int:
        return COUNT_LIMIT


def board_page(user: Any, filters: BoardFilters, now: dt.datetime | None = None) -> BoardPage:
    """One page of the board: a count, the page's rows, and the clinic's programs with this
    week's places, in a fixed number of queries however long the list is."""
    now = now or timezone.now()
    qs = board_queryset(user, filters, now)
    # A limited count: exact up to COUNT_LIMIT, then "more than"; it stops reading there.
    total = qs.order_by()[: COUNT_LIMIT + 1].count()
    name, descending = SORTS[filters.sort]
    if filters.after:
        qs = _after(qs, name, descending, filters.after)
    entries = list(qs[: PAGE_SIZE + 1])
    next_cursor = _cursor_for(entries[PAGE_SIZE - 1], name) if len(entries) > PAGE_SIZE else None
    rows = []
    for entry in entries[:PAGE_SIZE]:
        waited = None
        if entry.waiting_since and entry.status in (EntryStatus.WAITING, EntryStatus.INVITED):
            waited = (now - entry.waiting_since).days // 7
        rows.append(BoardRow(entry, display_priority(entry, now), waited))
    return BoardPage(rows, total, next_cursor, filters, programs_with_places(user, now))


def programs_with_places(user: Any, now: dt.datetime | None = None) -> list[Program]:
    """The clinic's programs, each with `waiting_count` and `places_left`, in one query."""
    if not policy.can(user, policy.MANAGE_WAITLIST) or not user.clinic_id:
        return []
    now = now or timezone.now()
    waiting = (
        WaitlistEntry.objects.filter(program=OuterRef("pk"), status=EntryStatus.WAITING)
        .order_by()
        .values("program")
        .annotate(n=Count("id"))
        .values("n")
    )
    used = (
        Invitation.objects.filter(program=OuterRef("pk"), **used_places_filter(now))
        .order_by()
        .values("program")
        .annotate(n=Count("id"))
        .values("n")
    )
    programs: list[Program] = list(
        Program.objects.filter(clinic_id=user.clinic_id)
        .annotate(
            waiting_count=Coalesce(Subquery(waiting), 0),
            used_places=Coalesce(Subquery(used), 0),
        )
        .order_by("name")
    )
    for program in programs:
        program.places_left = max(0, program.weekly_capacity - program.used_places)  # type: ignore[attr-defined]
    return programs
