"""The treatments API: sessions, vitals, dose plans and events with the pages' permissions and
audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.audit.models import AuditEvent
from tests.treatments.conftest import CADSS_ZERO, NOW

API = "/api/v1/treatments"


@pytest.fixture
def session(course):
    return course.check_in(course.book())


def test_staff_list_the_days_sessions(course, client_for, session):
    response = client_for(course.world.admin).get(
        f"{API}/sessions", {"date": NOW.date().isoformat()}
    )
    assert response.status_code == 200
    (item,) = response.json()
    assert item["id"] == session.pk and item["phase"] == "checked_in"
    assert item["route"] == "iv" and item["chair"] == "Room A · Chair 1"
    other_day = client_for(course.world.admin).get(f"{API}/sessions", {"date": "2026-03-12"})
    assert other_day.json() == []
    assert AuditEvent.objects.filter(detail="api: 1 sessions").exists()


def test_a_patient_lists_only_their_own_sessions(course, client_for, session):
    assert [
        s["id"] for s in client_for(course.world.patient_user).get(f"{API}/sessions").json()
    ] == [session.pk]
    response = client_for(course.world.outsider_patient_user).get(f"{API}/sessions")
    assert response.json() == []
    assert (
        client_for(course.world.patient_user).get(f"{API}/sessions/{session.pk}").status_code == 200
    )


@pytest.mark.parametrize("persona", ["monitor", "outsider"])
def test_others_see_no_session(course, client_for, session, persona):
    client = client_for(getattr(course.world, persona))
    assert client.get(f"{API}/sessions/{session.pk}").status_code == 404
    assert client.get(f"{API}/sessions/{session.pk}/vitals").status_code == 404


def test_anonymous_gets_401(course, client):
    assert client.get(f"{API}/sessions").status_code == 401


def test_a_clinician_records_vitals_and_an_alert_is_raised(course, client_for, session):
    client = client_for(course.world.clinician)
    response = client.post(
        f"{API}/sessions/{session.pk}/vitals",
        {"systolic": 185, "diastolic": 90, "heart_rate": 80, "spo2": 97},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (
        body["alerts"] == ["systolic_high"] and body["recorded_by_id"] == course.world.clinician.pk
    )
    rows = client.get(f"{API}/sessions/{session.pk}/vitals").json()
    assert [r["systolic"] for r in rows] == [185]
    assert AuditEvent.objects.filter(
        model="treatments.VitalSigns", detail__contains="ALERT"
    ).exists()


def test_a_time_point_over_the_api_carries_moaas_and_cadss(course, client_for, session):
    client = client_for(course.world.prescriber)
    response = client.post(
        f"{API}/sessions/{session.pk}/vitals",
        {
            "systolic": 120,
            "diastolic": 80,
            "heart_rate": 70,
            "spo2": 98,
            "moaas": 5,
            "cadss_answers": CADSS_ZERO,
            "time_point": "pre_dose",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["cadss_total"] == 0.0 and response.json()["time_point"] == "pre_dose"


def test_refused_vitals_answer_422_with_the_field(course, client_for, session):
    client = client_for(course.world.clinician)
    response = client.post(
        f"{API}/sessions/{session.pk}/vitals",
        {"systolic": 120, "time_point": "post_dose"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert "diastolic" in body["errors"] and "time_point" in body["errors"]


def test_a_correction_points_at_the_reading_it_corrects(course, client_for, session):
    wrong = course.vitals(session, systolic=210, diastolic=80, heart_rate=70, spo2=98)
    client = client_for(course.world.clinician)
    response = client.post(
        f"{API}/sessions/{session.pk}/vitals",
        {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98, "corrects_id": wrong.pk},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["corrects_id"] == wrong.pk
    detail = client.get(f"{API}/sessions/{session.pk}").json()
    assert detail["phase"] == "checked_in"


@pytest.mark.parametrize("persona", ["admin", "patient_user", "monitor", "outsider"])
def test_only_clinicians_and_prescribers_write_over_the_api(course, client_for, session, persona):
    client = client_for(getattr(course.world, persona))
    response = client.post(
        f"{API}/sessions/{session.pk}/vitals", {"spo2": 97}, content_type="application/json"
    )
    assert response.status_code == 404
    response = client.post(
        f"{API}/sessions/{session.pk}/events",
        {"category": "side_effect", "kind": "nausea", "severity": "mild"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_events_over_the_api(course, client_for, session, django_capture_on_commit_callbacks):
    from django.core import mail

    client = client_for(course.world.clinician)
    response = client.post(
        f"{API}/sessions/{session.pk}/events",
        {"category": "side_effect", "kind": "serious", "severity": "mild"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "kind" in response.json()["errors"]
    response = client.post(
        f"{API}/sessions/{session.pk}/events",
        {"category": "side_effect", "kind": "nausea", "severity": "mild", "serious": True},
        content_type="application/json",
    )
    assert response.status_code == 422 and "serious" in response.json()["errors"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/sessions/{session.pk}/events",
            {
                "category": "adverse_event",
                "kind": "other",
                "severity": "severe",
                "serious": True,
                "description": "Syncope",
                "actions_taken": "Supine, fluids.",
            },
            content_type="application/json",
        )
    assert response.status_code == 201
    assert len(mail.outbox) == 1 and "serious adverse event" in mail.outbox[0].subject
    events = client.get(f"{API}/sessions/{session.pk}/events").json()
    assert [(e["kind"], e["serious"]) for e in events] == [("other", True)]


def test_the_dose_plan_over_the_api(course, client_for, session):
    course.vitals(session, systolic=165, diastolic=105, heart_rate=70, spo2=98)
    response = client_for(course.world.clinician).post(
        f"{API}/sessions/{session.pk}/dose-plan", {}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["allowed"] is False and response.json()["reasons"] == ["bp_hold"]


def test_the_session_detail_reports_overdue_time_points(course, client_for, session):
    from ketacare.treatments import services

    course.vitals(session)
    services.plan_session_dose(actor=course.world.clinician, session=session)
    services.start_administration(actor=course.world.clinician, session=session)
    course.clock.shift(dt.timedelta(hours=1))
    body = client_for(course.world.clinician).get(f"{API}/sessions/{session.pk}").json()
    assert body["phase"] == "dosing"
    assert body["overdue_time_points"] == ["pre_dose", "post_dose"]
