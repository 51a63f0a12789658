"""CADSS, Clinician-Administered Dissociative States Scale (Bremner et al. 1998): the 23
subject-rated items used in ketamine trials.

Items are paraphrased in our own words; the scoring (a plain sum) is the published one.
Each time point in a session (e.g. 40 and 80 minutes after dosing) is its own assessment.
"""

from __future__ import annotations

from .base import Instrument, Item, ScoreResult, Values

CODE = "cadss"
ANCHORS = ("Not at all", "Slightly", "Moderately", "Considerably", "Extremely")
_TEXTS = (
    "Things seem to move in slow motion",
    "Things seem unreal, as in a dream",
    "You feel apart from what is happening, as if in a film or a play",
    "You seem to look at things from outside your body",
    "You watch what happens as an onlooker rather than taking part",
    "You feel disconnected from your own body",
    "Your body feels a different size or shape than usual",
    "People seem still, lifeless or mechanical",
    "Objects look different from how you would expect",
    "Colours seem faded or less intense",
    "You see things as if through a tunnel or a wide-angle lens",
    "Time seems to stretch much longer than expected",
    "Things seem to happen very fast, as if a lifetime passed in a moment",
    "Things happen that you cannot account for afterwards",
    "You space out or lose track of what is going on",
    "Sounds fade away or become much louder than expected",
    "Things seem unusually vivid or sharply real",
    "The world seems seen through a fog; people and things appear far away or unclear",
    "Colours seem much brighter than expected",
    "You feel unsure who you are",
    "You feel like more than one person",
    "There are gaps in your memory of what just happened",
    "You feel your thoughts are not your own or are far away",
)
ITEMS = tuple(Item(n, text, range(5), ANCHORS) for n, text in enumerate(_TEXTS, start=1))
_NO_FLAGS: frozenset[str] = frozenset()


def score(values: Values) -> ScoreResult:
    total: int = sum(values)  # type: ignore[arg-type]  # every item is required
    return ScoreResult(CODE, total, None, _NO_FLAGS, {}, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="CADSS (Clinician-Administered Dissociative States Scale, subject items)",
    source="Bremner JD, Krystal JH, Putnam FW, et al. J Trauma Stress 1998;11:125-36",
    instructions="Right now, during or after this session, how much does each statement "
    "describe your experience?",
    items=ITEMS,
    total_range=(0, 92),
    scorer=score,
)
