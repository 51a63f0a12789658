"""Two-factor authentication (TOTP, django-otp): staff must enrol from their second sign-in
on, anyone with a device must verify each session, recovery codes work once."""

import datetime as dt
import re

import pytest
import time_machine
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts.mfa import secret_for_display
from ketacare.accounts.models import ApiToken
from ketacare.audit.models import AuditEvent
from tests.accounts.conftest import current_code

RECOVERY_CODE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>")
START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(world):
    """The clinician, as a real account: not exempt from MFA."""
    world.clinician.mfa_exempt = False
    world.clinician.save(update_fields=["mfa_exempt"])
    return world.clinician


def _wrong_code(device):
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


# --- Enrolment


def test_staff_first_sign_in_is_allowed_with_a_prompt_to_enrol(staff, client, sign_in):
    response = sign_in(staff)
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"Please set up two-factor authentication now" in home.content


def test_staff_second_sign_in_must_enrol_before_any_other_page(staff, client, sign_in):
    sign_in(staff)
    client.post("/accounts/logout/")
    sign_in(staff)

    response = client.get("/patients/?q=a&page=1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?next=%2Fpatients%2F%3Fq%3Da%26page%3D1"
    # The Security page (where API tokens are made) is closed too.
    assert client.get("/accounts/security/")["Location"].startswith("/accounts/mfa/setup/")
    assert client.get("/accounts/mfa/setup/").status_code == 200


def test_the_api_answers_403_json_to_a_session_that_still_needs_mfa(staff, client, sign_in, enrol):
    enrol(staff)
    sign_in(staff)
    response = client.get("/api/v1/patients")
    assert response.status_code == 403
    assert response.json() == {"detail": "Two-factor verification is required for this account."}


def test_the_setup_page_shows_a_qr_code_and_the_key_without_inline_script_or_style(
    staff, client, sign_in
):
    sign_in(staff)
    response = client.get("/accounts/mfa/setup/")
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert re.search(r'<svg [^>]*class="qr-code"', html)
    assert 'aria-label="QR code to add KetaCare to your authenticator app"' in html
    assert secret_for_display(device) in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # A reload shows the same key: the code the user scanned stays valid.
    assert secret_for_display(device) in client.get("/accounts/mfa/setup/").content.decode()
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_confirming_with_a_code_turns_mfa_on_and_shows_ten_recovery_codes_once(
    staff, client, sign_in, clock
):
    sign_in(staff)
    client.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=staff)

    response = client.post(
        "/accounts/mfa/setup/", {"code": current_code(device), "next": "/patients/"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = RECOVERY_CODE.findall(response.content.decode())
    assert len(set(codes)) == 10
    assert b'href="/patients/"' in response.content
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    assert AuditEvent.objects.filter(detail="two-factor authentication enrolled").exists()
    # This session is verified; the codes are not shown again.
    assert client.get("/patients/").status_code == 200
    again = client.get("/accounts/mfa/recovery-codes/")
    assert b"10</strong> unused recovery codes left" in again.content
    assert not RECOVERY_CODE.search(again.content.decode())


def test_a_wrong_code_at_setup_is_refused_next_to_the_field(staff, client, sign_in, clock):
    sign_in(staff)
    client.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=staff)
    response = client.post("/accounts/mfa/setup/", {"code": _wrong_code(device)})
    assert response.status_code == 200
    assert b"That code did not match" in response.content
    assert b"error-summary" in response.content
    device.refresh_from_db()
    assert not device.confirmed


def test_setup_cannot_add_a_second_device_before_verifying_the_first(staff, client, sign_in, enrol):
    enrol(staff)
    sign_in(staff)
    response = client.get("/accounts/mfa/setup/")
    assert response["Location"] == "/accounts/mfa/verify/"
    assert client.post("/accounts/mfa/setup/", {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=staff).count() == 1


# --- Verification


def test_with_a_device_every_page_asks_for_a_code_until_a_valid_one_is_entered(
    staff, client, sign_in, enrol, clock
):
    device, _ = enrol(staff)
    assert sign_in(staff)["Location"] == "/"
    assert client.get("/")["Location"] == "/accounts/mfa/verify/?next=%2F"
    assert client.get("/patients/")["Location"] == "/accounts/mfa/verify/?next=%2Fpatients%2F"

    wrong = client.post("/accounts/mfa/verify/", {"code": _wrong_code(device), "next": "/"})
    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    assert client.get("/")["Location"].startswith("/accounts/mfa/verify/")

    clock.shift(dt.timedelta(seconds=2))  # django-otp's back-off after one failure
    ok = client.post("/accounts/mfa/verify/", {"code": current_code(device), "next": "/patients/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/patients/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/patients").status_code == 200
    assert AuditEvent.objects.filter(detail="two-factor verified with authenticator app").exists()


def test_a_code_cannot_be_used_twice(staff, client, sign_in, enrol, clock):
    device, _ = enrol(staff)
    sign_in(staff)
    code = current_code(device)
    assert client.post("/accounts/mfa/verify/", {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")
    sign_in(staff)
    clock.shift(dt.timedelta(seconds=2))  # same 30-second step
    response = client.post("/accounts/mfa/verify/", {"code": code})
    assert b"That code is not right" in response.content


def test_wrong_codes_are_throttled_with_a_clear_message(staff, client, sign_in, enrol, clock):
    device, _ = enrol(staff)
    sign_in(staff)
    client.post("/accounts/mfa/verify/", {"code": _wrong_code(device)})
    client.post("/accounts/mfa/verify/", {"code": _wrong_code(device)})  # throttled, not counted
    response = client.post("/accounts/mfa/verify/", {"code": current_code(device)})
    assert response.status_code == 200
    assert b"Too many wrong codes. Wait 1 second and try again." in response.content
    assert client.get("/")["Location"].startswith("/accounts/mfa/verify/")

    clock.shift(dt.timedelta(seconds=2))
    assert client.post("/accounts/mfa/verify/", {"code": current_code(device)}).status_code == 302


def test_a_recovery_code_works_once(staff, client, sign_in, enrol, clock):
    _, codes = enrol(staff)
    sign_in(staff)
    typed = f"{codes[0][:4].upper()}-{codes[0][4:]}"  # as printed, any case
    response = client.post("/accounts/mfa/verify/", {"code": typed, "next": "/patients/"})
    assert response["Location"] == "/patients/"
    page = client.get("/patients/")
    assert page.status_code == 200
    assert b"You used a recovery code; 2 left." in page.content

    client.post("/accounts/logout/")
    sign_in(staff)
    again = client.post("/accounts/mfa/verify/", {"code": codes[0]})
    assert again.status_code == 200
    assert b"That code is not right" in again.content
    clock.shift(dt.timedelta(seconds=2))
    assert client.post("/accounts/mfa/verify/", {"code": codes[1]}).status_code == 302


def test_verify_never_redirects_to_another_site(staff, client, sign_in, enrol):
    device, _ = enrol(staff)
    sign_in(staff)
    response = client.post(
        "/accounts/mfa/verify/", {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_mfa_exempt_users_are_never_asked(world, client, sign_in):
    world.clinician.login_count = 7
    world.clinician.save(update_fields=["login_count"])
    sign_in(world.clinician)
    home = client.get("/")
    assert home.status_code == 200
    assert b"two-factor" not in home.content
    assert client.get("/api/v1/patients").status_code == 200


def test_patients_are_offered_mfa_and_must_verify_once_enrolled(world, client, sign_in, enrol):
    for _ in range(3):
        sign_in(world.patient_user)
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")
    sign_in(world.patient_user)
    security = client.get("/accounts/security/")
    assert b"Set up two-factor authentication" in security.content
    assert b"Optional, and recommended" in security.content
    client.post("/accounts/logout/")

    enrol(world.patient_user)
    sign_in(world.patient_user)
    assert client.get("/patients/me/")["Location"].startswith("/accounts/mfa/verify/")


# --- Recovery codes


def test_new_recovery_codes_replace_the_old_ones(staff, client, sign_in, enrol):
    device, old_codes = enrol(staff)
    sign_in(staff)
    client.post("/accounts/mfa/verify/", {"code": current_code(device)})

    response = client.post("/accounts/mfa/recovery-codes/")
    assert response.status_code == 200
    new_codes = [c.replace("-", "") for c in RECOVERY_CODE.findall(response.content.decode())]
    assert len(new_codes) == 10
    assert b"Your previous recovery codes no longer work" in response.content
    tokens = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert tokens == set(new_codes)
    assert not tokens & set(old_codes)


def test_recovery_codes_cannot_be_regenerated_by_an_unverified_session(
    staff, client, sign_in, enrol
):
    _, old_codes = enrol(staff)
    sign_in(staff)
    response = client.post("/accounts/mfa/recovery-codes/")
    assert response["Location"].startswith("/accounts/mfa/verify/")
    tokens = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert tokens == set(old_codes)


def test_an_unverified_session_cannot_create_api_tokens(staff, client, sign_in, enrol):
    enrol(staff)
    sign_in(staff)
    response = client.post("/accounts/security/tokens/", {"name": "sneaky"})
    assert response["Location"].startswith("/accounts/mfa/verify/")
    assert not ApiToken.objects.exists()
