"""PHQ-9, Patient Health Questionnaire depression module (Kroenke, Spitzer & Williams 2001).

The PHQ-9 is free to reproduce (Pfizer: "no permission required"), so the items are the
published wording. Item 10 (difficulty) is stored but not part of the total.
"""

from __future__ import annotations

from .base import Band, Instrument, Item, ScoreResult, Values, severity_table
from .codes import MILD, MINIMAL, MODERATE, MODERATELY_SEVERE, SEVERE, SUICIDAL_IDEATION

CODE = "phq9"
FREQUENCY = ("Not at all", "Several days", "More than half the days", "Nearly every day")
DIFFICULTY = ("Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult")
_TEXTS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
ITEMS = (
    *(Item(n, text, range(4), FREQUENCY) for n, text in enumerate(_TEXTS, start=1)),
    Item(
        10,
        "If you checked off any problems, how difficult have these problems made it for you "
        "to do your work, take care of things at home, or get along with other people?",
        range(4),
        DIFFICULTY,
        required=False,
        scored=False,
    ),
)

# Severity cut points 5, 10, 15, 20 (Kroenke et al. 2001, Table 3)
BANDS = (
    Band(0, 4, MINIMAL),
    Band(5, 9, MILD),
    Band(10, 14, MODERATE),
    Band(15, 19, MODERATELY_SEVERE),
    Band(20, 27, SEVERE),
)
_SEVERITY = severity_table(BANDS)
_NO_FLAGS: frozenset[str] = frozenset()
_IDEATION = frozenset({SUICIDAL_IDEATION})


def score(values: Values) -> ScoreResult:
    total: int = sum(values[:9])  # type: ignore[arg-type]  # items 1-9 are required
    # Any endorsement of item 9 needs a clinician's follow-up (Kroenke et al. 2001)
    flags = _IDEATION if values[8] else _NO_FLAGS
    return ScoreResult(CODE, total, _SEVERITY[total], flags, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="PHQ-9 (Patient Health Questionnaire, depression)",
    source="Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-13",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the "
    "following problems?",
    items=ITEMS,
    total_range=(0, 27),
    scorer=score,
    bands=BANDS,
    flags=(SUICIDAL_IDEATION,),
    loinc_panel="44249-1",
    loinc_total="44261-6",
)
