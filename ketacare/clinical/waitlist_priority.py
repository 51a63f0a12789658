"""Waiting-list priority: who on the list for the home-based program is invited first.

The score is the sum of three terms, each scaled by a weight the clinic configures:

    priority = severity_per_point  × pre-screen total (PHQ-2 + GAD-2, 0–12)
             + waiting_per_week    × weeks waited since the address was confirmed
             + region_served       × (1 if the person lives in a region the program serves)

Defaults: 2 points per pre-screen point (at most 24), 1 point per week waited, 10 points
for living in a region served. So a person with a pre-screen total 5 points higher than
another is invited first unless the other has waited 10 weeks longer; living outside the
regions served costs 10 weeks of waiting. Ties go to whoever confirmed first.

Waiting adds the same points per week to everyone, so the order of the list does not change
with time: `priority_key` is the score with the waiting term measured from a fixed origin
(it can be stored and indexed), and `priority_on` turns a key back into today's score.
A staff override sets the score as of the moment it is made; from then on the person
keeps gaining waiting points like everyone else.

Pure Python: time comes in as an argument.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

SECONDS_PER_WEEK: Final = 7 * 24 * 60 * 60
# The fixed origin waiting is measured from when a score is stored as a key.
_EPOCH: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# PHQ-2 (0–6) + GAD-2 (0–6)
PRESCREEN_MAX: Final = 12


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    """A clinic's weights. All must be >= 0."""

    severity_per_point: float = 2.0
    waiting_per_week: float = 1.0
    region_served: float = 10.0

    def __post_init__(self) -> None:
        for name in ("severity_per_point", "waiting_per_week", "region_served"):
            value = getattr(self, name)
            if value < 0:
                raise ValueError(f"{name} must be >= 0, not {value}")


DEFAULT_WEIGHTS: Final = PriorityWeights()


def _check_prescreen(prescreen_total: int) -> None:
    if not 0 <= prescreen_total <= PRESCREEN_MAX:
        raise ValueError(f"prescreen_total must be 0–{PRESCREEN_MAX}, not {prescreen_total}")


def _weeks_since_epoch(moment: dt.datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return (moment - _EPOCH).total_seconds() / SECONDS_PER_WEEK


def priority(
    *,
    prescreen_total: int,
    in_region: bool,
    waiting_since: dt.datetime,
    now: dt.datetime,
    weights: PriorityWeights = DEFAULT_WEIGHTS,
) -> float:
    """The score at `now` of a person confirmed at `waiting_since`."""
    _check_prescreen(prescreen_total)
    waited_weeks = max(0.0, _weeks_since_epoch(now) - _weeks_since_epoch(waiting_since))
    return (
        weights.severity_per_point * prescreen_total
        + weights.waiting_per_week * waited_weeks
        + (weights.region_served if in_region else 0.0)
    )


def priority_key(
    *,
    prescreen_total: int,
    in_region: bool,
    waiting_since: dt.datetime,
    weights: PriorityWeights = DEFAULT_WEIGHTS,
) -> float:
    """A time-independent sort key: higher is invited first, and for any `now`,
    `priority_on(priority_key(...), now) == priority(..., now)`."""
    return priority(
        prescreen_total=prescreen_total,
        in_region=in_region,
        waiting_since=waiting_since,
        now=waiting_since,
        weights=weights,
    ) - weights.waiting_per_week * _weeks_since_epoch(waiting_since)


def override_key(
    score: float, *, at: dt.datetime, weights: PriorityWeights = DEFAULT_WEIGHTS
) -> float:
    """The key of a score set by hand at `at` (it then gains waiting points as usual)."""
    return score - weights.waiting_per_week * _weeks_since_epoch(at)


def priority_on(key: float, now: dt.datetime, weights: PriorityWeights = DEFAULT_WEIGHTS) -> float:
    """Today's score of a stored key."""
    return key + weights.waiting_per_week * _weeks_since_epoch(now)
