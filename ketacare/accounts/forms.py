"""Account forms: sign-in, password reset (mail through the outbox), invitations, MFA codes
and API tokens. Validation happens here, with messages a person can act on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction

from ketacare.audit.log import record
from ketacare.core import outbox

from .models import User
from .services import DUPLICATE_EMAIL, INVITABLE_ROLES


class LoginForm(auth_forms.AuthenticationForm):
    """Email + password. The field keeps Django's name `username` (django-axes reads it)."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": (
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": "This account is not active. Please contact your clinic.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; the email is rendered here and put in the outbox (Django's own
    sending is replaced), with the audit row, in one transaction."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        outbox.queue("accounts/email/password_reset", context, to_email)
        user = context["user"]
        # Asked for by someone not signed in: the account is the object, not the actor.
        record(action="update", obj=user, clinic_id=user.clinic_id,
               detail="password reset email requested")  # fmt: skip


class InviteStaffForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(
        label="Role",
        choices=[(role.value, role.label) for role in INVITABLE_ROLES],
        help_text="Clinic administrators also get the Django admin.",
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter the person's full name.")
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(DUPLICATE_EMAIL)
        return email


class CodeForm(forms.Form):
    """One code from the authenticator app (or, on the verify page, a recovery code)."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, allow_recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if allow_recovery:
            field.label = "Code from your authenticator app, or a recovery code"
            field.widget.attrs["inputmode"] = "text"
            field.help_text = "Six digits from the app, or one of your recovery codes (xxxx-xxxx)."
        else:
            field.label = "Six-digit code from your authenticator app"


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What it is for, e.g. “nightly export script”.",
    )
