"""Helpers for the account tests: a real sign-in through the login form, TOTP enrolment and
the code an authenticator app would show now."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def current_code(device: TOTPDevice) -> str:
    """What the user's authenticator app shows right now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def link_in(message) -> str:
    """The single http(s) link of an email's plain-text body, as a path."""
    urls = re.findall(r"https?://[^\s]+", message.body)
    assert len(urls) == 1, message.body
    return re.sub(r"^https?://[^/]+", "", urls[0])


@pytest.fixture
def sign_in(client):
    """`sign_in(user_or_email, password=...)`: POST the login form as a browser would."""

    def _sign_in(who, password=PASSWORD, **extra):
        email = who if isinstance(who, str) else who.email
        return client.post("/accounts/login/", {"username": email, "password": password}, **extra)

    return _sign_in


@pytest.fixture
def enrol():
    """`enrol(user)` → (confirmed TOTP device, list of recovery codes)."""

    def _enrol(user):
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        codes = ["abcd2345", "efgh6723", "jkmn4567"]
        for code in codes:
            static.token_set.create(token=code)
        return device, codes

    return _enrol
