"""Monitoring alerts during and after a dose, and the discharge check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ketacare.clinical.dosing import (
    ALERT_AND_STEADY,
    BP_BELOW_HOLD,
    DEFAULT_PROTOCOLS,
    DIASTOLIC_HIGH,
    DISCHARGE_TEXT,
    ESCORT_CONFIRMED,
    HEART_RATE_HIGH,
    HEART_RATE_LOW,
    OBSERVATION_TIME_MET,
    RESPIRATORY_RATE_HIGH,
    RESPIRATORY_RATE_LOW,
    SEDATION_DEEP,
    SPO2_LOW,
    SYSTOLIC_HIGH,
    DosingError,
    discharge_check,
    vitals_alerts,
)

GOOD = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98}
GOOD_MONITORING = {**GOOD, "respiratory_rate": 16, "moaas": 5}
DOSED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_normal_vitals_raise_no_alert() -> None:
    assert vitals_alerts(GOOD) == []


@pytest.mark.parametrize(
    ("name", "quiet", "alarming", "alert"),
    [
        ("systolic", 180, 181, SYSTOLIC_HIGH),
        ("diastolic", 110, 111, DIASTOLIC_HIGH),
        ("heart_rate", 130, 131, HEART_RATE_HIGH),
        ("heart_rate", 50, 49, HEART_RATE_LOW),
        ("spo2", 90, 89, SPO2_LOW),
    ],
)
def test_alert_thresholds(name: str, quiet: int, alarming: int, alert: str) -> None:
    assert vitals_alerts({**GOOD, name: quiet}) == []
    assert vitals_alerts({**GOOD, name: alarming}) == [alert]


def test_normal_breathing_and_sedation_raise_no_alert() -> None:
    assert vitals_alerts(GOOD_MONITORING) == []


@pytest.mark.parametrize(
    ("name", "quiet", "alarming", "alert"),
    [
        ("respiratory_rate", 9, 8, RESPIRATORY_RATE_LOW),
        ("respiratory_rate", 24, 25, RESPIRATORY_RATE_HIGH),
        ("respiratory_rate", 9, 0, RESPIRATORY_RATE_LOW),  # apnoea is a reading, not missing
        ("moaas", 3, 2, SEDATION_DEEP),
        ("moaas", 3, 0, SEDATION_DEEP),
    ],
)
def test_breathing_and_sedation_alert_thresholds(
    name: str, quiet: int, alarming: int, alert: str
) -> None:
    """Clinical reference §3: respiratory rate <= 8 or >= 25, MOAA/S <= 2."""
    assert vitals_alerts({**GOOD_MONITORING, name: quiet}) == []
    assert vitals_alerts({**GOOD_MONITORING, name: alarming}) == [alert]
    assert vitals_alerts({name: alarming}) == [alert]


def test_sedation_and_breathing_alert_together_with_spo2() -> None:
    assert vitals_alerts({"spo2": 85, "respiratory_rate": 6, "moaas": 1}) == [
        SPO2_LOW,
        RESPIRATORY_RATE_LOW,
        SEDATION_DEEP,
    ]


@pytest.mark.parametrize(
    "reading",
    [{"respiratory_rate": -1}, {"respiratory_rate": "12"}, {"moaas": 6}, {"moaas": 2.0}],
)
def test_a_malformed_breathing_or_sedation_reading_raises(reading: dict[str, Any]) -> None:
    with pytest.raises(DosingError):
        vitals_alerts(reading)


def test_partial_readings_alert_on_what_is_there() -> None:
    assert vitals_alerts({"spo2": 85}) == [SPO2_LOW]
    assert vitals_alerts({}) == []


def test_several_alerts_at_once() -> None:
    assert vitals_alerts({"systolic": 200, "diastolic": 120, "heart_rate": 140, "spo2": 80}) == [
        SYSTOLIC_HIGH,
        DIASTOLIC_HIGH,
        HEART_RATE_HIGH,
        SPO2_LOW,
    ]


def test_a_malformed_reading_raises() -> None:
    with pytest.raises(DosingError):
        vitals_alerts({"spo2": "85"})


def check(protocol: str = "iv-depression", **kwargs: Any) -> list[str]:
    kwargs.setdefault("dosed_at", DOSED)
    kwargs.setdefault("now", DOSED + timedelta(minutes=60))
    kwargs.setdefault("last_vitals", GOOD)
    kwargs.setdefault("alert_and_steady", True)
    kwargs.setdefault("escort_confirmed", True)
    return discharge_check(protocol, **kwargs)


def test_all_criteria_met_means_discharge() -> None:
    assert check() == []


def test_observation_time_must_have_passed() -> None:
    assert check(now=DOSED + timedelta(minutes=59)) == [OBSERVATION_TIME_MET]


def test_esketamine_needs_two_hours_of_observation() -> None:
    assert check("esketamine-nasal", now=DOSED + timedelta(minutes=119)) == [OBSERVATION_TIME_MET]
    assert check("esketamine-nasal", now=DOSED + timedelta(minutes=120)) == []


@pytest.mark.parametrize(
    ("vitals", "met"),
    [
        ({"systolic": 159, "diastolic": 99}, True),
        ({"systolic": 160, "diastolic": 80}, False),
        ({"systolic": 120, "diastolic": 100}, False),
        ({"systolic": 120}, False),
        (None, False),
    ],
)
def test_last_bp_must_be_below_the_hold_threshold(vitals: Any, met: bool) -> None:
    assert check(last_vitals=vitals) == ([] if met else [BP_BELOW_HOLD])


def test_a_clinician_must_attest_alert_and_steady() -> None:
    assert check(alert_and_steady=False) == [ALERT_AND_STEADY]


def test_an_escort_is_needed_in_clinic() -> None:
    assert check(escort_confirmed=False) == [ESCORT_CONFIRMED]


def test_no_escort_is_needed_at_home() -> None:
    assert check("troche-home", now=DOSED + timedelta(minutes=120), escort_confirmed=False) == []


def test_every_missing_criterion_is_listed_with_text() -> None:
    missing = check(now=DOSED, last_vitals=None, alert_and_steady=False, escort_confirmed=False)
    assert missing == [OBSERVATION_TIME_MET, BP_BELOW_HOLD, ALERT_AND_STEADY, ESCORT_CONFIRMED]
    assert set(missing) == set(DISCHARGE_TEXT)


def test_a_protocol_object_works_like_its_code() -> None:
    assert discharge_check(
        DEFAULT_PROTOCOLS["iv-depression"],
        dosed_at=DOSED,
        now=DOSED,
        last_vitals=GOOD,
        alert_and_steady=True,
        escort_confirmed=True,
    ) == [OBSERVATION_TIME_MET]


def test_naive_times_raise() -> None:
    with pytest.raises(DosingError):
        check(now=datetime(2026, 3, 10, 11, 0))  # noqa: DTZ001
