"""The clinical core over HTTP: instruments (public) and dose planning (prescriber/clinician)."""

import json

import pytest

from ketacare.clinical.instruments import INSTRUMENTS


def post_json(client, url, body, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


@pytest.mark.django_db
def test_instrument_list_names_every_instrument(client):
    response = client.get("/api/v1/instruments")
    assert response.status_code == 200
    assert {row["code"] for row in response.json()} == set(INSTRUMENTS)


@pytest.mark.django_db
def test_instrument_description_has_items_bands_and_loinc(client):
    body = client.get("/api/v1/instruments/phq9").json()
    assert body["loinc_panel"] == "44249-1" and body["loinc_total"] == "44261-6"
    assert len(body["items"]) == 10 and body["items"][9]["scored"] is False
    assert body["items"][0]["allowed_values"] == [0, 1, 2, 3]
    assert [b["label"] for b in body["severity_bands"]][-1] == "severe"


@pytest.mark.django_db
def test_unknown_instrument_is_404_json(client):
    for response in (
        client.get("/api/v1/instruments/nope"),
        post_json(client, "/api/v1/instruments/nope/score", {"answers": [1]}),
    ):
        assert response.status_code == 404
        assert "nope" in response.json()["detail"]


@pytest.mark.django_db
def test_scoring_needs_no_login_and_returns_the_score(client):
    response = post_json(client, "/api/v1/instruments/phq9/score", {"answers": [3] * 8 + [1]})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 25 and body["severity"] == "severe"
    assert body["flags"] == ["suicidal_ideation"]


@pytest.mark.django_db
def test_dict_answers_with_string_keys_score_like_a_list(client):
    answers = [1, 2, 0, 1, 0, 3, 2]
    as_list = post_json(client, "/api/v1/instruments/gad7/score", {"answers": answers})
    as_dict = post_json(
        client,
        "/api/v1/instruments/gad7/score",
        {"answers": {str(n): v for n, v in enumerate(answers, start=1)}},
    )
    assert as_list.json() == as_dict.json()
    assert as_list.json()["total"] == 9


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "item"),
    [
        ([0, 0, 4, 0, 0, 0, 0, 0, 0], 3),  # out of range
        ([0, 0, 0, 0, 0, 0, 0, 0, None], 9),  # missing
        ([0, 0, 0, "1", 0, 0, 0, 0, 0], 4),  # wrong type
        ([0, True, 0, 0, 0, 0, 0, 0, 0], 2),  # bool is not a PHQ-9 answer
    ],
)
def test_invalid_answers_are_422_naming_the_item(client, answers, item):
    response = post_json(client, "/api/v1/instruments/phq9/score", {"answers": answers})
    assert response.status_code == 422
    body = response.json()
    assert body["item"] == item
    assert f"item {item}" in body["detail"]


@pytest.mark.django_db
def test_wrong_count_is_422(client):
    response = post_json(client, "/api/v1/instruments/phq9/score", {"answers": [0, 1]})
    assert response.status_code == 422
    assert "9" in response.json()["detail"]


@pytest.mark.django_db
def test_missing_answers_key_is_422(client):
    response = post_json(client, "/api/v1/instruments/phq9/score", {"responses": [0]})
    assert response.status_code == 422


PLAN = {
    "protocol": "iv-depression",
    "at": "2026-11-26T10:00:00+00:00",
    "weight_kg": 80,
    "vitals": {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98},
}


def test_prescriber_plans_a_standard_iv_dose(world, client_for):
    response = post_json(client_for(world.prescriber), "/api/v1/dosing/plan", PLAN)
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is True and body["dose_mg"] == 40.0
    assert body["infusion_rate_mg_per_min"] == 1.0


def test_bp_165_over_105_blocks_the_dose(world, client_for):
    body = {**PLAN, "vitals": {**PLAN["vitals"], "systolic": 165, "diastolic": 105}}
    response = post_json(client_for(world.clinician), "/api/v1/dosing/plan", body)
    assert response.status_code == 200
    assert response.json()["allowed"] is False
    assert "bp_hold" in response.json()["reasons"]


def test_only_a_prescriber_may_send_an_override(world, client_for):
    body = {**PLAN, "dose_mg": 100, "override_reason": "Partial response at 1.0 mg/kg"}
    clinician = post_json(client_for(world.clinician), "/api/v1/dosing/plan", body)
    assert clinician.status_code == 403
    prescriber = post_json(client_for(world.prescriber), "/api/v1/dosing/plan", body)
    assert prescriber.status_code == 200
    assert prescriber.json()["overridden"] == ["dose_above_max"]
    assert prescriber.json()["allowed"] is True


@pytest.mark.parametrize("persona", ["patient_user", "monitor", "admin"])
def test_other_roles_get_404_from_dose_planning(world, client_for, persona):
    response = post_json(client_for(getattr(world, persona)), "/api/v1/dosing/plan", PLAN)
    assert response.status_code == 404


def test_anonymous_gets_401_from_dose_planning(client, db):
    assert post_json(client, "/api/v1/dosing/plan", PLAN).status_code == 401


def test_unknown_protocol_and_naive_time_are_422(world, client_for):
    client = client_for(world.prescriber)
    assert post_json(client, "/api/v1/dosing/plan", {**PLAN, "protocol": "x"}).status_code == 422
    naive = post_json(client, "/api/v1/dosing/plan", {**PLAN, "at": "2026-11-26T10:00:00"})
    assert naive.status_code == 422


def test_dosing_api_refuses_stale_weight_and_vitals_and_old_callers_still_plan(world, client_for):
    client = client_for(world.prescriber)
    dated = {**PLAN, "weight_measured_on": "2026-10-27", "vitals_taken_at": "2026-11-26T09:00Z"}
    current = post_json(client, "/api/v1/dosing/plan", dated)  # exactly 30 days and 60 minutes
    assert current.status_code == 200 and current.json()["allowed"] is True
    stale = {**PLAN, "weight_measured_on": "2026-10-26", "vitals_taken_at": "2026-11-26T08:59Z"}
    body = post_json(client, "/api/v1/dosing/plan", {**stale, "override_reason": "Reviewed"})
    assert body.status_code == 200
    assert body.json()["reasons"] == ["vitals_stale", "weight_stale"]
    assert body.json()["allowed"] is False and body.json()["overridden"] == []
    # Without the dates (an older caller) the ages are not checked
    assert post_json(client, "/api/v1/dosing/plan", PLAN).json()["allowed"] is True
    naive = post_json(
        client, "/api/v1/dosing/plan", {**PLAN, "vitals_taken_at": "2026-11-26T09:30"}
    )
    assert naive.status_code == 422
