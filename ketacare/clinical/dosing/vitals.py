"""Reading a vitals mapping: {"systolic", "diastolic", "heart_rate", "spo2"} -> numbers, and
the monitoring-only readings "respiratory_rate" and "moaas"."""

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


MOAAS_SCORES: Final = range(6)  # MOAA/S: 0 no response to a painful stimulus ... 5 fully alert


def read_respiratory_rate(vitals: Mapping[str, Any]) -> float | None:
    """vitals["respiratory_rate"] (breaths per minute), None when absent. Raises DosingError
    for a value that is not a non-negative number (0 is apnoea, a real reading)."""
    value = vitals.get("respiratory_rate")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DosingError(f"vitals['respiratory_rate'] must be a number, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise DosingError(f"vitals['respiratory_rate'] = {value!r} is not a possible reading")
    return value


def read_moaas(vitals: Mapping[str, Any]) -> int | None:
    """vitals["moaas"], a whole score 0-5, None when absent. Raises DosingError otherwise."""
    value = vitals.get("moaas")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in MOAAS_SCORES:
        raise DosingError(f"vitals['moaas'] must be a score from 0 to 5, not {value!r}")
    return value
