"""The instruments as the screening app uses them: their stored version and the bundles a
clinic's settings name. Scoring itself is `ketacare.clinical.instruments`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ketacare.clinical.eligibility import OCD, PAIN
from ketacare.clinical.instruments import INSTRUMENTS, Instrument, get_instrument


@lru_cache(maxsize=64)
def instrument_version(code: str) -> str:
    """The version stored with each assessment: the core's own `version` when it declares
    one, else a fingerprint of the definition (items, allowed values, labels, bands, flags),
    which changes whenever the wording or the scale does."""
    instrument = get_instrument(code)
    declared = getattr(instrument, "version", None)
    if declared:
        return str(declared)[:40]
    definition = {
        "code": instrument.code,
        "title": instrument.title,
        "items": [
            [
                item.number,
                item.text,
                list(item.allowed_values),
                list(item.choices),
                item.required,
                item.scored,
            ]
            for item in instrument.items
        ],
        "total_range": list(instrument.total_range),
        "bands": [[b.low, b.high, b.label] for b in instrument.bands],
        "labels": list(instrument.severity_labels),
        "flags": list(instrument.flags),
        "subscales": list(instrument.subscales),
    }
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    return f"def-{digest[:16]}"


def _known(codes: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code in INSTRUMENTS and code not in seen:
            seen.append(code)
    return seen


@dataclass(frozen=True)
class Bundle:
    """What one patient is asked: `patient` instruments they complete themselves (one screen
    each), `staff` instruments entered by staff in the review (the clinician-rated ones)."""

    patient: tuple[str, ...]
    staff: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.patient, *self.staff)


def bundle_for(settings: object, indications: Iterable[str]) -> Bundle:
    """The intake bundle for a patient reporting `indications`, from a clinic's settings."""
    wanted = set(indications)
    codes = list(getattr(settings, "intake_instruments", []))
    if OCD in wanted:
        codes += list(getattr(settings, "ocd_instruments", []))
    if PAIN in wanted:
        codes += list(getattr(settings, "pain_instruments", []))
    codes = _known(codes)
    staff = _known(
        [c for c in codes if get_instrument(c).clinician_rated]
        + list(getattr(settings, "review_instruments", []))
    )
    patient = [c for c in codes if not get_instrument(c).clinician_rated]
    return Bundle(tuple(patient), tuple(staff))


def self_rated(code: str) -> bool:
    return code in INSTRUMENTS and not INSTRUMENTS[code].clinician_rated


def instrument(code: str) -> Instrument:
    return get_instrument(code)
