"""The flowsheet form, the treatments API, the dose-planning API and the database all refuse
the same implausible reading and accept the same boundary: they read one table."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.treatments.models import VitalSigns

MEASURES = ["systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate"]
# Blood pressure comes in pairs: the other half of the pair, a plausible reading.
PARTNER = {"systolic": {"diastolic": 80}, "diastolic": {"systolic": 120}}


@pytest.fixture
def session(course):
    return course.check_in(course.book())


def _edges(measure):
    """(boundary, one past it) at either end of the measure's range."""
    plausible = PLAUSIBLE[measure]
    return [(plausible.low, plausible.low - 1), (plausible.high, plausible.high + 1)]


def _reading(measure, value):
    return {measure: value, **PARTNER.get(measure, {})}


@pytest.mark.parametrize("measure", MEASURES)
def test_the_flowsheet_form_refuses_one_past_the_range(course, client_for, session, measure):
    nurse = client_for(course.world.clinician)
    url = reverse("treatments:vitals", args=[session.pk])
    for boundary, past in _edges(measure):
        refused = nurse.post(url, _reading(measure, past))
        assert refused.status_code == 400
        assert "not possible" in str(refused.context["vitals_form"].errors[measure])
        assert nurse.post(url, _reading(measure, boundary)).status_code == 302
    values = session.vitals.values_list(measure, flat=True)
    assert sorted(values) == [PLAUSIBLE[measure].low, PLAUSIBLE[measure].high]


@pytest.mark.parametrize("measure", MEASURES)
def test_the_api_refuses_one_past_the_range(course, client_for, session, measure):
    client = client_for(course.world.clinician)
    url = f"/api/v1/treatments/sessions/{session.pk}/vitals"
    for boundary, past in _edges(measure):
        refused = client.post(url, _reading(measure, past), content_type="application/json")
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"][-1] == measure
        accepted = client.post(url, _reading(measure, boundary), content_type="application/json")
        assert accepted.status_code == 201 and accepted.json()[measure] == boundary


def test_the_api_no_longer_accepts_a_systolic_of_350(course, client_for, session):
    response = client_for(course.world.clinician).post(
        f"/api/v1/treatments/sessions/{session.pk}/vitals",
        {"systolic": 350, "diastolic": 80},
        content_type="application/json",
    )
    assert response.status_code == 422 and not session.vitals.exists()


@pytest.mark.parametrize("measure", MEASURES)
def test_the_database_refuses_one_past_the_range(course, session, measure):
    now = timezone.now()
    row = {"session": session, "taken_at": now, "recorded_by": course.world.clinician}
    for boundary, past in _edges(measure):
        with pytest.raises(IntegrityError), transaction.atomic():
            VitalSigns.objects.create(**row, recorded_at=now, **_reading(measure, past))
        VitalSigns.objects.create(**row, recorded_at=now, **_reading(measure, boundary))
    assert session.vitals.count() == 2


@pytest.mark.parametrize("measure", ["systolic", "diastolic", "heart_rate", "spo2"])
def test_the_dose_planning_api_refuses_one_past_the_range(world, client_for, measure):
    client = client_for(world.prescriber)
    good = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98}
    plan = {"protocol": "iv-depression", "at": "2026-11-26T10:00:00+00:00", "weight_kg": 80}
    for boundary, past in _edges(measure):
        body = {**plan, "vitals": {**good, measure: past}}
        refused = client.post("/api/v1/dosing/plan", body, content_type="application/json")
        assert refused.status_code == 422
        body = {**plan, "vitals": {**good, measure: boundary}}
        accepted = client.post("/api/v1/dosing/plan", body, content_type="application/json")
        assert accepted.status_code == 200


def test_the_dose_planning_api_refuses_an_implausible_weight(world, client_for):
    client = client_for(world.prescriber)
    plan = {"protocol": "iv-depression", "at": "2026-11-26T10:00:00+00:00"}
    weight = PLAUSIBLE["weight_kg"]
    for boundary, past in [(weight.low, weight.low - 0.5), (weight.high, weight.high + 0.5)]:
        body = {**plan, "weight_kg": past}
        refused = client.post("/api/v1/dosing/plan", body, content_type="application/json")
        assert refused.status_code == 422
        body = {**plan, "weight_kg": boundary}
        accepted = client.post("/api/v1/dosing/plan", body, content_type="application/json")
        assert accepted.status_code == 200
