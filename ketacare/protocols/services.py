"""Writes to a clinic's protocols: the reference defaults loaded for each clinic, and an
administrator's edit saved as a new version once `validate_protocol` finds it no looser than
the reference (a clinic may be stricter, never more permissive)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.accounts.models import Clinic, User
from ketacare.audit.log import record
from ketacare.clinical.dosing import DEFAULT_PROTOCOLS, DosingError, Protocol, validate_protocol
from ketacare.clinical.monitoring_schedule import (
    DEFAULT_VITALS_INTERVAL_MINUTES,
    vitals_interval_problem,
)
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal

from .models import ClinicProtocol, caps_to_json

# What an administrator may change in a new version. The route, the unit (per kg or not) and
# home use are the reference's and stay as they are.
EDITABLE = (
    "title", "standard_dose", "max_dose", "override_ceiling", "first_session_dose",
    "allowed_doses", "min_interval_hours", "frequency_caps", "infusion_minutes",
    "observation_minutes",
)  # fmt: skip


def _rejected(problems: dict[str | None, list[str]]) -> Refusal:
    """The edit refused: every reason, by the field it concerns, for the form."""
    field = next(iter(problems))
    return Refusal(problems[field][0], field=field, errors=problems, code="protocol_rejected")


def _fields_of(protocol: Protocol) -> dict[str, Any]:
    return {
        "code": protocol.code,
        "title": protocol.title,
        "route": protocol.route,
        "per_kg": protocol.per_kg,
        "standard_dose": _dec(protocol.standard_dose),
        "max_dose": _dec(protocol.max_dose),
        "override_ceiling": _dec(protocol.override_ceiling),
        "first_session_dose": _dec(protocol.first_session_dose),
        "allowed_doses": (
            sorted(protocol.allowed_doses) if protocol.allowed_doses is not None else None
        ),
        "min_interval_hours": _dec(protocol.min_interval_hours),
        "frequency_caps": caps_to_json(protocol.frequency_caps),
        "infusion_minutes": protocol.infusion_minutes,
        "observation_minutes": protocol.observation_minutes,
        "post_dose_bp_check_minutes": protocol.post_dose_bp_check_minutes,
        "max_rate_mg_per_kg_per_hour": _dec(protocol.max_rate_mg_per_kg_per_hour),
        "at_home": protocol.at_home,
        "source": protocol.source,
    }


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def ensure_default_protocols(clinic: Clinic) -> list[ClinicProtocol]:
    """Give `clinic` version 1 of every reference protocol it does not have yet (idempotent).

    Not audited: the defaults are configuration that comes with the clinic, not patient data
    and not anyone's decision; every later edit is audited."""
    have = set(ClinicProtocol.objects.filter(clinic=clinic).values_list("code", flat=True))
    created = []
    now = timezone.now()
    for code, protocol in DEFAULT_PROTOCOLS.items():
        if code in have:
            continue
        created.append(
            ClinicProtocol.objects.create(
                clinic=clinic,
                version=1,
                vitals_interval_minutes=DEFAULT_VITALS_INTERVAL_MINUTES,
                change_note="Reference default (clinical-reference.md §3).",
                created_at=now,
                **_fields_of(protocol),
            )
        )
    return created


def load_defaults_for_new_clinic(
    sender: Any, instance: Clinic, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        ensure_default_protocols(instance)


def save_protocol_version(
    *,
    actor: User,
    base: ClinicProtocol,
    changes: dict[str, Any],
    vitals_interval_minutes: int,
    active: bool,
    change_note: str,
) -> ClinicProtocol:
    """Save `base` with `changes` as the next version. Refused (`Refusal`, nothing
    saved) when a limit is looser than the reference, the edit is malformed, or someone saved
    another version since `base` was read."""
    if not policy.can(actor, policy.MANAGE_CLINIC) or base.clinic_id != actor.clinic_id:
        raise NotFound("No such protocol.")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    change_note = change_note.strip()
    problems: dict[str | None, list[str]] = {}
    if not change_note:
        problems.setdefault("change_note", []).append("Say what changed and why.")
    interval_problem = vitals_interval_problem(vitals_interval_minutes)
    if interval_problem:
        problems.setdefault("vitals_interval_minutes", []).append(
            f"The interval {interval_problem}."
        )
    try:
        proposed = dataclasses.replace(base.as_protocol(), **changes)
    except DosingError as exc:
        problems.setdefault("frequency_caps", []).append(str(exc).split(": ", 1)[-1] + ".")
        raise _rejected(problems) from None
    reference = DEFAULT_PROTOCOLS[base.code]
    for problem in validate_protocol(proposed, reference=reference):
        problems.setdefault(problem.field, []).append(_sentence(problem.message))
    if problems:
        raise _rejected(problems)
    try:
        with transaction.atomic():
            latest = (
                ClinicProtocol.objects.filter(clinic_id=base.clinic_id, code=base.code)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            if latest != base.version:
                raise _rejected(
                    {"change_note": ["Someone saved a newer version meanwhile: reload the page."]}
                )
            version = ClinicProtocol.objects.create(
                clinic_id=base.clinic_id,
                version=base.version + 1,
                vitals_interval_minutes=vitals_interval_minutes,
                active=active,
                change_note=change_note,
                created_at=timezone.now(),
                created_by=actor,
                **_fields_of(proposed),
            )
            record(
                actor=actor,
                action="create",
                obj=version,
                detail=f"protocol {base.code} v{version.version}: {change_note}"[:500],
            )
    except IntegrityError:
        raise _rejected(
            {"change_note": ["Someone saved a newer version meanwhile: reload the page."]}
        ) from None
    return version


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
