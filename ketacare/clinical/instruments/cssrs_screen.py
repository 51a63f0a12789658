"""C-SSRS screener, "since last contact" version (Posner et al. 2011, Columbia).

Questions are paraphrased in our own words; the risk levels follow the screener's triage
colours (yes to 4, 5 or recent behaviour = high; 3 or lifetime behaviour = moderate;
1 or 2 = low). Answers are yes/no: 1/0 or true/false.
"""

from __future__ import annotations

from .base import Instrument, Item, ScoreResult, Values
from .codes import HIGH, LOW, MODERATE, NONE, SUICIDAL_IDEATION, SUICIDE_RISK_HIGH

CODE = "cssrs_screen"
YES_NO = ("No", "Yes")
_TEXTS = (
    "Have you wished you were dead, or wished you could go to sleep and not wake up?",
    "Have you had any actual thoughts of killing yourself?",
    "Have you thought about how you might do it?",
    "Have you had any intention of acting on these thoughts (as opposed to having the "
    "thoughts but being sure you would not act on them)?",
    "Have you started to work out, or worked out, the details of how to kill yourself, and "
    "did you intend to carry out that plan?",
    "Have you ever done anything, started to do anything, or prepared to do anything to end "
    "your life?",
    "If yes to the previous question: was that within the past 3 months?",
)
ITEMS = tuple(Item(n, text, range(2), YES_NO) for n, text in enumerate(_TEXTS, start=1))
RISK_LEVELS = (NONE, LOW, MODERATE, HIGH)
_NO_FLAGS: frozenset[str] = frozenset()
_IDEATION = frozenset({SUICIDAL_IDEATION})
_HIGH = frozenset({SUICIDE_RISK_HIGH, SUICIDAL_IDEATION})
_HIGH_ONLY = frozenset({SUICIDE_RISK_HIGH})


def score(values: Values) -> ScoreResult:
    wish, thoughts, method, intent, plan, behaviour, recent = values
    # Total counts yes answers to items 1-6; item 7 only dates item 6
    total: int = sum(values[:6])  # type: ignore[arg-type]  # every item is required
    if intent or plan or recent:
        severity = HIGH
    elif method or behaviour:
        severity = MODERATE
    elif wish or thoughts:
        severity = LOW
    else:
        severity = NONE
    ideation = bool(wish or thoughts)
    if severity == HIGH:
        flags = _HIGH if ideation else _HIGH_ONLY
    else:
        flags = _IDEATION if ideation else _NO_FLAGS
    return ScoreResult(CODE, total, severity, flags, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="C-SSRS screener (Columbia Suicide Severity Rating Scale, since last contact)",
    source="Posner K, Brown GK, Stanley B, et al. Am J Psychiatry 2011;168:1266-77",
    instructions="Since your last visit, please answer yes or no to each question.",
    items=ITEMS,
    total_range=(0, 6),
    scorer=score,
    severity_labels=RISK_LEVELS,
    flags=(SUICIDE_RISK_HIGH, SUICIDAL_IDEATION),
    accepts_bools=True,
)
