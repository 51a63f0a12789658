"""Properties every instrument keeps, for any valid (or invalid) answers Hypothesis finds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketacare.clinical.instruments import INSTRUMENTS, InvalidAnswers, score
from ketacare.clinical.instruments.base import Instrument

CODES = list(INSTRUMENTS)
# Few examples per instrument keep the whole clinical suite well under 20 s.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid_answers(instrument: Instrument) -> st.SearchStrategy[list[Any]]:
    def one(item: Any) -> st.SearchStrategy[Any]:
        value: st.SearchStrategy[Any] = st.integers(item.allowed.start, item.allowed.stop - 1)
        if instrument.accepts_bools:
            value = value | st.booleans()
        return value if item.required else (value | st.none())

    return st.tuples(*(one(item) for item in instrument.items)).map(list)


def band_label(instrument: Instrument, total: float) -> str | None:
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band.label
    return None


@pytest.mark.parametrize("code", CODES)
@FAST
@given(data=st.data())
def test_total_is_always_within_the_instruments_range(code: str, data: st.DataObject) -> None:
    instrument = INSTRUMENTS[code]
    result = score(code, data.draw(valid_answers(instrument)))
    low, high = instrument.total_range
    assert low <= result.total <= high
    assert result.flags <= set(instrument.flags)
    assert set(result.subscales) == set(instrument.subscales)


@pytest.mark.parametrize("code", [c for c in CODES if INSTRUMENTS[c].bands])
@FAST
@given(data=st.data())
def test_severity_is_the_band_of_the_total_and_rises_with_it(
    code: str, data: st.DataObject
) -> None:
    instrument = INSTRUMENTS[code]
    first = score(code, data.draw(valid_answers(instrument)))
    second = score(code, data.draw(valid_answers(instrument)))
    assert first.severity == band_label(instrument, first.total)
    rank = instrument.severity_labels.index
    if first.total <= second.total:
        assert rank(first.severity) <= rank(second.severity)


@pytest.mark.parametrize("code", CODES)
@FAST
@given(data=st.data())
def test_list_and_dict_answers_give_the_same_result(code: str, data: st.DataObject) -> None:
    answers = data.draw(valid_answers(INSTRUMENTS[code]))
    as_list = score(code, answers)
    assert score(code, {n: v for n, v in enumerate(answers, 1) if v is not None}) == as_list
    assert score(code, {str(n): v for n, v in enumerate(answers, 1)}) == as_list
    assert score(code, tuple(answers)) == as_list


SUM_CODES = [c for c in CODES if c not in ("cssrs_screen", "bpi_sf", "qids_sr16")]


@pytest.mark.parametrize("code", SUM_CODES)
@FAST
@given(data=st.data())
def test_sum_instruments_total_the_scored_items(code: str, data: st.DataObject) -> None:
    instrument = INSTRUMENTS[code]
    answers = data.draw(valid_answers(instrument))
    scored = [v for item, v in zip(instrument.items, answers, strict=True) if item.scored]
    assert score(code, answers).total == sum(scored)


BAD_VALUES = (
    st.floats(allow_nan=True)
    | st.text(max_size=3)
    | st.integers(min_value=11)
    | st.integers(max_value=-1)
    | st.lists(st.integers(), max_size=2)
)


@pytest.mark.parametrize("code", CODES)
@FAST
@given(data=st.data())
def test_one_bad_value_is_reported_against_its_item(code: str, data: st.DataObject) -> None:
    instrument = INSTRUMENTS[code]
    answers = data.draw(valid_answers(instrument))
    index = data.draw(st.integers(0, len(answers) - 1))
    bad = data.draw(BAD_VALUES | (st.booleans() if not instrument.accepts_bools else st.nothing()))
    answers[index] = bad
    with pytest.raises(InvalidAnswers) as caught:
        score(code, answers)
    assert caught.value.item == index + 1
    assert f"item {index + 1}:" in str(caught.value)


ANY_VALUE = st.none() | st.booleans() | st.integers(-5, 15) | st.floats() | st.text(max_size=2)


@pytest.mark.parametrize("code", CODES)
@FAST
@given(
    answers=st.lists(ANY_VALUE, max_size=25)
    | st.dictionaries(st.integers(-2, 25) | st.text(max_size=3), ANY_VALUE, max_size=25)
)
def test_arbitrary_input_scores_or_raises_invalid_answers_only(code: str, answers: Any) -> None:
    try:
        result = score(code, answers)
    except InvalidAnswers:
        return
    low, high = INSTRUMENTS[code].total_range
    assert low <= result.total <= high
