"""GAD-7, Generalized Anxiety Disorder scale (Spitzer, Kroenke, Williams & Löwe 2006).

Free to reproduce (Pfizer: "no permission required"), so the items are the published wording.
"""

from __future__ import annotations

from .base import Band, Instrument, Item, ScoreResult, Values, severity_table
from .codes import MILD, MINIMAL, MODERATE, SEVERE

CODE = "gad7"
FREQUENCY = ("Not at all", "Several days", "More than half the days", "Nearly every day")
_TEXTS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
ITEMS = tuple(Item(n, text, range(4), FREQUENCY) for n, text in enumerate(_TEXTS, start=1))

# Cut points 5, 10, 15 (Spitzer et al. 2006)
BANDS = (
    Band(0, 4, MINIMAL),
    Band(5, 9, MILD),
    Band(10, 14, MODERATE),
    Band(15, 21, SEVERE),
)
_SEVERITY = severity_table(BANDS)
_NO_FLAGS: frozenset[str] = frozenset()


def score(values: Values) -> ScoreResult:
    total: int = sum(values)  # type: ignore[arg-type]  # every item is required
    return ScoreResult(CODE, total, _SEVERITY[total], _NO_FLAGS, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="GAD-7 (Generalized Anxiety Disorder scale)",
    source="Spitzer RL, Kroenke K, Williams JB, Löwe B. Arch Intern Med 2006;166:1092-7",
    instructions="Over the last 2 weeks, how often have you been bothered by the following "
    "problems?",
    items=ITEMS,
    total_range=(0, 21),
    scorer=score,
    bands=BANDS,
    loinc_panel="69737-5",
    loinc_total="70274-6",
)
