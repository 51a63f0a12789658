"""The clinical core over HTTP: instrument definitions and scoring (public: no patient data
goes in or out) and dose planning (prescribers and clinicians). No rule is computed here:
every answer comes from `ketacare.clinical`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from ketacare.clinical.dosing import DEFAULT_PROTOCOLS, DosingError, plan_dose
from ketacare.clinical.instruments import (
    INSTRUMENTS,
    Instrument,
    InvalidAnswers,
    UnknownInstrument,
    get_instrument,
)
from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.core.errors import NotFound, Refusal
from ketacare.core.policy import CLINICAL_CARE, PRESCRIBE, can

instruments_router = Router(tags=["instruments"])
dosing_router = Router(tags=["dosing"])


class ItemOut(Schema):
    number: int
    text: str
    allowed_values: list[int]
    choices: list[str]
    required: bool
    scored: bool


class BandOut(Schema):
    low: int
    high: int
    label: str


class InstrumentSummary(Schema):
    code: str
    title: str
    item_count: int
    clinician_rated: bool
    loinc_panel: str | None
    loinc_total: str | None


class InstrumentOut(InstrumentSummary):
    source: str
    instructions: str
    total_min: float
    total_max: float
    severity_bands: list[BandOut]
    severity_labels: list[str]
    flags: list[str]
    subscales: list[str]
    items: list[ItemOut]


class AnswersIn(Schema):
    answers: list[Any] | dict[str, Any] = Field(
        description="Answers in item order (null for a missing item) or {item_number: value}."
    )


class ScoreOut(Schema):
    code: str
    total: int | float
    severity: str | None
    flags: list[str]
    subscales: dict[str, int | float | None]
    answers: list[int | None]


class ErrorOut(Schema):
    detail: str
    item: int | None = None


def _summary(instrument: Instrument) -> dict[str, Any]:
    return {
        "code": instrument.code,
        "title": instrument.title,
        "item_count": len(instrument.items),
        "clinician_rated": instrument.clinician_rated,
        "loinc_panel": instrument.loinc_panel,
        "loinc_total": instrument.loinc_total,
    }


def _instrument_or_404(code: str) -> Instrument:
    # At the edge, with its own message: `NotFound` would answer only "Not found.".
    try:
        return get_instrument(code)
    except UnknownInstrument:
        raise HttpError(404, f"Unknown instrument {code!r}.") from None


@instruments_router.get("", response=list[InstrumentSummary], auth=None)
def list_instruments(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(instrument) for instrument in INSTRUMENTS.values()]


@instruments_router.get("/{code}", response={200: InstrumentOut, 404: ErrorOut}, auth=None)
def describe_instrument(request: HttpRequest, code: str) -> dict[str, Any]:
    instrument = _instrument_or_404(code)
    return {
        **_summary(instrument),
        "source": instrument.source,
        "instructions": instrument.instructions,
        "total_min": instrument.total_range[0],
        "total_max": instrument.total_range[1],
        "severity_bands": [
            {"low": b.low, "high": b.high, "label": b.label} for b in instrument.bands
        ],
        "severity_labels": list(instrument.severity_labels),
        "flags": list(instrument.flags),
        "subscales": list(instrument.subscales),
        "items": [
            {
                "number": item.number,
                "text": item.text,
                "allowed_values": list(item.allowed_values),
                "choices": list(item.choices),
                "required": item.required,
                "scored": item.scored,
            }
            for item in instrument.items
        ],
    }


@instruments_router.post(
    "/{code}/score", response={200: ScoreOut, 404: ErrorOut, 422: ErrorOut}, auth=None
)
def score_answers(request: HttpRequest, code: str, payload: AnswersIn) -> Any:
    instrument = _instrument_or_404(code)
    try:
        result = instrument.score(payload.answers)
    except InvalidAnswers as exc:
        # Public and stateless (no service): its answer names the item, which a Refusal's
        # JSON has no key for.
        return Status(422, {"detail": str(exc), "item": exc.item})
    return result.as_dict()


def _plausible(measure: str, **default: Any) -> Any:
    plausible = PLAUSIBLE[measure]
    return Field(ge=plausible.low, le=plausible.high, **default)


class VitalsIn(Schema):
    systolic: int = _plausible("systolic")
    diastolic: int = _plausible("diastolic")
    heart_rate: int = _plausible("heart_rate")
    spo2: int = _plausible("spo2")


class PriorDoseIn(Schema):
    at: dt.datetime
    dose_mg: float = Field(gt=0, le=2000)


class DosePlanIn(Schema):
    protocol: str = Field(description="Code of a default protocol, e.g. iv-depression.")
    at: dt.datetime = Field(description="When the dose is planned (with a UTC offset).")
    weight_kg: float | None = _plausible("weight_kg", default=None)
    weight_measured_on: dt.date | None = Field(
        default=None,
        description="The day the weight was measured; more than 30 days before `at` is "
        "weight_stale. Left out, the weight's age is not checked.",
    )
    dose_mg: float | None = Field(default=None, description="Proposed dose; none = standard.")
    vitals: VitalsIn | None = None
    vitals_taken_at: dt.datetime | None = Field(
        default=None,
        description="When the vitals were measured (with a UTC offset); more than 60 minutes "
        "before `at` is vitals_stale. Left out, the vitals' age is not checked.",
    )
    history: list[PriorDoseIn] = Field(default_factory=list, max_length=500)
    phase_start: dt.date | None = None
    override_reason: str | None = Field(default=None, max_length=1000)


class DoseDecisionOut(Schema):
    allowed: bool
    dose_mg: float | None
    infusion_rate_mg_per_min: float | None
    reasons: list[str]
    warnings: list[str]
    overridden: list[str]
    protocol: str
    week: int
    standard_dose_mg: float | None
    max_dose_mg: float | None
    override_ceiling_mg: float | None


@dosing_router.post("/plan", response={200: DoseDecisionOut, 403: ErrorOut, 422: ErrorOut})
def plan(request: HttpRequest, payload: DosePlanIn) -> Any:
    if not can(request.user, CLINICAL_CARE):
        raise NotFound()
    if payload.override_reason and not can(request.user, PRESCRIBE):
        return Status(403, {"detail": "Only a prescriber may override a dose limit."})
    if payload.protocol not in DEFAULT_PROTOCOLS:
        known = ", ".join(sorted(DEFAULT_PROTOCOLS))
        raise Refusal(
            f"unknown protocol {payload.protocol!r} (known: {known}).",
            field="protocol",
            code="unknown_protocol",
        )
    try:
        decision = plan_dose(
            payload.protocol,
            weight_kg=payload.weight_kg,
            dose_mg=payload.dose_mg,
            vitals=payload.vitals.dict() if payload.vitals else None,
            history=[(prior.at, prior.dose_mg) for prior in payload.history],
            at=payload.at,
            phase_start=payload.phase_start,
            override_reason=payload.override_reason,
            weight_measured_on=payload.weight_measured_on,
            vitals_taken_at=payload.vitals_taken_at,
        )
    except DosingError as exc:
        raise Refusal(str(exc), code="dosing_refused") from None
    return decision.as_dict()
