"""INSTRUMENTS: every definition as data pages and the API can show, and the score result."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ketacare.clinical.instruments import (
    ALL_FLAGS,
    INSTRUMENTS,
    LOCAL_CODE_SYSTEM,
    ScoreResult,
    UnknownInstrument,
    get_instrument,
    score,
)

CODES = [
    "phq9",
    "gad7",
    "phq2",
    "gad2",
    "pcl5",
    "qids_sr16",
    "madrs",
    "ybocs",
    "cadss",
    "cssrs_screen",
    "bpi_sf",
    "nrs_pain",
]
TOTAL_RANGES = {
    "phq9": (0, 27),
    "gad7": (0, 21),
    "phq2": (0, 6),
    "gad2": (0, 6),
    "pcl5": (0, 80),
    "qids_sr16": (0, 27),
    "madrs": (0, 60),
    "ybocs": (0, 40),
    "cadss": (0, 92),
    "cssrs_screen": (0, 6),
    "bpi_sf": (0, 10),
    "nrs_pain": (0, 10),
}


def test_instruments_holds_exactly_the_reference_codes_in_order() -> None:
    assert list(INSTRUMENTS) == CODES


def test_instruments_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        INSTRUMENTS["phq9"] = INSTRUMENTS["gad7"]  # type: ignore[index]


@pytest.mark.parametrize("code", CODES)
def test_definition_is_complete(code: str) -> None:
    instrument = INSTRUMENTS[code]
    assert instrument.code == code
    assert instrument.title and instrument.source and instrument.instructions
    assert instrument.total_range == TOTAL_RANGES[code]
    for number, item in enumerate(instrument.items, start=1):
        assert item.number == number
        assert item.text.strip()
        assert item.allowed_values == tuple(range(item.allowed.start, item.allowed.stop))
        assert not item.choices or len(item.choices) == len(item.allowed_values)


@pytest.mark.parametrize("code", [c for c in CODES if INSTRUMENTS[c].bands])
def test_bands_cover_the_total_range_without_gaps(code: str) -> None:
    instrument = INSTRUMENTS[code]
    bands = instrument.bands
    assert bands[0].low == instrument.total_range[0]
    assert bands[-1].high == instrument.total_range[1]
    for before, after in zip(bands, bands[1:], strict=False):
        assert after.low == before.high + 1
    assert instrument.severity_labels == tuple(band.label for band in bands)
    assert all(band.label == band.label.lower() for band in bands)


@pytest.mark.parametrize(
    ("code", "labels"),
    [
        ("phq9", ["minimal", "mild", "moderate", "moderately severe", "severe"]),
        ("gad7", ["minimal", "mild", "moderate", "severe"]),
        ("qids_sr16", ["none", "mild", "moderate", "severe", "very severe"]),
        ("madrs", ["normal", "mild", "moderate", "severe"]),
        ("ybocs", ["subclinical", "mild", "moderate", "severe", "extreme"]),
        ("nrs_pain", ["none", "mild", "moderate", "severe"]),
    ],
)
def test_severity_labels_are_the_reference_strings(code: str, labels: list[str]) -> None:
    assert list(INSTRUMENTS[code].severity_labels) == labels


@pytest.mark.parametrize("code", ["phq2", "gad2", "pcl5", "cadss", "bpi_sf"])
def test_instruments_without_bands_give_no_severity(code: str) -> None:
    instrument = INSTRUMENTS[code]
    assert instrument.bands == ()
    answers = [item.allowed.stop - 1 for item in instrument.items]
    assert score(code, answers).severity is None


def test_only_madrs_and_ybocs_are_clinician_rated() -> None:
    assert {c for c, i in INSTRUMENTS.items() if i.clinician_rated} == {"madrs", "ybocs"}


def test_loinc_codes_are_given_only_where_confirmed() -> None:
    with_loinc = {c: (i.loinc_panel, i.loinc_total) for c, i in INSTRUMENTS.items()}
    assert with_loinc["phq9"] == ("44249-1", "44261-6")
    assert with_loinc["gad7"] == ("69737-5", "70274-6")
    for code in ("pcl5", "qids_sr16", "madrs", "ybocs", "cadss", "cssrs_screen", "bpi_sf"):
        assert with_loinc[code] == (None, None)
    # Instruments without LOINC codes are coded in our own system: an absolute URI, one per
    # code system (FHIR Coding.system), distinct from LOINC's.
    assert LOCAL_CODE_SYSTEM.startswith("http://") and LOCAL_CODE_SYSTEM != "http://loinc.org"


def test_every_declared_flag_is_a_known_flag() -> None:
    for instrument in INSTRUMENTS.values():
        assert set(instrument.flags) <= ALL_FLAGS


def test_get_instrument_returns_the_definition_or_raises() -> None:
    assert get_instrument("gad7") is INSTRUMENTS["gad7"]
    with pytest.raises(UnknownInstrument):
        get_instrument("nope")


def test_as_dict_is_json_ready_with_flags_sorted() -> None:
    result = score("pcl5", [4] * 20)
    data = result.as_dict()
    assert data == {
        "code": "pcl5",
        "total": 80,
        "severity": None,
        "flags": ["dsm5_criteria_met", "probable_ptsd"],
        "subscales": {"B": 20, "C": 8, "D": 28, "E": 24},
        "answers": [4] * 20,
    }
    assert json.loads(json.dumps(data)) == data


def test_score_result_is_immutable() -> None:
    result = score("gad7", [0] * 7)
    assert isinstance(result, ScoreResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 3  # type: ignore[misc]
    assert isinstance(result.flags, frozenset)
