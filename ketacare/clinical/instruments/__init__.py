"""Rating instruments: items, allowed answers, scoring, severity bands and flags.

score("phq9", [1, 2, 0, 1, 0, 0, 1, 0, 1])  # -> ScoreResult(total=6, severity="mild", ...)
"""

from .base import Band, Instrument, InvalidAnswers, Item, ScoreResult, UnknownInstrument
from .codes import (
    ALL_FLAGS,
    DSM5_CRITERIA_MET,
    POSITIVE_SCREEN,
    PROBABLE_PTSD,
    SUICIDAL_IDEATION,
    SUICIDE_RISK_HIGH,
)
from .registry import INSTRUMENTS, LOCAL_CODE_SYSTEM, get_instrument, score

__all__ = [
    "ALL_FLAGS",
    "DSM5_CRITERIA_MET",
    "INSTRUMENTS",
    "LOCAL_CODE_SYSTEM",
    "POSITIVE_SCREEN",
    "PROBABLE_PTSD",
    "SUICIDAL_IDEATION",
    "SUICIDE_RISK_HIGH",
    "Band",
    "Instrument",
    "InvalidAnswers",
    "Item",
    "ScoreResult",
    "UnknownInstrument",
    "get_instrument",
    "score",
]
