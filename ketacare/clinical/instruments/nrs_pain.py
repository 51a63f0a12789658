"""Pain numeric rating scale: one 0–10 rating."""

from __future__ import annotations

from .base import Band, Instrument, Item, ScoreResult, Values, severity_table
from .codes import MILD, MODERATE, NONE, SEVERE

CODE = "nrs_pain"
ITEMS = (
    Item(
        1,
        "Your pain right now, from 0 (no pain) to 10 (worst pain imaginable)",
        range(11),
        ("0 no pain", *map(str, range(1, 10)), "10 worst pain imaginable"),
    ),
)
# Conventional NRS bands (e.g. Boonstra et al. 2014, Pain 155:2545; Jensen et al. 2001)
BANDS = (
    Band(0, 0, NONE),
    Band(1, 3, MILD),
    Band(4, 6, MODERATE),
    Band(7, 10, SEVERE),
)
_SEVERITY = severity_table(BANDS)
_NO_FLAGS: frozenset[str] = frozenset()


def score(values: Values) -> ScoreResult:
    total: int = values[0]  # type: ignore[assignment]  # the only item is required
    return ScoreResult(CODE, total, _SEVERITY[total], _NO_FLAGS, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="Pain numeric rating scale (0–10)",
    source="Numeric rating scale; bands as in Boonstra AM et al. Pain 2014;155:2545-50",
    instructions="Choose the number that best describes your pain right now.",
    items=ITEMS,
    total_range=(0, 10),
    scorer=score,
    bands=BANDS,
)
