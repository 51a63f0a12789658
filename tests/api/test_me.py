"""`GET /api/v1/me` answers who a session or token is, so a script can check its token."""

from ketacare.accounts.tokens import revoke_token


def test_me_by_session(world, api_as):
    response = api_as(world.clinician).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": world.clinician.pk,
        "email": "clinician@example.org",
        "full_name": world.clinician.full_name,
        "role": "clinician",
        "clinic": {"id": world.clinic.pk, "name": "Riverside Ketamine Clinic", "slug": "riverside"},
        "auth_method": "session",
    }


def test_me_by_token(world, api_with_token):
    api, _ = api_with_token(world.patient_user)
    body = api.get("/api/v1/me").json()
    assert (body["email"], body["role"], body["auth_method"]) == (
        "pat@example.org", "patient", "token",
    )  # fmt: skip


def test_me_for_a_user_without_a_clinic(db, api_as):
    from tests.factories import UserFactory

    user = UserFactory(clinic=None)
    assert api_as(user).get("/api/v1/me").json()["clinic"] is None


def test_me_refuses_anonymous_bad_and_revoked_tokens(world, api_as, api_with_token):
    from django.test import Client

    from tests.api.conftest import JsonClient

    api, token = api_with_token(world.admin)
    assert api.get("/api/v1/me").status_code == 200
    revoke_token(actor=world.admin, token=token)
    for client in (
        api,
        api_as(None),
        JsonClient(Client(), {"Authorization": "Bearer kc_not-a-real-token"}),
        JsonClient(Client(), {"Authorization": "Bearer " + "x" * 5000}),
        JsonClient(Client(), {"Authorization": "Basic dXNlcjpwYXNz"}),
        JsonClient(Client(), {"Authorization": "Bearer"}),
    ):
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json() == {
            "detail": "Authentication required: sign in or send a valid API token."
        }


def test_a_token_records_when_it_was_last_used(world, api_with_token):
    api, token = api_with_token(world.clinician)
    assert token.last_used_at is None
    api.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None
