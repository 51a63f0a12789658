"""PHQ-9: sum of items 1-9, Kroenke 2001 bands, item 9 flags suicidal ideation."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import INSTRUMENTS, SUICIDAL_IDEATION, score
from tests.clinical.helpers import spread


def phq9_with_total(total: int) -> list[int]:
    # Fill items 1-8 first so item 9 stays 0 (and the flag off) up to a total of 24
    return spread(total, 9, 3)


def test_all_zero_is_minimal_with_no_flags() -> None:
    result = score("phq9", [0] * 9)
    assert (result.total, result.severity, result.flags) == (0, "minimal", frozenset())
    assert result.subscales == {}


def test_all_maximum_is_27_severe_with_suicidal_ideation() -> None:
    result = score("phq9", [3] * 10)
    assert (result.total, result.severity) == (27, "severe")
    assert result.flags == {SUICIDAL_IDEATION}


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (24, "severe"),
    ],
)
def test_severity_band_boundaries(total: int, severity: str) -> None:
    result = score("phq9", phq9_with_total(total))
    assert (result.total, result.severity) == (total, severity)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_of_1_or_more_flags_suicidal_ideation(item9: int) -> None:
    assert score("phq9", [0] * 8 + [item9]).flags == {SUICIDAL_IDEATION}


def test_phq9_item9_of_0_does_not_flag_even_when_everything_else_is_maximal() -> None:
    result = score("phq9", [3] * 8 + [0])
    assert result.total == 24
    assert result.flags == frozenset()


def test_item10_difficulty_is_stored_but_not_scored() -> None:
    without = score("phq9", [1] * 9)
    with_difficulty = score("phq9", [1] * 9 + [3])
    assert with_difficulty.total == without.total == 9
    assert with_difficulty.answers[9] == 3
    assert without.answers[9] is None


def test_item10_may_be_left_blank_in_a_list_or_a_dict() -> None:
    assert score("phq9", [1] * 9 + [None]).total == 9
    assert score("phq9", {n: 1 for n in range(1, 10)}).answers[9] is None


def test_item10_out_of_range_is_still_rejected() -> None:
    from ketacare.clinical.instruments import InvalidAnswers

    with pytest.raises(InvalidAnswers) as caught:
        score("phq9", [0] * 9 + [4])
    assert caught.value.item == 10


def test_definition_carries_loinc_codes_and_ten_items() -> None:
    phq9 = INSTRUMENTS["phq9"]
    assert (phq9.loinc_panel, phq9.loinc_total) == ("44249-1", "44261-6")
    assert len(phq9.items) == 10
    assert [item.scored for item in phq9.items] == [True] * 9 + [False]
    assert phq9.clinician_rated is False
