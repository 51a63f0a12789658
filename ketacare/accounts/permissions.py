"""The one permission mechanism: every view and API endpoint asks it two questions, "may this
role do this?" and "is this object theirs to see?". Anonymous users are sent to the login page;
the wrong user gets a 404, never a 403, so a record's existence does not leak."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from ketacare.audit.log import record
from ketacare.audit.models import AuditOutcome

from .models import Role

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from ketacare.patients.models import Patient

# What each action on a patient's record needs. Object scope is applied on top of this:
# staff only within their clinic, a patient only themselves, a monitor only their patients.
VIEW_PATIENT = "view_patient"
EDIT_PATIENT = "edit_patient"
CREATE_PATIENT = "create_patient"
PRESCRIBE = "prescribe"
MANAGE_CLINIC = "manage_clinic"

POLICY: dict[str, frozenset[str]] = {
    VIEW_PATIENT: frozenset(
        {Role.PATIENT, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN, Role.MONITOR}
    ),
    EDIT_PATIENT: frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN}),
    CREATE_PATIENT: frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN}),
    PRESCRIBE: frozenset({Role.PRESCRIBER}),
    MANAGE_CLINIC: frozenset({Role.ADMIN}),
}


def has_role(user: Any, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in roles)


def allowed(user: Any, action: str) -> bool:
    return has_role(user, *POLICY[action])


def patients_visible_to(user: Any) -> QuerySet[Patient]:
    """Every patient this user may see at all; the base of every patient query."""
    from ketacare.patients.models import Patient

    qs = Patient.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.role in (Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN):
        return qs.filter(clinic_id=user.clinic_id) if user.clinic_id else qs.none()
    if user.role == Role.PATIENT:
        return qs.filter(user=user)
    if user.role == Role.MONITOR:
        return qs.filter(monitors=user, clinic_id=user.clinic_id)
    return qs.none()


def get_patient_for(
    user: Any, patient_id: Any, *, action: str = VIEW_PATIENT, request: HttpRequest | None = None
) -> Patient:
    """The patient, if `user` may do `action` on them; else Http404 (and a denied audit row)."""
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    patient = None
    if allowed(user, action):
        patient = patients_visible_to(user).filter(pk=pk).first()
    if patient is None:
        record(
            actor=user,
            action="view",
            obj=("patients.Patient", pk),
            request=request,
            outcome=AuditOutcome.DENIED,
            detail=f"{action} refused",
        )
        raise Http404("No such patient.")
    return patient


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: anonymous → login page; signed in with another role → 404."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise Http404("Page not found.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def action_required(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return role_required(*POLICY[action])
