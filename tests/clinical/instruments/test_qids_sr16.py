"""QIDS-SR16: nine domains, three of them the highest of their items (Rush 2003)."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import SUICIDAL_IDEATION, score
from tests.clinical.helpers import spread


def from_domains(domains: list[int]) -> list[int]:
    """Answers whose nine domain scores are `domains` (sleep, sad, appetite/weight,
    concentration, self-view, suicide, interest, energy, psychomotor)."""
    sleep, sad, appetite, concentration, self_view, suicide, interest, energy, psycho = domains
    return [
        sleep, 0, 0, 0,
        sad,
        appetite, 0, 0, 0,
        concentration, self_view, suicide, interest, energy,
        psycho, 0,
    ]  # fmt: skip


def with_total(total: int) -> list[int]:
    # Fill the domains from the end so that item 12 (suicide) stays 0 as long as possible
    return from_domains(spread(total, 9, 3)[::-1])


def test_all_zero_is_none() -> None:
    result = score("qids_sr16", [0] * 16)
    assert (result.total, result.severity, result.flags) == (0, "none", frozenset())
    assert result.subscales == {"sleep": 0, "appetite_weight": 0, "psychomotor": 0}


def test_all_maximum_is_27_very_severe_with_suicidal_ideation() -> None:
    result = score("qids_sr16", [3] * 16)
    assert (result.total, result.severity) == (27, "very severe")
    assert result.flags == {SUICIDAL_IDEATION}
    assert result.subscales == {"sleep": 3, "appetite_weight": 3, "psychomotor": 3}


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (5, "none"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "severe"),
        (20, "severe"),
        (21, "very severe"),
    ],
)
def test_severity_band_boundaries(total: int, severity: str) -> None:
    result = score("qids_sr16", with_total(total))
    assert (result.total, result.severity) == (total, severity)


@pytest.mark.parametrize(
    ("items", "subscale"),
    [((1, 2, 3, 4), "sleep"), ((6, 7, 8, 9), "appetite_weight"), ((15, 16), "psychomotor")],
)
def test_a_max_domain_counts_its_highest_item_once(items: tuple[int, ...], subscale: str) -> None:
    for number in items:
        one = [0] * 16
        one[number - 1] = 2
        result = score("qids_sr16", one)
        assert (result.total, result.subscales[subscale]) == (2, 2)
    every = [0] * 16
    for number in items:
        every[number - 1] = 1
    every[items[-1] - 1] = 3
    result = score("qids_sr16", every)
    assert (result.total, result.subscales[subscale]) == (3, 3)


@pytest.mark.parametrize("number", [5, 10, 11, 12, 13, 14])
def test_single_item_domains_add_their_value(number: int) -> None:
    values = [0] * 16
    values[number - 1] = 3
    assert score("qids_sr16", values).total == 3


def test_item12_of_1_flags_suicidal_ideation() -> None:
    values = [0] * 16
    values[11] = 1
    assert score("qids_sr16", values).flags == {SUICIDAL_IDEATION}


def test_item12_of_0_does_not_flag() -> None:
    values = [3] * 16
    values[11] = 0
    assert score("qids_sr16", values).flags == frozenset()
