"""Re-assessment schedules and the prescriber re-evaluation gate: due and overdue assessments
on the patient's and staff home pages, and `can_schedule_session(patient, at)` for the
treatment-session work."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from ketacare.screening import selectors, services
from ketacare.screening.models import ScreeningSettings
from tests.screening.conftest import instrument_form

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def approved(world, do_intake, consents, client_for):
    """world.patient, screened and approved for IV treatment on START."""
    with time_machine.travel(START, tick=False):
        do_intake(world)
        screening = world.patient.screenings.get()
        services.record_findings(
            actor=world.clinician,
            screening=screening,
            screening_systolic=120,
            screening_diastolic=80,
        )
        services.record_route_decision(
            actor=world.prescriber,
            screening=screening,
            route="iv",
            decision="approve",
            reason="Eligible TRD.",
        )
    return screening


def _sessions(n, start=START + DAY, every=2 * DAY):
    return [start + i * every for i in range(n)]


def test_no_session_without_an_approved_route(world, do_intake, consents):
    do_intake(world)
    decision = selectors.can_schedule_session(world.patient, START)
    assert not decision.allowed and decision.reasons == ("no_approved_route",)


def test_an_approved_patient_may_be_scheduled(world, approved):
    decision = selectors.can_schedule_session(
        world.patient, START + 3 * DAY, session_times=_sessions(1)
    )
    assert decision.allowed and decision.reasons == ()


def test_after_6_sessions_a_reevaluation_is_required_until_recorded(world, approved, client_for):
    held = _sessions(6)
    at = held[-1] + DAY
    decision = selectors.can_schedule_session(world.patient, at, session_times=held)
    assert not decision.allowed and decision.reasons == ("reevaluation_due_sessions",)
    assert decision.reason_texts == ["A prescriber re-evaluation is due after this many sessions."]
    with time_machine.travel(at, tick=False):
        response = client_for(world.prescriber).post(
            f"/screening/patients/{world.patient.pk}/reevaluations/",
            {"outcome": "continue", "note": "Responding; continue twice weekly."},
        )
    assert response.status_code == 302
    assert selectors.can_schedule_session(world.patient, at + DAY, session_times=held).allowed


def test_a_gap_of_more_than_90_days_requires_a_reevaluation(world, approved):
    held = _sessions(2)
    assert selectors.can_schedule_session(
        world.patient, held[-1] + 90 * DAY, session_times=held
    ).allowed
    late = selectors.can_schedule_session(world.patient, held[-1] + 91 * DAY, session_times=held)
    assert late.reasons == ("reevaluation_due_gap",)


def test_the_thresholds_are_the_clinics_settings(world, approved, client_for):
    response = client_for(world.admin).post(
        "/screening/settings/",
        {
            "intake_instruments": ["phq9", "gad7"],
            "ocd_instruments": ["ybocs"],
            "pain_instruments": ["bpi_sf"],
            "review_instruments": ["madrs"],
            "pre_session_instruments": ["phq9"],
            "full_bundle_every_weeks": "2",
            "overdue_after_days": "3",
            "reevaluation_every_sessions": "3",
            "reevaluation_gap_days": "30",
        },
    )
    assert response.status_code == 302
    assert ScreeningSettings.objects.get(clinic=world.clinic).reevaluation_every_sessions == 3
    held = _sessions(3)
    decision = selectors.can_schedule_session(world.patient, held[-1] + DAY, session_times=held)
    assert decision.reasons == ("reevaluation_due_sessions",)


def test_a_reevaluation_that_stops_treatment_blocks_scheduling(world, approved):
    services.record_reevaluation(
        actor=world.prescriber,
        patient=world.patient,
        outcome="stop",
        note="No response after 6 sessions.",
    )
    decision = selectors.can_schedule_session(world.patient, timezone.now() + DAY)
    assert decision.reasons == ("treatment_stopped",)


def test_a_new_treatment_consent_version_blocks_scheduling_until_signed(world, approved):
    services.publish_consent_document(actor=world.admin, kind="treatment", title="v2", body="New.")
    decision = selectors.can_schedule_session(world.patient, START + DAY)
    assert decision.reasons == ("consent_missing",)


def test_only_a_prescriber_records_a_reevaluation(world, approved, client_for):
    for persona in ("clinician", "admin", "patient_user", "outsider"):
        response = client_for(world.user(persona)).post(
            f"/screening/patients/{world.patient.pk}/reevaluations/",
            {"outcome": "continue", "note": "x"},
        )
        assert response.status_code == 404, persona
    response = client_for(world.prescriber).post(
        f"/screening/patients/{world.patient.pk}/reevaluations/",
        {"outcome": "continue", "note": ""},
    )
    assert response.status_code == 400


def test_the_summary_shows_whether_sessions_can_be_scheduled(world, approved, client_for):
    url = f"/screening/patients/{world.patient.pk}/"
    with time_machine.travel(START + 10 * DAY, tick=False):
        assert "Sessions can be scheduled" in client_for(world.clinician).get(url).content.decode()
    with time_machine.travel(START + 100 * DAY, tick=False):
        page = client_for(world.clinician).get(url).content.decode()
        assert "New sessions cannot be scheduled" in page
        assert "A prescriber re-evaluation is due after a long gap in treatment." in page


def test_the_full_bundle_falls_due_every_4_weeks_on_both_home_pages(world, approved, client_for):
    with time_machine.travel(START + 27 * DAY, tick=False):
        assert b"Questionnaires due" not in client_for(world.patient_user).get("/").content
    with time_machine.travel(START + 28 * DAY + dt.timedelta(hours=1), tick=False):
        page = client_for(world.patient_user).get("/").content.decode()
        assert "Questionnaires due" in page and "/screening/me/questionnaires/gad7/" in page
        assert "Overdue" not in page
        staff = client_for(world.clinician).get("/").content.decode()
        assert "Due assessments" in staff and "Ada Lovelace" in staff.split("Due assessments")[1]
    with time_machine.travel(START + 36 * DAY, tick=False):
        assert b"Overdue" in client_for(world.patient_user).get("/").content
        assert b"Overdue" in client_for(world.clinician).get("/").content


def test_completing_a_due_questionnaire_clears_it(world, approved, client_for):
    with time_machine.travel(START + 30 * DAY, tick=False):
        client = client_for(world.patient_user)
        response = client.post("/screening/me/questionnaires/gad7/", instrument_form([0] * 7))
        assert response.status_code == 302
        due = [d.instrument for d in selectors.due_assessments_for(world.patient, timezone.now())]
        assert "gad7" not in due and "phq9" in due


def test_a_patient_cannot_file_questionnaires_outside_their_schedule(world, approved, client_for):
    client = client_for(world.patient_user)
    assert client.get("/screening/me/questionnaires/madrs/").status_code == 404
    assert client.get("/screening/me/questionnaires/cadss/").status_code == 404
    assert client.get("/screening/me/questionnaires/phq9/").status_code == 200


def test_phq9_is_due_before_each_session_given_the_sessions(world, approved):
    held = START + 3 * DAY
    booked = START + 6 * DAY
    due = selectors.due_assessments_for(
        world.patient, START + 4 * DAY, last_session_at=held, next_session_at=booked
    )
    assert [(d.instrument, d.status, d.reason) for d in due] == [("phq9", "due", "before_session")]
    due = selectors.due_assessments_for(
        world.patient, booked, last_session_at=held, next_session_at=booked
    )
    assert due[0].status == "overdue"
