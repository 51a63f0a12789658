"""A NUL character never reaches a query: PostgreSQL cannot store one in text."""

import json

from ketacare.patients.models import Patient


def test_a_nul_in_a_query_string_is_a_clear_400(world, client_for):
    response = client_for(world.clinician).get("/patients/", {"q": "Ada\x00"})
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(world, client_for):
    before = Patient.objects.count()
    response = client_for(world.clinician).post(
        "/patients/new/",
        {"first_name": "A\x00", "last_name": "B", "date_of_birth": "1990-01-01", "sex": "male"},
    )
    assert response.status_code == 400
    assert Patient.objects.count() == before


def test_a_nul_in_an_api_json_body_is_a_400_json_error(world, client_for):
    body = {"first_name": "A\u0000", "last_name": "B", "date_of_birth": "1990-01-01"}
    response = client_for(world.clinician).post(
        "/api/v1/patients", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_nul_on_the_login_form_is_refused(client, db):
    response = client.post("/accounts/login/", {"username": "a\x00@b.org", "password": "x"})
    assert response.status_code == 400
