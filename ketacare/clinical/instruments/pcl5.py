"""PCL-5, PTSD Checklist for DSM-5 (Weathers, Litz, Keane et al. 2013, National Center for PTSD).

A US Government work in the public domain, so the items are the published wording.
"""

from __future__ import annotations

from .base import Instrument, Item, ScoreResult, Values
from .codes import DSM5_CRITERIA_MET, PROBABLE_PTSD

CODE = "pcl5"
SEVERITY = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")
_TEXTS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one "
    "can be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
    "have loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    'Being "superalert" or watchful or on guard?',
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)
ITEMS = tuple(Item(n, text, range(5), SEVERITY) for n, text in enumerate(_TEXTS, start=1))

# DSM-5 symptom clusters, as item-number ranges (Weathers et al. 2013)
CLUSTERS = {"B": range(1, 6), "C": range(6, 8), "D": range(8, 15), "E": range(15, 21)}
# Provisional diagnosis: >= 1 B, >= 1 C, >= 2 D, >= 2 E items endorsed
CLUSTER_MINIMUM = {"B": 1, "C": 1, "D": 2, "E": 2}
# PCL-5 cluster rule: item >= 2 ("moderately") counts as endorsed (Weathers et al. 2013)
ENDORSED_AT = 2
# Probable PTSD at a total of 33 or more (Bovin et al. 2016, Psychol Assess 28:1379)
PROBABLE_PTSD_AT = 33
_SLICES = {name: slice(r.start - 1, r.stop - 1) for name, r in CLUSTERS.items()}


def score(values: Values) -> ScoreResult:
    subscales: dict[str, int | float | None] = {}
    criteria_met = True
    for name, part in _SLICES.items():
        cluster: list[int] = values[part]  # type: ignore[assignment]  # all items required
        subscales[name] = sum(cluster)
        endorsed = sum(1 for value in cluster if value >= ENDORSED_AT)
        criteria_met = criteria_met and endorsed >= CLUSTER_MINIMUM[name]
    total: int = sum(values)  # type: ignore[arg-type]
    flags: set[str] = set()
    if total >= PROBABLE_PTSD_AT:
        flags.add(PROBABLE_PTSD)
    if criteria_met:
        flags.add(DSM5_CRITERIA_MET)
    return ScoreResult(CODE, total, None, frozenset(flags), subscales, tuple(values))


INSTRUMENT = Instrument(
    code=CODE,
    title="PCL-5 (PTSD Checklist for DSM-5)",
    source="Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD "
    "Checklist for DSM-5 (PCL-5). National Center for PTSD, 2013",
    instructions="Below is a list of problems that people sometimes have in response to a very "
    "stressful experience. In the past month, how much were you bothered by:",
    items=ITEMS,
    total_range=(0, 80),
    scorer=score,
    flags=(PROBABLE_PTSD, DSM5_CRITERIA_MET),
    subscales=tuple(CLUSTERS),
)
