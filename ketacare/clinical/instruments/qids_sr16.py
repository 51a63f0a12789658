"""QIDS-SR16, Quick Inventory of Depressive Symptomatology, self-report (Rush et al. 2003).

Items and answer anchors are paraphrased in our own words; the scoring is the published one.
"""

from __future__ import annotations

from .base import Band, Instrument, Item, ScoreResult, Values, severity_table
from .codes import MILD, MODERATE, NONE, SEVERE, SUICIDAL_IDEATION, VERY_SEVERE

CODE = "qids_sr16"
_ITEMS = (
    (
        "Falling asleep",
        "Under 30 minutes",
        "Under half the nights, 30 minutes or more",
        "Half the nights or more, 30 minutes or more",
        "Over half the nights, more than 60 minutes",
    ),
    (
        "Sleep during the night",
        "Do not wake at night",
        "Restless, light sleep; brief waking",
        "Wake at least once a night but fall back asleep easily",
        "Wake more than once a night and stay awake 20 minutes or more",
    ),
    (
        "Waking up too early",
        "Never, or rarely more than 30 minutes early",
        "Under half the time, more than 30 minutes early",
        "Half the time or more, about an hour early",
        "Almost always at least an hour early, unable to sleep again",
    ),
    (
        "Sleeping too much",
        "No more than 7–8 hours a night, no naps",
        "No more than 10 hours in 24, naps included",
        "No more than 12 hours in 24, naps included",
        "More than 12 hours in 24, naps included",
    ),
    (
        "Feeling sad",
        "Not sad",
        "Sad under half the time",
        "Sad more than half the time",
        "Sad nearly all the time",
    ),
    (
        "Decreased appetite",
        "Appetite as usual",
        "Eating somewhat less often or less",
        "Eating much less, only with effort",
        "Rarely eating in 24 hours, only with great effort or when urged",
    ),
    (
        "Increased appetite",
        "Appetite as usual",
        "Need to eat somewhat more often",
        "Eating more often or more than usual",
        "Driven to overeat at and between meals",
    ),
    (
        "Decreased weight (past two weeks)",
        "No weight change",
        "Feel as if some weight was lost",
        "Lost 1 kg (2 lb) or more",
        "Lost 2 kg (5 lb) or more",
    ),
    (
        "Increased weight (past two weeks)",
        "No weight change",
        "Feel as if some weight was gained",
        "Gained 1 kg (2 lb) or more",
        "Gained 2 kg (5 lb) or more",
    ),
    (
        "Concentration and decision-making",
        "No change",
        "Occasionally indecisive or inattentive",
        "Trouble focusing or deciding most of the time",
        "Cannot concentrate enough to read or make even small decisions",
    ),
    (
        "View of myself",
        "As worthwhile as others",
        "Blame myself more than usual",
        "Largely believe I cause problems for others",
        "Think almost constantly about major and minor defects in myself",
    ),
    (
        "Thoughts of death or suicide",
        "No thoughts of death or suicide",
        "Feel life is empty or wonder if it is worth living",
        "Think of suicide or death several times a week for several minutes",
        "Think of suicide or death several times a day in detail, have made plans or tried",
    ),
    (
        "General interest",
        "No change in interest in people or activities",
        "Less interested in people or activities",
        "Interested in only one or two former activities",
        "Virtually no interest in former activities",
    ),
    (
        "Energy level",
        "Usual energy",
        "Tire more easily",
        "Great effort needed to start or finish usual daily activities",
        "Cannot carry out most usual daily activities for lack of energy",
    ),
    (
        "Feeling slowed down",
        "Think, speak and move at a normal pace",
        "Thinking is slowed or voice sounds dull or flat",
        "Take minutes to answer most questions; thinking is slowed",
        "Often unable to answer questions without extreme effort",
    ),
    (
        "Feeling restless",
        "Not restless",
        "Often fidgety, wringing hands or needing to shift in the seat",
        "Impulses to move about; quite restless",
        "At times unable to stay seated; need to pace about",
    ),
)
ITEMS = tuple(
    Item(n, text, range(4), tuple(choices)) for n, (text, *choices) in enumerate(_ITEMS, start=1)
)

# Nine DSM-IV symptom domains; sleep, appetite/weight and psychomotor take the highest of
# their items (Rush et al. 2003, scoring instructions)
SLEEP = slice(0, 4)  # items 1-4
APPETITE_WEIGHT = slice(5, 9)  # items 6-9
PSYCHOMOTOR = slice(14, 16)  # items 15-16
SUICIDE_ITEM = 12
BANDS = (
    Band(0, 5, NONE),
    Band(6, 10, MILD),
    Band(11, 15, MODERATE),
    Band(16, 20, SEVERE),
    Band(21, 27, VERY_SEVERE),
)
_SEVERITY = severity_table(BANDS)
_NO_FLAGS: frozenset[str] = frozenset()
_IDEATION = frozenset({SUICIDAL_IDEATION})


def score(values: Values) -> ScoreResult:
    v: list[int] = values  # type: ignore[assignment]  # every item is required
    sleep = max(v[SLEEP])
    appetite_weight = max(v[APPETITE_WEIGHT])
    psychomotor = max(v[PSYCHOMOTOR])
    # items 5 (sad mood) and 10-14 (concentration, self-view, suicide, interest, energy)
    total = sleep + v[4] + appetite_weight + sum(v[9:14]) + psychomotor
    flags = _IDEATION if v[SUICIDE_ITEM - 1] else _NO_FLAGS
    subscales: dict[str, int | float | None] = {
        "sleep": sleep,
        "appetite_weight": appetite_weight,
        "psychomotor": psychomotor,
    }
    return ScoreResult(CODE, total, _SEVERITY[total], flags, subscales, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="QIDS-SR16 (Quick Inventory of Depressive Symptomatology, self-report)",
    source="Rush AJ, Trivedi MH, Ibrahim HM, et al. Biol Psychiatry 2003;54:573-83",
    instructions="For each item, choose the one answer that best describes you over the past "
    "seven days.",
    items=ITEMS,
    total_range=(0, 27),
    scorer=score,
    bands=BANDS,
    flags=(SUICIDAL_IDEATION,),
    subscales=("sleep", "appetite_weight", "psychomotor"),
)
