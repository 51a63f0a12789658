"""Account pages: sign in and out, password reset, invitations, two-factor authentication,
the Security page (password, API tokens) and the clinic's staff page."""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ketacare.audit.log import AuditOutcome, record
from ketacare.core.errors import Refusal
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.policy import MANAGE_CLINIC
from ketacare.core.views import action_required, submit

from . import mfa, selectors, services
from .forms import CodeForm, InviteStaffForm, LoginForm, PasswordResetForm, TokenCreateForm
from .models import Role
from .tokens import create_token, revoke_token

STAFF_PAGE_SIZE = 50


def _safe_next(request: HttpRequest, default: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- Sign in and out


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        type(user).objects.filter(pk=user.pk).update(login_count=user.login_count + 1)
        user.login_count += 1
        record(actor=user, action="login", obj=user)
        if (
            user.mfa_required
            and user.login_count < settings.MFA_REQUIRED_FROM_LOGIN
            and not mfa.has_confirmed_device(user)
        ):
            messages.warning(
                self.request,
                "Please set up two-factor authentication now, from your Security page: "
                "from your next sign-in on it will be required.",
            )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        email = (form.data.get("username") or "").strip().lower()[:254]
        known = selectors.account_for_email(email)
        locked = " (locked out)" if getattr(self.request, "axes_locked_out", False) else ""
        record(
            action="login_failed",
            obj=known,
            outcome=AuditOutcome.DENIED,
            clinic_id=getattr(known, "clinic_id", None),
            detail=f"sign-in refused for {email or '(no email)'}{locked}",
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record(actor=request.user, action="logout", obj=request.user)
        return super().post(request, *args, **kwargs)


# --- Password reset by email (the email itself is sent by the worker)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeout_days"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
        return context


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    how = "reset by email"

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.record_password_set(user=form.user, how=self.how)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class InvitationView(PasswordResetConfirmView):
    """Accept an invitation: choose a first password (Django's validators apply)."""

    template_name = "accounts/invitation.html"
    success_url = reverse_lazy("accounts:login")
    how = "set from invitation"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request, "Your password is set. Sign in with your email address and new password."
        )
        return response


# --- Two-factor authentication


def _codes_page(
    request: AuthenticatedHttpRequest, codes: list[str], *, first_time: bool
) -> HttpResponse:
    # Shown once: the views that call this are never_cache (no-store).
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": [mfa.format_recovery_code(c) for c in codes],
            "first_time": first_time,
            "next": _safe_next(request, "accounts:security"),
        },
    )


@never_cache
@login_required
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if mfa.has_confirmed_device(user):
        # Replacing a device needs a verified session; an unverified one goes to verify first.
        messages.info(request, "Two-factor authentication is already set up for your account.")
        return redirect("accounts:security" if user.is_verified() else "accounts:mfa_verify")
    device = mfa.pending_totp_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_device(
            user=user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            device.refresh_from_db()
            request.session.cycle_key()
            django_otp.login(request, device)
            messages.success(request, "Two-factor authentication is on.")
            return _codes_page(request, codes, first_time=True)
        form.add_error(
            "code",
            "That code did not match. Check that your phone's clock is right and enter the code "
            "the app shows now (it changes every 30 seconds).",
        )
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": mfa.qr_code_svg(
                device.config_url, label="QR code to add KetaCare to your authenticator app"
            ),
            "secret": mfa.secret_for_display(device),
            "required": user.mfa_required,
            "next": _safe_next(request),
        },
    )


@never_cache
@login_required
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    if not mfa.has_confirmed_device(user):
        query = urlencode({"next": _safe_next(request)})
        return redirect(f"{reverse('accounts:mfa_setup')}?{query}")
    form = CodeForm(request.POST or None, allow_recovery=True)
    if request.method == "POST" and form.is_valid():
        result = services.verify_second_factor(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            request.session.cycle_key()
            django_otp.login(request, result.device)
            if result.used_recovery_code:
                left = mfa.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. If you have lost your phone, "
                    "make new recovery codes from your Security page.",
                )
            return redirect(_safe_next(request))
        if result.retry_after is not None:
            seconds = max(1, int((result.retry_after - timezone.now()).total_seconds() + 0.999))
            form.add_error(
                "code",
                f"Too many wrong codes. Wait {seconds} second{'s' if seconds != 1 else ''} "
                "and try again.",
            )
        else:
            form.add_error(
                "code",
                "That code is not right. Enter the six-digit code your authenticator app shows "
                "for KetaCare now, or an unused recovery code.",
            )
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@never_cache
@login_required
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: how many codes are left; POST: replace them all (shown once)."""
    user = request.user
    if not mfa.has_confirmed_device(user):
        return redirect("accounts:mfa_setup")
    if not user.is_verified():
        return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': request.path})}")
    if request.method == "POST":
        codes = services.regenerate_recovery_codes(user=user)
        messages.success(request, "New recovery codes were made; the old ones no longer work.")
        return _codes_page(request, codes, first_time=False)
    return render(request, "accounts/recovery_codes.html", {"left": mfa.recovery_codes_left(user)})


# --- Security page: MFA status, password, API tokens


def _security_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    enrolled = mfa.has_confirmed_device(user)
    context: dict[str, Any] = {
        "mfa_enrolled": enrolled,
        "mfa_required": user.mfa_required,
        "recovery_left": mfa.recovery_codes_left(user) if enrolled else 0,
        "tokens": selectors.tokens_of(user),
        "token_form": TokenCreateForm(),
    }
    context.update(extra)
    return context


@login_required
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/security.html", _security_context(request))


@never_cache
@login_required
@require_POST
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return render(
            request, "accounts/security.html", _security_context(request, token_form=form)
        )
    token, raw = create_token(actor=request.user, name=form.cleaned_data["name"])
    return render(request, "accounts/token_created.html", {"token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = selectors.own_token(user=request.user, token_id=token_id)
    revoke_token(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” was revoked; it no longer works.")
    return redirect("accounts:security")


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: the session stays signed in (and verified) after the change."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.record_password_set(user=form.user, how="changed")
        messages.success(self.request, "Your password was changed.")
        return response


# --- Staff and invitations


@action_required(MANAGE_CLINIC)
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    role = request.GET.get("role", selectors.STAFF_FILTER)
    if role != selectors.STAFF_FILTER and role not in Role.values:
        role = selectors.STAFF_FILTER
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST":
        invited = submit(form, lambda data: services.invite_user(actor=request.user, **data))
        if invited.ok and invited.result is not None:
            messages.success(request, f"Invitation sent to {invited.result.email}.")
            return redirect("accounts:staff_list")
    page = Paginator(
        selectors.clinic_users(clinic_id=request.user.clinic_id, role=role), STAFF_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    if role == Role.PATIENT:
        record(action="list", obj=("accounts.User", ""),
               detail=f"patient logins, page {page.number}")  # fmt: skip
    return render(
        request,
        "accounts/staff_list.html",
        {
            "page": page,
            "form": form,
            "role": role,
            "role_choices": [(selectors.STAFF_FILTER, "All staff"), *Role.choices],
        },
    )


def _staff_action(request: AuthenticatedHttpRequest, user_id: int, action: str) -> HttpResponse:
    user = selectors.clinic_user(actor=request.user, user_id=user_id)
    try:
        if action == "resend":
            services.resend_invitation(actor=request.user, user=user)
            messages.success(request, f"A new invitation was sent to {user.email}.")
        else:
            active = action == "reactivate"
            services.set_user_active(actor=request.user, user=user, active=active)
            messages.success(request, f"{user.full_name} was {action}d.")
    except Refusal as refusal:
        messages.error(request, refusal.message)
    return redirect("accounts:staff_list")


@action_required(MANAGE_CLINIC)
@require_POST
def staff_deactivate(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    return _staff_action(request, user_id, "deactivate")


@action_required(MANAGE_CLINIC)
@require_POST
def staff_reactivate(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    return _staff_action(request, user_id, "reactivate")


@action_required(MANAGE_CLINIC)
@require_POST
def staff_resend(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    return _staff_action(request, user_id, "resend")
