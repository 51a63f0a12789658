"""The Security page: MFA status, change password (staying signed in), personal API tokens
(shown once, revocable, one's own only)."""

import re

from ketacare.accounts.models import ApiToken
from ketacare.accounts.tokens import create_token
from ketacare.audit.models import AuditEvent
from tests.accounts.conftest import current_code
from tests.factories import PASSWORD

NEW_PASSWORD = "another-fine-passphrase-3"


def test_the_page_shows_mfa_status_and_offers_enrolment(world, client_for):
    response = client_for(world.clinician).get("/accounts/security/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two-factor authentication" in html and "Off" in html
    assert 'href="/accounts/mfa/setup/"' in html
    assert 'href="/accounts/security/password/"' in html


def test_an_enrolled_user_sees_mfa_on_and_how_many_recovery_codes_are_left(
    world, client, sign_in, enrol
):
    device, codes = enrol(world.prescriber)
    sign_in(world.prescriber)
    client.post("/accounts/mfa/verify/", {"code": current_code(device)})
    html = client.get("/accounts/security/").content.decode()
    assert "On" in html and f"{len(codes)} unused recovery codes left" in html
    assert 'href="/accounts/mfa/recovery-codes/"' in html


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/accounts/security/")["Location"].startswith("/accounts/login/")


# --- Password


def test_changing_the_password_keeps_the_session_and_the_new_one_works(world, client, sign_in):
    sign_in(world.clinician)
    response = client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/accounts/security/"
    page = client.get("/accounts/security/")
    assert page.status_code == 200  # still signed in
    assert b"Your password was changed." in page.content
    assert AuditEvent.objects.filter(
        actor_id=world.clinician.pk, detail="password changed"
    ).exists()

    client.post("/accounts/logout/")
    assert sign_in(world.clinician).status_code == 200
    assert sign_in(world.clinician, password=NEW_PASSWORD)["Location"] == "/"


def test_a_wrong_current_password_is_explained(world, client_for):
    response = client_for(world.clinician).post(
        "/accounts/security/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content


# --- API tokens


def test_a_new_token_is_shown_once_and_works_on_the_api(world, client_for):
    client = client_for(world.clinician)
    response = client.post("/accounts/security/tokens/", {"name": "nightly export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r'value="(kc_[A-Za-z0-9_-]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.clinician)
    assert token.name == "nightly export" and raw.startswith(token.prefix)

    listing = client.get("/accounts/security/").content.decode()
    assert "nightly export" in listing and token.prefix in listing
    assert raw not in listing  # never shown again

    client.logout()
    api = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_name(world, client_for):
    response = client_for(world.clinician).post("/accounts/security/tokens/", {"name": ""})
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_at_once(world, client_for):
    token, raw = create_token(actor=world.clinician, name="old script")
    client = client_for(world.clinician)
    response = client.post(f"/accounts/security/tokens/{token.pk}/revoke/")
    assert response["Location"] == "/accounts/security/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get("/accounts/security/").content.decode()
    assert AuditEvent.objects.filter(object_id=str(token.pk), detail="API token revoked").exists()
    client.logout()
    api = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401


def test_another_users_token_is_not_found(world, client_for):
    token, _ = create_token(actor=world.prescriber, name="theirs")
    client = client_for(world.clinician)
    assert client.post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "theirs" not in client.get("/accounts/security/").content.decode()


def test_token_actions_are_posts(world, client_for):
    token, _ = create_token(actor=world.clinician, name="mine")
    client = client_for(world.clinician)
    assert client.get("/accounts/security/tokens/").status_code == 405
    assert client.get(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 405
