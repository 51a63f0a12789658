"""CADSS: the 23 subject-rated items, a plain sum 0-92, no bands or flags."""

from __future__ import annotations

from ketacare.clinical.instruments import INSTRUMENTS, score


def test_all_zero_is_0() -> None:
    result = score("cadss", [0] * 23)
    assert (result.total, result.severity, result.flags, result.subscales) == (
        0,
        None,
        frozenset(),
        {},
    )


def test_all_maximum_is_92() -> None:
    assert score("cadss", [4] * 23).total == 92


def test_total_is_the_sum_of_the_items() -> None:
    values = [n % 5 for n in range(23)]
    assert score("cadss", values).total == sum(values)


def test_cadss_has_23_items_and_no_bands() -> None:
    cadss = INSTRUMENTS["cadss"]
    assert len(cadss.items) == 23
    assert cadss.bands == ()
