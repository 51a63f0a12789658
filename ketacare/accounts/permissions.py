"""Transitional re-exports: the permission policy now lives in `ketacare.core.policy` (the
table and the checks), `ketacare.core.views` (view decorators) and
`ketacare.patients.selectors` (patient lookups). Import from there."""

from __future__ import annotations

from typing import Any

from ketacare.core.policy import (
    CREATE_PATIENT,
    EDIT_PATIENT,
    MANAGE_CLINIC,
    POLICY,
    PRESCRIBE,
    VIEW_PATIENT,
    can,
    has_role,
)
from ketacare.core.views import action_required, role_required
from ketacare.patients.selectors import get_patient_for as _get_patient_for
from ketacare.patients.selectors import patients_visible_to


def allowed(user: Any, action: str) -> bool:
    return can(user, action)


def get_patient_for(
    user: Any, patient_id: Any, *, action: str = VIEW_PATIENT, request: Any = None
) -> Any:
    return _get_patient_for(user, patient_id, action=action)


__all__ = [
    "CREATE_PATIENT", "EDIT_PATIENT", "MANAGE_CLINIC", "POLICY", "PRESCRIBE", "VIEW_PATIENT",
    "action_required", "allowed", "get_patient_for", "has_role", "patients_visible_to",
    "role_required",
]  # fmt: skip
