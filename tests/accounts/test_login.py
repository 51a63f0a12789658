"""Signing in with email + password, and signing out."""

from ketacare.accounts.models import User
from ketacare.audit.models import AuditEvent
from tests.factories import UserFactory


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_the_right_email_and_password_sign_in_and_land_on_home(world, client, sign_in):
    response = sign_in(world.clinician)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_user_id(client) == str(world.clinician.pk)
    world.clinician.refresh_from_db()
    assert world.clinician.login_count == 1
    assert AuditEvent.objects.filter(action="login", actor_id=world.clinician.pk).exists()


def test_the_email_is_not_case_sensitive(world, client, sign_in):
    assert sign_in("Clinician@Example.ORG").status_code == 302


def test_a_wrong_password_shows_a_clear_message_and_is_audited(world, client, sign_in):
    response = sign_in(world.clinician, password="not-the-password")
    assert response.status_code == 200
    assert b"That email and password do not match an account" in response.content
    assert b"error-summary" in response.content
    assert _signed_in_user_id(client) is None
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.outcome == "denied" and failed.object_id == str(world.clinician.pk)
    assert failed.clinic_id == world.clinic.pk


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(world, sign_in):
    response = sign_in("nobody@example.org")
    assert b"That email and password do not match an account" in response.content


def test_an_inactive_user_cannot_sign_in_even_with_the_right_password(world, client, sign_in):
    user = UserFactory(clinic=world.clinic, email="gone@example.org", is_active=False)
    response = sign_in(user)
    assert response.status_code == 200
    assert b"That email and password do not match an account" in response.content
    assert _signed_in_user_id(client) is None


def test_next_takes_the_user_back_to_the_page_they_asked_for(world, client):
    response = client.get(f"/patients/{world.patient.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/patients/{world.patient.pk}/"
    response = client.post(
        "/accounts/login/",
        {
            "username": world.clinician.email,
            "password": "correct-horse-battery-9",
            "next": f"/patients/{world.patient.pk}/",
        },
    )
    assert response["Location"] == f"/patients/{world.patient.pk}/"


def test_next_never_sends_the_user_to_another_site(world, client):
    for target in ("https://evil.example/phish", "//evil.example/", "/\\evil.example"):
        client.logout()
        response = client.post(
            f"/accounts/login/?next={target}",
            {
                "username": world.clinician.email,
                "password": "correct-horse-battery-9",
                "next": target,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/", target


def test_sign_out_is_a_post_and_is_audited(world, client, sign_in):
    sign_in(world.clinician)
    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in_user_id(client) == str(world.clinician.pk)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert _signed_in_user_id(client) is None
    event = AuditEvent.objects.filter(action="logout").get()
    assert event.actor_id == world.clinician.pk
    assert client.get("/patients/").status_code == 302


def test_the_login_page_offers_a_password_reset(client, db):
    response = client.get("/accounts/login/")
    assert b'href="/accounts/password-reset/"' in response.content


def test_passwords_are_stored_as_argon2_hashes(db, settings):
    from django.conf import settings as live_settings

    from ketacare import settings as production

    # The suite swaps in a fast hasher; the product's own setting puts argon2 first.
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = User.objects.create_user("argon@example.org", "a long passphrase 42", full_name="A")
    assert user.password.startswith("argon2$")
    assert user.check_password("a long passphrase 42")
    assert live_settings.PASSWORD_HASHERS == production.PASSWORD_HASHERS
