"""C-SSRS screener: yes/no items, risk level from which items are yes."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import (
    INSTRUMENTS,
    SUICIDAL_IDEATION,
    SUICIDE_RISK_HIGH,
    score,
)


def yes(*items: int) -> list[int]:
    return [1 if n in items else 0 for n in range(1, 8)]


def test_all_no_is_none_with_no_flags() -> None:
    result = score("cssrs_screen", yes())
    assert (result.total, result.severity, result.flags) == (0, "none", frozenset())


def test_all_yes_is_high_with_both_flags_and_a_total_of_6() -> None:
    result = score("cssrs_screen", [True] * 7)
    assert (result.total, result.severity) == (6, "high")
    assert result.flags == {SUICIDE_RISK_HIGH, SUICIDAL_IDEATION}


@pytest.mark.parametrize(
    ("item", "severity", "flags"),
    [
        (1, "low", {SUICIDAL_IDEATION}),
        (2, "low", {SUICIDAL_IDEATION}),
        (3, "moderate", set()),
        (4, "high", {SUICIDE_RISK_HIGH}),
        (5, "high", {SUICIDE_RISK_HIGH}),
        (6, "moderate", set()),
        (7, "high", {SUICIDE_RISK_HIGH}),
    ],
)
def test_each_yes_alone(item: int, severity: str, flags: set[str]) -> None:
    result = score("cssrs_screen", yes(item))
    assert (result.severity, result.flags) == (severity, frozenset(flags))


def test_total_counts_yes_answers_among_items_1_to_6_only() -> None:
    assert score("cssrs_screen", yes(7)).total == 0
    assert score("cssrs_screen", yes(1, 3, 6)).total == 3


def test_high_outranks_moderate_and_low() -> None:
    assert score("cssrs_screen", yes(1, 2, 3, 4)).severity == "high"


def test_moderate_outranks_low_and_keeps_the_ideation_flag() -> None:
    result = score("cssrs_screen", yes(1, 3))
    assert (result.severity, result.flags) == ("moderate", frozenset({SUICIDAL_IDEATION}))


def test_bools_and_ints_can_be_mixed() -> None:
    assert score("cssrs_screen", [True, 0, False, 0, 0, 1, False]) == score(
        "cssrs_screen", yes(1, 6)
    )


def test_risk_levels_are_listed_mildest_first() -> None:
    assert INSTRUMENTS["cssrs_screen"].severity_labels == ("none", "low", "moderate", "high")
