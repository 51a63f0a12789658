"""Response, remission and relapse from a patient's series of scores on one instrument
(clinical-reference.md §2).

Baseline is the last score on or before the first treatment session. A score's time may be
a date or a timezone-aware datetime; when either side of a comparison is a date, dates are
compared (a score dated the day of the first session counts as baseline).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from .instruments.codes import MODERATE
from .instruments.registry import INSTRUMENTS

When: TypeAlias = date | datetime
ScorePoint: TypeAlias = tuple[When, float]

# Response: a total at or below half the baseline (a reduction of at least 50%)
RESPONSE_FRACTION: Final = 0.5

# Remission: total at or below these (the reference's "PHQ-9 < 5" is "<= 4" on integer totals)
REMISSION_AT_MOST: Final[Mapping[str, int]] = MappingProxyType(
    {
        "phq9": 4,  # PHQ-9 < 5 (Kroenke et al. 2001, "minimal")
        "gad7": 4,  # GAD-7 < 5 ("minimal")
        "pcl5": 32,  # PCL-5 < 33 (below the probable-PTSD cut point)
        "qids_sr16": 5,  # QIDS-SR16 <= 5 (Rush et al. 2006, STAR*D)
        "madrs": 10,  # MADRS <= 10 (Zimmerman et al. 2004; common in ketamine trials)
    }
)


def _moderate_lower_bound(code: str) -> int | None:
    for band in INSTRUMENTS[code].bands:
        if band.label == MODERATE:
            return band.low
    return None


# Relapse: after remission, two consecutive totals at or above the lower bound of the
# instrument's `moderate` band (PHQ-9 10, QIDS-SR16 11, MADRS 20; GAD-7 10 by the same rule).
# PCL-5 has no bands, so no relapse rule.
RELAPSE_AT_LEAST: Final[Mapping[str, int]] = MappingProxyType(
    {
        code: bound
        for code in REMISSION_AT_MOST
        if (bound := _moderate_lower_bound(code)) is not None
    }
)
RELAPSE_CONSECUTIVE: Final = 2


@dataclass(frozen=True, slots=True)
class Outcome:
    code: str
    baseline: float | None
    baseline_at: When | None
    # The most recent score after the baseline (None when there is none yet)
    latest: float | None
    latest_at: When | None
    percent_change: float | None
    response: bool | None
    remission: bool | None
    # True when a relapse happened after the most recent remission and no remission since
    relapse: bool | None
    # When remission was first reached, and when the most recent relapse was confirmed
    remitted_at: When | None
    relapsed_at: When | None

    def as_dict(self) -> dict[str, Any]:
        def iso(value: When | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "code": self.code,
            "baseline": self.baseline,
            "baseline_at": iso(self.baseline_at),
            "latest": self.latest,
            "latest_at": iso(self.latest_at),
            "percent_change": self.percent_change,
            "response": self.response,
            "remission": self.remission,
            "relapse": self.relapse,
            "remitted_at": iso(self.remitted_at),
            "relapsed_at": iso(self.relapsed_at),
        }


def percent_change(score: float, baseline: float) -> float | None:
    """(score - baseline) / baseline x 100, to 1 decimal; None when the baseline is 0."""
    if baseline == 0:
        return None
    return round((score - baseline) / baseline * 100, 1)


def is_response(score: float, baseline: float) -> bool | None:
    """At least a 50% reduction from baseline; None when the baseline is 0 (undefined)."""
    if baseline == 0:
        return None
    return score <= baseline * RESPONSE_FRACTION


def is_remission(code: str, score: float) -> bool | None:
    """None for an instrument without a remission threshold."""
    threshold = REMISSION_AT_MOST.get(code)
    return None if threshold is None else score <= threshold


def find_baseline(series: Iterable[ScorePoint], first_treatment: When) -> ScorePoint | None:
    """The last score on or before the first treatment session, or None."""
    points = _sorted(series)
    _check_when("first_treatment", first_treatment)
    index = _baseline_index(points, first_treatment)
    return None if index is None else points[index]


def assess_outcome(code: str, series: Iterable[ScorePoint], first_treatment: When) -> Outcome:
    """Baseline, latest score, percent change, response, remission and relapse for one
    instrument's series of (date or datetime, total) points, in any order."""
    if code not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {code!r}")
    points = _sorted(series)
    _check_when("first_treatment", first_treatment)
    index = _baseline_index(points, first_treatment)
    if index is None:
        return Outcome(code, None, None, None, None, None, None, None, None, None, None)
    baseline_at, baseline = points[index]
    after = points[index + 1 :]
    if not after:
        return Outcome(code, baseline, baseline_at, None, None, None, None, None, None, None, None)
    latest_at, latest = after[-1]

    remission_max = REMISSION_AT_MOST.get(code)
    relapse_min = RELAPSE_AT_LEAST.get(code)
    remitted_at: When | None = None
    relapsed_at: When | None = None
    in_remission = relapsed = False
    run = 0  # consecutive totals at or above the relapse threshold since remission
    for when, total in after:
        if remission_max is not None and total <= remission_max:
            remitted_at = remitted_at or when
            in_remission, relapsed, run = True, False, 0
        elif in_remission and relapse_min is not None:
            run = run + 1 if total >= relapse_min else 0
            if run >= RELAPSE_CONSECUTIVE:
                in_remission, relapsed, relapsed_at, run = False, True, when, 0

    return Outcome(
        code=code,
        baseline=baseline,
        baseline_at=baseline_at,
        latest=latest,
        latest_at=latest_at,
        percent_change=percent_change(latest, baseline),
        response=is_response(latest, baseline),
        remission=is_remission(code, latest),
        relapse=relapsed if relapse_min is not None else None,
        remitted_at=remitted_at,
        relapsed_at=relapsed_at,
    )


def _check_when(name: str, when: object) -> None:
    if isinstance(when, datetime):
        if when.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware, got the naive datetime {when}")
    elif not isinstance(when, date):
        raise ValueError(f"{name} must be a date or a datetime, not {when!r}")


def _sort_key(when: When) -> tuple[date, int, float]:
    # Dates sort before datetimes on the same day; datetimes by instant
    if isinstance(when, datetime):
        return (when.date(), 1, when.timestamp())
    return (when, 0, 0.0)


def _sorted(series: Iterable[ScorePoint]) -> list[ScorePoint]:
    points: list[ScorePoint] = []
    for point in series:
        if not isinstance(point, tuple | list) or len(point) != 2:
            raise ValueError(f"series entries must be (date or datetime, total), not {point!r}")
        when, total = point
        _check_when("score time", when)
        if isinstance(total, bool) or not isinstance(total, int | float) or math.isnan(total):
            raise ValueError(f"score total must be a number, not {total!r}")
        points.append((when, total))
    return sorted(points, key=lambda point: _sort_key(point[0]))


def _on_or_before(when: When, limit: When) -> bool:
    if isinstance(when, datetime) and isinstance(limit, datetime):
        return when <= limit
    as_date = when.date() if isinstance(when, datetime) else when
    limit_date = limit.date() if isinstance(limit, datetime) else limit
    return as_date <= limit_date


def _baseline_index(points: list[ScorePoint], first_treatment: When) -> int | None:
    index = None
    for i, (when, _) in enumerate(points):
        if _on_or_before(when, first_treatment):
            index = i
    return index
