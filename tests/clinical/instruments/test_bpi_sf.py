"""BPI-SF: total = mean of the 4 severity items; interference = mean of items 5-11 when at
least 4 are answered."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import InvalidAnswers, score


def test_all_zero_gives_zero_severity_and_interference() -> None:
    result = score("bpi_sf", [0] * 11)
    assert (result.total, result.severity, result.flags) == (0.0, None, frozenset())
    assert result.subscales == {"severity": 0.0, "interference": 0.0}


def test_all_maximum_gives_ten_and_ten() -> None:
    result = score("bpi_sf", [10] * 11)
    assert result.total == 10.0
    assert result.subscales == {"severity": 10.0, "interference": 10.0}


@pytest.mark.parametrize(
    ("severity_items", "mean"),
    [([1, 2, 2, 2], 1.75), ([0, 0, 0, 1], 0.25), ([7, 3, 5, 6], 5.25), ([9, 9, 9, 10], 9.25)],
)
def test_total_is_the_mean_of_items_1_to_4(severity_items: list[int], mean: float) -> None:
    result = score("bpi_sf", severity_items)
    assert result.total == result.subscales["severity"] == mean


def test_a_list_may_stop_after_the_four_severity_items() -> None:
    result = score("bpi_sf", [4, 4, 4, 4])
    assert result.subscales["interference"] is None
    assert result.answers[4:] == (None,) * 7


@pytest.mark.parametrize("missing", [1, 2, 3, 4])
def test_every_severity_item_is_required(missing: int) -> None:
    values: list[int | None] = [5] * 11
    values[missing - 1] = None
    with pytest.raises(InvalidAnswers) as caught:
        score("bpi_sf", values)
    assert caught.value.item == missing


def test_interference_needs_at_least_4_of_its_7_items() -> None:
    three = {1: 5, 2: 5, 3: 5, 4: 5, 5: 6, 6: 6, 7: 6}
    four = {**three, 11: 2}
    assert score("bpi_sf", three).subscales["interference"] is None
    assert score("bpi_sf", four).subscales["interference"] == 5.0


@pytest.mark.parametrize(
    ("interference", "mean"),
    [
        ([1, 1, 1, 1, 1, 1, 2], 1.14),  # 8/7
        ([1, 1, 1, 1, 1, 0, None], 0.83),  # 5/6
        ([2, None, 2, None, 3, None, 3], 2.5),
        ([10, 9, 9, 9, 9, 9, 9], 9.14),  # 64/7
    ],
)
def test_interference_is_the_mean_of_the_answered_items_to_2_decimals(
    interference: list[int | None], mean: float
) -> None:
    result = score("bpi_sf", [0, 0, 0, 0, *interference])
    assert result.subscales["interference"] == mean
    assert result.total == 0.0


def test_interference_does_not_change_the_total() -> None:
    assert score("bpi_sf", [6, 2, 4, 4] + [10] * 7).total == 4.0
