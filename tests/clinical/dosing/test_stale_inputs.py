"""plan_dose refuses stale inputs (issue 13 item 4): a weight more than 30 days old on a per-kg
protocol (`weight_stale`) and pre-dose vitals more than 60 minutes old (`vitals_stale`).

The reference says "older than": exactly 30 days and exactly 60 minutes are still current.
Neither code can be overridden (§3: "Vitals, weight ... are never overridden: staff re-measure
instead"; §6: vitals_stale is among the codes staff clear)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ketacare.clinical.dosing import (
    DOSE_ABOVE_MAX,
    OVERRIDABLE,
    REASON_TEXT,
    VITALS_MISSING,
    VITALS_STALE,
    WEIGHT_STALE,
    DoseDecision,
    DosingError,
    plan_dose,
)

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
GOOD = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98}


def plan(protocol: str = "iv-depression", **kwargs: Any) -> DoseDecision:
    if protocol in ("iv-depression", "im-depression", "iv-pain"):
        kwargs.setdefault("weight_kg", 70)
    kwargs.setdefault("vitals", GOOD)
    kwargs.setdefault("at", AT)
    return plan_dose(protocol, **kwargs)


# --- weight ---------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "stale"), [(0, False), (30, False), (31, True), (400, True)])
def test_a_weight_more_than_30_days_old_blocks_a_per_kg_dose(days: int, stale: bool) -> None:
    decision = plan(weight_measured_on=AT.date() - timedelta(days=days))
    assert decision.reasons == ([WEIGHT_STALE] if stale else [])
    assert decision.allowed is not stale
    # The dose is still worked out, so staff see what re-weighing would confirm
    assert decision.dose_mg == 35.0


def test_the_weight_age_is_counted_in_the_time_zone_of_at() -> None:
    # 00:30 on 10 March in New York is 05:30 UTC; a weight from 8 February is 30 days old there
    at = datetime(2026, 3, 10, 0, 30, tzinfo=ZoneInfo("America/New_York"))
    assert plan(at=at, weight_measured_on=date(2026, 2, 8)).allowed
    assert plan(at=at, weight_measured_on=date(2026, 2, 7)).reasons == [WEIGHT_STALE]


def test_a_fixed_dose_protocol_does_not_need_a_current_weight() -> None:
    decision = plan("esketamine-nasal", weight_kg=70, weight_measured_on=date(2020, 1, 1))
    assert decision.allowed and decision.reasons == []


def test_without_a_weight_date_the_age_is_not_checked() -> None:
    assert plan(weight_kg=70).allowed


def test_weight_measured_on_must_be_a_date() -> None:
    with pytest.raises(DosingError, match="weight_measured_on"):
        plan(weight_measured_on=AT)
    with pytest.raises(DosingError, match="weight_measured_on"):
        plan(weight_measured_on="2026-03-01")


# --- vitals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (timedelta(0), False),
        (timedelta(minutes=60), False),
        (timedelta(minutes=60, seconds=1), True),
        (timedelta(hours=3), True),
        (-timedelta(minutes=1), False),  # a reading stamped a moment after the planning time
    ],
)
def test_vitals_more_than_60_minutes_old_block_the_dose(age: timedelta, stale: bool) -> None:
    decision = plan(vitals_taken_at=AT - age)
    assert decision.reasons == ([VITALS_STALE] if stale else [])
    assert decision.allowed is not stale


def test_stale_vitals_still_report_their_holds() -> None:
    decision = plan(vitals={**GOOD, "systolic": 170}, vitals_taken_at=AT - timedelta(hours=2))
    assert decision.reasons == [VITALS_STALE, "bp_hold"]


def test_missing_vitals_are_missing_not_stale() -> None:
    decision = plan(vitals=None, vitals_taken_at=AT - timedelta(hours=2))
    assert decision.reasons == [VITALS_MISSING]


def test_vitals_taken_at_must_be_timezone_aware() -> None:
    with pytest.raises(DosingError, match="vitals_taken_at"):
        plan(vitals_taken_at=AT.replace(tzinfo=None) - timedelta(minutes=30))


# --- override and texts ----------------------------------------------------------------


def test_a_prescriber_override_clears_neither_stale_input() -> None:
    decision = plan(
        dose_mg=80,
        weight_measured_on=AT.date() - timedelta(days=45),
        vitals_taken_at=AT - timedelta(minutes=90),
        override_reason="Reviewed with the patient.",
    )
    assert decision.overridden == [DOSE_ABOVE_MAX]
    assert decision.reasons == [VITALS_STALE, WEIGHT_STALE]
    assert not decision.allowed
    assert not {VITALS_STALE, WEIGHT_STALE} & OVERRIDABLE


def test_the_staff_texts_say_what_to_do() -> None:
    assert "weigh the patient again" in REASON_TEXT[WEIGHT_STALE]
    assert "measure them again" in REASON_TEXT[VITALS_STALE]
