"""The plausibility table: a reading outside its range is a typo, refused wherever it is
typed; everything inside it is a real reading, however alarming."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketacare.clinical.vitals_ranges import PLAUSIBLE, is_plausible


@pytest.mark.parametrize("measure", sorted(PLAUSIBLE))
def test_both_ends_are_plausible_and_one_past_either_is_not(measure):
    plausible = PLAUSIBLE[measure]
    assert plausible.low < plausible.high
    assert is_plausible(measure, plausible.low) and is_plausible(measure, plausible.high)
    assert not is_plausible(measure, plausible.low - 1)
    assert not is_plausible(measure, plausible.high + 1)
    assert plausible.problem(plausible.high) is None


@pytest.mark.parametrize(
    ("measure", "value", "plausible"),
    [
        ("systolic", 45, True),  # shock, not a typo (the screening review used to refuse it)
        ("systolic", 250, True),  # a crisis: alarming, and recorded
        ("systolic", 350, False),  # the treatments API used to accept anything up to 400
        ("systolic", 1200, False),  # a doubled digit
        ("spo2", 101, False),
        ("spo2", 88.5, True),
        ("weight_kg", Decimal("64.5"), True),
        ("weight_kg", Decimal("19.9"), False),
        ("height_cm", 2, False),  # metres typed into centimetres
    ],
)
def test_readings(measure, value, plausible):
    assert is_plausible(measure, value) is plausible


@pytest.mark.parametrize("value", [True, None, "120", float("nan")])
def test_what_is_not_a_number_is_not_plausible(value):
    assert not is_plausible("systolic", value)


def test_the_problem_names_the_reading_and_the_range():
    assert PLAUSIBLE["systolic"].problem(1200) == (
        "A systolic BP of 1200 is not possible: check the reading (40–300)."
    )


def test_an_unknown_measure_is_an_error_not_a_pass():
    with pytest.raises(KeyError):
        is_plausible("temperature", 37)
