"""PHQ-2 and GAD-2: the first two items of PHQ-9 / GAD-7; positive screen at 3 or more."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import INSTRUMENTS, POSITIVE_SCREEN, score

CODES = ["phq2", "gad2"]


@pytest.mark.parametrize("code", CODES)
def test_all_zero_is_a_negative_screen_with_no_severity(code: str) -> None:
    result = score(code, [0, 0])
    assert (result.total, result.severity, result.flags) == (0, None, frozenset())


@pytest.mark.parametrize("code", CODES)
def test_all_maximum_is_6_and_positive(code: str) -> None:
    result = score(code, [3, 3])
    assert (result.total, result.severity, result.flags) == (6, None, frozenset({POSITIVE_SCREEN}))


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("answers", [[1, 2], [2, 1], [3, 0], [0, 3]])
def test_a_total_of_3_is_a_positive_screen(code: str, answers: list[int]) -> None:
    assert score(code, answers).flags == {POSITIVE_SCREEN}


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("answers", [[1, 1], [2, 0], [0, 2]])
def test_a_total_of_2_is_a_negative_screen(code: str, answers: list[int]) -> None:
    assert score(code, answers).flags == frozenset()


@pytest.mark.parametrize(("short", "full"), [("phq2", "phq9"), ("gad2", "gad7")])
def test_items_are_the_first_two_of_the_full_instrument(short: str, full: str) -> None:
    assert INSTRUMENTS[short].items == INSTRUMENTS[full].items[:2]


def test_phq2_carries_its_loinc_codes_and_gad2_uses_the_local_system() -> None:
    assert (INSTRUMENTS["phq2"].loinc_panel, INSTRUMENTS["phq2"].loinc_total) == (
        "55757-9",
        "55758-7",
    )
    assert INSTRUMENTS["gad2"].loinc_total is None
