"""Every instrument by its code, and `score(code, answers)`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import (
    bpi_sf,
    cadss,
    cssrs_screen,
    gad2,
    gad7,
    madrs,
    nrs_pain,
    pcl5,
    phq2,
    phq9,
    qids_sr16,
    ybocs,
)
from .base import Answers, Instrument, ScoreResult, UnknownInstrument

# Codes appear in URLs and stored records: never rename one.
INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {
        module.INSTRUMENT.code: module.INSTRUMENT
        for module in (
            phq9,
            gad7,
            phq2,
            gad2,
            pcl5,
            qids_sr16,
            madrs,
            ybocs,
            cadss,
            cssrs_screen,
            bpi_sf,
            nrs_pain,
        )
    }
)

# Local FHIR code system for instruments without a confirmed LOINC code (reference §5)
LOCAL_CODE_SYSTEM = "http://ketacare.org/fhir/CodeSystem/instrument"


def get_instrument(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except (KeyError, TypeError):  # TypeError: an unhashable code from a JSON body
        raise UnknownInstrument(code, tuple(INSTRUMENTS)) from None


def score(code: str, answers: Answers) -> ScoreResult:
    """Score `answers` (a list in item order, or {item_number: value}) for instrument `code`.

    Raises UnknownInstrument for an unknown code and InvalidAnswers (a ValueError naming
    the item) for answers the instrument does not allow.
    """
    try:
        instrument = INSTRUMENTS[code]
    except (KeyError, TypeError):
        raise UnknownInstrument(code, tuple(INSTRUMENTS)) from None
    return instrument.scorer(instrument.check(answers))
