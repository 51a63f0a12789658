"""Answer checking shared by every instrument: what InvalidAnswers catches and how it says so."""

from __future__ import annotations

import pytest

from ketacare.clinical.instruments import (
    INSTRUMENTS,
    InvalidAnswers,
    UnknownInstrument,
    score,
)

# code: (number of items, lowest value, highest value, shortest list accepted)
SPEC = {
    "phq9": (10, 0, 3, 9),
    "gad7": (7, 0, 3, 7),
    "phq2": (2, 0, 3, 2),
    "gad2": (2, 0, 3, 2),
    "pcl5": (20, 0, 4, 20),
    "qids_sr16": (16, 0, 3, 16),
    "madrs": (10, 0, 6, 10),
    "ybocs": (10, 0, 4, 10),
    "cadss": (23, 0, 4, 23),
    "cssrs_screen": (7, 0, 1, 7),
    "bpi_sf": (11, 0, 10, 4),
    "nrs_pain": (1, 0, 10, 1),
}
CODES = list(SPEC)


def valid(code: str) -> list[int]:
    items, _, high, _ = SPEC[code]
    return [high] * items


def rejects(code: str, answers: object, *, item: int | None) -> InvalidAnswers:
    with pytest.raises(InvalidAnswers) as caught:
        score(code, answers)  # type: ignore[arg-type]
    assert caught.value.item == item
    return caught.value


def test_the_spec_table_covers_every_instrument() -> None:
    assert set(SPEC) == set(INSTRUMENTS)


def test_invalid_answers_is_a_value_error() -> None:
    assert issubclass(InvalidAnswers, ValueError)


def test_message_names_the_item_the_value_and_the_allowed_values() -> None:
    error = rejects("phq9", [0, 0, 4, 0, 0, 0, 0, 0, 0], item=3)
    assert str(error) == "item 3: 4 is not allowed (allowed: 0–3)"


@pytest.mark.parametrize("code", CODES)
def test_a_valid_list_scores(code: str) -> None:
    assert score(code, valid(code)).code == code


@pytest.mark.parametrize("code", CODES)
def test_a_tuple_scores_like_a_list(code: str) -> None:
    assert score(code, tuple(valid(code))) == score(code, valid(code))


@pytest.mark.parametrize("code", CODES)
def test_a_dict_with_int_or_string_keys_scores_like_a_list(code: str) -> None:
    answers = valid(code)
    expected = score(code, answers)
    assert score(code, {n: v for n, v in enumerate(answers, 1)}) == expected
    assert score(code, {str(n): v for n, v in enumerate(answers, 1)}) == expected


@pytest.mark.parametrize("code", CODES)
def test_one_answer_too_many_is_a_count_error(code: str) -> None:
    items = SPEC[code][0]
    error = rejects(code, valid(code) + [0], item=None)
    assert f"got {items + 1}" in str(error)


@pytest.mark.parametrize("code", CODES)
def test_one_answer_too_few_is_a_count_error(code: str) -> None:
    shortest = SPEC[code][3]
    error = rejects(code, valid(code)[: shortest - 1], item=None)
    assert f"got {shortest - 1}" in str(error)


@pytest.mark.parametrize("code", CODES)
def test_an_empty_list_is_a_count_error(code: str) -> None:
    rejects(code, [], item=None)


@pytest.mark.parametrize("code", [c for c in CODES if c not in ("phq9", "bpi_sf")])
def test_a_missing_item_in_a_list_is_rejected(code: str) -> None:
    items = SPEC[code][0]
    for number in (1, items):
        answers: list[int | None] = list(valid(code))
        answers[number - 1] = None
        error = rejects(code, answers, item=number)
        assert str(error).startswith(f"item {number}: missing (allowed: ")


@pytest.mark.parametrize("code", CODES)
def test_an_item_absent_from_a_dict_is_missing(code: str) -> None:
    answers = {n: v for n, v in enumerate(valid(code), 1) if n != 1}
    error = rejects(code, answers, item=1)
    assert "missing" in str(error)


@pytest.mark.parametrize("code", CODES)
def test_a_value_one_above_the_range_is_rejected(code: str) -> None:
    _, _, high, _ = SPEC[code]
    answers = valid(code)
    answers[0] = high + 1
    error = rejects(code, answers, item=1)
    assert f"item 1: {high + 1} is not allowed (allowed: 0–{high}" in str(error)


@pytest.mark.parametrize("code", CODES)
def test_a_negative_value_is_rejected(code: str) -> None:
    answers = valid(code)
    answers[-1] = -1
    rejects(code, answers, item=len(answers))


@pytest.mark.parametrize("code", CODES)
def test_a_float_is_rejected_even_when_whole(code: str) -> None:
    answers: list[object] = list(valid(code))
    answers[0] = 1.0
    error = rejects(code, answers, item=1)
    assert "1.0 is not allowed" in str(error)


@pytest.mark.parametrize("code", CODES)
def test_a_string_value_is_rejected(code: str) -> None:
    answers: list[object] = list(valid(code))
    answers[0] = "1"
    error = rejects(code, answers, item=1)
    assert "'1' is not allowed" in str(error)


@pytest.mark.parametrize("code", [c for c in CODES if c != "cssrs_screen"])
def test_a_bool_is_rejected_where_a_number_is_expected(code: str) -> None:
    answers: list[object] = list(valid(code))
    answers[0] = True
    error = rejects(code, answers, item=1)
    assert "True is not allowed" in str(error)


def test_cssrs_accepts_bools_as_yes_and_no() -> None:
    as_bools = score("cssrs_screen", [True, False, False, False, False, True, False])
    as_ints = score("cssrs_screen", [1, 0, 0, 0, 0, 1, 0])
    assert as_bools == as_ints
    assert as_bools.answers == (1, 0, 0, 0, 0, 1, 0)


def test_cssrs_names_bools_in_its_allowed_values() -> None:
    error = rejects("cssrs_screen", [2, 0, 0, 0, 0, 0, 0], item=1)
    assert str(error) == "item 1: 2 is not allowed (allowed: 0–1 or false/true)"


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("key", [0, -1, "0", "x", "1.0", " 1", "", None, 1.0, True, (1,)])
def test_a_key_that_is_not_an_item_number_is_rejected(code: str, key: object) -> None:
    # Item 1 is left out so that keys equal to 1 (True, 1.0) do not merge with it
    answers: dict[object, int] = {n: v for n, v in enumerate(valid(code), 1) if n != 1}
    answers[key] = 0
    error = rejects(code, answers, item=None)
    assert "is not an item number" in str(error)


@pytest.mark.parametrize("code", CODES)
def test_a_key_past_the_last_item_is_rejected(code: str) -> None:
    items = SPEC[code][0]
    answers: dict[object, int] = {n: v for n, v in enumerate(valid(code), 1)}
    answers[items + 1] = 0
    error = rejects(code, answers, item=None)
    assert f"(items 1–{items})" in str(error)


def test_an_item_given_as_both_int_and_string_key_is_rejected() -> None:
    answers: dict[object, int] = {n: 0 for n in range(1, 8)}
    answers["1"] = 0
    error = rejects("gad7", answers, item=1)
    assert "answered twice" in str(error)


def test_a_string_key_with_leading_zero_means_that_item() -> None:
    answers = {f"0{n}": 1 for n in range(1, 8)}
    assert score("gad7", answers).total == 7


@pytest.mark.parametrize("answers", ["0000000", b"0000000", 7, None, 1.5, {0, 1}, object()])
def test_answers_that_are_neither_list_nor_dict_are_rejected(answers: object) -> None:
    error = rejects("gad7", answers, item=None)
    assert "list" in str(error)


def test_a_value_error_from_one_item_does_not_hide_an_earlier_bad_item() -> None:
    rejects("gad7", [0, "x", 9, 0, 0, 0, 0], item=2)


def test_an_unknown_code_raises_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrument) as caught:
        score("phq8", [0] * 8)
    assert isinstance(caught.value, LookupError)
    assert "phq8" in str(caught.value)
    assert "phq9" in str(caught.value)  # lists the known codes


@pytest.mark.parametrize("code", [None, 9, ["phq9"], "PHQ9", ""])
def test_codes_are_exact_strings(code: object) -> None:
    with pytest.raises(UnknownInstrument):
        score(code, [0] * 9)  # type: ignore[arg-type]


def test_the_callers_list_is_not_changed() -> None:
    answers = [True, 0, 0, 0, 0, 0, None]
    with pytest.raises(InvalidAnswers):
        score("cssrs_screen", answers)
    assert answers == [True, 0, 0, 0, 0, 0, None]
