"""Clinic set-up for treatments (an administrator's): the clinic's treatment settings (the
REMS setting, the address and the preparation note patients get) and its chairs."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import NotFound, Refusal

from ..constants import SETTINGS_FIELDS
from ..models import Chair, TreatmentSettings
from .common import text


def update_treatment_settings(*, actor: User, **fields: Any) -> TreatmentSettings:
    policy.require(actor, policy.MANAGE_CLINIC)
    if not actor.clinic_id:  # settings and chairs are a clinic's
        raise NotFound("Not found.")
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    with transaction.atomic():
        found, _ = TreatmentSettings.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id
        )
        changed = [name for name, value in fields.items() if getattr(found, name) != value]
        for name in changed:
            setattr(found, name, fields[name])
        found.updated_by = actor
        found.save()
        record(actor=actor, action="update", obj=found,
               detail="changed: " + (", ".join(changed) or "nothing"))  # fmt: skip
    return found


def add_chair(*, actor: User, room: str, name: str) -> Chair:
    policy.require(actor, policy.MANAGE_CLINIC)
    if not actor.clinic_id:  # settings and chairs are a clinic's
        raise NotFound("Not found.")
    room = text(room, "room", "the room", max_length=80)
    name = text(name, "name", "the chair's name", max_length=80)
    try:
        with transaction.atomic():
            chair = Chair.objects.create(clinic_id=actor.clinic_id, room=room, name=name)
            record(actor=actor, action="create", obj=chair,
                   detail=f"chair {chair}")  # fmt: skip
    except IntegrityError:
        raise Refusal(f"{room} already has a chair named {name}.", field="name") from None
    return chair


def set_chair_active(*, actor: User, chair: Chair, active: bool) -> Chair:
    policy.require(actor, policy.MANAGE_CLINIC, chair)
    with transaction.atomic():
        chair.active = bool(active)
        chair.save(update_fields=["active"])
        record(actor=actor, action="update", obj=chair,
               detail=f"chair {chair} {'in use' if active else 'retired'}")  # fmt: skip
    return chair
