"""Patients over the API: each persona sees exactly what the pages let them see, every read is
audited, and the two ways in (session with CSRF, personal token) behave."""

import pytest
from django.test import Client

from ketacare.audit.models import AuditEvent
from ketacare.patients.models import Patient

NEW_PATIENT = {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "1990-01-02"}


def detail_url(patient):
    return f"/api/v1/patients/{patient.pk}"


def ids(response):
    return {row["id"] for row in response.json()}


# --- Listing


def test_clinician_lists_only_their_own_clinics_patients(world, api_as):
    response = api_as(world.clinician).get("/api/v1/patients")
    assert response.status_code == 200
    assert ids(response) == {world.patient.pk, world.other_patient.pk}


def test_outsider_clinician_lists_only_the_other_clinics_patients(world, api_as):
    response = api_as(world.outsider).get("/api/v1/patients")
    assert response.status_code == 200
    assert ids(response) == {world.outsider_patient.pk}


def test_the_list_searches_and_pages(world, api_as):
    api = api_as(world.prescriber)
    assert ids(api.get("/api/v1/patients", q="love")) == {world.patient.pk}
    first = api.get("/api/v1/patients", limit=1)
    second = api.get("/api/v1/patients", limit=1, offset=1)
    assert len(first.json()) == len(second.json()) == 1
    assert ids(first) | ids(second) == {world.patient.pk, world.other_patient.pk}


@pytest.mark.parametrize("persona", ["patient_user", "monitor", "outsider_patient_user"])
def test_patients_and_monitors_get_404_for_the_list(world, api_as, persona):
    response = api_as(world.user(persona)).get("/api/v1/patients")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_listing_is_audited(world, api_as):
    api_as(world.clinician).get("/api/v1/patients")
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_email, event.outcome) == (
        "list", world.clinician.email, "success",
    )  # fmt: skip
    assert event.path.startswith("/api/v1/patients")


# --- One record


@pytest.mark.parametrize("persona", ["clinician", "prescriber", "admin"])
def test_staff_read_a_patient_of_their_clinic(world, api_as, persona):
    response = api_as(world.user(persona)).get(detail_url(world.patient))
    assert response.status_code == 200
    assert response.json()["last_name"] == "Lovelace"


def test_patient_reads_their_own_record(world, api_as):
    response = api_as(world.patient_user).get(detail_url(world.patient))
    assert response.status_code == 200
    assert response.json()["id"] == world.patient.pk


def test_patient_gets_404_for_another_patient(world, api_as):
    response = api_as(world.patient_user).get(detail_url(world.other_patient))
    assert response.status_code == 404
    assert "Hopper" not in response.content.decode()


def test_monitor_reads_only_the_patient_they_monitor(world, api_as):
    api = api_as(world.monitor)
    assert api.get(detail_url(world.patient)).status_code == 200
    assert api.get(detail_url(world.other_patient)).status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "outsider_patient_user"])
def test_another_clinic_gets_404_and_the_denial_is_audited(world, api_as, persona):
    user = world.user(persona)
    response = api_as(user).get(detail_url(world.patient))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert "Lovelace" not in response.content.decode()
    denied = AuditEvent.objects.filter(outcome="denied", actor_email=user.email)
    assert denied.filter(object_id=str(world.patient.pk)).exists()


def test_an_unknown_patient_id_is_404(world, api_as):
    assert api_as(world.clinician).get("/api/v1/patients/987654").status_code == 404


def test_every_read_of_a_record_is_audited_with_the_patient(world, api_as):
    for persona in ("clinician", "patient_user", "monitor"):
        user = world.user(persona)
        api_as(user).get(detail_url(world.patient))
        event = AuditEvent.objects.order_by("-id").first()
        assert (event.action, event.actor_email, event.patient_id, event.outcome) == (
            "view", user.email, world.patient.pk, "success",
        )  # fmt: skip


# --- Creating


def test_clinician_creates_a_patient_in_their_clinic_and_it_is_audited(world, api_as):
    response = api_as(world.clinician).post("/api/v1/patients", {**NEW_PATIENT, "sex": "male"})
    assert response.status_code == 201
    created = Patient.objects.get(pk=response.json()["id"])
    assert (created.clinic, created.last_name, created.sex) == (world.clinic, "Turing", "male")
    assert AuditEvent.objects.filter(action="create", patient_id=created.pk).exists()


@pytest.mark.parametrize("persona", ["patient_user", "monitor"])
def test_patients_and_monitors_cannot_create_patients(world, api_as, persona):
    response = api_as(world.user(persona)).post("/api/v1/patients", NEW_PATIENT)
    assert response.status_code == 404
    assert not Patient.objects.filter(last_name="Turing").exists()


def test_anonymous_gets_401_json(db, api_as):
    for response in (
        api_as(None).get("/api/v1/patients"),
        api_as(None).get("/api/v1/patients/1"),
        api_as(None).post("/api/v1/patients", NEW_PATIENT),
    ):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert "Authentication required" in response.json()["detail"]
    assert not Patient.objects.exists()


def test_a_future_birth_date_is_422_naming_the_field_and_nothing_is_saved(world, api_as):
    response = api_as(world.clinician).post(
        "/api/v1/patients", {**NEW_PATIENT, "date_of_birth": "2999-01-01"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "date_of_birth"
    assert error["msg"] == "The date of birth cannot be in the future."
    assert not Patient.objects.filter(last_name="Turing").exists()


def test_invalid_fields_are_each_named(world, api_as):
    response = api_as(world.clinician).post(
        "/api/v1/patients",
        {"first_name": "  ", "last_name": 7, "date_of_birth": "abc", "sex": "x", "email": "no"},
    )
    assert response.status_code == 422
    fields = {error["loc"][-1] for error in response.json()["detail"]}
    assert fields == {"first_name", "last_name", "date_of_birth", "sex", "email"}


# --- Session: CSRF on unsafe methods


def test_session_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clinician)
    response = client.post("/api/v1/patients", NEW_PATIENT, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Patient.objects.filter(last_name="Turing").exists()


def test_session_post_with_the_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clinician)
    client.get("/patients/new/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/patients", NEW_PATIENT, content_type="application/json",
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert response.status_code == 201


def test_session_get_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clinician)
    assert client.get("/api/v1/patients").status_code == 200


def test_anonymous_post_without_csrf_token_is_401_not_403(db):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/patients", NEW_PATIENT, content_type="application/json"
    )
    assert response.status_code == 401


# --- Personal API tokens


def test_token_lists_and_creates_without_csrf(world, api_with_token):
    api, _ = api_with_token(world.clinician)
    assert ids(api.get("/api/v1/patients")) == {world.patient.pk, world.other_patient.pk}
    response = api.post("/api/v1/patients", NEW_PATIENT)
    assert response.status_code == 201
    event = AuditEvent.objects.filter(action="create", patient_id=response.json()["id"]).get()
    assert event.actor_email == world.clinician.email


def test_token_reads_are_audited_as_the_tokens_owner(world, api_with_token):
    api, _ = api_with_token(world.patient_user)
    assert api.get(detail_url(world.patient)).status_code == 200
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor_email, event.patient_id) == (
        "view", world.patient_user.email, world.patient.pk,
    )  # fmt: skip


def test_token_keeps_the_same_permissions(world, api_with_token):
    api, _ = api_with_token(world.outsider)
    assert api.get(detail_url(world.patient)).status_code == 404


def test_a_revoked_token_is_refused(world, api_with_token):
    from ketacare.accounts.tokens import revoke_token

    api, token = api_with_token(world.clinician)
    revoke_token(actor=world.clinician, token=token)
    response = api.get("/api/v1/patients")
    assert response.status_code == 401
    assert "Authentication required" in response.json()["detail"]


def test_a_token_of_a_deactivated_user_is_refused(world, api_with_token):
    api, _ = api_with_token(world.clinician)
    world.clinician.is_active = False
    world.clinician.save(update_fields=["is_active"])
    assert api.get("/api/v1/patients").status_code == 401
