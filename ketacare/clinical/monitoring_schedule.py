"""The monitoring schedule of a supervised session: how often vitals are due, the REMS time
points (BP, sedation and dissociation before the dose, about 40 minutes after it and before
discharge), sedation on the MOAA/S scale, the discharge criteria these add to
`dosing.discharge_check`, the session's phase, preparation advice and the 7-day deadline of
the esketamine REMS patient monitoring form.

Pure Python: every time comes in as a timezone-aware argument (clinical-reference.md §3;
issue #8). Every number is a clinic-configurable default.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from .dosing.codes import (
    ALERT_AND_STEADY,
    ESCORT_CONFIRMED,
    ROUTE_HOME_TROCHE,
    ROUTE_IM,
    ROUTE_IV,
    ROUTE_NASAL,
)
from .dosing.thresholds import (
    ALERT_RESPIRATORY_RATE_AT_OR_ABOVE,
    ALERT_RESPIRATORY_RATE_AT_OR_BELOW,
    BP_HOLD_DIASTOLIC,
    BP_HOLD_SYSTOLIC,
    ESKETAMINE_BP_RECHECK_MINUTES,
    ESKETAMINE_DRIVING_ADVICE,
    HEART_RATE_HOLD_ABOVE,
    HEART_RATE_HOLD_BELOW,
    SPO2_HOLD_BELOW,
)

# --- Vitals interval ------------------------------------------------------------------------

# Vitals every 5 to 15 minutes while a dose runs and during observation (issue #8).
VITALS_INTERVAL_MIN_MINUTES: Final = 5
VITALS_INTERVAL_MAX_MINUTES: Final = 15
DEFAULT_VITALS_INTERVAL_MINUTES: Final = 15

VITALS_OK: Final = "ok"
VITALS_DUE: Final = "due"
VITALS_OVERDUE: Final = "overdue"


def vitals_interval_problem(minutes: object) -> str | None:
    """Why `minutes` cannot be a session's vitals interval, or None when it can."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return "must be a whole number of minutes"
    if not VITALS_INTERVAL_MIN_MINUTES <= minutes <= VITALS_INTERVAL_MAX_MINUTES:
        return (
            f"must be between {VITALS_INTERVAL_MIN_MINUTES} and "
            f"{VITALS_INTERVAL_MAX_MINUTES} minutes"
        )
    return None


@dataclass(frozen=True, slots=True)
class VitalsDue:
    due_at: datetime
    status: str  # VITALS_OK, VITALS_DUE or VITALS_OVERDUE


def vitals_due(
    *, now: datetime, since: datetime, last_taken_at: datetime | None, interval_minutes: int
) -> VitalsDue:
    """When the next reading is due: one interval after the last reading, or after `since`
    (the start of the dose) when none was taken since then. Overdue once a whole further
    interval has passed without one."""
    _aware(now, "now")
    _aware(since, "since")
    interval = timedelta(minutes=interval_minutes)
    start = last_taken_at if last_taken_at is not None and last_taken_at > since else since
    due_at = start + interval
    if now < due_at:
        return VitalsDue(due_at, VITALS_OK)
    if now < due_at + interval:
        return VitalsDue(due_at, VITALS_DUE)
    return VitalsDue(due_at, VITALS_OVERDUE)


# --- MOAA/S sedation scale ------------------------------------------------------------------

# Modified Observer's Assessment of Alertness/Sedation (Chernik et al. 1990), as used in the
# esketamine trials and the SPRAVATO label.
MOAAS_SCALE: Final[Mapping[int, str]] = {
    5: "5 – responds readily to name spoken in a normal tone (fully alert)",
    4: "4 – lethargic response to name spoken in a normal tone",
    3: "3 – responds only after name is called loudly or repeatedly",
    2: "2 – responds only after mild prodding or shaking",
    1: "1 – responds only after a painful trapezius squeeze",
    0: "0 – no response after a painful trapezius squeeze",
}
MOAAS_FULLY_ALERT: Final = 5


def is_sedated(moaas: int | None) -> bool:
    """Any MOAA/S below 5 is sedation (the REMS form's 'did the patient experience
    sedation?')."""
    return moaas is not None and moaas < MOAAS_FULLY_ALERT


# --- CADSS dissociation ------------------------------------------------------------------


def is_dissociated(cadss_total: float | Decimal | None) -> bool:
    """Any CADSS total above 0 is dissociation (the REMS form's 'did the patient experience
    dissociation?')."""
    return cadss_total is not None and cadss_total > 0


def experienced_dissociation(
    cadss_totals: Iterable[float | Decimal | None], *, event_logged: bool
) -> bool:
    """The REMS form's dissociation answer: Yes when a CADSS at any time point is above 0 or
    a dissociation event was logged."""
    return event_logged or any(is_dissociated(total) for total in cadss_totals)


# --- REMS time points -----------------------------------------------------------------------

PRE_DOSE: Final = "pre_dose"
POST_DOSE: Final = "post_dose"
PRE_DISCHARGE: Final = "pre_discharge"
TIME_POINTS: Final = (PRE_DOSE, POST_DOSE, PRE_DISCHARGE)
TIME_POINT_TEXT: Final[Mapping[str, str]] = {
    PRE_DOSE: "Before the dose",
    POST_DOSE: "About 40 minutes after the dose",
    PRE_DISCHARGE: "Before discharge",
}
# Spravato label: BP about 40 minutes after dosing; KetaCare applies it to every route.
POST_DOSE_MINUTES: Final = ESKETAMINE_BP_RECHECK_MINUTES
# A post-dose reading up to this early still counts as the ~40-minute one.
POST_DOSE_EARLY_MINUTES: Final = 10
# A time point not recorded this long after it fell due is overdue.
TIME_POINT_GRACE_MINUTES: Final = 15
# The before-discharge reading: within the last this-many minutes of observation, or after.
PRE_DISCHARGE_WINDOW_MINUTES: Final = 15

TP_DONE: Final = "done"
TP_NOT_YET: Final = "not_yet"
TP_DUE: Final = "due"
TP_OVERDUE: Final = "overdue"


@dataclass(frozen=True, slots=True)
class TimePointStatus:
    code: str
    status: str  # TP_DONE, TP_NOT_YET, TP_DUE or TP_OVERDUE
    # When it falls due; None before the dose for the post-dose points (not known yet) and
    # for the pre-dose point (due now, before the dose).
    due_at: datetime | None

    @property
    def label(self) -> str:
        return TIME_POINT_TEXT[self.code]


def observation_ends_at(*, dose_ended_at: datetime, observation_minutes: int) -> datetime:
    """The observation period runs from the end of the dose (the last device, the end of the
    infusion), which is never shorter than counting from its start."""
    return dose_ended_at + timedelta(minutes=observation_minutes)


def time_point_statuses(
    *,
    now: datetime,
    dose_started_at: datetime | None,
    dose_ended_at: datetime | None,
    observation_minutes: int,
    recorded: Collection[str],
    discharged: bool = False,
    post_dose_minutes: int = POST_DOSE_MINUTES,
) -> list[TimePointStatus]:
    """Each REMS time point's status. `recorded` holds the time points with a complete
    record (BP, MOAA/S and CADSS). A point that can no longer be recorded on time (the pre-dose
    one once the dose has started; any once the patient has left) is overdue."""
    _aware(now, "now")
    grace = timedelta(minutes=TIME_POINT_GRACE_MINUTES)
    statuses = []
    if PRE_DOSE in recorded:
        statuses.append(TimePointStatus(PRE_DOSE, TP_DONE, None))
    else:
        missed = dose_started_at is not None or discharged
        statuses.append(TimePointStatus(PRE_DOSE, TP_OVERDUE if missed else TP_DUE, None))
    if dose_started_at is None:
        for code in (POST_DOSE, PRE_DISCHARGE):
            status = TP_DONE if code in recorded else TP_NOT_YET
            statuses.append(TimePointStatus(code, status, None))
        return statuses
    _aware(dose_started_at, "dose_started_at")
    post_due = dose_started_at + timedelta(minutes=post_dose_minutes)
    statuses.append(
        TimePointStatus(
            POST_DOSE,
            _status(
                POST_DOSE in recorded,
                now,
                opens=post_due - timedelta(minutes=POST_DOSE_EARLY_MINUTES),
                late=post_due + grace,
                discharged=discharged,
            ),
            post_due,
        )
    )
    ends = observation_ends_at(
        dose_ended_at=dose_ended_at or dose_started_at, observation_minutes=observation_minutes
    )
    discharge_due = ends - timedelta(minutes=PRE_DISCHARGE_WINDOW_MINUTES)
    statuses.append(
        TimePointStatus(
            PRE_DISCHARGE,
            _status(
                PRE_DISCHARGE in recorded,
                now,
                opens=discharge_due,
                late=ends + grace,
                discharged=discharged,
            ),
            discharge_due,
        )
    )
    return statuses


def _status(done: bool, now: datetime, *, opens: datetime, late: datetime, discharged: bool) -> str:
    if done:
        return TP_DONE
    if discharged or now >= late:
        return TP_OVERDUE
    if now >= opens:
        return TP_DUE
    return TP_NOT_YET


def time_point_problem(
    code: str,
    *,
    taken_at: datetime,
    dose_started_at: datetime | None,
    dose_ended_at: datetime | None = None,
    observation_minutes: int | None = None,
    post_dose_minutes: int = POST_DOSE_MINUTES,
) -> str | None:
    """Why a reading taken at `taken_at` cannot be the time point `code`, or None."""
    if code not in TIME_POINTS:
        return f"unknown time point {code!r}"
    _aware(taken_at, "taken_at")
    if code == PRE_DOSE:
        if dose_started_at is not None and taken_at >= dose_started_at:
            return "the pre-dose reading must be taken before the dose starts"
        return None
    if dose_started_at is None or taken_at < dose_started_at:
        return "this time point is after the dose: the dose has not started yet"
    if code == POST_DOSE:
        opens = dose_started_at + timedelta(minutes=post_dose_minutes - POST_DOSE_EARLY_MINUTES)
        if taken_at < opens:
            minutes = post_dose_minutes - POST_DOSE_EARLY_MINUTES
            return f"the post-dose reading counts from {minutes} minutes after the dose"
        return None
    if observation_minutes is not None:
        ends = observation_ends_at(
            dose_ended_at=dose_ended_at or dose_started_at, observation_minutes=observation_minutes
        )
        if taken_at < ends - timedelta(minutes=PRE_DISCHARGE_WINDOW_MINUTES):
            return (
                f"the before-discharge reading counts from {PRE_DISCHARGE_WINDOW_MINUTES} minutes "
                "before the end of observation"
            )
    return None


def suggest_time_point(
    *,
    now: datetime,
    dose_started_at: datetime | None,
    dose_ended_at: datetime | None,
    observation_minutes: int,
    recorded: Collection[str],
    post_dose_minutes: int = POST_DOSE_MINUTES,
) -> str:
    """The time point a reading taken now most likely is ("" for a routine reading)."""
    for code in (PRE_DISCHARGE, POST_DOSE, PRE_DOSE):
        if code in recorded and code != PRE_DISCHARGE:
            continue
        problem = time_point_problem(
            code,
            taken_at=now,
            dose_started_at=dose_started_at,
            dose_ended_at=dose_ended_at,
            observation_minutes=observation_minutes,
            post_dose_minutes=post_dose_minutes,
        )
        if problem is None:
            return code
    return ""


# --- Pre-dose checklist ---------------------------------------------------------------------

CHECK_IDENTITY: Final = "identity_confirmed"
CHECK_FASTING: Final = "fasting_confirmed"
CHECK_ESCORT: Final = "escort_arranged"
CHECK_MEDICATIONS: Final = "medications_reviewed"
CHECK_PREGNANCY: Final = "pregnancy_excluded"
CHECK_ASSESSMENTS: Final = "assessments_completed"
CHECK_PREGNANCY_TEST: Final = "pregnancy_test_recorded"
CHECKLIST_TEXT: Final[Mapping[str, str]] = {
    CHECK_IDENTITY: "Confirm the patient's identity (two identifiers).",
    CHECK_FASTING: "Confirm the patient has followed the fasting instructions.",
    CHECK_ESCORT: "Confirm an adult escort will take the patient home.",
    CHECK_MEDICATIONS: "Review medication changes since the last session.",
    CHECK_PREGNANCY: "Pregnancy must be excluded: it is a contraindication to ketamine and "
    "esketamine. Do not dose; tell the prescriber.",
    CHECK_ASSESSMENTS: "Complete the assessments due before this session.",
    CHECK_PREGNANCY_TEST: "The patient was not sure whether pregnant at screening: record a "
    "negative pregnancy test before the first dose.",
}

PREGNANCY_NOT_APPLICABLE: Final = "not_applicable"
PREGNANCY_NEGATIVE_TEST: Final = "negative_test"
PREGNANCY_REPORTED_NO: Final = "reported_not_pregnant"
PREGNANCY_POSSIBLE: Final = "possible"
PREGNANCY_ANSWERS: Final[Mapping[str, str]] = {
    PREGNANCY_NOT_APPLICABLE: "Not applicable",
    PREGNANCY_NEGATIVE_TEST: "Negative pregnancy test today",
    PREGNANCY_REPORTED_NO: "Patient reports not pregnant",
    PREGNANCY_POSSIBLE: "Pregnant or possibly pregnant",
}


def checklist_problems(
    *,
    identity_confirmed: bool,
    fasting_confirmed: bool,
    escort_arranged: bool,
    medications_reviewed: bool,
    pregnancy: str,
    assessments_completed: bool,
    at_home: bool = False,
    pregnancy_test_required: bool = False,
) -> list[str]:
    """The pre-dose checklist items not satisfied (empty = the patient may be checked in).
    At home the named monitor stays instead of an escort (clinical-reference.md §4).
    `pregnancy_test_required` (the patient was not sure at screening and no negative test is
    recorded yet): only a negative test today excludes pregnancy."""
    problems = []
    if identity_confirmed is not True:
        problems.append(CHECK_IDENTITY)
    if fasting_confirmed is not True:
        problems.append(CHECK_FASTING)
    if not at_home and escort_arranged is not True:
        problems.append(CHECK_ESCORT)
    if medications_reviewed is not True:
        problems.append(CHECK_MEDICATIONS)
    if pregnancy not in PREGNANCY_ANSWERS or pregnancy == PREGNANCY_POSSIBLE:
        problems.append(CHECK_PREGNANCY)
    elif pregnancy_test_required and pregnancy != PREGNANCY_NEGATIVE_TEST:
        problems.append(CHECK_PREGNANCY_TEST)
    if assessments_completed is not True:
        problems.append(CHECK_ASSESSMENTS)
    return problems


# --- Discharge ------------------------------------------------------------------------------

MOAAS_ALERT: Final = "moaas_fully_alert"
TIME_POINTS_RECORDED: Final = "rems_time_points_recorded"
MONITORING_DISCHARGE_TEXT: Final[Mapping[str, str]] = {
    MOAAS_ALERT: "The last sedation score is missing or below MOAA/S 5 (fully alert).",
    TIME_POINTS_RECORDED: "BP, MOAA/S and CADSS are not recorded at every time point "
    "(before the dose, about 40 minutes after, before discharge).",
}
# Criteria a clinician attests at the moment of discharge; the others can be met before, and
# a session meeting them is "ready for discharge" on the board.
ATTESTED_AT_DISCHARGE: Final = frozenset({ALERT_AND_STEADY, ESCORT_CONFIRMED})


def monitoring_discharge_check(
    *, last_moaas: int | None, time_points: Sequence[TimePointStatus]
) -> list[str]:
    """The criteria of the monitoring schedule not met, to add to `dosing.discharge_check`:
    fully alert on the last MOAA/S (5) and every REMS time point recorded."""
    missing = []
    if last_moaas != MOAAS_FULLY_ALERT:
        missing.append(MOAAS_ALERT)
    if any(tp.status != TP_DONE for tp in time_points):
        missing.append(TIME_POINTS_RECORDED)
    return missing


# The vital signs acceptable at the end of a session (the REMS form's "vital signs in acceptable
# range prior to treatment session completion"): BP below the dose hold, as discharge requires;
# heart rate and SpO2 within the range a dose may start in; the respiratory rate outside the
# monitoring alert band (<= 8 or >= 25, NEWS2's highest band); fully alert (MOAA/S 5).
DISCHARGE_RESPIRATORY_RATE_MIN: Final = ALERT_RESPIRATORY_RATE_AT_OR_BELOW + 1
DISCHARGE_RESPIRATORY_RATE_MAX: Final = ALERT_RESPIRATORY_RATE_AT_OR_ABOVE - 1

DISCHARGE_VITAL_BP: Final = "blood_pressure"
DISCHARGE_VITAL_HEART_RATE: Final = "heart_rate"
DISCHARGE_VITAL_SPO2: Final = "spo2"
DISCHARGE_VITAL_RESPIRATORY_RATE: Final = "respiratory_rate"
DISCHARGE_VITAL_SEDATION: Final = "sedation"
DISCHARGE_VITALS_TEXT: Final[Mapping[str, str]] = {
    DISCHARGE_VITAL_BP: f"BP missing or not below {BP_HOLD_SYSTOLIC}/{BP_HOLD_DIASTOLIC}",
    DISCHARGE_VITAL_HEART_RATE: (
        f"heart rate missing or outside {HEART_RATE_HOLD_BELOW}-{HEART_RATE_HOLD_ABOVE}"
    ),
    DISCHARGE_VITAL_SPO2: f"SpO2 missing or below {SPO2_HOLD_BELOW}%",
    DISCHARGE_VITAL_RESPIRATORY_RATE: (
        "respiratory rate missing or outside "
        f"{DISCHARGE_RESPIRATORY_RATE_MIN}-{DISCHARGE_RESPIRATORY_RATE_MAX}"
    ),
    DISCHARGE_VITAL_SEDATION: "sedation missing or below MOAA/S 5 (fully alert)",
}


def discharge_vitals_problems(
    *,
    systolic: float | None,
    diastolic: float | None,
    heart_rate: float | None,
    spo2: float | None,
    respiratory_rate: float | None,
    moaas: int | None,
) -> list[str]:
    """The last vital signs before the end of a session that are missing or not acceptable
    (empty = every vital is in range): BP, heart rate, SpO2, respiratory rate and sedation."""
    problems = []
    if (
        systolic is None
        or diastolic is None
        or systolic >= BP_HOLD_SYSTOLIC
        or diastolic >= BP_HOLD_DIASTOLIC
    ):
        problems.append(DISCHARGE_VITAL_BP)
    if heart_rate is None or not HEART_RATE_HOLD_BELOW <= heart_rate <= HEART_RATE_HOLD_ABOVE:
        problems.append(DISCHARGE_VITAL_HEART_RATE)
    if spo2 is None or spo2 < SPO2_HOLD_BELOW:
        problems.append(DISCHARGE_VITAL_SPO2)
    if (
        respiratory_rate is None
        or not DISCHARGE_RESPIRATORY_RATE_MIN <= respiratory_rate <= DISCHARGE_RESPIRATORY_RATE_MAX
    ):
        problems.append(DISCHARGE_VITAL_RESPIRATORY_RATE)
    if moaas != MOAAS_FULLY_ALERT:
        problems.append(DISCHARGE_VITAL_SEDATION)
    return problems


# --- Session phase --------------------------------------------------------------------------

PHASE_SCHEDULED: Final = "scheduled"
PHASE_CHECKED_IN: Final = "checked_in"
PHASE_DOSING: Final = "dosing"
PHASE_OBSERVING: Final = "observing"
PHASE_READY: Final = "ready_for_discharge"
PHASE_DISCHARGED: Final = "discharged"
PHASE_CANCELLED: Final = "cancelled"
PHASE_TEXT: Final[Mapping[str, str]] = {
    PHASE_SCHEDULED: "Scheduled",
    PHASE_CHECKED_IN: "Checked in",
    PHASE_DOSING: "Dosing",
    PHASE_OBSERVING: "Observing",
    PHASE_READY: "Ready for discharge",
    PHASE_DISCHARGED: "Discharged",
    PHASE_CANCELLED: "Cancelled",
}


def session_phase(
    *,
    cancelled: bool,
    checked_in: bool,
    dose_started: bool,
    dose_ended: bool,
    discharged: bool,
    discharge_missing: Collection[str],
) -> str:
    """Where a session stands. `discharge_missing` is every discharge criterion not met
    (`discharge_check` plus `monitoring_discharge_check`); the attestations made at discharge
    itself do not keep a session from being ready."""
    if cancelled:
        return PHASE_CANCELLED
    if discharged:
        return PHASE_DISCHARGED
    if dose_ended:
        if set(discharge_missing) <= ATTESTED_AT_DISCHARGE:
            return PHASE_READY
        return PHASE_OBSERVING
    if dose_started:
        return PHASE_DOSING
    if checked_in:
        return PHASE_CHECKED_IN
    return PHASE_SCHEDULED


# --- Preparation --------------------------------------------------------------------------

_ARRIVE_WITH_ESCORT = (
    "Arrange for an adult to take you home: you may not drive yourself after the session."
)
# General-anaesthesia fasting practice, adapted for sub-anaesthetic ketamine: nausea and
# vomiting are common side effects.
_FASTING_IV_IM = (
    "Do not eat for 4 hours before your session; clear fluids are fine until 2 hours before."
)
# Spravato label: nausea and vomiting are more likely without fasting.
_FASTING_NASAL = (
    "Do not eat for 2 hours and do not drink anything for 30 minutes before your session."
)
_COMMON = (
    "Bring a list of your current medicines and tell the team about any change.",
    "Allow enough time: the visit includes the dose and a period of observation.",
)
PREPARATION: Final[Mapping[str, tuple[str, ...]]] = {
    ROUTE_IV: (_FASTING_IV_IM, _ARRIVE_WITH_ESCORT, *_COMMON),
    ROUTE_IM: (_FASTING_IV_IM, _ARRIVE_WITH_ESCORT, *_COMMON),
    ROUTE_NASAL: (_FASTING_NASAL, _ARRIVE_WITH_ESCORT, ESKETAMINE_DRIVING_ADVICE, *_COMMON),
    ROUTE_HOME_TROCHE: (
        "Your named monitor must be with you for the whole session.",
        "Measure your blood pressure before the dose.",
    ),
}


def preparation_instructions(route: str) -> tuple[str, ...]:
    """What a patient does before a session on `route` (for the reminder email)."""
    return PREPARATION.get(route, _COMMON)


# --- REMS patient monitoring form -----------------------------------------------------------

# SPRAVATO REMS: submit the patient monitoring form within 7 days of each session.
REMS_FORM_DEADLINE_DAYS: Final = 7
REMS_SUBMITTED: Final = "submitted"
REMS_DUE: Final = "due"
REMS_OVERDUE: Final = "overdue"


@dataclass(frozen=True, slots=True)
class RemsFormStatus:
    due_on: date
    status: str  # REMS_SUBMITTED, REMS_DUE or REMS_OVERDUE
    days_left: int  # negative once overdue


def rems_form_status(
    *, session_day: date, submitted_on: date | None, today: date
) -> RemsFormStatus:
    """The form is due within 7 days of the session day (the 7th day included)."""
    due_on = session_day + timedelta(days=REMS_FORM_DEADLINE_DAYS)
    days_left = (due_on - today).days
    if submitted_on is not None:
        return RemsFormStatus(due_on, REMS_SUBMITTED, days_left)
    return RemsFormStatus(due_on, REMS_OVERDUE if today > due_on else REMS_DUE, days_left)


def _aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, not {value!r}")
