"""The waiting-list priority score: its documented arithmetic, and that the stored key keeps
the order and gives back today's score at any time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.clinical.waitlist_priority import (
    PriorityWeights,
    override_key,
    priority,
    priority_key,
    priority_on,
)

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(weeks=1)

moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=dt.datetime(2040, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
weights = st.builds(
    PriorityWeights,
    severity_per_point=st.floats(0, 20),
    waiting_per_week=st.floats(0, 20),
    region_served=st.floats(0, 50),
)


def test_by_default_a_prescreen_point_is_worth_two_weeks_of_waiting():
    # Same region, same day: one more prescreen point outranks a person who waited 1.9
    # weeks longer, and ties with one who waited exactly 2 weeks longer.
    sicker = priority(prescreen_total=7, in_region=True, waiting_since=T0 + 2 * WEEK,
                      now=T0 + 10 * WEEK)  # fmt: skip
    longer = priority(prescreen_total=6, in_region=True, waiting_since=T0, now=T0 + 10 * WEEK)
    assert sicker == pytest.approx(longer)
    almost = priority(prescreen_total=6, in_region=True, waiting_since=T0 + dt.timedelta(days=1),
                      now=T0 + 10 * WEEK)  # fmt: skip
    assert sicker > almost


def test_score_adds_severity_waiting_and_region_terms():
    score = priority(prescreen_total=6, in_region=True, waiting_since=T0, now=T0 + 3 * WEEK)
    assert score == pytest.approx(2 * 6 + 1 * 3 + 10)


def test_nobody_waits_a_negative_time():
    assert priority(prescreen_total=0, in_region=False, waiting_since=T0, now=T0 - WEEK) == 0


def test_living_outside_the_regions_served_costs_ten_weeks_of_waiting_by_default():
    inside = priority(prescreen_total=4, in_region=True, waiting_since=T0, now=T0)
    outside = priority(prescreen_total=4, in_region=False, waiting_since=T0, now=T0 + 10 * WEEK)
    assert inside == pytest.approx(outside)


def test_five_more_prescreen_points_outrank_ten_weeks_less_waiting():
    severe = priority(prescreen_total=10, in_region=True, waiting_since=T0, now=T0 + WEEK)
    mild = priority(prescreen_total=5, in_region=True, waiting_since=T0 - 9 * WEEK, now=T0 + WEEK)
    assert severe > mild


@pytest.mark.parametrize("total", [-1, 13])
def test_prescreen_total_outside_0_to_12_is_refused(total):
    with pytest.raises(ValueError, match="prescreen_total"):
        priority(prescreen_total=total, in_region=False, waiting_since=T0, now=T0)


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="waiting_per_week"):
        PriorityWeights(waiting_per_week=-1)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        priority_key(prescreen_total=1, in_region=False, waiting_since=dt.datetime(2026, 1, 1))  # noqa: DTZ001


@given(total=st.integers(0, 12), in_region=st.booleans(), since=moments, later=moments, w=weights)
def test_the_stored_key_gives_back_the_score_at_any_later_time(total, in_region, since, later, w):
    now = max(since, later)
    key = priority_key(prescreen_total=total, in_region=in_region, waiting_since=since, weights=w)
    expected = priority(
        prescreen_total=total, in_region=in_region, waiting_since=since, now=now, weights=w
    )
    assert priority_on(key, now, w) == pytest.approx(expected, abs=1e-6)


@given(
    a=st.tuples(st.integers(0, 12), st.booleans(), moments),
    b=st.tuples(st.integers(0, 12), st.booleans(), moments),
    w=weights,
)
def test_keys_order_people_as_their_scores_do_once_both_are_waiting(a, b, w):
    now = max(a[2], b[2]) + WEEK
    score = {
        name: priority(prescreen_total=t, in_region=r, waiting_since=s, now=now, weights=w)
        for name, (t, r, s) in {"a": a, "b": b}.items()
    }
    key = {
        name: priority_key(prescreen_total=t, in_region=r, waiting_since=s, weights=w)
        for name, (t, r, s) in {"a": a, "b": b}.items()
    }
    if abs(score["a"] - score["b"]) > 1e-6:
        assert (key["a"] > key["b"]) == (score["a"] > score["b"])


def test_an_override_sets_todays_score_and_then_gains_waiting_points():
    key = override_key(30.0, at=T0)
    assert priority_on(key, T0) == pytest.approx(30.0)
    assert priority_on(key, T0 + 2 * WEEK) == pytest.approx(32.0)


def test_with_no_waiting_weight_an_override_stays_put():
    w = PriorityWeights(waiting_per_week=0)
    assert priority_on(override_key(7.5, at=T0, weights=w), T0 + 50 * WEEK, w) == 7.5
