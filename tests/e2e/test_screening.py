"""The screening journey: an invited patient completes the intake on a phone, a clinician
reviews it and the prescriber approves IV treatment."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from ketacare.accounts.services import invite_user
from ketacare.screening import services
from ketacare.screening.models import RouteDecision
from tests.factories import PASSWORD, ClinicFactory, PatientFactory, UserFactory
from tests.screening.conftest import INSTRUMENT_ANSWERS

pytestmark = pytest.mark.e2e

PATIENT_PASSWORD = "lantern-orchard-violet-42"


@pytest.fixture
def clinic(transactional_db):
    clinic = ClinicFactory(name="Riverside Ketamine Clinic")
    staff = {
        role: UserFactory(
            clinic=clinic,
            role=role,
            email=f"{role}@riverside.example",
            full_name=f"{role.title()} Riverside",
        )
        for role in ("admin", "clinician", "prescriber")
    }
    services.publish_consent_document(
        actor=staff["admin"],
        kind="treatment",
        title="Consent to ketamine treatment",
        body="Ketamine can cause **dissociation** and raises blood pressure for a while.",
    )
    services.publish_consent_document(
        actor=staff["admin"],
        kind="data_sharing",
        title="Sharing your data",
        body="We share your data only as the law allows.",
    )
    patient = PatientFactory(
        clinic=clinic, first_name="Ada", last_name="Lovelace", email="ada@example.org"
    )
    mail.outbox.clear()
    invite_user(
        actor=staff["clinician"],
        email=patient.email,
        full_name="Ada Lovelace",
        role="patient",
        patient=patient,
    )
    (message,) = mail.outbox
    link = re.search(r"/accounts/invitation/[^/\s]+/[^/\s]+/", message.body).group(0)
    return {"staff": staff, "patient": patient, "link": link}


def _answer_instrument(page, code: str) -> None:
    for number, value in enumerate(INSTRUMENT_ANSWERS[code], start=1):
        page.check(f'input[name="item_{number}"][value="{"skip" if value is None else value}"]')
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def test_an_invited_patient_completes_the_intake_on_a_phone_and_the_prescriber_approves_iv(
    clinic, open_page, sign_in, console_errors
):
    from tests.e2e.conftest import PHONE

    phone = open_page(viewport=PHONE)

    # --- The invitation: choose a password, sign in.
    phone.goto(clinic["link"])
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Welcome")
    phone.locator('input[name="new_password1"]').fill(PATIENT_PASSWORD)
    phone.locator('input[name="new_password2"]').fill(PATIENT_PASSWORD)
    phone.get_by_role("button", name="Set my password").click()
    sign_in(phone, "ada@example.org", PATIENT_PASSWORD)
    expect(phone.get_by_role("heading", name="Complete your intake")).to_be_visible()
    phone.get_by_role("link", name="Start your intake").click()

    # --- About you (saved as the patient goes), then the other screens.
    expect(phone.get_by_role("heading", level=1)).to_have_text("About you")
    phone.get_by_label("Sex").select_option("female")
    phone.get_by_label("Phone number").fill("555-0100")
    expect(phone.locator("#save-status")).to_contain_text("Saved at")  # autosaved by htmx
    phone.get_by_label("Home address").fill("1 Analytical Way")
    phone.get_by_label("Emergency contact: name").fill("Mary Somerville")
    phone.get_by_label("Emergency contact: phone").fill("555-0101")
    phone.get_by_label("Emergency contact: relationship to you").fill("friend")
    phone.get_by_label("Weight (kg)").fill("64.5")
    phone.get_by_label("Height (cm)").fill("168")
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("What brings you here")
    phone.get_by_label("Depression").check()
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Medicines and substances")
    phone.get_by_label("Medicines you take now").fill("sertraline 100 mg")
    phone.locator('input[name="ketamine_hypersensitivity"][value="no"]').check()
    phone.get_by_label("Monthly or less").check()
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Mental health history")
    for name in ("active_psychosis", "schizophrenia", "bipolar_disorder", "substance_use_disorder"):
        phone.locator(f'input[name="{name}"][value="no"]').check()
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Medical history")
    for fieldset in phone.locator("fieldset").all():
        fieldset.locator("input").first.check()  # "No" / "No liver disease" / "Not applicable"
    phone.get_by_role("button", name="Save and continue").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Treatments you have tried")
    phone.get_by_label("How many antidepressants").fill("3")
    for name in ("psychotherapy", "ect_or_tms", "prior_ketamine"):
        phone.locator(f'input[name="{name}"][value="no"]').check()
    phone.get_by_role("button", name="Save and continue").click()

    # --- One screen per instrument.
    for code, title in (
        ("phq9", "PHQ-9"),
        ("gad7", "GAD-7"),
        ("pcl5", "PCL-5"),
        ("cssrs_screen", "C-SSRS"),
        ("qids_sr16", "QIDS-SR16"),
    ):
        expect(phone.get_by_role("heading", level=1)).to_contain_text(title)
        _answer_instrument(phone, code)

    # --- Consent: typed name and checkbox.
    for title in ("Consent to ketamine treatment", "Sharing your data"):
        expect(phone.get_by_role("heading", level=1)).to_have_text(title)
        phone.get_by_label("I have read this document and I agree to it.").check()
        phone.get_by_label("Type your full name to sign").fill("Ada Lovelace")
        phone.get_by_role("button", name="Sign", exact=True).click()

    expect(phone.locator(".progress-text")).to_contain_text("13 of 13")
    phone.get_by_role("button", name="Send my intake to the clinic").click()
    expect(
        phone.get_by_text("Your intake has been sent to your clinic for review.")
    ).to_be_visible()
    # Nothing on the phone page is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # --- The clinician reviews it.
    desk = open_page()
    sign_in(desk, "clinician@riverside.example", PASSWORD)
    expect(desk.get_by_role("heading", name="Intakes awaiting review")).to_be_visible()
    desk.get_by_role("link", name="Ada Lovelace").first.click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Screening: Ada Lovelace")
    expect(desk.get_by_text("moderately severe").first).to_be_visible()
    expect(desk.get_by_text("No screening blood pressure recorded.").first).to_be_visible()
    desk.get_by_label("Screening blood pressure: systolic (mmHg)").fill("122")
    desk.get_by_label("Screening blood pressure: diastolic (mmHg)").fill("78")
    desk.get_by_role("button", name="Save findings").click()
    expect(desk.get_by_text("Findings saved; eligibility was recomputed.")).to_be_visible()
    expect(desk.locator("#route-iv .badge").first).to_have_text("Eligible")
    desk.get_by_label("Note (staff only)").fill("Treatment-resistant depression; good candidate.")
    desk.get_by_role("button", name="Add note").click()
    expect(desk.get_by_text("Note added.")).to_be_visible()
    desk.get_by_role("button", name="Sign out").click()

    # --- The prescriber approves IV treatment.
    sign_in(desk, "prescriber@riverside.example", PASSWORD)
    desk.goto(f"/screening/patients/{clinic['patient'].pk}/")
    iv = desk.locator("#route-iv")
    iv.get_by_label("Approve").check()
    iv.get_by_label("Reason").fill("PHQ-9 16 after 3 antidepressant trials; no contraindication.")
    iv.get_by_role("button", name="Record the IV infusion decision").click()
    expect(desk.get_by_text("IV infusion: Approve.")).to_be_visible()
    expect(desk.locator("#route-iv .decision")).to_contain_text("Decision: Approve")
    decision = RouteDecision.objects.get()
    assert (decision.route, decision.decision, decision.is_override) == ("iv", "approve", False)

    # --- The patient sees the plan on the phone.
    phone.goto("/screening/me/")
    expect(phone.get_by_text("IV infusion: Approve")).to_be_visible()
    assert console_errors == []
