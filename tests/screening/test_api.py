"""Assessments (read + create) and screening decisions (read) under /api/v1/, with the same
permissions and audit as the pages."""

import json

import pytest

from ketacare.accounts.tokens import create_token
from ketacare.audit.models import AuditEvent
from ketacare.screening import services
from ketacare.screening.models import Assessment, AssessmentContext

GAD7 = [1, 2, 1, 2, 1, 2, 1]


@pytest.fixture
def stored(world):
    assessment, _ = services.record_assessment(
        actor=world.patient_user,
        patient=world.patient,
        instrument="gad7",
        answers=GAD7,
        context=AssessmentContext.API,
    )
    return assessment


@pytest.fixture
def decided(world, do_intake, consents):
    do_intake(world)
    screening = world.patient.screenings.get()
    services.record_findings(
        actor=world.clinician, screening=screening, screening_systolic=118, screening_diastolic=76
    )
    return services.record_route_decision(
        actor=world.prescriber,
        screening=screening,
        route="iv",
        decision="approve",
        reason="Eligible; staff-only reasoning.",
    )


def _post(client, body):
    return client.post("/api/v1/assessments", body, content_type="application/json")


@pytest.mark.parametrize("persona", ["patient_user", "clinician", "prescriber", "admin"])
def test_the_patient_and_their_clinic_read_the_assessments(world, client_for, stored, persona):
    response = client_for(world.user(persona)).get(
        f"/api/v1/assessments?patient_id={world.patient.pk}"
    )
    assert response.status_code == 200
    (item,) = response.json()
    assert item["instrument"] == "gad7" and item["total"] == 10.0 and item["severity"] == "moderate"
    assert item["answers"] == GAD7 and item["instrument_version"] == stored.instrument_version
    one = client_for(world.user(persona)).get(f"/api/v1/assessments/{stored.pk}")
    assert one.status_code == 200 and one.json()["id"] == stored.pk


@pytest.mark.parametrize("persona", ["outsider", "monitor", "outsider_patient_user"])
def test_everyone_else_gets_404(world, client_for, stored, persona):
    client = client_for(world.user(persona))
    assert client.get(f"/api/v1/assessments?patient_id={world.patient.pk}").status_code == 404
    assert client.get(f"/api/v1/assessments/{stored.pk}").status_code == 404
    response = _post(
        client, {"patient_id": world.patient.pk, "instrument": "gad7", "answers": GAD7}
    )
    assert response.status_code == 404
    assert Assessment.objects.count() == 1


def test_a_list_without_patient_shows_only_what_the_user_may_see(world, client_for, stored):
    services.record_assessment(
        actor=world.outsider,
        patient=world.outsider_patient,
        instrument="gad7",
        answers=[0] * 7,
        context=AssessmentContext.API,
    )
    mine = client_for(world.outsider_patient_user).get("/api/v1/assessments").json()
    assert [a["patient_id"] for a in mine] == [world.outsider_patient.pk]
    clinic = client_for(world.clinician).get("/api/v1/assessments").json()
    assert [a["patient_id"] for a in clinic] == [world.patient.pk]


def test_anonymous_gets_401(world, client_for, stored):
    assert client_for(None).get("/api/v1/assessments").status_code == 401
    assert client_for(None).get("/api/v1/screening/decisions").status_code == 401


def test_a_patient_records_their_own_assessment(world, client_for):
    response = _post(
        client_for(world.patient_user),
        {
            "patient_id": world.patient.pk,
            "instrument": "phq9",
            "answers": {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["total"] == 2 and body["severity"] == "minimal" and body["crisis"] is False
    assert body["answers"][9] is None and body["completed_by_id"] == world.patient_user.pk
    assert AuditEvent.objects.filter(model="screening.Assessment", action="create").exists()


def test_a_patient_cannot_record_for_another_patient(world, client_for):
    response = _post(
        client_for(world.patient_user),
        {"patient_id": world.other_patient.pk, "instrument": "gad7", "answers": GAD7},
    )
    assert response.status_code == 404


def test_invalid_answers_are_422_naming_the_item(world, client_for):
    response = _post(
        client_for(world.clinician),
        {"patient_id": world.patient.pk, "instrument": "gad7", "answers": [1, 1, 9, 1, 1, 1, 1]},
    )
    assert response.status_code == 422
    assert response.json()["item"] == 3 and "item 3" in response.json()["detail"]
    response = _post(
        client_for(world.clinician),
        {"patient_id": world.patient.pk, "instrument": "nope", "answers": []},
    )
    assert response.status_code == 422 and "instrument" in response.json()["detail"]
    assert not Assessment.objects.exists()


def test_staff_correct_over_the_api_with_a_reason(world, client_for, stored):
    client = client_for(world.clinician)
    body = {
        "patient_id": world.patient.pk,
        "instrument": "gad7",
        "answers": [0] * 7,
        "corrects_id": stored.pk,
    }
    assert _post(client, body).status_code == 422  # no reason
    response = _post(client, {**body, "correction_reason": "Entered for the wrong visit."})
    assert response.status_code == 201
    assert (
        response.json()["corrects_id"] == stored.pk and response.json()["context"] == "correction"
    )
    patient = _post(client_for(world.patient_user), {**body, "correction_reason": "x"})
    assert patient.status_code == 422


def test_there_is_no_update_or_delete_endpoint(world, client_for, stored):
    client = client_for(world.clinician)
    url = f"/api/v1/assessments/{stored.pk}"
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 405, method


def test_decisions_are_readable_with_reasons_for_staff_only(world, client_for, decided):
    staff = client_for(world.prescriber).get(
        f"/api/v1/screening/decisions?patient_id={world.patient.pk}"
    )
    (item,) = staff.json()
    assert (
        item["route"] == "iv"
        and item["decision"] == "approve"
        and item["rule_status"] == "eligible"
    )
    assert item["reason"] == "Eligible; staff-only reasoning." and item["rule_reasons"] == []
    own = client_for(world.patient_user).get(f"/api/v1/screening/decisions/{decided.pk}")
    assert own.status_code == 200
    assert own.json()["decision"] == "approve" and own.json()["reason"] is None
    for persona in ("outsider", "monitor", "outsider_patient_user"):
        client = client_for(world.user(persona))
        assert client.get(f"/api/v1/screening/decisions/{decided.pk}").status_code == 404
        assert (
            client.get(f"/api/v1/screening/decisions?patient_id={world.patient.pk}").status_code
            == 404
        )


def test_an_api_token_works_like_the_session(world, client, stored):
    _token, raw = create_token(actor=world.clinician, name="export")
    response = client.get(
        f"/api/v1/assessments?patient_id={world.patient.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200 and len(response.json()) == 1
    assert AuditEvent.objects.filter(
        action="list", model="screening.Assessment", actor_email=world.clinician.email
    ).exists()


def test_answers_are_never_coerced(world, client_for):
    client = client_for(world.clinician)
    for answers in (["1", 1, 1, 1, 1, 1, 1], [1.0, 1, 1, 1, 1, 1, 1], {"1": [[]]}):
        response = _post(
            client, {"patient_id": world.patient.pk, "instrument": "gad7", "answers": answers}
        )
        assert response.status_code == 422, answers
        assert "answers" in json.dumps(response.json()["detail"])
    assert not Assessment.objects.exists()
