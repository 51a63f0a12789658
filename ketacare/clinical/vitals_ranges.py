"""Plausible ranges of the measurements staff and patients type in: a reading outside its
range is a typo (a dropped or doubled digit, the wrong field), not a patient, and is refused
where it is entered — by the form, the API schema, the service and the database constraint,
all reading this one table.

These are not clinical thresholds: a systolic of 250 is plausible and alarming (the alerts
and dose holds are in dosing/thresholds.py). The ranges are wide on purpose, so that no
real reading, however bad, is ever refused:

- systolic 40–300 mmHg: below 40 there is no measurable cuff pressure; above 300 is beyond
  the scale of most cuffs and of any reported crisis.
- diastolic 20–200 mmHg: the same reasoning, on the diastolic scale.
- heart rate 20–250 bpm: from profound bradycardia to the fastest tachyarrhythmias.
- SpO2 50–100 %: a percentage, and pulse oximeters are not calibrated below about 50–70 %.
- respiratory rate 4–60 /min: from opioid-level depression to the fastest adult panting.
- weight 20–400 kg, height 100–250 cm: the adults a ketamine clinic treats.

Where the code used to disagree, the most common range won: systolic 40 (not the screening
review's 50: a systolic of 45 is a patient in shock, not a typo); the treatments API's 0–400
for every reading is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final


@dataclass(frozen=True)
class PlausibleRange:
    """`name` as a sentence says it ("systolic BP"); `low` and `high` both plausible."""

    name: str
    unit: str
    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return False
        return self.low <= value <= self.high

    def problem(self, value: float | Decimal) -> str | None:
        """What to tell the person who typed `value`, or None when it is plausible."""
        if value in self:
            return None
        return (
            f"A {self.name} of {value} is not possible: check the reading ({self.low}–{self.high})."
        )


PLAUSIBLE: Final[Mapping[str, PlausibleRange]] = {
    "systolic": PlausibleRange("systolic BP", "mmHg", 40, 300),
    "diastolic": PlausibleRange("diastolic BP", "mmHg", 20, 200),
    "heart_rate": PlausibleRange("heart rate", "bpm", 20, 250),
    "spo2": PlausibleRange("SpO2", "%", 50, 100),
    "respiratory_rate": PlausibleRange("respiratory rate", "/min", 4, 60),
    "weight_kg": PlausibleRange("weight", "kg", 20, 400),
    "height_cm": PlausibleRange("height", "cm", 100, 250),
}


def is_plausible(measure: str, value: float | Decimal) -> bool:
    """Whether `value` can be a real reading of `measure` (a key of PLAUSIBLE; KeyError for
    any other)."""
    return value in PLAUSIBLE[measure]
