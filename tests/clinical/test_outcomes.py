"""Outcomes: baseline, percent change, response, remission and relapse (reference §2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ketacare.clinical.outcomes import (
    RELAPSE_AT_LEAST,
    REMISSION_AT_MOST,
    assess_outcome,
    find_baseline,
    is_remission,
    is_response,
    percent_change,
)

START = date(2026, 1, 10)  # first treatment session


def weekly(*totals: float, first: date = date(2026, 1, 3)) -> list[tuple[date, float]]:
    return [(first + timedelta(weeks=n), total) for n, total in enumerate(totals)]


@pytest.mark.parametrize(
    ("score", "baseline", "change"),
    [(5, 20, -75.0), (20, 20, 0.0), (30, 20, 50.0), (10, 3, 233.3), (2, 3, -33.3)],
)
def test_percent_change(score: float, baseline: float, change: float) -> None:
    assert percent_change(score, baseline) == change


def test_percent_change_is_none_when_baseline_is_zero() -> None:
    assert percent_change(4, 0) is None


@pytest.mark.parametrize(
    ("score", "baseline", "response"),
    [(10, 20, True), (9, 20, True), (10.5, 20, False), (11, 20, False), (0, 1, True)],
)
def test_response_is_a_total_at_most_half_the_baseline(
    score: float, baseline: float, response: bool
) -> None:
    assert is_response(score, baseline) is response


def test_response_is_undefined_for_a_zero_baseline() -> None:
    assert is_response(0, 0) is None


@pytest.mark.parametrize(
    ("code", "remitted", "not_remitted"),
    [("phq9", 4, 5), ("gad7", 4, 5), ("pcl5", 32, 33), ("qids_sr16", 5, 6), ("madrs", 10, 11)],
)
def test_remission_thresholds(code: str, remitted: int, not_remitted: int) -> None:
    assert is_remission(code, remitted) is True
    assert is_remission(code, not_remitted) is False


def test_instruments_without_a_remission_threshold_give_none() -> None:
    assert is_remission("ybocs", 0) is None
    assert set(REMISSION_AT_MOST) == {"phq9", "gad7", "pcl5", "qids_sr16", "madrs"}


def test_relapse_thresholds_are_the_moderate_band_lower_bounds() -> None:
    assert dict(RELAPSE_AT_LEAST) == {"phq9": 10, "qids_sr16": 11, "madrs": 20, "gad7": 10}


def test_baseline_is_the_last_score_on_or_before_the_first_session() -> None:
    series = [(date(2026, 1, 2), 22), (date(2026, 1, 12), 12), (date(2026, 1, 9), 19)]
    assert find_baseline(series, START) == (date(2026, 1, 9), 19)


def test_a_score_on_the_day_of_the_first_session_is_the_baseline() -> None:
    series = [(date(2026, 1, 2), 22), (START, 18)]
    assert find_baseline(series, START) == (START, 18)


def test_with_times_a_score_after_the_session_is_not_baseline() -> None:
    session = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    before = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    after = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert find_baseline([(before, 20), (after, 15)], session) == (before, 20)


def test_no_score_before_the_first_session_means_no_baseline() -> None:
    outcome = assess_outcome("phq9", [(date(2026, 1, 20), 10)], START)
    assert outcome.baseline is None
    assert (outcome.response, outcome.remission, outcome.relapse) == (None, None, None)


def test_baseline_without_follow_up_has_no_outcome_yet() -> None:
    outcome = assess_outcome("phq9", weekly(20), START)
    assert (outcome.baseline, outcome.latest, outcome.percent_change) == (20, None, None)
    assert (outcome.response, outcome.remission, outcome.relapse) == (None, None, None)


def test_a_response_without_remission() -> None:
    outcome = assess_outcome("phq9", weekly(20, 18, 12, 9), START)
    assert (outcome.baseline, outcome.latest) == (18, 9)
    assert outcome.percent_change == -50.0
    assert (outcome.response, outcome.remission, outcome.relapse) == (True, False, False)


def test_remission_reached() -> None:
    outcome = assess_outcome("phq9", weekly(20, 18, 8, 4), START)
    assert (outcome.response, outcome.remission) == (True, True)
    assert outcome.remitted_at == date(2026, 1, 24)


def test_two_consecutive_scores_in_the_moderate_band_after_remission_are_a_relapse() -> None:
    outcome = assess_outcome("phq9", weekly(20, 18, 4, 10, 12), START)
    assert (outcome.remission, outcome.relapse) == (False, True)
    assert outcome.relapsed_at == date(2026, 1, 31)


def test_one_score_in_the_moderate_band_is_not_a_relapse() -> None:
    assert assess_outcome("phq9", weekly(20, 18, 4, 10), START).relapse is False


def test_the_two_high_scores_must_be_consecutive() -> None:
    assert assess_outcome("phq9", weekly(20, 18, 4, 10, 8, 11), START).relapse is False


def test_a_score_just_below_the_moderate_band_does_not_count() -> None:
    assert assess_outcome("phq9", weekly(20, 18, 4, 9, 9), START).relapse is False


def test_high_scores_without_an_earlier_remission_are_not_a_relapse() -> None:
    assert assess_outcome("phq9", weekly(20, 18, 12, 14), START).relapse is False


def test_a_new_remission_after_a_relapse_clears_it() -> None:
    outcome = assess_outcome("phq9", weekly(20, 18, 4, 12, 12, 3), START)
    assert (outcome.remission, outcome.relapse) == (True, False)
    assert outcome.relapsed_at == date(2026, 1, 31)


@pytest.mark.parametrize(("code", "threshold"), [("qids_sr16", 11), ("madrs", 20), ("gad7", 10)])
def test_relapse_uses_each_instruments_threshold(code: str, threshold: int) -> None:
    remitted = REMISSION_AT_MOST[code]
    series = weekly(30, 30, remitted, threshold, threshold)
    assert assess_outcome(code, series, START).relapse is True
    below = weekly(30, 30, remitted, threshold - 1, threshold)
    assert assess_outcome(code, below, START).relapse is False


def test_pcl5_has_remission_but_no_relapse_rule() -> None:
    outcome = assess_outcome("pcl5", weekly(50, 50, 30, 40, 45), START)
    assert (outcome.remission, outcome.relapse) == (False, None)
    assert outcome.remitted_at == date(2026, 1, 17)


def test_ybocs_has_response_but_no_remission_or_relapse() -> None:
    outcome = assess_outcome("ybocs", weekly(30, 30, 14), START)
    assert (outcome.response, outcome.remission, outcome.relapse) == (True, None, None)


def test_a_zero_baseline_has_no_percent_change_or_response() -> None:
    outcome = assess_outcome("phq9", weekly(0, 0, 3), START)
    assert (outcome.percent_change, outcome.response, outcome.remission) == (None, None, True)


def test_dates_and_datetimes_can_be_mixed() -> None:
    series = [
        (date(2026, 1, 9), 20),
        (datetime(2026, 1, 17, 9, 0, tzinfo=UTC), 8),
        (date(2026, 1, 24), 4),
    ]
    outcome = assess_outcome("phq9", series, datetime(2026, 1, 10, 10, 0, tzinfo=UTC))
    assert (outcome.baseline, outcome.latest, outcome.remission) == (20, 4, True)
    assert outcome.as_dict()["latest_at"] == "2026-01-24"


def test_as_dict_is_json_ready() -> None:
    data = assess_outcome("phq9", weekly(20, 18, 4), START).as_dict()
    assert data["baseline_at"] == "2026-01-10"
    assert data["percent_change"] == -77.8


@pytest.mark.parametrize(
    "series",
    [
        [(datetime(2026, 1, 9, 9, 0), 20)],  # noqa: DTZ001  (naive on purpose)
        [("2026-01-09", 20)],
        [(date(2026, 1, 9), "20")],
        [(date(2026, 1, 9), True)],
        [(date(2026, 1, 9),)],
    ],
)
def test_malformed_series_raise(series: list[tuple[object, ...]]) -> None:
    with pytest.raises(ValueError):
        assess_outcome("phq9", series, START)  # type: ignore[arg-type]


def test_an_unknown_instrument_raises() -> None:
    with pytest.raises(ValueError):
        assess_outcome("phq8", weekly(20), START)


def test_a_naive_first_session_time_raises() -> None:
    with pytest.raises(ValueError):
        find_baseline(weekly(20), datetime(2026, 1, 10, 10, 0))  # noqa: DTZ001
