"""TOTP devices and recovery codes (django-otp): enrolment state, the QR code for the
authenticator app, and the recovery codes (otp_static tokens, each usable once)."""

from __future__ import annotations

import base64
import re
from typing import Any
from xml.etree import ElementTree

import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# A TOTP code is six digits; anything else typed on the verify page is a recovery code.
TOTP_CODE_RE = re.compile(r"^\d{6}$")


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_totp_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up, created on first visit and kept across reloads so
    the QR code the user scanned stays valid until they confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def recovery_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_code(raw: str) -> str:
    """Codes as people type them: spaces and dashes dropped, recovery codes lower-case."""
    return re.sub(r"[\s-]", "", raw or "").lower()


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) > 4 else code


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(data: str, *, label: str) -> str:
    """An inline SVG QR code (path only: no script, no style, so CSP allows it)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    root = image.get_image()
    root.set("width", "240")
    root.set("height", "240")
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("class", "qr-code")
    ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
    return ElementTree.tostring(root, encoding="unicode")


__all__ = [
    "RECOVERY_CODE_COUNT",
    "StaticDevice",
    "StaticToken",
    "TOTPDevice",
    "confirmed_totp_device",
    "has_confirmed_device",
    "pending_totp_device",
    "qr_code_svg",
    "recovery_codes_left",
    "secret_for_display",
]
