"""PHQ-2, the first two PHQ-9 items, used as the waitlist pre-screen (Kroenke et al. 2003)."""

from __future__ import annotations

from . import phq9
from .base import Instrument, ScoreResult, Values
from .codes import POSITIVE_SCREEN

CODE = "phq2"
ITEMS = phq9.ITEMS[:2]
# A total >= 3 is a positive screen (Kroenke, Spitzer & Williams 2003, Med Care 41:1284)
POSITIVE_AT = 3
_NO_FLAGS: frozenset[str] = frozenset()
_POSITIVE = frozenset({POSITIVE_SCREEN})


def score(values: Values) -> ScoreResult:
    total: int = values[0] + values[1]  # type: ignore[operator]  # both items are required
    flags = _POSITIVE if total >= POSITIVE_AT else _NO_FLAGS
    return ScoreResult(CODE, total, None, flags, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="PHQ-2 (depression pre-screen)",
    source="Kroenke K, Spitzer RL, Williams JB. Med Care 2003;41:1284-92",
    instructions=phq9.INSTRUMENT.instructions,
    items=ITEMS,
    total_range=(0, 6),
    scorer=score,
    flags=(POSITIVE_SCREEN,),
    # LOINC has a PHQ-2 panel (55757-9) and total (55758-7)
    loinc_panel="55757-9",
    loinc_total="55758-7",
)
