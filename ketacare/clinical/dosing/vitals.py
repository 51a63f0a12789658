"""Reading a vitals mapping: {"systolic", "diastolic", "heart_rate", "spo2"} -> numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from .errors import DosingError

VITAL_NAMES: Final = ("systolic", "diastolic", "heart_rate", "spo2")


def read_vitals(vitals: Mapping[str, Any] | None) -> dict[str, float]:
    """The readings present in `vitals` (None and absent keys are left out; other keys are
    ignored). Raises DosingError for a reading that is not a positive number."""
    if vitals is None:
        return {}
    if not isinstance(vitals, Mapping):
        raise DosingError(f"vitals must be a mapping, not {type(vitals).__name__}")
    readings: dict[str, float] = {}
    for name in VITAL_NAMES:
        value = vitals.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DosingError(f"vitals[{name!r}] must be a number, not {value!r}")
        if not math.isfinite(value) or value <= 0 or (name == "spo2" and value > 100):
            raise DosingError(f"vitals[{name!r}] = {value!r} is not a possible reading")
        readings[name] = value
    return readings
