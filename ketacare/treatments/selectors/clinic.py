"""Reads of the clinic's treatment set-up: its chairs, settings and staff, the ledger's lots a
dose may be drawn from, and the treatments cards of the home pages."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from ketacare.core.errors import NotFound
from ketacare.core.policy import CLINICAL_CARE, VIEW_SCHEDULE, can, roles_for
from ketacare.core.roles import Role
from ketacare.ledger import selectors as ledger
from ketacare.patients.selectors import patients_visible_to

from ..constants import ROUTE_PRODUCT_FORMS
from ..models import Chair, TreatmentSettings
from .sessions import open_alerts, rems_forms_pending, today_count, upcoming_for_patient


def chairs_of(user: Any, *, active_only: bool = False) -> QuerySet[Chair]:
    qs = Chair.objects.filter(clinic_id=user.clinic_id)
    return qs.filter(active=True) if active_only else qs


def chair_for(user: Any, chair_id: Any) -> Chair:
    chair = Chair.objects.filter(pk=chair_id, clinic_id=user.clinic_id).first()
    if chair is None:
        raise NotFound("Not found.")
    return chair


def treatment_settings_of(clinic_id: int | None) -> TreatmentSettings | None:
    if clinic_id is None:
        return None
    return TreatmentSettings.objects.filter(clinic_id=clinic_id).first()


def clinic_staff(user: Any) -> QuerySet[Any]:
    """The clinic's clinicians and prescribers (who may run a session)."""
    from ketacare.accounts.models import User

    return User.objects.filter(
        clinic_id=user.clinic_id, is_active=True, role__in=sorted(roles_for(CLINICAL_CARE))
    ).order_by("full_name")


def ledger_choices(user: Any, route: str) -> dict[str, Any]:
    """The lots and storage locations a dose on `route` may be drawn from (the ledger's)."""
    return {
        "lots": ledger.lots_for_route(
            clinic_id=user.clinic_id, product_forms=ROUTE_PRODUCT_FORMS.get(route, set())
        ),
        "locations": ledger.locations_in_use(clinic_id=user.clinic_id),
        "uses_ledger": ledger.clinic_keeps_stock(clinic_id=user.clinic_id),
    }


def home_cards(user: Any) -> dict[str, Any]:
    """What the home pages show of treatments (staff: today, alerts, REMS forms due; a
    patient: their next sessions)."""
    if user.role == Role.PATIENT:
        patient = patients_visible_to(user).first()
        if patient is None:
            return {}
        zone = ZoneInfo(user.clinic.timezone) if user.clinic_id else None
        upcoming = upcoming_for_patient(patient, timezone.now())[:3]
        return {
            "upcoming_sessions": [
                (s, timezone.localtime(s.scheduled_start, zone)) for s in upcoming
            ]
        }
    if not can(user, VIEW_SCHEDULE) or not user.clinic_id:
        return {}
    with timezone.override(ZoneInfo(user.clinic.timezone)):
        today = timezone.localdate()
        return {
            "sessions_today": today_count(user, today),
            "open_alerts": open_alerts(user),
            "rems_pending": rems_forms_pending(user, today),
        }
