"""Reads for the account pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet

from ketacare.core.errors import NotFound

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


def own_token(*, user: User, token_id: int) -> ApiToken:
    """One of the user's own API tokens, or `NotFound`."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("Page not found.")
    return token


def clinic_user(*, actor: Any, user_id: int) -> User:
    """A user of the actor's clinic (the staff page's row), or `NotFound`."""
    user = User.objects.filter(pk=user_id, clinic_id=actor.clinic_id).first()
    if user is None:
        raise NotFound("Page not found.")
    return user


def account_for_email(email: str) -> User | None:
    """The account a sign-in attempt named, if any (for the audit row of a refused sign-in)."""
    return User.objects.filter(email__iexact=email).only("pk", "clinic_id").first()
