"""Y-BOCS, Yale–Brown Obsessive Compulsive Scale severity items (Goodman et al. 1989),
clinician-rated.

Item descriptions are paraphrased in our own words; the scoring is the published one.
"""

from __future__ import annotations

from .base import Band, Instrument, Item, ScoreResult, Values, severity_table
from .codes import EXTREME, MILD, MODERATE, SEVERE, SUBCLINICAL

CODE = "ybocs"
_ASPECTS = (
    "time taken up by {0}",
    "interference with work, social life or daily activities from {0}",
    "distress caused by {0}",
    "effort made to resist {0}",
    "degree of control over {0}",
)
ANCHORS = ("0 none", "1 mild", "2 moderate", "3 severe", "4 extreme")
ITEMS = tuple(
    Item(n, text[0].upper() + text[1:], range(5), ANCHORS)
    for n, text in enumerate(
        [aspect.format("obsessive thoughts") for aspect in _ASPECTS]
        + [aspect.format("compulsive behaviours") for aspect in _ASPECTS],
        start=1,
    )
)
OBSESSIONS = slice(0, 5)  # items 1-5
COMPULSIONS = slice(5, 10)  # items 6-10
# Severity ranges from Goodman et al. 1989 as commonly reported
BANDS = (
    Band(0, 7, SUBCLINICAL),
    Band(8, 15, MILD),
    Band(16, 23, MODERATE),
    Band(24, 31, SEVERE),
    Band(32, 40, EXTREME),
)
_SEVERITY = severity_table(BANDS)
_NO_FLAGS: frozenset[str] = frozenset()


def score(values: Values) -> ScoreResult:
    obsessions: int = sum(values[OBSESSIONS])  # type: ignore[arg-type]  # all required
    compulsions: int = sum(values[COMPULSIONS])  # type: ignore[arg-type]
    total = obsessions + compulsions
    subscales: dict[str, int | float | None] = {
        "obsessions": obsessions,
        "compulsions": compulsions,
    }
    return ScoreResult(CODE, total, _SEVERITY[total], _NO_FLAGS, subscales, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="Y-BOCS (Yale–Brown Obsessive Compulsive Scale)",
    source="Goodman WK, Price LH, Rasmussen SA, et al. Arch Gen Psychiatry 1989;46:1006-11",
    instructions="Clinician-rated from an interview covering the past week. Rate each item "
    "0 (none) to 4 (extreme).",
    items=ITEMS,
    total_range=(0, 40),
    scorer=score,
    bands=BANDS,
    subscales=("obsessions", "compulsions"),
    clinician_rated=True,
)
