"""`plan_dose`: is this dose, now, allowed on this protocol? (clinical-reference.md §3)

Decision support: the result lists every blocking reason and warning; a prescriber decides,
and may override the reasons the reference lets them override.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .codes import (
    BP_CAUTION,
    BP_HOLD,
    DOSE_ABOVE_MAX,
    DOSE_BELOW_STANDARD,
    DOSE_NOT_ALLOWED,
    FREQUENCY_CAP,
    HEART_RATE_HOLD,
    INTERVAL_TOO_SHORT,
    SPO2_HOLD,
    VITALS_MISSING,
    VITALS_STALE,
    WEIGHT_MISSING,
    WEIGHT_STALE,
)
from .errors import DosingError
from .protocols import Protocol, get_protocol
from .thresholds import (
    BP_CAUTION_DIASTOLIC,
    BP_CAUTION_SYSTOLIC,
    BP_HOLD_DIASTOLIC,
    BP_HOLD_SYSTOLIC,
    FREQUENCY_WINDOW_DAYS,
    HEART_RATE_HOLD_ABOVE,
    HEART_RATE_HOLD_BELOW,
    SPO2_HOLD_BELOW,
    VITALS_MAX_AGE_MINUTES,
    WEIGHT_MAX_AGE_DAYS,
)
from .vitals import VITAL_NAMES, read_vitals

_WINDOW = timedelta(days=FREQUENCY_WINDOW_DAYS)


@dataclass(frozen=True, slots=True)
class DoseDecision:
    allowed: bool
    # The dose in mg, rounded to 0.1 mg; None when it cannot be worked out (no weight).
    dose_mg: float | None
    # Infusion protocols only: dose_mg / infusion minutes, rounded to 0.01 mg/min.
    infusion_rate_mg_per_min: float | None
    # Blocking reason codes, in the reference's order; `allowed` is False while any remains.
    reasons: list[str]
    warnings: list[str]
    # Reasons a prescriber's override_reason cleared.
    overridden: list[str]
    protocol: str = ""
    # Course week used for the frequency cap (1-based).
    week: int = 1
    # The protocol's limits for this patient in mg (None without a weight on mg/kg protocols).
    standard_dose_mg: float | None = None
    max_dose_mg: float | None = None
    override_ceiling_mg: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "dose_mg": self.dose_mg,
            "infusion_rate_mg_per_min": self.infusion_rate_mg_per_min,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "overridden": list(self.overridden),
            "protocol": self.protocol,
            "week": self.week,
            "standard_dose_mg": self.standard_dose_mg,
            "max_dose_mg": self.max_dose_mg,
            "override_ceiling_mg": self.override_ceiling_mg,
        }


def round_mg(value: float | Decimal, places: str = "0.1") -> float:
    """Round half up on the decimal value people read (36.15 mg -> 36.2 mg), not on the
    binary float (where 0.5 * 72.3 is 36.1499...)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return float(exact.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _mg(amount: float, weight_kg: float | None, per_kg: bool) -> float | None:
    if not per_kg:
        return round_mg(amount)
    if weight_kg is None:
        return None
    return round_mg(Decimal(repr(amount)) * Decimal(repr(weight_kg)))


def plan_dose(
    protocol: Protocol | str,
    *,
    weight_kg: float | None = None,
    dose_mg: float | None = None,
    vitals: Mapping[str, Any] | None = None,
    history: Iterable[tuple[datetime, float]] = (),
    at: datetime,
    phase_start: date | None = None,
    override_reason: str | None = None,
    weight_measured_on: date | None = None,
    vitals_taken_at: datetime | None = None,
) -> DoseDecision:
    """Decide whether `dose_mg` (None: the protocol's standard dose) may be given at `at`.

    `history` holds the earlier administrations on this protocol as (datetime, dose_mg).
    `weight_measured_on` (a date) and `vitals_taken_at` (timezone-aware) date the inputs: a
    weight more than 30 days before `at`'s date, on a per-kg protocol, is `weight_stale`;
    vitals more than 60 minutes before `at` are `vitals_stale`. Left out, the age is not
    checked (the caller vouches the input is current).
    Raises DosingError (a ValueError) only for malformed arguments; an unsafe dose is a
    decision with `allowed=False` and its reasons.
    """
    if isinstance(protocol, str):
        protocol = get_protocol(protocol)
    elif not isinstance(protocol, Protocol):
        raise DosingError(f"protocol must be a Protocol or a protocol code, not {protocol!r}")
    _require_aware("at", at)
    weight = _positive_number("weight_kg", weight_kg)
    proposed = _number("dose_mg", dose_mg)
    readings = read_vitals(vitals)
    given = _administration_times(history)
    if phase_start is not None and (
        isinstance(phase_start, datetime) or not isinstance(phase_start, date)
    ):
        raise DosingError(f"phase_start must be a date, not {phase_start!r}")
    if weight_measured_on is not None and (
        isinstance(weight_measured_on, datetime) or not isinstance(weight_measured_on, date)
    ):
        raise DosingError(f"weight_measured_on must be a date, not {weight_measured_on!r}")
    if vitals_taken_at is not None:
        _require_aware("vitals_taken_at", vitals_taken_at)
    if override_reason is not None and not isinstance(override_reason, str):
        raise DosingError(f"override_reason must be text, not {override_reason!r}")

    reasons: list[str] = []
    warnings: list[str] = []

    # Pre-dose vitals gate
    if len(readings) < len(VITAL_NAMES):
        reasons.append(VITALS_MISSING)
    # Exactly 60 minutes old is still current; a reading a little after `at` is not stale
    if (
        readings
        and vitals_taken_at is not None
        and at - vitals_taken_at > timedelta(minutes=VITALS_MAX_AGE_MINUTES)
    ):
        reasons.append(VITALS_STALE)
    systolic = readings.get("systolic", 0)
    diastolic = readings.get("diastolic", 0)
    if systolic >= BP_HOLD_SYSTOLIC or diastolic >= BP_HOLD_DIASTOLIC:
        reasons.append(BP_HOLD)
    elif systolic >= BP_CAUTION_SYSTOLIC or diastolic >= BP_CAUTION_DIASTOLIC:
        warnings.append(BP_CAUTION)
    heart_rate = readings.get("heart_rate")
    if heart_rate is not None and not HEART_RATE_HOLD_BELOW <= heart_rate <= HEART_RATE_HOLD_ABOVE:
        reasons.append(HEART_RATE_HOLD)
    spo2 = readings.get("spo2")
    if spo2 is not None and spo2 < SPO2_HOLD_BELOW:
        reasons.append(SPO2_HOLD)

    if protocol.per_kg and weight is None:
        reasons.append(WEIGHT_MISSING)
    # Exactly 30 days old (by `at`'s date) is still current; only per-kg doses use the weight
    if (
        protocol.per_kg
        and weight is not None
        and weight_measured_on is not None
        and (at.date() - weight_measured_on).days > WEIGHT_MAX_AGE_DAYS
    ):
        reasons.append(WEIGHT_STALE)

    # Dose against the protocol's limits
    first_session = not given
    standard_mg = _mg(protocol.standard_dose, weight, protocol.per_kg)
    max_mg = _mg(protocol.max_dose, weight, protocol.per_kg)
    ceiling_mg = _mg(protocol.override_ceiling, weight, protocol.per_kg)
    if proposed is not None:
        dose: float | None = round_mg(proposed)
    elif first_session and protocol.first_session_dose is not None:
        dose = _mg(protocol.first_session_dose, weight, protocol.per_kg)
    else:
        dose = standard_mg
    above_max = False
    if dose is not None:
        if dose <= 0 or not _in_allowed_set(protocol, dose, weight, first_session):
            reasons.append(DOSE_NOT_ALLOWED)
        if max_mg is not None and dose > max_mg:
            reasons.append(DOSE_ABOVE_MAX)
            above_max = True
        if 0 < dose and standard_mg is not None and dose < standard_mg:
            warnings.append(DOSE_BELOW_STANDARD)

    # Interval and frequency. Administrations at or after `at` (booked or recorded later)
    # count too, so planning never squeezes a dose in just before an existing one.
    if given:
        nearest = min(abs(at - when) for when in given)
        if nearest < timedelta(hours=protocol.min_interval_hours):
            reasons.append(INTERVAL_TOO_SHORT)
    week = _course_week(at, phase_start, given)
    # Trailing 7 days: an administration exactly 7 days before `at` no longer counts
    in_window = sum(1 for when in given if at - _WINDOW < when < at + _WINDOW)
    if in_window + 1 > protocol.cap_for_week(week):
        reasons.append(FREQUENCY_CAP)

    # Prescriber override: only these reasons, and dose_above_max only up to the ceiling
    overridden: list[str] = []
    if override_reason is not None and override_reason.strip():
        for code in (DOSE_ABOVE_MAX, INTERVAL_TOO_SHORT, FREQUENCY_CAP):
            if code not in reasons:
                continue
            if code == DOSE_ABOVE_MAX and not (
                above_max and ceiling_mg is not None and dose is not None and dose <= ceiling_mg
            ):
                continue
            reasons.remove(code)
            overridden.append(code)

    # No rate for a dose of 0 or less: it is refused (dose_not_allowed), never a pump setting
    rate = None
    if dose is not None and dose > 0 and protocol.infusion_minutes:
        rate = round_mg(Decimal(repr(dose)) / protocol.infusion_minutes, "0.01")
    return DoseDecision(
        allowed=not reasons,
        dose_mg=dose,
        infusion_rate_mg_per_min=rate,
        reasons=reasons,
        warnings=warnings,
        overridden=overridden,
        protocol=protocol.code,
        week=week,
        standard_dose_mg=standard_mg,
        max_dose_mg=max_mg,
        override_ceiling_mg=ceiling_mg,
    )


def _in_allowed_set(
    protocol: Protocol, dose_mg: float, weight: float | None, first_session: bool
) -> bool:
    if first_session and protocol.first_session_dose is not None:
        return dose_mg == _mg(protocol.first_session_dose, weight, protocol.per_kg)
    if protocol.allowed_doses is None:
        return True
    return any(dose_mg == _mg(d, weight, protocol.per_kg) for d in protocol.allowed_doses)


def _course_week(at: datetime, phase_start: date | None, given: list[datetime]) -> int:
    today = at.date()
    if phase_start is None:
        # The course began with the earliest administration (in `at`'s time zone) or today
        phase_start = min([today, *(when.astimezone(at.tzinfo).date() for when in given)])
    elif phase_start > today:
        raise DosingError(f"phase_start {phase_start} is after the dose date {today}")
    return (today - phase_start).days // 7 + 1


def _require_aware(name: str, value: object) -> None:
    if not isinstance(value, datetime):
        raise DosingError(f"{name} must be a timezone-aware datetime, not {value!r}")
    if value.utcoffset() is None:
        raise DosingError(f"{name} must be timezone-aware, got the naive datetime {value}")


def _number(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise DosingError(f"{name} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise DosingError(f"{name} must be a finite number, not {value!r}")
    return float(value)


def _positive_number(name: str, value: object) -> float | None:
    number = _number(name, value)
    if number is not None and number <= 0:
        raise DosingError(f"{name} must be above 0, not {value!r}")
    return number


def _administration_times(history: Iterable[tuple[datetime, float]]) -> list[datetime]:
    if isinstance(history, str | bytes | Mapping):
        raise DosingError("history must be a sequence of (datetime, dose_mg) pairs")
    times: list[datetime] = []
    for entry in history:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise DosingError(f"history entries must be (datetime, dose_mg) pairs, not {entry!r}")
        when, dose = entry
        _require_aware("history time", when)
        _number("history dose_mg", dose)
        times.append(when)
    return times
