"""TOTP devices and recovery codes (django-otp)."""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


__all__ = ["has_confirmed_device", "StaticDevice", "TOTPDevice"]
