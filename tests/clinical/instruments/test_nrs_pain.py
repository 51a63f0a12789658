"""Pain NRS: one 0-10 rating, bands none / mild / moderate / severe."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import score


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        (0, "none"),
        (1, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (10, "severe"),
    ],
)
def test_bands(value: int, severity: str) -> None:
    result = score("nrs_pain", [value])
    assert (result.total, result.severity, result.flags, result.subscales) == (
        value,
        severity,
        frozenset(),
        {},
    )


def test_a_dict_with_the_single_item_works() -> None:
    assert score("nrs_pain", {"1": 5}).total == 5
