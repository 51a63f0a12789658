"""The session workflow's gates, over HTTP as the tablet uses them: the pre-dose checklist, the
blood-pressure gate of `plan_dose`, blocked doses that cannot be given, the prescriber's
override, vitals alerts, REMS time points and the discharge criteria."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from ketacare.treatments.models import DosePlan, TreatmentSession, VitalsAlert

CHECKLIST = {
    "identity_confirmed": "on",
    "fasting_confirmed": "on",
    "escort_arranged": "on",
    "escort_name": "Charles Babbage",
    "escort_phone": "555-0100",
    "medications_reviewed": "on",
    "pregnancy": "negative_test",
    "assessments_completed": "on",
}


def post(client, name, session, data=None, *, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse(f"treatments:{name}", args=[session.pk]), data or {}, **headers)


def vitals(systolic, diastolic, heart_rate=72, spo2=98, **extra):
    data = {"systolic": systolic, "diastolic": diastolic, "heart_rate": heart_rate, "spo2": spo2}
    data.update(extra)
    return data


def with_cadss(data, moaas=5, point=""):
    data = {**data, "moaas": moaas, "time_point": point}
    data.update({f"cadss_{i}": "0" for i in range(1, 24)})
    return data


@pytest.fixture
def checked_in(course):
    return course.check_in(course.book())


@pytest.fixture
def nurse(course, client_for):
    return client_for(course.world.clinician)


# --- check-in


def test_check_in_with_the_whole_checklist_starts_the_session(course, nurse):
    session = course.book()
    response = post(nurse, "check_in", session, CHECKLIST)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "in_progress" and session.checked_in_by == course.world.clinician
    assert session.escort_name == "Charles Babbage"


def test_check_in_lists_every_unchecked_item_next_to_its_field(course, nurse):
    session = course.book()
    data = {**CHECKLIST}
    del data["fasting_confirmed"], data["identity_confirmed"]
    response = post(nurse, "check_in", session, data)
    assert response.status_code == 400
    errors = response.context["checkin_form"].errors
    assert "identity_confirmed" in errors and "fasting_confirmed" in errors
    assert TreatmentSession.objects.get(pk=session.pk).status == "scheduled"


def test_possible_pregnancy_stops_the_check_in(course, nurse):
    session = course.book()
    response = post(nurse, "check_in", session, {**CHECKLIST, "pregnancy": "possible"})
    assert response.status_code == 400
    assert "contraindication" in str(response.context["checkin_form"].errors["pregnancy"])


def _screened_not_sure_about_pregnancy(patient):
    from django.utils import timezone

    from ketacare.screening.models import IntakeStep, Screening

    medical = {
        "aneurysmal_vascular_disease": "no", "arteriovenous_malformation": "no",
        "intracerebral_hemorrhage": "no", "cardiovascular_disease": "no",
        "high_blood_pressure": "no", "raised_intracranial_pressure": "no",
        "raised_intraocular_pressure": "no", "liver_disease": "none",
        "interstitial_cystitis": "no", "pregnancy": "unsure",
    }  # fmt: skip
    screening = Screening.objects.filter(patient=patient).latest("started_at", "id")
    now = timezone.now()
    IntakeStep.objects.create(
        screening=screening, step="medical", data=medical, saved_at=now, completed_at=now
    )


def test_not_sure_about_pregnancy_holds_the_first_dose_until_a_negative_test(course, nurse):
    _screened_not_sure_about_pregnancy(course.world.patient)
    first = course.book()
    reported = {**CHECKLIST, "pregnancy": "reported_not_pregnant"}
    response = post(nurse, "check_in", first, reported)
    assert response.status_code == 400
    assert "record a negative pregnancy test before the first dose" in str(
        response.context["checkin_form"].errors["pregnancy"]
    )
    first.refresh_from_db()
    assert first.checked_in_at is None
    assert post(nurse, "check_in", first, CHECKLIST).status_code == 302  # negative test today
    later = course.book(start=first.scheduled_start + dt.timedelta(days=2))
    course.clock.shift(dt.timedelta(days=2))
    assert post(nurse, "check_in", later, reported).status_code == 302


# --- the blood-pressure gate


def test_bp_165_over_105_before_dosing_blocks_the_dose(course, nurse, checked_in):
    assert post(nurse, "vitals", checked_in, vitals(165, 105)).status_code == 302
    assert post(nurse, "plan", checked_in).status_code == 302
    plan = DosePlan.objects.get(session=checked_in)
    assert not plan.allowed and "bp_hold" in plan.reasons
    page = nurse.get(reverse("treatments:session", args=[checked_in.pk]))
    assert b"Blocked: the dose cannot be given" in page.content
    assert b"at or above the hold threshold" in page.content
    assert b"Start the dose" not in page.content


def test_a_blocked_dose_cannot_be_administered(course, nurse, checked_in):
    post(nurse, "vitals", checked_in, vitals(165, 105))
    post(nurse, "plan", checked_in)
    response = post(nurse, "start", checked_in)
    assert response.status_code == 400
    assert b"The dose is blocked" in response.content
    assert TreatmentSession.objects.get(pk=checked_in.pk).dose_started_at is None


def test_bp_150_over_95_warns_but_allows_the_dose(course, nurse, checked_in):
    post(nurse, "vitals", checked_in, vitals(150, 95))
    post(nurse, "plan", checked_in)
    plan = DosePlan.objects.get(session=checked_in)
    assert plan.allowed and plan.warnings == ["bp_caution"]
    page = nurse.get(reverse("treatments:session", args=[checked_in.pk]))
    assert b"Blood pressure is raised" in page.content
    assert post(nurse, "start", checked_in).status_code == 302


def test_the_page_shows_dose_infusion_rate_and_limits(course, nurse, checked_in):
    post(nurse, "vitals", checked_in, vitals(120, 80))
    post(nurse, "plan", checked_in)
    page = nurse.get(reverse("treatments:session", args=[checked_in.pk])).content.decode()
    # 0.5 mg/kg x 70 kg = 35 mg over 40 minutes = 0.88 mg/min
    assert "35 mg" in page and "0.88 mg/min" in page and "maximum 70.0 mg" in page


def test_re_measured_vitals_need_a_new_plan(course, nurse, checked_in):
    post(nurse, "vitals", checked_in, vitals(165, 105))
    post(nurse, "plan", checked_in)
    post(nurse, "vitals", checked_in, vitals(138, 84))
    response = post(nurse, "start", checked_in)
    assert response.status_code == 400
    assert b"The dose is blocked" in response.content
    post(nurse, "plan", checked_in)
    assert DosePlan.objects.filter(session=checked_in).latest("id").allowed
    assert post(nurse, "start", checked_in).status_code == 302


def test_missing_vitals_block_the_dose(course, nurse, checked_in):
    post(nurse, "plan", checked_in)
    assert DosePlan.objects.get(session=checked_in).reasons == ["vitals_missing"]


def test_a_dose_larger_than_planned_cannot_be_recorded(course, nurse, checked_in):
    post(nurse, "vitals", checked_in, vitals(120, 80))
    post(nurse, "plan", checked_in)
    post(nurse, "start", checked_in)
    response = post(nurse, "end_dose", checked_in, {"dose_mg": "50", "lot_number": "L1"})
    assert response.status_code == 400
    assert "more than the planned" in str(response.context["end_form"].errors["dose_mg"])
    assert (
        post(nurse, "end_dose", checked_in, {"dose_mg": "30", "lot_number": "L1"}).status_code
        == 302
    )
    checked_in.refresh_from_db()
    assert float(checked_in.administered_dose_mg) == 30.0 and checked_in.lot_number == "L1"


# --- overrides


def second_session_too_soon(course):
    """A session 20 hours after a full dose: the 24-hour minimum interval is not over."""
    first = course.dosed(course.book())
    second = course.book(start=first.dose_started_at + dt.timedelta(hours=20))
    course.clock.move_to(second.scheduled_start)
    second = course.check_in(second)
    course.vitals(second)
    return second


def test_a_clinician_cannot_override(course, client_for):
    session = second_session_too_soon(course)
    nurse = client_for(course.world.clinician)
    post(nurse, "plan", session)
    assert "interval_too_short" in DosePlan.objects.filter(session=session).latest("id").reasons
    response = post(nurse, "override", session, {"override_reason": "I think it is fine."})
    assert response.status_code == 404
    assert not DosePlan.objects.filter(session=session).exclude(overridden=[]).exists()


def test_a_prescriber_overrides_the_interval_with_a_reason(course, client_for):
    session = second_session_too_soon(course)
    doctor = client_for(course.world.prescriber)
    response = post(doctor, "override", session, {"override_reason": ""})
    assert response.status_code == 400
    response = post(doctor, "override", session, {"override_reason": "Travel next week."})
    assert response.status_code == 302
    plan = DosePlan.objects.filter(session=session).latest("id")
    assert plan.allowed and plan.overridden == ["interval_too_short"]
    assert (
        plan.override_reason == "Travel next week." and plan.planned_by == course.world.prescriber
    )


def test_a_bp_hold_cannot_be_overridden(course, client_for, checked_in):
    doctor = client_for(course.world.prescriber)
    post(doctor, "vitals", checked_in, vitals(170, 100))
    response = post(doctor, "override", checked_in, {"override_reason": "Anxious at the clinic."})
    assert response.status_code == 400
    assert b"Nothing the reference lets a prescriber override" in response.content
    assert not DosePlan.objects.filter(session=checked_in).latest("id").allowed


def test_the_api_refuses_an_override_from_a_clinician(course, client_for, checked_in):
    course.vitals(checked_in)
    url = f"/api/v1/treatments/sessions/{checked_in.pk}/dose-plan"
    nurse = client_for(course.world.clinician)
    response = nurse.post(url, {"override_reason": "x"}, content_type="application/json")
    assert response.status_code == 404
    response = nurse.post(url, {}, content_type="application/json")
    assert response.status_code == 201 and response.json()["allowed"]


# --- vitals alerts


def test_an_out_of_range_reading_is_highlighted_and_alerts_the_prescribers(
    course, nurse, checked_in, django_capture_on_commit_callbacks
):
    course.time_point(checked_in, "pre_dose")
    post(nurse, "plan", checked_in)
    post(nurse, "start", checked_in)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            nurse, "vitals", checked_in, vitals(192, 104, heart_rate=135, spo2=97), htmx=True
        )
    assert response.status_code == 200
    assert b"ALERT raised to the prescribers" in response.content
    assert response.content.count(b'class="out-of-range"') == 2  # BP and heart rate
    alert = VitalsAlert.objects.get(session=checked_in)
    assert alert.codes == ["systolic_high", "heart_rate_high"] and alert.is_open
    assert [m.to for m in mail.outbox] == [[course.world.prescriber.email]]
    assert "Lovelace" not in mail.outbox[0].body  # no patient details by email
    home = client_for_prescriber_home(course)
    assert b"Vitals alerts waiting for a prescriber" in home.content


@pytest.mark.parametrize(
    ("reading", "codes", "text"),
    [
        ({"moaas": "2"}, ["sedation_deep"], "Deep sedation: MOAA/S 2 or below."),
        ({"respiratory_rate": "8"}, ["respiratory_rate_low"], "Respiratory rate 8 or below."),
        ({"respiratory_rate": "25"}, ["respiratory_rate_high"], "Respiratory rate 25 or above."),
    ],
)
def test_deep_sedation_or_abnormal_breathing_is_highlighted_and_alerts_the_prescribers(
    course, nurse, checked_in, django_capture_on_commit_callbacks, reading, codes, text
):
    course.time_point(checked_in, "pre_dose")
    post(nurse, "plan", checked_in)
    post(nurse, "start", checked_in)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(nurse, "vitals", checked_in, {"spo2": "97", **reading}, htmx=True)
    assert response.status_code == 200
    assert "ALERT raised to the prescribers: " + text in response.content.decode()
    assert response.content.count(b'class="out-of-range"') == 1
    alert = VitalsAlert.objects.get(session=checked_in)
    assert alert.codes == codes and alert.is_open
    assert [m.to for m in mail.outbox] == [[course.world.prescriber.email]]


def test_moaas_3_and_respiratory_rate_9_to_24_raise_no_alert(course, nurse, checked_in):
    for reading in ({"moaas": "3", "respiratory_rate": "9"}, {"respiratory_rate": "24"}):
        assert post(nurse, "vitals", checked_in, {"spo2": "97", **reading}).status_code == 302
    assert not VitalsAlert.objects.filter(session=checked_in).exists()


def client_for_prescriber_home(course):
    from django.test import Client

    client = Client()
    client.force_login(course.world.prescriber)
    return client.get(reverse("web:home"))


def test_only_a_prescriber_acknowledges_an_alert(course, client_for, checked_in):
    course.vitals(checked_in, systolic=200, diastolic=120, heart_rate=80, spo2=97)
    alert = VitalsAlert.objects.get(session=checked_in)
    url = reverse("treatments:alert_ack", args=[alert.pk])
    assert client_for(course.world.clinician).post(url, {"response": "ok"}).status_code == 404
    doctor = client_for(course.world.prescriber)
    assert doctor.post(url, {"response": ""}).status_code == 400
    assert doctor.post(url, {"response": "Labetalol 10 mg IV; recheck in 5."}).status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == course.world.prescriber


def test_impossible_readings_are_refused_next_to_the_field(course, nurse, checked_in):
    response = post(nurse, "vitals", checked_in, vitals(1200, 80))
    assert response.status_code == 400
    assert "not possible" in str(response.context["vitals_form"].errors["systolic"])
    response = post(nurse, "vitals", checked_in, {"systolic": "120"})
    assert "both systolic and diastolic" in str(response.context["vitals_form"].errors)
    response = post(nurse, "vitals", checked_in, {})
    assert response.status_code == 400


# --- REMS time points


def test_a_time_point_needs_bp_moaas_and_cadss(course, nurse, checked_in):
    response = post(nurse, "vitals", checked_in, {**vitals(120, 80), "time_point": "pre_dose"})
    assert response.status_code == 400
    assert "needs MOAA/S, CADSS" in str(response.context["vitals_form"].errors["time_point"])
    partial = with_cadss(vitals(120, 80), point="pre_dose")
    del partial["cadss_7"]
    response = post(nurse, "vitals", checked_in, partial)
    assert "Answer all 23 CADSS items" in response.content.decode()
    response = post(nurse, "vitals", checked_in, with_cadss(vitals(120, 80), point="pre_dose"))
    assert response.status_code == 302
    row = checked_in.vitals.get()
    assert row.time_point == "pre_dose" and row.moaas == 5 and row.cadss.instrument == "cadss"


def test_a_missing_time_point_is_shown_as_overdue(course, nurse, checked_in):
    course.vitals(checked_in)
    post(nurse, "plan", checked_in)
    post(nurse, "start", checked_in)
    course.clock.shift(dt.timedelta(minutes=56))
    page = nurse.get(reverse("treatments:session", args=[checked_in.pk])).content.decode()
    assert "Before the dose: OVERDUE" in page
    assert "About 40 minutes after the dose: OVERDUE" in page
    board = nurse.get(reverse("treatments:board")).content.decode()
    assert "Overdue: before the dose, about 40 minutes after the dose" in board


# --- discharge


def test_discharge_before_the_observation_time_is_refused_with_what_is_missing(course, nurse):
    session = course.dosed(course.book())
    course.clock.shift(dt.timedelta(minutes=40))
    course.time_point(session, "post_dose")
    response = post(nurse, "discharge", session, {"steady_on_feet": "on", "escort_present": "on"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Discharge refused" in text
    assert "observation time has not yet passed" in text
    assert "not recorded at every time point" in text
    assert TreatmentSession.objects.get(pk=session.pk).discharged_at is None


def test_discharge_needs_moaas_5_and_the_attestations(course, nurse):
    session = course.dosed(course.book())
    course.clock.shift(dt.timedelta(minutes=40))
    course.time_point(session, "post_dose")
    course.clock.shift(dt.timedelta(minutes=60))
    course.time_point(session, "pre_discharge", moaas=4)
    response = post(nurse, "discharge", session, {})
    text = response.content.decode()
    assert response.status_code == 400
    assert "below MOAA/S 5" in text and "alert and steady" in text and "No escort home" in text
    assert "observation time has not yet passed" not in text
    course.time_point(session, "pre_discharge", moaas=5)
    response = post(
        nurse,
        "discharge",
        session,
        {"steady_on_feet": "on", "escort_present": "on", "ready_to_leave_minutes": "70"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "completed" and session.ready_to_leave_minutes == 70


def test_the_board_shows_ready_for_discharge(course, nurse):
    session = course.dosed(course.book())
    course.clock.shift(dt.timedelta(minutes=40))
    course.time_point(session, "post_dose")
    board = nurse.get(reverse("treatments:board")).content.decode()
    assert "Observing" in board
    course.clock.shift(dt.timedelta(minutes=60))
    course.time_point(session, "pre_discharge")
    board = nurse.get(reverse("treatments:board_live")).content.decode()
    assert "Ready for discharge" in board and "<html" not in board


def test_a_session_without_a_dose_ends_with_a_reason(course, nurse, checked_in):
    post(nurse, "vitals", checked_in, vitals(170, 104))
    post(nurse, "plan", checked_in)
    assert post(nurse, "cancel", checked_in, {"reason": ""}).status_code == 400
    response = post(nurse, "cancel", checked_in, {"reason": "BP hold: rebook next week."})
    assert response.status_code == 302
    checked_in.refresh_from_db()
    assert checked_in.status == "cancelled"


# --- htmx


def test_steps_answer_htmx_with_the_workflow_partial(course, nurse):
    session = course.book()
    response = post(nurse, "check_in", session, CHECKLIST, htmx=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="workflow"') and "<html" not in body
    assert "Checked in." in body
    # Errors come back in the partial with 200, so htmx swaps them in.
    response = post(nurse, "vitals", session, {"systolic": "999", "diastolic": "80"}, htmx=True)
    assert response.status_code == 200 and "not possible" in response.content.decode()


def test_the_status_panel_refreshes_alone(course, nurse, checked_in):
    response = nurse.get(reverse("treatments:session_status", args=[checked_in.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="session-status"') and 'hx-trigger="every 20s"' in body


@pytest.mark.parametrize("persona", ["admin", "patient_user", "monitor", "outsider"])
def test_only_clinicians_and_prescribers_record_in_a_session(
    course, client_for, checked_in, persona
):
    client = client_for(getattr(course.world, persona))
    expected = 404
    assert post(client, "vitals", checked_in, vitals(120, 80)).status_code == expected
    assert post(client, "plan", checked_in).status_code == expected
    assert not checked_in.vitals.exists()


def test_cadss_is_stored_as_an_assessment(course, checked_in):
    row = course.vitals(
        checked_in, **vitals(120, 80), moaas=5, cadss_answers=[1] * 23, time_point="pre_dose"
    )
    assert row.cadss.total == 23 and row.cadss.patient == course.world.patient
    assert row.cadss.instrument == "cadss" and list(row.cadss.answers) == [1] * 23


# --- stale inputs (issue 13 item 4)


def test_the_plan_step_refuses_a_weight_31_days_old(course, nurse, checked_in):
    from ketacare.clinical.dosing import REASON_TEXT, WEIGHT_STALE
    from ketacare.patients.models import WeightMeasurement

    WeightMeasurement.objects.filter(patient=course.world.patient).update(
        measured_on=checked_in.checked_in_at.date() - dt.timedelta(days=31)
    )
    course.vitals(checked_in)
    assert post(nurse, "plan", checked_in).status_code == 302
    plan = DosePlan.objects.get(session=checked_in)
    assert not plan.allowed and plan.reasons == [WEIGHT_STALE]
    page = nurse.get(reverse("treatments:session", args=[checked_in.pk])).content.decode()
    assert "Blocked: the dose cannot be given" in page
    assert REASON_TEXT[WEIGHT_STALE] in page
    assert "Start the dose" not in page


def test_a_weight_30_days_old_is_still_current(course, nurse, checked_in):
    from ketacare.patients.models import WeightMeasurement

    WeightMeasurement.objects.filter(patient=course.world.patient).update(
        measured_on=checked_in.checked_in_at.date() - dt.timedelta(days=30)
    )
    course.vitals(checked_in)
    post(nurse, "plan", checked_in)
    assert DosePlan.objects.get(session=checked_in).allowed


def test_vitals_more_than_an_hour_old_block_the_plan_until_re_measured(course, nurse, checked_in):
    course.vitals(checked_in)
    course.clock.shift(dt.timedelta(minutes=61))
    post(nurse, "plan", checked_in)
    assert DosePlan.objects.filter(session=checked_in).latest("id").reasons == ["vitals_stale"]
    assert post(nurse, "start", checked_in).status_code == 400
    course.vitals(checked_in)
    post(nurse, "plan", checked_in)
    assert DosePlan.objects.filter(session=checked_in).latest("id").allowed


def test_a_prescriber_cannot_override_a_stale_weight(course, client_for, checked_in):
    from ketacare.patients.models import WeightMeasurement

    WeightMeasurement.objects.filter(patient=course.world.patient).update(
        measured_on=checked_in.checked_in_at.date() - dt.timedelta(days=45)
    )
    doctor = client_for(course.world.prescriber)
    course.vitals(checked_in)
    response = post(doctor, "override", checked_in, {"override_reason": "Weighed at home."})
    assert response.status_code == 400
    assert b"weigh the patient again" in response.content
    assert not DosePlan.objects.filter(session=checked_in).latest("id").allowed
