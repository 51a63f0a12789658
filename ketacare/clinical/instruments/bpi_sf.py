"""BPI-SF, Brief Pain Inventory short form (Cleeland & Ryan 1994): the 0–10 severity and
interference items.

Items are paraphrased in our own words; the scoring follows the BPI user guide (severity =
mean of items 1–4; interference = mean of items 5–11 when at least 4 of 7 are answered).
"""

from __future__ import annotations

from .base import Instrument, Item, ScoreResult, Values

CODE = "bpi_sf"
_SEVERITY_TEXTS = (
    "Your pain at its worst in the past 24 hours",
    "Your pain at its least in the past 24 hours",
    "Your pain on average",
    "Your pain right now",
)
_INTERFERENCE_TEXTS = (
    "general activity",
    "mood",
    "walking ability",
    "normal work, both outside the home and housework",
    "relations with other people",
    "sleep",
    "enjoyment of life",
)
PAIN_ANCHORS = ("0 no pain", *map(str, range(1, 10)), "10 pain as bad as you can imagine")
INTERFERENCE_ANCHORS = ("0 does not interfere", *map(str, range(1, 10)), "10 completely interferes")
ITEMS = (
    *(Item(n, text, range(11), PAIN_ANCHORS) for n, text in enumerate(_SEVERITY_TEXTS, 1)),
    *(
        Item(
            n,
            f"How much pain has interfered with your {text} in the past 24 hours",
            range(11),
            INTERFERENCE_ANCHORS,
            required=False,
        )
        for n, text in enumerate(_INTERFERENCE_TEXTS, 5)
    ),
)
# User guide: interference is scored when at least 4 of its 7 items are answered
MIN_INTERFERENCE_ANSWERS = 4


def score(values: Values) -> ScoreResult:
    severity_items: list[int] = values[:4]  # type: ignore[assignment]  # items 1-4 required
    # Means of at most 7 integers never end in an exact 5 at the third decimal,
    # so round() has no half-way case to get wrong.
    severity = round(sum(severity_items) / 4, 2)
    answered = [value for value in values[4:] if value is not None]
    interference = (
        round(sum(answered) / len(answered), 2)
        if len(answered) >= MIN_INTERFERENCE_ANSWERS
        else None
    )
    subscales: dict[str, int | float | None] = {
        "severity": severity,
        "interference": interference,
    }
    return ScoreResult(CODE, severity, None, frozenset(), subscales, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="BPI-SF (Brief Pain Inventory, short form)",
    source="Cleeland CS, Ryan KM. Ann Acad Med Singapore 1994;23:129-38",
    instructions="Rate each item from 0 to 10. Items 5–11 (interference) may be skipped.",
    items=ITEMS,
    total_range=(0, 10),
    scorer=score,
    subscales=("severity", "interference"),
)
