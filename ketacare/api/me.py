"""`GET /api/v1/me`: who the request is authenticated as, to check a token or a session."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from ketacare.core.http import AuthenticatedHttpRequest

router = Router(tags=["account"])


class ClinicOut(Schema):
    id: int
    name: str
    slug: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    clinic: ClinicOut | None
    auth_method: str


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "clinic": user.clinic,
        "auth_method": getattr(request, "auth_method", "session"),
    }
