"""MADRS, Montgomery–Åsberg Depression Rating Scale (Montgomery & Åsberg 1979), clinician-rated.

Item descriptions are paraphrased in our own words; the scoring is the published one. Each
item is rated 0–6; the scale defines anchors at 0, 2, 4 and 6, and odd values lie between.
"""

from __future__ import annotations

from .base import Band, Instrument, Item, ScoreResult, Values, severity_table
from .codes import MILD, MODERATE, NORMAL, SEVERE, SUICIDAL_IDEATION

CODE = "madrs"
_TEXTS = (
    "Apparent sadness: despondency, gloom and despair shown in speech, expression and posture",
    "Reported sadness: low mood the patient describes, whether or not it shows",
    "Inner tension: ill-defined discomfort, edginess, inner turmoil, up to panic or dread",
    "Reduced sleep: less or lighter sleep than the patient's own normal",
    "Reduced appetite: loss of appetite compared with when well",
    "Concentration difficulties: trouble collecting one's thoughts, up to incapacity",
    "Lassitude: difficulty getting started or slowness starting and doing everyday activities",
    "Inability to feel: less interest in surroundings or activities that used to give pleasure, "
    "reduced ability to feel emotion",
    "Pessimistic thoughts: guilt, inferiority, self-reproach, sinfulness, remorse and ruin",
    "Suicidal thoughts: feeling life is not worth living, wishing for a natural death, "
    "suicidal thoughts and preparations",
)
ANCHORS = ("0 absent", "1", "2 mild", "3", "4 moderate", "5", "6 severe")
ITEMS = tuple(Item(n, text, range(7), ANCHORS) for n, text in enumerate(_TEXTS, start=1))

# Bands as used in clinical trials (Snaith et al. 1986; Herrmann et al. 1998)
BANDS = (
    Band(0, 6, NORMAL),
    Band(7, 19, MILD),
    Band(20, 34, MODERATE),
    Band(35, 60, SEVERE),
)
SUICIDE_ITEM = 10
# Item 10 anchor 2 is the first rating that names suicidal thoughts, if only passing ones
# (Montgomery & Åsberg 1979); 1 lies between "enjoys life" and that anchor
SUICIDAL_IDEATION_AT = 2
_SEVERITY = severity_table(BANDS)
_NO_FLAGS: frozenset[str] = frozenset()
_IDEATION = frozenset({SUICIDAL_IDEATION})


def score(values: Values) -> ScoreResult:
    total: int = sum(values)  # type: ignore[arg-type]  # every item is required
    item10: int = values[SUICIDE_ITEM - 1]  # type: ignore[assignment]
    flags = _IDEATION if item10 >= SUICIDAL_IDEATION_AT else _NO_FLAGS
    return ScoreResult(CODE, total, _SEVERITY[total], flags, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="MADRS (Montgomery–Åsberg Depression Rating Scale)",
    source="Montgomery SA, Åsberg M. Br J Psychiatry 1979;134:382-9",
    instructions="Clinician-rated from an interview covering the past week. Rate each item "
    "0–6; odd ratings fall between the defined anchors.",
    items=ITEMS,
    total_range=(0, 60),
    scorer=score,
    bands=BANDS,
    flags=(SUICIDAL_IDEATION,),
    clinician_rated=True,
)
