"""PCL-5: sum of 20 items, DSM-5 cluster subscales, probable PTSD at 33, cluster criteria."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import DSM5_CRITERIA_MET, PROBABLE_PTSD, score

CLUSTERS = {"B": range(1, 6), "C": range(6, 8), "D": range(8, 15), "E": range(15, 21)}


def answers(**by_item: int) -> list[int]:
    values = [0] * 20
    for name, value in by_item.items():
        values[int(name.removeprefix("i")) - 1] = value
    return values


# The fewest endorsements that meet DSM-5: 1 B, 1 C, 2 D, 2 E, each rated 2
MINIMAL_CRITERIA = {"i1": 2, "i6": 2, "i8": 2, "i9": 2, "i15": 2, "i16": 2}


def test_all_zero_has_no_flags_and_zero_subscales() -> None:
    result = score("pcl5", [0] * 20)
    assert (result.total, result.severity, result.flags) == (0, None, frozenset())
    assert result.subscales == {"B": 0, "C": 0, "D": 0, "E": 0}


def test_all_maximum_is_80_with_both_flags() -> None:
    result = score("pcl5", [4] * 20)
    assert result.total == 80
    assert result.flags == {PROBABLE_PTSD, DSM5_CRITERIA_MET}
    assert result.subscales == {"B": 20, "C": 8, "D": 28, "E": 24}


def test_a_total_of_33_is_probable_ptsd() -> None:
    values = [2] * 16 + [1, 0, 0, 0]
    assert sum(values) == 33
    assert PROBABLE_PTSD in score("pcl5", values).flags


def test_a_total_of_32_is_not_probable_ptsd() -> None:
    values = [2] * 16 + [0, 0, 0, 0]
    assert sum(values) == 32
    assert PROBABLE_PTSD not in score("pcl5", values).flags


def test_the_minimal_cluster_pattern_meets_dsm5_criteria_without_probable_ptsd() -> None:
    result = score("pcl5", answers(**MINIMAL_CRITERIA))
    assert result.total == 12
    assert result.flags == {DSM5_CRITERIA_MET}


@pytest.mark.parametrize("dropped", ["i1", "i6", "i8", "i15"])
def test_one_cluster_short_of_its_minimum_does_not_meet_criteria(dropped: str) -> None:
    pattern = {**MINIMAL_CRITERIA, dropped: 1}  # 1 ("a little bit") is not endorsed
    assert DSM5_CRITERIA_MET not in score("pcl5", answers(**pattern)).flags


def test_an_item_rated_1_never_counts_as_endorsed() -> None:
    result = score("pcl5", [1] * 20)
    assert result.total == 20
    assert result.flags == frozenset()


def test_high_total_without_the_cluster_pattern_is_probable_ptsd_only() -> None:
    # Every B, D and E item at 4 but both C (avoidance) items at 0
    values = [4] * 5 + [0, 0] + [4] * 13
    result = score("pcl5", values)
    assert result.flags == {PROBABLE_PTSD}


@pytest.mark.parametrize(("cluster", "items"), list(CLUSTERS.items()))
def test_each_subscale_sums_its_cluster_items(cluster: str, items: range) -> None:
    values = [0] * 20
    for number in items:
        values[number - 1] = 3
    result = score("pcl5", values)
    assert result.subscales[cluster] == 3 * len(items)
    assert sum(v for k, v in result.subscales.items() if k != cluster) == 0  # type: ignore[misc]
