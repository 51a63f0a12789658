"""Session safeguards: automatic log-off after idle time (HIPAA §164.312(a)(2)(iii)) and MFA
enrolment/verification for the roles that must use it."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from ketacare.core.roles import STAFF_ROLES

LAST_SEEN_KEY = "ketacare_last_seen"
# Activity is written to the session at most this often: a page view must not cost a
# database write (on SQLite, the write lock). Log-off happens up to this much early.
LAST_SEEN_RESOLUTION_SECONDS = 30
# Paths a signed-in user may reach before MFA is done (or that carry no health data). Not all
# of /accounts/: the Security page mints API tokens, which must not bypass the second factor.
MFA_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password-reset/",
    "/accounts/invitation/",
    "/accounts/mfa/",
    "/static/",
    "/healthz",
    "/favicon",
)


def idle_timeout_seconds(user: object) -> int:
    minutes = (
        settings.STAFF_IDLE_TIMEOUT_MINUTES
        if getattr(user, "role", None) in STAFF_ROLES
        else settings.PATIENT_IDLE_TIMEOUT_MINUTES
    )
    return int(minutes) * 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - float(last_seen) > idle_timeout_seconds(user):
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Your session expired after inactivity. Sign in again."},
                        status=401,
                    )
                messages.info(
                    request,
                    "You were signed out after a period of inactivity, to protect "
                    "patients' data. Please sign in again.",
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """Staff (and monitors) must verify a TOTP device each session once they have one, and must
    enrol one from their MFA_REQUIRED_FROM_LOGIN-th login on. Patients are offered MFA and must
    verify once they have enrolled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_OPEN_PREFIXES)
            and not user.is_verified()
            and getattr(request, "auth_method", "session") == "session"
        ):
            target = self._mfa_target(user)
            if target is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Two-factor verification is required for this account."},
                        status=403,
                    )
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)

    @staticmethod
    def _mfa_target(user: object) -> str | None:
        from .mfa import has_confirmed_device

        if has_confirmed_device(user):
            return "accounts:mfa_verify"
        if getattr(user, "mfa_required", False) and (
            getattr(user, "login_count", 0) >= settings.MFA_REQUIRED_FROM_LOGIN
        ):
            return "accounts:mfa_setup"
        return None
