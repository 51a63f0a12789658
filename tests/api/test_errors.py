"""Every API error is JSON `{"detail": ...}` with the status that says what went wrong."""

import json

import pytest

from ketacare.patients.models import Patient

VALID = {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "1990-01-02"}


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    return response.json()["detail"]


@pytest.mark.parametrize(
    "body, says",
    [
        ("{bad", "Malformed JSON in the request body: Expecting property name"),
        ('{"first_name": "A",}', "Malformed JSON in the request body"),
        ("nul", "Malformed JSON in the request body: Expecting value (line 1, column 1)"),
        (b'{"first_name": "\xc3\x28"}', "Malformed request body: it is not valid UTF-8 JSON."),
    ],
)
def test_malformed_json_is_400_saying_so(world, api_as, body, says):
    detail = assert_json_error(api_as(world.clinician).post("/api/v1/patients", raw=body), 400)
    assert detail.startswith(says)
    assert not Patient.objects.filter(last_name="Turing").exists()


@pytest.mark.parametrize("body", ["[1, 2]", '"a string"', "42", "null"])
def test_json_that_is_not_an_object_is_422(world, api_as, body):
    # `null` is valid JSON for "no body": the fields are then missing, which is also a 422.
    detail = assert_json_error(api_as(world.clinician).post("/api/v1/patients", raw=body), 422)
    assert isinstance(detail, list)


def test_wrong_types_are_422_naming_each_field(world, api_as):
    payload = {**VALID, "first_name": ["a"], "date_of_birth": 12, "sex": 3}
    detail = assert_json_error(api_as(world.clinician).post("/api/v1/patients", payload), 422)
    assert {tuple(error["loc"][-1:]) for error in detail} == {
        ("first_name",), ("date_of_birth",), ("sex",),
    }  # fmt: skip
    assert all(error["msg"] for error in detail)


def test_a_missing_field_is_422_naming_it(world, api_as):
    payload = {k: v for k, v in VALID.items() if k != "last_name"}
    [error] = assert_json_error(api_as(world.clinician).post("/api/v1/patients", payload), 422)
    assert error["loc"][-1] == "last_name" and error["msg"] == "Field required"


def test_a_too_long_field_is_422(world, api_as):
    payload = {**VALID, "first_name": "A" * 101}
    [error] = assert_json_error(api_as(world.clinician).post("/api/v1/patients", payload), 422)
    assert error["loc"][-1] == "first_name"


def test_wrong_query_parameter_types_are_422_naming_them(world, api_as):
    detail = assert_json_error(api_as(world.clinician).get("/api/v1/patients", limit="ten"), 422)
    assert detail[0]["loc"] == ["query", "limit"]


def test_a_2_mib_json_body_is_413(world, api_as):
    body = json.dumps({**VALID, "address": "x" * (2 * 1024 * 1024)})
    detail = assert_json_error(api_as(world.clinician).post("/api/v1/patients", raw=body), 413)
    assert detail == "Request body is too large (limit 1024 KiB)."
    assert not Patient.objects.filter(last_name="Turing").exists()


def test_a_2_mib_form_body_is_413_too(world, api_as):
    body = "a=" + "x" * (2 * 1024 * 1024)
    response = api_as(world.clinician).post(
        "/api/v1/patients", raw=body, content_type="application/x-www-form-urlencoded"
    )
    assert_json_error(response, 413)


def test_a_body_just_under_the_limit_is_read(world, api_as):
    body = json.dumps({**VALID, "address": "x" * (1024 * 1024 - 200)})
    detail = assert_json_error(api_as(world.clinician).post("/api/v1/patients", raw=body), 422)
    assert detail[0]["loc"][-1] == "address"  # too long for the field, but read and answered


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/patients/", "/api/v1/patients/abc", "/api/v1/v2/me"]
)
@pytest.mark.parametrize("persona", ["anonymous", "clinician"])
def test_unknown_routes_are_json_404(world, api_as, path, persona):
    assert_json_error(api_as(world.user(persona)).get(path), 404)


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("DELETE", "/api/v1/patients", "GET, POST"),
        ("PUT", "/api/v1/patients/1", "GET"),
        ("POST", "/api/v1/me", "GET"),
        ("PATCH", "/api/v1/openapi.json", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_json_405_listing_the_allowed_ones(world, api_as, method, path, allowed):
    for persona in ("anonymous", "clinician"):
        response = api_as(world.user(persona)).request(method, path)
        detail = assert_json_error(response, 405)
        assert method in detail
        assert set(response["Allow"].split(", ")) == set(allowed.split(", "))


def test_unauthenticated_is_json_401(db, api_as):
    detail = assert_json_error(api_as(None).get("/api/v1/me"), 401)
    assert detail == "Authentication required: sign in or send a valid API token."


def test_a_huge_patient_id_is_404_not_a_database_error(world, api_as):
    assert_json_error(api_as(world.clinician).get("/api/v1/patients/" + "9" * 30), 404)


def test_a_nul_byte_in_the_search_is_a_clear_400(world, api_as):
    response = api_as(world.clinician).get("/api/v1/patients", q="Love\x00lace")
    assert "NUL character" in assert_json_error(response, 400)


def test_a_search_longer_than_100_characters_is_422(world, api_as):
    response = api_as(world.clinician).get("/api/v1/patients", q="x" * 101)
    assert assert_json_error(response, 422)[0]["loc"] == ["query", "q"]


def test_session_of_a_staff_member_who_must_enrol_mfa_is_403_json(world, api_as):
    world.clinician.mfa_exempt = False
    world.clinician.login_count = 5
    world.clinician.save(update_fields=["mfa_exempt", "login_count"])
    detail = assert_json_error(api_as(world.clinician).get("/api/v1/patients"), 403)
    assert "Two-factor" in detail
