"""Y-BOCS: clinician-rated, 10 items 0-4, obsessions and compulsions subscales."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import INSTRUMENTS, score
from tests.clinical.helpers import spread


def test_all_zero_is_subclinical() -> None:
    result = score("ybocs", [0] * 10)
    assert (result.total, result.severity, result.flags) == (0, "subclinical", frozenset())
    assert result.subscales == {"obsessions": 0, "compulsions": 0}


def test_all_maximum_is_40_extreme() -> None:
    result = score("ybocs", [4] * 10)
    assert (result.total, result.severity) == (40, "extreme")
    assert result.subscales == {"obsessions": 20, "compulsions": 20}


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (7, "subclinical"),
        (8, "mild"),
        (15, "mild"),
        (16, "moderate"),
        (23, "moderate"),
        (24, "severe"),
        (31, "severe"),
        (32, "extreme"),
    ],
)
def test_severity_band_boundaries(total: int, severity: str) -> None:
    result = score("ybocs", spread(total, 10, 4))
    assert (result.total, result.severity) == (total, severity)


def test_obsessions_are_items_1_to_5_and_compulsions_6_to_10() -> None:
    result = score("ybocs", [1, 2, 3, 4, 0, 0, 0, 1, 1, 1])
    assert result.subscales == {"obsessions": 10, "compulsions": 3}
    assert result.total == 13


def test_ybocs_is_clinician_rated() -> None:
    assert INSTRUMENTS["ybocs"].clinician_rated is True
