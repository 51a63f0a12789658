"""GAD-7: sum of 7 items, Spitzer 2006 bands, no flags."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import INSTRUMENTS, score
from tests.clinical.helpers import spread


def test_all_zero_is_minimal() -> None:
    result = score("gad7", [0] * 7)
    assert (result.total, result.severity, result.flags, result.subscales) == (
        0,
        "minimal",
        frozenset(),
        {},
    )


def test_all_maximum_is_21_severe_with_no_flags() -> None:
    result = score("gad7", [3] * 7)
    assert (result.total, result.severity, result.flags) == (21, "severe", frozenset())


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
    ],
)
def test_severity_band_boundaries(total: int, severity: str) -> None:
    result = score("gad7", spread(total, 7, 3))
    assert (result.total, result.severity) == (total, severity)


def test_definition_carries_loinc_codes() -> None:
    gad7 = INSTRUMENTS["gad7"]
    assert (gad7.loinc_panel, gad7.loinc_total) == ("69737-5", "70274-6")
