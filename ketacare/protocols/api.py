"""The clinic's protocols over the API (read-only; staff only): what `plan_dose` is given."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from ketacare.core import policy
from ketacare.core.errors import NotFound
from ketacare.core.http import AuthenticatedHttpRequest

from . import selectors
from .models import ClinicProtocol

router = Router(tags=["protocols"])


class ProtocolOut(Schema):
    id: int
    code: str
    version: int
    title: str
    route: str
    dose_unit: str
    standard_dose: float
    max_dose: float
    override_ceiling: float
    first_session_dose: float | None
    allowed_doses: list[float] | None
    min_interval_hours: float
    frequency_caps: list[list[int | None]]
    infusion_minutes: int | None
    observation_minutes: int
    vitals_interval_minutes: int
    at_home: bool
    active: bool
    created_at: dt.datetime


def _out(p: ClinicProtocol) -> dict[str, Any]:
    return {
        **{name: getattr(p, name) for name in ProtocolOut.model_fields if hasattr(p, name)},
        "dose_unit": p.dose_unit,
    }


@router.get("", response=list[ProtocolOut], summary="The clinic's current protocols")
def list_protocols(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    policy.require(request.user, policy.READ_PROTOCOLS)
    return [_out(p) for p in selectors.current_protocols(request.user.clinic_id)]


@router.get("/{code}", response=list[ProtocolOut], summary="Every version of one protocol")
def protocol_versions(request: AuthenticatedHttpRequest, code: str) -> list[dict[str, Any]]:
    policy.require(request.user, policy.READ_PROTOCOLS)
    found = [_out(p) for p in selectors.versions(request.user.clinic_id, code[:40])]
    if not found:
        raise NotFound("Not found.")
    return found
