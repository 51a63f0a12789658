"""plan_dose: every reason code on both sides of its threshold, caps, phases and overrides."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from ketacare.clinical.dosing import (
    BP_CAUTION,
    BP_HOLD,
    DOSE_ABOVE_MAX,
    DOSE_BELOW_STANDARD,
    DOSE_NOT_ALLOWED,
    FREQUENCY_CAP,
    HEART_RATE_HOLD,
    INTERVAL_TOO_SHORT,
    REASON_TEXT,
    SPO2_HOLD,
    VITALS_MISSING,
    VITALS_STALE,
    WEIGHT_MISSING,
    WEIGHT_STALE,
    DoseDecision,
    DosingError,
    UnknownProtocol,
    get_protocol,
    plan_dose,
)

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
GOOD = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98}
ONE_MINUTE = timedelta(minutes=1)


def plan(protocol: str = "iv-depression", **kwargs: Any) -> DoseDecision:
    if protocol in ("iv-depression", "im-depression", "iv-pain"):
        kwargs.setdefault("weight_kg", 70)
    kwargs.setdefault("vitals", GOOD)
    kwargs.setdefault("at", AT)
    return plan_dose(protocol, **kwargs)


def days_ago(*days: float, dose: float = 35.0) -> list[tuple[datetime, float]]:
    return [(AT - timedelta(days=d), dose) for d in days]


def test_a_standard_iv_dose_with_normal_vitals_is_allowed() -> None:
    decision = plan()
    assert decision.allowed is True
    assert (decision.dose_mg, decision.infusion_rate_mg_per_min) == (35.0, 0.88)
    assert (decision.reasons, decision.warnings, decision.overridden) == ([], [], [])
    assert (decision.standard_dose_mg, decision.max_dose_mg, decision.override_ceiling_mg) == (
        35.0,
        70.0,
        105.0,
    )


# --- vitals ---------------------------------------------------------------------------


def test_a_dose_without_vitals_is_blocked() -> None:
    decision = plan(vitals=None)
    assert decision.allowed is False
    assert decision.reasons == [VITALS_MISSING]


@pytest.mark.parametrize("missing", ["systolic", "diastolic", "heart_rate", "spo2"])
def test_any_missing_reading_counts_as_vitals_missing(missing: str) -> None:
    absent = {k: v for k, v in GOOD.items() if k != missing}
    as_none = {**GOOD, missing: None}
    assert plan(vitals=absent).reasons == [VITALS_MISSING]
    assert plan(vitals=as_none).reasons == [VITALS_MISSING]


def test_readings_present_are_still_checked_when_others_are_missing() -> None:
    assert plan(vitals={"systolic": 170, "diastolic": 80}).reasons == [VITALS_MISSING, BP_HOLD]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "reasons", "warnings"),
    [
        (159, 99, [], [BP_CAUTION]),
        (160, 80, [BP_HOLD], []),
        (120, 100, [BP_HOLD], []),
        (165, 105, [BP_HOLD], []),
        (139, 89, [], []),
        (140, 80, [], [BP_CAUTION]),
        (120, 90, [], [BP_CAUTION]),
    ],
)
def test_blood_pressure_hold_and_caution_thresholds(
    systolic: int, diastolic: int, reasons: list[str], warnings: list[str]
) -> None:
    decision = plan(vitals={**GOOD, "systolic": systolic, "diastolic": diastolic})
    assert (decision.reasons, decision.warnings) == (reasons, warnings)


def test_bp_caution_never_blocks() -> None:
    assert plan(vitals={**GOOD, "systolic": 155}).allowed is True


@pytest.mark.parametrize(
    ("heart_rate", "blocked"), [(49, True), (50, False), (110, False), (111, True)]
)
def test_heart_rate_hold_below_50_or_above_110(heart_rate: int, blocked: bool) -> None:
    decision = plan(vitals={**GOOD, "heart_rate": heart_rate})
    assert decision.reasons == ([HEART_RATE_HOLD] if blocked else [])


@pytest.mark.parametrize(("spo2", "blocked"), [(91, True), (91.9, True), (92, False), (100, False)])
def test_spo2_hold_below_92(spo2: float, blocked: bool) -> None:
    assert plan(vitals={**GOOD, "spo2": spo2}).reasons == ([SPO2_HOLD] if blocked else [])


def test_extra_vitals_keys_are_ignored() -> None:
    assert plan(vitals={**GOOD, "respiratory_rate": 14}).allowed is True


@pytest.mark.parametrize(
    "vitals",
    [
        {**GOOD, "systolic": "120"},
        {**GOOD, "spo2": True},
        {**GOOD, "heart_rate": -70},
        {**GOOD, "diastolic": 0},
        {**GOOD, "spo2": 101},
        {**GOOD, "systolic": float("nan")},
        [120, 80, 70, 98],
    ],
)
def test_malformed_vitals_raise(vitals: Any) -> None:
    with pytest.raises(DosingError):
        plan(vitals=vitals)


# --- weight and dose ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["iv-depression", "im-depression", "iv-pain"])
def test_a_per_kg_protocol_without_weight_is_blocked(code: str) -> None:
    decision = plan(code, weight_kg=None)
    assert decision.reasons == [WEIGHT_MISSING]
    assert (decision.dose_mg, decision.infusion_rate_mg_per_min, decision.max_dose_mg) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize("code", ["esketamine-nasal", "troche-home"])
def test_a_fixed_dose_protocol_needs_no_weight(code: str) -> None:
    assert plan(code).allowed is True


@pytest.mark.parametrize("weight", [-70, 0, True, "70", float("inf"), float("nan")])
def test_an_impossible_weight_raises(weight: Any) -> None:
    with pytest.raises(DosingError):
        plan(weight_kg=weight)


def test_the_dose_is_rounded_half_up_to_0_1_mg() -> None:
    # 0.5 mg/kg x 72.3 kg = 36.15 mg exactly, which a binary float would round down
    assert plan(weight_kg=72.3).dose_mg == 36.2
    assert plan(dose_mg=35.04).dose_mg == 35.0
    assert plan(dose_mg=35.05).dose_mg == 35.1


@pytest.mark.parametrize("dose", [0, -5, -0.04])
def test_a_dose_of_zero_or_less_is_not_allowed(dose: float) -> None:
    assert plan(dose_mg=dose).reasons == [DOSE_NOT_ALLOWED]


@pytest.mark.parametrize("code", ["iv-depression", "iv-pain"])
@pytest.mark.parametrize("dose", [0, -10, -0.04])
def test_a_negative_or_zero_dose_is_refused_without_an_infusion_rate(
    code: str, dose: float
) -> None:
    decision = plan_dose(code, weight_kg=70, dose_mg=dose, vitals=GOOD, at=AT)
    assert not decision.allowed and decision.reasons == [DOSE_NOT_ALLOWED]
    assert decision.infusion_rate_mg_per_min is None


@pytest.mark.parametrize(("dose", "blocked"), [(70.0, False), (70.04, False), (70.1, True)])
def test_iv_dose_above_1_mg_per_kg_is_above_max(dose: float, blocked: bool) -> None:
    assert plan(dose_mg=dose).reasons == ([DOSE_ABOVE_MAX] if blocked else [])


@pytest.mark.parametrize(("dose", "warned"), [(34.9, True), (35.0, False), (50, False)])
def test_a_dose_below_standard_is_a_warning_only(dose: float, warned: bool) -> None:
    decision = plan(dose_mg=dose)
    assert decision.warnings == ([DOSE_BELOW_STANDARD] if warned else [])
    assert decision.allowed is True


def test_im_has_no_infusion_rate() -> None:
    decision = plan("im-depression")
    assert (decision.dose_mg, decision.infusion_rate_mg_per_min) == (35.0, None)


def test_iv_pain_is_1_4_mg_per_kg_over_240_minutes() -> None:
    decision = plan("iv-pain")
    assert (decision.dose_mg, decision.infusion_rate_mg_per_min) == (98.0, 0.41)
    assert (decision.max_dose_mg, decision.override_ceiling_mg) == (140.0, 280.0)


@pytest.mark.parametrize("mg_per_kg", [2.0, 4.0])
def test_iv_pain_max_and_ceiling_stay_within_2_mg_per_kg_per_hour(mg_per_kg: float) -> None:
    decision = plan("iv-pain", dose_mg=mg_per_kg * 70, override_reason="refractory CRPS")
    assert decision.allowed is True
    assert decision.infusion_rate_mg_per_min is not None
    assert decision.infusion_rate_mg_per_min * 60 / 70 <= 2.0


# --- esketamine -----------------------------------------------------------------------


def test_esketamine_first_session_is_56_mg() -> None:
    decision = plan("esketamine-nasal")
    assert (decision.allowed, decision.dose_mg, decision.infusion_rate_mg_per_min) == (
        True,
        56.0,
        None,
    )


def test_esketamine_84_mg_at_the_first_session_is_not_allowed() -> None:
    assert plan("esketamine-nasal", dose_mg=84).reasons == [DOSE_NOT_ALLOWED]


@pytest.mark.parametrize(("dose", "allowed"), [(56, True), (84, True), (84.0, True), (28, False)])
def test_esketamine_later_sessions_allow_only_56_or_84(dose: float, allowed: bool) -> None:
    decision = plan("esketamine-nasal", dose_mg=dose, history=days_ago(4, dose=56))
    assert decision.reasons == ([] if allowed else [DOSE_NOT_ALLOWED])


def test_esketamine_70_mg_is_not_an_allowed_dose() -> None:
    decision = plan("esketamine-nasal", dose_mg=70, history=days_ago(4, dose=56))
    assert decision.reasons == [DOSE_NOT_ALLOWED]


def test_esketamine_112_mg_is_neither_allowed_nor_overridable() -> None:
    decision = plan(
        "esketamine-nasal", dose_mg=112, history=days_ago(4, dose=84), override_reason="x"
    )
    assert decision.reasons == [DOSE_NOT_ALLOWED, DOSE_ABOVE_MAX]
    assert decision.overridden == []


def test_esketamine_default_after_the_first_session_is_56_mg() -> None:
    assert plan("esketamine-nasal", history=days_ago(4, dose=84)).dose_mg == 56.0


# --- interval -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "hours"),
    [
        ("iv-depression", 24),
        ("im-depression", 24),
        ("esketamine-nasal", 48),
        ("troche-home", 72),
        ("iv-pain", 20),
    ],
)
def test_minimum_interval_since_the_last_administration(code: str, hours: int) -> None:
    exactly = [(AT - timedelta(hours=hours), 56.0)]
    just_short = [(AT - timedelta(hours=hours) + ONE_MINUTE, 56.0)]
    assert INTERVAL_TOO_SHORT not in plan(code, history=exactly).reasons
    assert INTERVAL_TOO_SHORT in plan(code, history=just_short).reasons


def test_the_interval_is_measured_from_the_latest_administration() -> None:
    history = days_ago(9, 5) + [(AT - timedelta(hours=2), 35.0)]
    assert plan(history=history).reasons == [INTERVAL_TOO_SHORT]


def test_an_administration_recorded_after_at_also_counts_for_the_interval() -> None:
    assert plan(history=[(AT + timedelta(hours=3), 35.0)]).reasons == [INTERVAL_TOO_SHORT]


def test_history_times_in_other_time_zones_are_compared_as_instants() -> None:
    new_york = timezone(timedelta(hours=-5))
    history = [(datetime(2026, 3, 9, 4, 30, tzinfo=new_york), 35.0)]  # 09:30 UTC, 23.5 h ago
    assert plan(history=history).reasons == [INTERVAL_TOO_SHORT]


# --- frequency caps -------------------------------------------------------------------


def test_a_third_iv_dose_in_7_days_is_allowed_and_a_fourth_is_capped() -> None:
    assert plan(history=days_ago(2, 4)).allowed is True
    assert plan(history=days_ago(2, 4, 6)).reasons == [FREQUENCY_CAP]


def test_an_administration_exactly_7_days_before_no_longer_counts() -> None:
    assert plan(history=days_ago(2, 4, 7)).allowed is True


def test_an_administration_a_minute_inside_7_days_still_counts() -> None:
    history = days_ago(2, 4) + [(AT - timedelta(days=7) + ONE_MINUTE, 35.0)]
    assert plan(history=history).reasons == [FREQUENCY_CAP]


def test_the_daily_pain_series_caps_at_7_in_7_days() -> None:
    every_20_hours = [(AT - timedelta(hours=20 * n), 98.0) for n in range(1, 8)]
    assert plan("iv-pain", history=every_20_hours[:6]).allowed is True
    assert plan("iv-pain", history=every_20_hours).reasons == [FREQUENCY_CAP]


def test_troche_caps_at_2_in_7_days() -> None:
    assert plan("troche-home", history=days_ago(3.5)).allowed is True
    assert plan("troche-home", history=days_ago(3, 6)).reasons == [FREQUENCY_CAP]


@pytest.mark.parametrize(
    ("days_since_start", "week"),
    [(0, 1), (6, 1), (7, 2), (27, 4), (28, 5), (55, 8), (56, 9), (400, 58)],
)
def test_course_week_is_days_since_phase_start_over_7_plus_1(
    days_since_start: int, week: int
) -> None:
    phase_start = AT.date() - timedelta(days=days_since_start)
    assert plan("esketamine-nasal", phase_start=phase_start).week == week


@pytest.mark.parametrize(
    ("days_since_start", "cap"),
    [(0, 2), (27, 2), (28, 1), (55, 1), (56, 1), (120, 1)],
)
def test_esketamine_frequency_by_phase(days_since_start: int, cap: int) -> None:
    phase_start = AT.date() - timedelta(days=days_since_start)
    one_before = days_ago(3, dose=56)
    two_before = days_ago(3, 6, dose=56)
    decision_one = plan("esketamine-nasal", history=one_before, phase_start=phase_start)
    decision_two = plan("esketamine-nasal", history=two_before, phase_start=phase_start)
    # cap 2: a second dose in 7 days is allowed, a third is not; cap 1: not even a second
    assert (FREQUENCY_CAP in decision_one.reasons) is (cap < 2)
    assert FREQUENCY_CAP in decision_two.reasons


def test_phase_start_defaults_to_the_first_administration_date() -> None:
    history = days_ago(28, 25, 21, 18, 14, 11, 7, 4, dose=56)
    decision = plan("esketamine-nasal", history=history)
    assert decision.week == 5
    assert decision.reasons == [FREQUENCY_CAP]  # week 5: one per 7 days, one 4 days ago


def test_phase_start_defaults_to_the_dose_date_for_a_new_course() -> None:
    assert plan("esketamine-nasal").week == 1


def test_the_first_administration_date_is_taken_in_the_time_zone_of_at() -> None:
    # 23:30 UTC on 10 Feb is already 11 Feb in UTC+2, where `at` is given
    plus_two = timezone(timedelta(hours=2))
    at = datetime(2026, 3, 11, 9, 0, tzinfo=plus_two)  # 28 days after 11 Feb: week 5
    history = [(datetime(2026, 2, 10, 23, 30, tzinfo=UTC), 56.0)]
    assert plan("esketamine-nasal", at=at, history=history).week == 5


def test_a_phase_start_after_the_dose_raises() -> None:
    with pytest.raises(DosingError):
        plan("esketamine-nasal", phase_start=AT.date() + timedelta(days=1))


def test_phase_start_must_be_a_date_not_a_datetime() -> None:
    with pytest.raises(DosingError):
        plan("esketamine-nasal", phase_start=AT)


# --- override -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"dose_mg": 100}, DOSE_ABOVE_MAX),
        ({"history": days_ago(0.5)}, INTERVAL_TOO_SHORT),
        ({"history": days_ago(2, 4, 6)}, FREQUENCY_CAP),
    ],
)
def test_an_override_reason_clears_each_overridable_code(kwargs: dict[str, Any], code: str) -> None:
    assert plan(**kwargs).reasons == [code]
    decision = plan(**kwargs, override_reason="Prescriber reviewed: partial response")
    assert (decision.allowed, decision.reasons, decision.overridden) == (True, [], [code])


def test_an_override_clears_all_three_at_once_in_reference_order() -> None:
    decision = plan(dose_mg=100, history=days_ago(0.5, 2, 4), override_reason="reviewed")
    assert decision.allowed is True
    assert decision.overridden == [DOSE_ABOVE_MAX, INTERVAL_TOO_SHORT, FREQUENCY_CAP]


@pytest.mark.parametrize(("dose", "cleared"), [(105.0, True), (105.04, True), (105.1, False)])
def test_an_override_reaches_only_the_override_ceiling(dose: float, cleared: bool) -> None:
    decision = plan(dose_mg=dose, override_reason="reviewed")
    assert decision.allowed is cleared
    assert decision.reasons == ([] if cleared else [DOSE_ABOVE_MAX])


def test_im_cannot_be_overridden_above_its_maximum() -> None:
    decision = plan("im-depression", dose_mg=70.1, override_reason="reviewed")
    assert decision.reasons == [DOSE_ABOVE_MAX]


@pytest.mark.parametrize(("dose", "cleared"), [(400, True), (400.1, False)])
def test_troche_override_ceiling_is_400_mg(dose: float, cleared: bool) -> None:
    assert plan("troche-home", dose_mg=dose, override_reason="reviewed").allowed is cleared


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"vitals": None}, VITALS_MISSING),
        ({"vitals": {**GOOD, "systolic": 170}}, BP_HOLD),
        ({"vitals": {**GOOD, "heart_rate": 120}}, HEART_RATE_HOLD),
        ({"vitals": {**GOOD, "spo2": 88}}, SPO2_HOLD),
        ({"weight_kg": None}, WEIGHT_MISSING),
        ({"weight_measured_on": AT.date() - timedelta(days=31)}, WEIGHT_STALE),
        ({"vitals_taken_at": AT - timedelta(minutes=61)}, VITALS_STALE),
        ({"dose_mg": 0}, DOSE_NOT_ALLOWED),
    ],
)
def test_vitals_weight_and_allowed_dose_reasons_are_never_overridden(
    kwargs: dict[str, Any], code: str
) -> None:
    decision = plan(**kwargs, override_reason="Prescriber insists")
    assert (decision.allowed, decision.reasons, decision.overridden) == (False, [code], [])


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_an_empty_or_blank_override_reason_does_not_override(reason: str) -> None:
    decision = plan(dose_mg=100, override_reason=reason)
    assert (decision.allowed, decision.reasons, decision.overridden) == (
        False,
        [DOSE_ABOVE_MAX],
        [],
    )


def test_an_override_with_nothing_to_override_changes_nothing() -> None:
    decision = plan(override_reason="just in case")
    assert (decision.allowed, decision.overridden) == (True, [])


def test_an_override_reason_must_be_text() -> None:
    with pytest.raises(DosingError):
        plan(dose_mg=100, override_reason=True)


# --- decision shape -------------------------------------------------------------------


def test_reasons_are_reported_in_the_reference_order() -> None:
    decision = plan(
        vitals={"systolic": 170, "diastolic": 80, "heart_rate": 40},
        dose_mg=200,
        history=days_ago(0.5, 2, 3),
    )
    assert decision.reasons == [
        VITALS_MISSING,
        BP_HOLD,
        HEART_RATE_HOLD,
        DOSE_ABOVE_MAX,
        INTERVAL_TOO_SHORT,
        FREQUENCY_CAP,
    ]


def test_every_reason_code_has_staff_text() -> None:
    assert set(REASON_TEXT) == {
        VITALS_MISSING,
        VITALS_STALE,
        BP_HOLD,
        HEART_RATE_HOLD,
        SPO2_HOLD,
        WEIGHT_MISSING,
        WEIGHT_STALE,
        DOSE_NOT_ALLOWED,
        DOSE_ABOVE_MAX,
        INTERVAL_TOO_SHORT,
        FREQUENCY_CAP,
    }


def test_as_dict_is_json_ready() -> None:
    data = plan(dose_mg=100).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["reasons"] == [DOSE_ABOVE_MAX]
    assert data["allowed"] is False


def test_a_protocol_object_plans_like_its_code() -> None:
    assert plan_dose(get_protocol("iv-depression"), weight_kg=70, vitals=GOOD, at=AT) == plan()


# --- malformed arguments --------------------------------------------------------------


def test_dosing_error_is_a_value_error() -> None:
    assert issubclass(DosingError, ValueError)


def test_an_unknown_protocol_code_raises_unknown_protocol() -> None:
    with pytest.raises(UnknownProtocol) as caught:
        plan("iv-anxiety")
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, DosingError)
    assert "iv-depression" in str(caught.value)


def test_a_protocol_that_is_neither_object_nor_code_raises() -> None:
    with pytest.raises(DosingError):
        plan_dose(42, at=AT)  # type: ignore[arg-type]


NAIVE = datetime(2026, 3, 10, 9, 0)  # noqa: DTZ001 - deliberately naive


@pytest.mark.parametrize("at", [NAIVE, date(2026, 3, 10), "2026-03-10T09:00:00+00:00", None])
def test_at_must_be_a_timezone_aware_datetime(at: Any) -> None:
    with pytest.raises(DosingError):
        plan(at=at)


@pytest.mark.parametrize(
    "history",
    [
        [(NAIVE - timedelta(days=3), 35.0)],
        [(AT - timedelta(days=3),)],
        [AT - timedelta(days=3)],
        [(AT - timedelta(days=3), "35")],
        "2026-03-01",
        {AT: 35.0},
    ],
)
def test_malformed_history_raises(history: Any) -> None:
    with pytest.raises(DosingError):
        plan(history=history)


@pytest.mark.parametrize("dose", ["35", True, float("nan")])
def test_a_dose_that_is_not_a_number_raises(dose: Any) -> None:
    with pytest.raises(DosingError):
        plan(dose_mg=dose)
