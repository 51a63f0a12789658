"""Writes to accounts: invitations, (de)activation, MFA enrolment and verification, password
changes. Each one transaction, permission-checked, audited in the same transaction.

Refusals are `ketacare.core.errors.Refusal` (with a stable `code`); who is asking and from
where reaches the audit row through the audit context (`ketacare.core.context`). This module
never imports the patients app: a patient-portal invitation gets the patient record from its
caller (`ketacare.patients.services.invite_to_portal`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.models import Device

from ketacare.audit.log import AuditOutcome, record
from ketacare.core import outbox
from ketacare.core.context import current
from ketacare.core.errors import Refusal
from ketacare.core.policy import EDIT_PATIENT, MANAGE_CLINIC, require
from ketacare.core.urls import absolute_url

from . import mfa
from .models import Role, User

if TYPE_CHECKING:
    from django.db.models import Model

# Roles an administrator may invite from the staff page (patients are invited from their record).
INVITABLE_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.MONITOR, Role.ADMIN)
DUPLICATE_EMAIL = "An account with this email address already exists."


# --- Invitations


def invitation_url(user: User) -> str:
    """The one-time set-password link (Django's reset-token machinery: it expires after
    PASSWORD_RESET_TIMEOUT and stops working once a password has been set), on the address
    the current request came in on, else settings.SITE_URL (a management command)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url("accounts:invitation", uidb64, token, origin=current().origin)


def _queue_invitation(user: User, *, actor: User) -> None:
    context = {
        "user": user,
        "inviter": actor,
        "clinic": user.clinic,
        "url": invitation_url(user),
        "expires_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    # In the outbox, in this transaction: a rolled-back invitation sends nothing.
    outbox.queue("accounts/email/invitation", context, user.email)


@transaction.atomic
def invite_user(
    *,
    actor: User,
    email: str,
    full_name: str,
    role: str,
    patient: Model | None = None,
) -> User:
    """Create a user without a password in the actor's clinic and email them a link to choose
    one. Staff roles need an administrator; a patient login (role=patient, `patient` the
    Patient record it is linked to) needs someone who may edit that patient's record."""
    if role == Role.PATIENT:
        if patient is None:
            raise Refusal("A patient invitation needs the patient's record.", code="no_patient")
        require(actor, EDIT_PATIENT, patient, what="No such patient.")
        if patient.user_id is not None:  # type: ignore[attr-defined]
            raise Refusal("This patient already has a portal account.", code="has_portal_account")
    else:
        require(actor, MANAGE_CLINIC, what="Page not found.")
        if role not in INVITABLE_ROLES or patient is not None:
            raise Refusal("Choose one of the staff roles.", field="role", code="not_a_staff_role")
    if actor.clinic_id is None:
        raise Refusal(
            "Your account belongs to no clinic, so it cannot invite anyone.", code="no_clinic"
        )
    email = email.strip().lower()
    if not email:
        raise Refusal(
            "An email address is needed to send the invitation.", field="email", code="no_email"
        )
    if User.objects.filter(email__iexact=email).exists():
        raise Refusal(DUPLICATE_EMAIL, field="email", code="duplicate_email")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=None,  # unusable until the invitation is accepted
                full_name=full_name.strip(),
                clinic_id=actor.clinic_id,
                role=role,
                is_staff=role == Role.ADMIN,
            )
    except IntegrityError:  # the same email invited twice at once
        raise Refusal(DUPLICATE_EMAIL, field="email", code="duplicate_email") from None
    if patient is not None:
        patient.user = user  # type: ignore[attr-defined]
        patient.save(update_fields=["user", "updated_at"])
    record(actor=actor, action="create", obj=user, patient=patient,
           detail=f"invited as {role}")  # fmt: skip
    _queue_invitation(user, actor=actor)
    return user


@transaction.atomic
def resend_invitation(*, actor: User, user: User) -> None:
    require(actor, MANAGE_CLINIC, user, what="Page not found.")  # their own clinic's user
    if user.has_usable_password() or not user.is_active:
        raise Refusal(
            f"{user.full_name} has already set a password or is deactivated.",
            code="invitation_not_pending",
        )
    record(actor=actor, action="update", obj=user, detail="invitation re-sent")
    _queue_invitation(user, actor=actor)


@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool) -> None:
    """Deactivate (or reactivate) a user of the actor's clinic. Their sessions and API tokens
    stop working at once: both check `is_active` on every request."""
    require(actor, MANAGE_CLINIC, user, what="Page not found.")  # their own clinic's user
    if user.pk == actor.pk:
        raise Refusal("You cannot deactivate your own account.", code="own_account")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    record(actor=actor, action="update", obj=user,
           detail="reactivated" if active else "deactivated")  # fmt: skip


@transaction.atomic
def record_password_set(*, user: User, how: str) -> None:
    """Audit a password that Django's own forms have just set, and lift any lockout."""
    from axes.utils import reset as reset_lockout

    reset_lockout(username=user.email)
    record(actor=user, action="update", obj=user, detail=f"password {how}")


# --- MFA


def _replace_recovery_codes(user: User) -> list[str]:
    mfa.StaticDevice.objects.filter(user=user).delete()
    device = mfa.StaticDevice.objects.create(
        user=user, name=mfa.RECOVERY_DEVICE_NAME, confirmed=True
    )
    codes = [mfa.StaticToken.random_token() for _ in range(mfa.RECOVERY_CODE_COUNT)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


@transaction.atomic
def confirm_totp_device(*, user: User, device: mfa.TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device being set up with a code from the app. Returns the new recovery
    codes (to be shown once), or None when the code is wrong or attempts are throttled."""
    if device.user_id != user.pk or device.confirmed:
        raise Refusal("This authenticator is not being set up.", code="not_being_set_up")
    device = mfa.TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(mfa.normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    mfa.TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _replace_recovery_codes(user)
    record(actor=user, action="update", obj=user, detail="two-factor authentication enrolled")
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    if not mfa.has_confirmed_device(user):
        raise Refusal("Set up two-factor authentication first.", code="mfa_not_enrolled")
    codes = _replace_recovery_codes(user)
    record(actor=user, action="update", obj=user, detail="recovery codes regenerated")
    return codes


@dataclass(frozen=True)
class Verification:
    device: Device | None
    used_recovery_code: bool = False
    retry_after: dt.datetime | None = None  # set when attempts are throttled


def verify_second_factor(
    *,
    user: User,
    code: str,
) -> Verification:
    """Check a TOTP code (six digits) or a recovery code (used up on success). django-otp
    throttles each device: after n wrong codes the next try waits 2^(n-1) seconds."""
    code = mfa.normalise_code(code)
    is_totp = bool(mfa.TOTP_CODE_RE.match(code))
    device: Any = mfa.confirmed_totp_device(user) if is_totp else mfa.recovery_device(user)
    if device is None:
        return _failed(user, "no such device")
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        verify_allowed, info = device.verify_is_allowed()
        if not verify_allowed:
            _failed(user, "throttled")
            return Verification(None, retry_after=(info or {}).get("locked_until"))
        if not device.verify_token(code):
            return _failed(user, "wrong code")
        how = "authenticator app" if is_totp else "recovery code"
        record(actor=user, action="login", obj=user, detail=f"two-factor verified with {how}")
    return Verification(device, used_recovery_code=not is_totp)


def _failed(user: User, why: str) -> Verification:
    record(actor=user, action="login_failed", obj=user, outcome=AuditOutcome.DENIED,
           detail=f"two-factor {why}")  # fmt: skip
    return Verification(None)
