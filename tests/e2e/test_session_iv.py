"""A whole IV session at the chair, on a tablet: check-in and checklist, pre-dose vitals and
the dose decision, the infusion, an out-of-range reading that alerts the prescriber, a
discharge refused too early, and the discharge once observation is over. Every step is an
htmx partial update of the session page (no full reload)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import TABLET

pytestmark = pytest.mark.e2e


def _course(clinic_users: dict[str, Any]) -> Any:
    """The demo patient Jordan Rivera, IV route approved, a chair, a signed course and a
    session booked for now with the demo clinician."""
    from ketacare.accounts.models import User
    from ketacare.patients.models import Patient
    from ketacare.protocols.selectors import current_version
    from ketacare.treatments import services
    from ketacare.web.demo import DEMO_PASSWORD
    from tests.treatments.conftest import approve_routes

    people = SimpleNamespace(
        **{
            role: User.objects.get(email=f"{role}@demo.ketacare")
            for role in ("admin", "prescriber", "clinician")
        }
    )
    patient = Patient.objects.get(user__email="patient@demo.ketacare")
    approve_routes(people, patient, "iv")
    chair = services.add_chair(actor=people.admin, room="Infusion room", name="Chair 3")
    order = services.create_order(
        actor=people.prescriber,
        patient=patient,
        protocol=current_version(patient.clinic_id, "iv-depression"),
        starting_dose="0.5",
        titration_plan="0.5 mg/kg; review after three sessions.",
        sessions_planned=6,
        start_date=timezone.localdate(),
        password=DEMO_PASSWORD,
    )
    return services.schedule_session(
        actor=people.clinician,
        order=order,
        chair=chair,
        clinician=people.clinician,
        start=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2),
        duration_minutes=130,
    )


def _fill_vitals(
    page: Any,
    systolic: str,
    diastolic: str,
    *,
    heart_rate: str = "74",
    spo2: str = "98",
    time_point: str | None = None,
) -> None:
    form = page.locator("#vitals form")
    form.get_by_label("Systolic (mmHg)").fill(systolic)
    form.get_by_label("Diastolic (mmHg)").fill(diastolic)
    form.get_by_label("Heart rate (bpm)").fill(heart_rate)
    form.get_by_label("SpO2 (%)").fill(spo2)
    if time_point is not None:
        form.get_by_label("Sedation (MOAA/S)").select_option("5")
        form.get_by_label("REMS time point").select_option(time_point)
        cadss = form.locator("details.cadss")
        if cadss.get_attribute("open") is None:  # open by itself when a time point is due
            cadss.locator("summary").click()
        for item in range(1, 24):
            form.locator(f"#id_cadss_{item}").select_option("0")
    form.get_by_role("button", name="Record vitals").click()


def test_a_whole_iv_session_from_check_in_to_discharge(
    demo_data, open_page, sign_in, console_errors, settings
):
    # Hours pass in a few seconds here; the 15-minute idle log-off would end the shift.
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 24 * 60
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=True) as clock:
        session = _course({})
        page = open_page(viewport=TABLET)
        sign_in(page, "clinician@demo.ketacare")
        page.goto("/treatments/")
        expect(page.get_by_role("heading", name="Infusion room · Chair 3")).to_be_visible()
        page.get_by_role("link", name="Jordan Rivera").click()
        expect(page).to_have_url(re.compile(rf"/treatments/sessions/{session.pk}/$"))
        expect(page.locator(".phase").first).to_have_text("Scheduled")
        # A marker that a full page load would wipe: every step below must keep it.
        page.evaluate("document.body.dataset.untouched = 'yes'")

        # 1. Check-in and the pre-dose checklist
        checkin = page.locator("#checkin form")
        checkin.get_by_role("button", name="Check in").click()
        expect(page.get_by_text("Confirm the patient's identity").first).to_be_visible()
        for label in (
            "Identity confirmed",
            "Fasting instructions followed",
            "An adult escort will take them home",
            "Medications reviewed",
            "Assessments due before this session completed",
        ):
            page.locator("#checkin form").get_by_label(label).check()
        page.locator("#checkin form").get_by_label("Escort's name").fill("Chris Rivera")
        page.locator("#checkin form").get_by_label("Pregnancy").select_option("negative_test")
        page.locator("#checkin form").get_by_role("button", name="Check in").click()
        expect(page.get_by_role("status").filter(has_text="Checked in.")).to_be_visible()
        expect(page.locator(".phase").first).to_have_text("Checked in")

        # 2. Pre-dose vitals (the REMS pre-dose time point), then plan_dose's decision
        _fill_vitals(page, "132", "84", time_point="pre_dose")
        expect(page.get_by_text("Vitals recorded.")).to_be_visible()
        expect(page.get_by_text("Before the dose: recorded")).to_be_visible()
        page.locator("#plan").get_by_role("button", name="Plan the dose").click()
        decision = page.locator(".decision")
        expect(decision).to_contain_text("Allowed")
        expect(decision).to_contain_text("34.2 mg")  # 0.5 mg/kg x 68.4 kg
        expect(decision).to_contain_text("0.86 mg/min")  # over 40 minutes

        # 3. The infusion
        page.get_by_role("button", name=re.compile(r"Start the dose")).click()
        expect(page.locator(".phase").first).to_have_text("Dosing")
        clock.shift(dt.timedelta(minutes=40))
        end = page.locator("#administration form")
        end.get_by_label("Dose actually given (mg)").fill("34.2")
        end.get_by_label("Lot number").fill("KET-2207")
        end.get_by_role("button", name="End the dose").click()
        expect(page.get_by_text("Dose ended: observation has started.")).to_be_visible()
        expect(page.locator(".phase").first).to_have_text("Observing")

        # 4. An out-of-range reading at the ~40-minute time point: highlighted, alerted
        expect(page.locator("#id_time_point")).to_have_value("post_dose")
        _fill_vitals(page, "188", "112", heart_rate="96", time_point="post_dose")
        expect(page.get_by_text("ALERT raised to the prescribers")).to_be_visible()
        expect(page.locator(".flowsheet td.out-of-range")).to_have_count(1)
        expect(page.locator("#alerts")).to_contain_text("Systolic BP above 180.")
        expect(page.locator("#alerts")).to_contain_text("Diastolic BP above 110.")

        # The prescriber sees it on their home page and acknowledges it.
        doctor = open_page(viewport=TABLET)
        sign_in(doctor, "prescriber@demo.ketacare")
        expect(doctor.get_by_text("Vitals alerts waiting for a prescriber")).to_be_visible()
        doctor.get_by_role("link", name=re.compile("Chair 3")).click()
        doctor.locator("#alerts").get_by_label("What you did or decided").fill(
            "Reviewed at the chair; recheck in 10 minutes."
        )
        doctor.locator("#alerts").get_by_role("button", name="Acknowledge").click()
        expect(doctor.locator("#alerts")).to_contain_text("acknowledged by Dr. Priya Raman")

        # 5. Too early to go home: refused, with what is missing
        clock.shift(dt.timedelta(minutes=10))
        _fill_vitals(page, "138", "86")
        expect(page.locator(".flowsheet tbody tr")).to_have_count(3)
        discharge = page.locator("#discharge form")
        discharge.get_by_role("button", name="Discharge").click()
        refusal = page.locator("#discharge .error-summary")
        expect(refusal).to_contain_text("observation time has not yet passed")
        expect(refusal).to_contain_text("not recorded at every time point")

        # 6. After the observation time: the before-discharge time point, then discharge
        clock.shift(dt.timedelta(minutes=52))
        _fill_vitals(page, "128", "82", time_point="pre_discharge")
        expect(page.get_by_text("Before discharge: recorded")).to_be_visible()
        discharge = page.locator("#discharge form")
        discharge.get_by_label(re.compile("steady on their feet")).check()
        discharge.get_by_label("The escort is here to take them home").check()
        discharge.get_by_role("button", name="Discharge").click()
        expect(page.get_by_text("Discharged.", exact=True)).to_be_visible()
        expect(page.locator(".phase").first).to_have_text("Discharged")

        # No step reloaded the page.
        assert page.evaluate("document.body.dataset.untouched") == "yes"
        session.refresh_from_db()
        assert session.status == "completed" and float(session.administered_dose_mg) == 34.2
    assert console_errors == []
