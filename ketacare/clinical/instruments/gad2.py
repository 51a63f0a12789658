"""GAD-2, the first two GAD-7 items, used as the waitlist pre-screen (Kroenke et al. 2007)."""

from __future__ import annotations

from . import gad7
from .base import Instrument, ScoreResult, Values
from .codes import POSITIVE_SCREEN

CODE = "gad2"
ITEMS = gad7.ITEMS[:2]
# A total >= 3 is a positive screen (Kroenke et al. 2007, Ann Intern Med 146:317)
POSITIVE_AT = 3
_NO_FLAGS: frozenset[str] = frozenset()
_POSITIVE = frozenset({POSITIVE_SCREEN})


def score(values: Values) -> ScoreResult:
    total: int = values[0] + values[1]  # type: ignore[operator]  # both items are required
    flags = _POSITIVE if total >= POSITIVE_AT else _NO_FLAGS
    return ScoreResult(CODE, total, None, flags, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="GAD-2 (anxiety pre-screen)",
    source="Kroenke K, Spitzer RL, Williams JB, Monahan PO, Löwe B. Ann Intern Med 2007;146:317-25",
    instructions=gad7.INSTRUMENT.instructions,
    items=ITEMS,
    total_range=(0, 6),
    scorer=score,
    flags=(POSITIVE_SCREEN,),
)
