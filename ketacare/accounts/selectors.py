"""Reads for the account pages."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet

from .mfa import TOTPDevice
from .models import ApiToken, Role, User

STAFF_FILTER = "staff"


def clinic_users(*, clinic_id: int | None, role: str = STAFF_FILTER) -> QuerySet[User]:
    """The clinic's users for the staff page, with `mfa_enrolled`; staff by default, or one
    role (patients' portal logins included when asked for)."""
    if clinic_id is None:
        return User.objects.none()
    qs = User.objects.filter(clinic_id=clinic_id).annotate(
        mfa_enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    if role == STAFF_FILTER:
        qs = qs.exclude(role=Role.PATIENT)
    else:
        qs = qs.filter(role=role)
    return qs.order_by("-is_active", "full_name", "id")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    # Active tokens first, newest first (the same order on SQLite and PostgreSQL).
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-id"
    )
