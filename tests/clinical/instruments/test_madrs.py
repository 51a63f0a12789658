"""MADRS: clinician-rated, 10 items 0-6, Snaith bands, item 10 >= 2 flags ideation."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import INSTRUMENTS, SUICIDAL_IDEATION, score
from tests.clinical.helpers import spread


def test_all_zero_is_normal() -> None:
    result = score("madrs", [0] * 10)
    assert (result.total, result.severity, result.flags, result.subscales) == (
        0,
        "normal",
        frozenset(),
        {},
    )


def test_all_maximum_is_60_severe_with_suicidal_ideation() -> None:
    result = score("madrs", [6] * 10)
    assert (result.total, result.severity, result.flags) == (
        60,
        "severe",
        frozenset({SUICIDAL_IDEATION}),
    )


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (6, "normal"),
        (7, "mild"),
        (19, "mild"),
        (20, "moderate"),
        (34, "moderate"),
        (35, "severe"),
        (54, "severe"),
    ],
)
def test_severity_band_boundaries(total: int, severity: str) -> None:
    # spread() fills from item 1, so item 10 stays 0 up to 54
    result = score("madrs", spread(total, 10, 6))
    assert (result.total, result.severity) == (total, severity)


@pytest.mark.parametrize("item10", [2, 3, 6])
def test_item10_of_2_or_more_flags_suicidal_ideation(item10: int) -> None:
    assert score("madrs", [0] * 9 + [item10]).flags == {SUICIDAL_IDEATION}


@pytest.mark.parametrize("item10", [0, 1])
def test_item10_below_2_does_not_flag(item10: int) -> None:
    assert score("madrs", [6] * 9 + [item10]).flags == frozenset()


def test_madrs_is_clinician_rated() -> None:
    assert INSTRUMENTS["madrs"].clinician_rated is True
