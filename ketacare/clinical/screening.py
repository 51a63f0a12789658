"""Rules of the screening workflow: which answers call for the crisis response or a same-day
review (an urgent task, and how urgent), whether a
prescriber's route decision overrides the rule-based eligibility, which assessments are due,
and when a prescriber must re-evaluate before another session may be scheduled.

Pure Python: times come in as arguments (timezone-aware). Every number is a clinic-
configurable default (clinical-reference.md; issue #7).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from .eligibility import ELIGIBLE, INELIGIBLE, STATUSES
from .instruments.base import ScoreResult
from .instruments.codes import MODERATE, SUICIDAL_IDEATION, SUICIDE_RISK_HIGH
from .instruments.registry import get_instrument

# --- Crisis response ---------------------------------------------------------------------

CRISIS_FLAGS: Final = frozenset({SUICIDE_RISK_HIGH, SUICIDAL_IDEATION})
CSSRS_CODE: Final = "cssrs_screen"


def crisis_flags(result: ScoreResult) -> frozenset[str]:
    """The flags of a scored sheet that call for the crisis response: crisis resources shown
    to the patient at once and an urgent task for the clinic's clinicians.

    C-SSRS screener: only `high` risk (`suicide_risk_high`); ideation without intent, plan or
    recent behaviour is the screener's low/moderate triage, followed up in the review
    (Posner et al. 2011). Every other instrument's `suicidal_ideation` flag (PHQ-9 item 9,
    QIDS-SR16 item 12, MADRS item 10) asks for same-day follow-up (Kroenke et al. 2001).
    """
    if result.code == CSSRS_CODE:
        return frozenset(result.flags & {SUICIDE_RISK_HIGH})
    return frozenset(result.flags & CRISIS_FLAGS)


# How urgent an urgent task is, least urgent first: a same-day review (C-SSRS `moderate`), or
# the crisis path (crisis resources shown to the patient at once, the clinicians emailed).
SAME_DAY: Final = "same_day"
CRISIS: Final = "crisis"
URGENCIES: Final = (SAME_DAY, CRISIS)


@dataclass(frozen=True)
class UrgentFollowUp:
    """What a scored sheet asks of the clinic: an urgent task of this urgency, with the flags
    that called for it (a C-SSRS `moderate` with only lifetime behaviour has none)."""

    urgency: str
    flags: frozenset[str]


def more_urgent(a: str, b: str) -> str:
    """The more urgent of two urgencies."""
    return max(a, b, key=URGENCIES.index)


def urgent_follow_up(result: ScoreResult) -> UrgentFollowUp | None:
    """The urgent task a scored sheet opens, or None. Crisis flags (`crisis_flags`) are the
    crisis path; a C-SSRS screener `moderate` (thoughts of a method, or lifetime behaviour)
    is a same-day review (clinical-reference.md, approval for home)."""
    flags = crisis_flags(result)
    if flags:
        return UrgentFollowUp(CRISIS, flags)
    if result.code == CSSRS_CODE and result.severity == MODERATE:
        return UrgentFollowUp(SAME_DAY, frozenset(result.flags & CRISIS_FLAGS))
    return None


def urgent_follow_up_so_far(code: str, answers: Mapping[int, int]) -> UrgentFollowUp | None:
    """The urgent task already certain from a partly answered sheet (see
    `crisis_flags_so_far`): the C-SSRS risk level, too, only rises with a yes.

    Raises UnknownInstrument for an unknown code and InvalidAnswers for an invalid value.
    """
    return urgent_follow_up(_score_so_far(code, answers))


def crisis_flags_so_far(code: str, answers: Mapping[int, int]) -> frozenset[str]:
    """Crisis flags already certain from a partly answered sheet (`{item_number: value}`,
    only valid values), so a patient who answers PHQ-9 item 9 and closes the browser is still
    followed up. The sheet is scored with each unanswered item at its lowest value: the
    crisis flags only ever rise with an answer (PHQ-9 item 9, QIDS-SR16 item 12, C-SSRS items
    4, 5 and 7), so a flag raised now stays raised whatever the rest of the answers are.

    Raises UnknownInstrument for an unknown code and InvalidAnswers for an invalid value.
    """
    return crisis_flags(_score_so_far(code, answers))


def _score_so_far(code: str, answers: Mapping[int, int]) -> ScoreResult:
    """A partly answered sheet scored with each unanswered item at its lowest value."""
    instrument = get_instrument(code)
    filled = [answers.get(item.number, item.allowed.start) for item in instrument.items]
    return instrument.score(filled)


# --- Route decisions ---------------------------------------------------------------------

APPROVE: Final = "approve"
DECLINE: Final = "decline"
IN_PERSON: Final = "in_person"
DECISIONS: Final = (APPROVE, DECLINE, IN_PERSON)
DECISION_TEXT: Final[Mapping[str, str]] = {
    APPROVE: "Approve",
    DECLINE: "Decline",
    IN_PERSON: "Needs in-person evaluation",
}


def is_override(rule_status: str, decision: str) -> bool:
    """Whether a prescriber's decision overrides the rule-based eligibility of a route.

    Approving an `ineligible` route or declining an `eligible` one contradicts the rules.
    `needs_review` asks for the prescriber's judgement, so either answer follows the rules;
    asking for an in-person evaluation grants and refuses nothing, so it never overrides.
    """
    if rule_status not in STATUSES:
        raise ValueError(f"unknown eligibility status {rule_status!r}")
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r} (known: {', '.join(DECISIONS)})")
    return (decision == APPROVE and rule_status == INELIGIBLE) or (
        decision == DECLINE and rule_status == ELIGIBLE
    )


# --- Re-assessment schedule ----------------------------------------------------------------

DUE: Final = "due"
OVERDUE: Final = "overdue"
BEFORE_SESSION: Final = "before_session"
PERIODIC: Final = "periodic"


@dataclass(frozen=True, slots=True)
class ReassessmentSchedule:
    """Which instruments are due when. Defaults: PHQ-9 before every session, the full
    bundle every 4 weeks; an assessment is overdue a week after it fell due."""

    before_each_session: tuple[str, ...] = ("phq9",)
    full_bundle: tuple[str, ...] = ("phq9", "gad7", "pcl5", "cssrs_screen", "qids_sr16")
    full_bundle_every_days: int = 28
    overdue_after_days: int = 7
    # A pre-session assessment counts for the next session when completed after the last
    # session and at most this many days before the next one.
    pre_session_window_days: int = 7

    def __post_init__(self) -> None:
        for name in ("full_bundle_every_days", "overdue_after_days", "pre_session_window_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of 1 or more, not {value!r}")
        for code in (*self.before_each_session, *self.full_bundle):
            get_instrument(code)


@dataclass(frozen=True, slots=True)
class DueAssessment:
    instrument: str
    status: str  # DUE or OVERDUE
    reason: str  # BEFORE_SESSION or PERIODIC
    due_at: datetime | None  # None: due now, before a session not yet booked


def due_assessments(
    schedule: ReassessmentSchedule,
    *,
    last_completed: Mapping[str, datetime],
    since: datetime,
    at: datetime,
    last_session_at: datetime | None = None,
    next_session_at: datetime | None = None,
) -> list[DueAssessment]:
    """The assessments due or overdue at `at`, one per instrument (the more urgent one when
    both rules apply), in schedule order.

    `last_completed` maps instrument code -> the time of its latest completed assessment;
    `since` is when the schedule began (the treatment plan's approval): an instrument never
    completed falls due then.
    """
    _aware(at, "at")
    found: dict[str, DueAssessment] = {}
    period = timedelta(days=schedule.full_bundle_every_days)
    grace = timedelta(days=schedule.overdue_after_days)
    for code in schedule.full_bundle:
        last = last_completed.get(code)
        due_at = last + period if last is not None else since
        if at >= due_at:
            status = OVERDUE if at >= due_at + grace else DUE
            found[code] = DueAssessment(code, status, PERIODIC, due_at)

    window = timedelta(days=schedule.pre_session_window_days)
    for code in schedule.before_each_session:
        last = last_completed.get(code)
        after_last_session = last is not None and (
            last_session_at is None or last > last_session_at
        )
        item: DueAssessment | None = None
        if next_session_at is not None:
            if not (after_last_session and last is not None and last >= next_session_at - window):
                status = OVERDUE if at >= next_session_at else DUE
                item = DueAssessment(code, status, BEFORE_SESSION, next_session_at)
        elif last_session_at is not None and not after_last_session:
            item = DueAssessment(code, DUE, BEFORE_SESSION, None)
        if item is not None and (code not in found or _more_urgent(item, found[code])):
            found[code] = item

    order: dict[str, int] = {}
    for code in (*schedule.full_bundle, *schedule.before_each_session):
        order.setdefault(code, len(order))
    return sorted(found.values(), key=lambda d: order[d.instrument])


def _more_urgent(a: DueAssessment, b: DueAssessment) -> bool:
    return a.status == OVERDUE and b.status != OVERDUE


# --- Prescriber re-evaluation and scheduling ---------------------------------------------

NO_APPROVED_ROUTE: Final = "no_approved_route"
TREATMENT_STOPPED: Final = "treatment_stopped"
CONSENT_MISSING: Final = "consent_missing"
REEVALUATION_DUE_SESSIONS: Final = "reevaluation_due_sessions"
REEVALUATION_DUE_GAP: Final = "reevaluation_due_gap"

SCHEDULING_REASON_TEXT: Final[Mapping[str, str]] = {
    NO_APPROVED_ROUTE: "No treatment route has been approved by a prescriber.",
    TREATMENT_STOPPED: "The prescriber's last re-evaluation stopped treatment.",
    CONSENT_MISSING: "The current treatment consent has not been signed.",
    REEVALUATION_DUE_SESSIONS: "A prescriber re-evaluation is due after this many sessions.",
    REEVALUATION_DUE_GAP: "A prescriber re-evaluation is due after a long gap in treatment.",
}


@dataclass(frozen=True, slots=True)
class ReevaluationPolicy:
    """A prescriber re-evaluates after every `every_sessions` sessions, and after a gap of
    more than `max_gap_days` days since the last session or evaluation, whichever is later."""

    every_sessions: int = 6
    max_gap_days: int = 90

    def __post_init__(self) -> None:
        for name in ("every_sessions", "max_gap_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of 1 or more, not {value!r}")


@dataclass(frozen=True, slots=True)
class SchedulingDecision:
    allowed: bool
    reasons: tuple[str, ...]
    sessions_since_evaluation: int

    @property
    def reason_texts(self) -> list[str]:
        return [SCHEDULING_REASON_TEXT[code] for code in self.reasons]


def reevaluation_reasons(
    policy: ReevaluationPolicy,
    *,
    last_evaluation_at: datetime,
    session_times: Iterable[datetime],
    at: datetime,
) -> tuple[list[str], int]:
    """Why a re-evaluation is needed before a session at `at` (empty when none is), and how
    many sessions have been held since the last evaluation."""
    _aware(at, "at")
    held = [t for t in session_times if t <= at]
    since = [t for t in held if t > last_evaluation_at]
    reasons: list[str] = []
    if len(since) >= policy.every_sessions:
        reasons.append(REEVALUATION_DUE_SESSIONS)
    last_contact = max([last_evaluation_at, *held])
    if at - last_contact > timedelta(days=policy.max_gap_days):
        reasons.append(REEVALUATION_DUE_GAP)
    return reasons, len(since)


def can_schedule_session(
    policy: ReevaluationPolicy,
    *,
    approved_routes: Collection[str],
    last_evaluation_at: datetime | None,
    session_times: Sequence[datetime],
    at: datetime,
    stopped: bool = False,
    consent_missing: bool = False,
) -> SchedulingDecision:
    """Whether a new treatment session may be scheduled at `at`.

    `last_evaluation_at` is the latest prescriber evaluation (the route approval or a later
    re-evaluation); `session_times` are the sessions held; `stopped` is True when the latest
    re-evaluation stopped treatment.
    """
    _aware(at, "at")
    reasons: list[str] = []
    count = 0
    if stopped:
        reasons.append(TREATMENT_STOPPED)
    elif not approved_routes or last_evaluation_at is None:
        reasons.append(NO_APPROVED_ROUTE)
    else:
        due, count = reevaluation_reasons(
            policy, last_evaluation_at=last_evaluation_at, session_times=session_times, at=at
        )
        reasons.extend(due)
    if consent_missing:
        reasons.append(CONSENT_MISSING)
    return SchedulingDecision(not reasons, tuple(reasons), count)


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
