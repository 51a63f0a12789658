"""The printable session record holds every field of the SPRAVATO REMS patient monitoring
form; esketamine forms are tracked against their 7-day deadline on the staff home page; the
administration draws its lot from the controlled-substance ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ketacare.audit.models import AuditEvent
from ketacare.treatments import services
from tests.core.pdf_text import pdf_text
from tests.treatments.conftest import NOW, sign_order

REMS_FORM_FIELDS = [
    "First name",
    "MI",
    "Last name",
    "Birthdate (MM/DD/YYYY)",
    "Sex",
    "First treatment session",
    "Enrolled in the REMS (patient ID)",
    "Benzodiazepines",
    "Non-benzodiazepine sedative hypnotics",
    "Psychostimulants",
    "Monoamine oxidase inhibitors (MAOIs)",
    "Name",
    "Telephone",
    "Email",
    "Healthcare setting name",
    "Address 1",
    "Address 2",
    "City",
    "State",
    "ZIP",
    "REMS healthcare setting ID",
    "Treatment date (MM/DD/YYYY)",
    "Dose administered",
    "Lot number",
    "Vital signs in acceptable range prior to administration",
    "Vital signs in acceptable range prior to treatment session completion",
    "BP prior to administration",
    "BP about 40 minutes post-administration",
    "BP prior to treatment session completion",
    "Did the patient experience sedation?",
    "Did the patient experience dissociation?",
    "Did the patient experience respiratory depression?",
    "Serious adverse events",
]


@pytest.fixture
def esketamine_session(course):
    """A whole esketamine session: 56 mg, BP 128/82 before, 150/94 at 40 minutes, 130/84
    before discharge, sedation (MOAA/S 4) at 40 minutes, nausea, discharged 126 minutes after
    the first device."""
    world = course.world
    services.update_treatment_settings(
        actor=world.admin,
        setting_name="Riverside Ketamine Clinic",
        address_line1="1 River Rd",
        address_line2="Suite 2",
        city="Albany",
        state="NY",
        zip_code="12207",
        phone="555-0199",
        rems_setting_id="HCS-778899",
    )
    order = sign_order(
        world, world.patient, code="esketamine-nasal", dose="56", rems_patient_id="REMS-P-1234"
    )
    session = course.book(order=order, minutes=180)
    session = services.check_in(
        actor=world.clinician,
        session=session,
        identity_confirmed=True,
        fasting_confirmed=True,
        escort_arranged=True,
        escort_name="Charles Babbage",
        medications_reviewed=True,
        pregnancy="negative_test",
        assessments_completed=True,
        first_treatment=True,
        concomitant={"takes_benzodiazepines": True, "takes_psychostimulants": False},
    )
    course.time_point(session, "pre_dose", systolic=128, diastolic=82)
    plan = services.plan_session_dose(actor=world.clinician, session=session)
    assert plan.allowed and plan.dose_mg == Decimal("56.0")
    session = services.start_administration(actor=world.clinician, session=session)
    course.clock.shift(dt.timedelta(minutes=5))
    session = services.end_administration(
        actor=world.clinician, session=session, dose_mg="56", lot_number="ESK-2201"
    )
    course.clock.shift(dt.timedelta(minutes=35))
    course.time_point(session, "post_dose", systolic=150, diastolic=94, moaas=4)
    services.record_event(
        actor=world.clinician,
        session=session,
        category="side_effect",
        kind="nausea",
        severity="mild",
        actions_taken="Ondansetron 4 mg.",
    )
    course.clock.shift(dt.timedelta(minutes=86))
    course.time_point(session, "pre_discharge", systolic=130, diastolic=84)
    services.add_note(actor=world.clinician, session=session, body="Tolerated well.")
    return services.discharge(
        actor=world.clinician,
        session=session,
        steady_on_feet=True,
        escort_present=True,
        ready_to_leave_minutes=90,
    )


def test_the_record_has_every_field_of_the_rems_monitoring_form(course, esketamine_session):
    from ketacare.treatments import pdf, selectors

    session = selectors.session_for(course.world.clinician, esketamine_session.pk)
    context = selectors.session_page(session, dt.datetime.now(dt.UTC))
    from ketacare.treatments.models import TreatmentSettings

    fields = dict(
        pair
        for _, pairs in pdf.rems_fields(
            context, clinic=course.world.clinic, settings=TreatmentSettings.objects.get()
        )
        for pair in pairs
    )
    for label in REMS_FORM_FIELDS:
        assert label in fields, label
    assert fields["First name"] == "Ada" and fields["Last name"] == "Lovelace"
    assert fields["Birthdate (MM/DD/YYYY)"] == "06/15/1985"
    assert fields["Enrolled in the REMS (patient ID)"] == "REMS-P-1234"
    assert fields["First treatment session"] == "Yes"
    assert fields["Benzodiazepines"] == "Yes" and fields["Psychostimulants"] == "No"
    assert fields["Monoamine oxidase inhibitors (MAOIs)"] == "-"
    assert fields["Healthcare setting name"] == "Riverside Ketamine Clinic"
    assert fields["REMS healthcare setting ID"] == "HCS-778899" and fields["ZIP"] == "12207"
    assert fields["Treatment date (MM/DD/YYYY)"] == "03/10/2026"
    assert fields["Dose administered"] == "56 mg" and fields["Lot number"] == "ESK-2201"
    assert fields["BP prior to administration"] == "128/82 mmHg"
    assert fields["BP about 40 minutes post-administration"] == "150/94 mmHg"
    assert fields["BP prior to treatment session completion"] == "130/84 mmHg"
    assert fields["Vital signs in acceptable range prior to administration"] == "Yes"
    assert fields["Did the patient experience sedation?"] == "Yes"
    assert fields["Did the patient experience dissociation?"] == "No"
    assert fields["Did the patient experience respiratory depression?"] == "No"
    duration = "Treatment duration (minutes, first device to end of monitoring)"
    assert fields[duration] == 126
    assert (
        fields["REMS evaluation: ready to leave without the 2-hour minimum (minutes from start)"]
        == 90
    )


def test_the_printable_record_is_a_pdf_and_its_export_is_audited(
    course, client_for, esketamine_session
):
    response = client_for(course.world.clinician).get(
        reverse("treatments:record_pdf", args=[esketamine_session.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in (
        "REMS healthcare setting ID",
        "HCS-778899",
        "BP prior to administration",
        "128/82 mmHg",
        "Ondansetron 4 mg.",
        "Tolerated well.",
        "ESK-2201",
    ):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action="export", detail="session record PDF").exists()
    assert (
        client_for(course.world.patient_user)
        .get(reverse("treatments:record_pdf", args=[esketamine_session.pk]))
        .status_code
        == 404
    )


def test_the_rems_form_is_tracked_against_its_7_day_deadline_on_the_home_page(
    course, client_for, esketamine_session
):
    client = client_for(course.world.clinician)
    home = client.get(reverse("web:home")).content.decode()
    assert "REMS monitoring forms to submit" in home and "due by 2026-03-17" in home
    course.clock.move_to(NOW + dt.timedelta(days=8))
    client = client_for(course.world.clinician)  # a new day, a new sign-in
    home = client.get(reverse("web:home")).content.decode()
    assert "OVERDUE" in home
    response = client.post(
        reverse("treatments:rems", args=[esketamine_session.pk]), {"confirmation": "RC-55"}
    )
    assert response.status_code == 302
    home = client.get(reverse("web:home")).content.decode()
    assert "REMS monitoring forms to submit" not in home
    esketamine_session.refresh_from_db()
    assert esketamine_session.rems_confirmation == "RC-55"


def test_iv_sessions_have_no_rems_form(course, client_for):
    session = course.dosed(course.book())
    response = client_for(course.world.clinician).post(
        reverse("treatments:rems", args=[session.pk])
    )
    assert response.status_code == 400


# --- the controlled-substance ledger


@pytest.fixture
def ledger(course):
    from ketacare.ledger import services as ledger_services
    from ketacare.ledger.models import LedgerSettings
    from tests.ledger.conftest import CLINIC_DEA, receive

    world = course.world
    world.clinic.dea_registration = CLINIC_DEA
    world.clinic.save()
    LedgerSettings.objects.create(clinic=world.clinic, require_opening_count=False)
    vial = ledger_services.create_product(
        actor=world.admin,
        name="Ketamine HCl 50 mg/mL, 10 mL",
        form="vial",
        concentration_mg_per_ml=Decimal("50"),
        volume_ml=Decimal("10"),
    )
    cart = ledger_services.create_location(actor=world.admin, name="Cart 1", kind="cart")
    receive(world, vial, cart, "20", "KET-9")
    return vial.lots.get(), cart


def test_the_administration_draws_the_dose_from_a_ledger_lot(course, client_for, ledger):
    from ketacare.ledger.models import LedgerEntry, StockBalance

    lot, cart = ledger
    session = course.check_in(course.book())
    course.time_point(session, "pre_dose")
    services.plan_session_dose(actor=course.world.clinician, session=session)
    services.start_administration(actor=course.world.clinician, session=session)
    client = client_for(course.world.clinician)
    url = reverse("treatments:end_dose", args=[session.pk])
    response = client.post(url, {"dose_mg": "35"})
    assert response.status_code == 400
    assert "Choose the lot" in str(response.context["end_form"].errors["lot"])
    response = client.post(url, {"dose_mg": "35", "lot": lot.pk, "location": cart.pk})
    assert response.status_code == 302
    session.refresh_from_db()
    entry = LedgerEntry.objects.get(kind="administration")
    assert session.ledger_entry == entry and session.lot == lot and session.lot_number == "KET-9"
    assert entry.treatment_session_id == session.pk and entry.patient_id == course.world.patient.pk
    assert entry.quantity == Decimal("-0.700") and entry.quantity_mg == Decimal("-35.000")
    assert StockBalance.objects.get(lot=lot, location=cart).quantity == Decimal("19.300")


def test_a_ledger_refusal_leaves_the_dose_open(course, client_for, ledger):
    from ketacare.ledger.models import LedgerEntry, LedgerSettings

    lot, cart = ledger
    LedgerSettings.objects.filter(clinic=course.world.clinic).update(require_opening_count=True)
    session = course.check_in(course.book())
    course.time_point(session, "pre_dose")
    services.plan_session_dose(actor=course.world.clinician, session=session)
    services.start_administration(actor=course.world.clinician, session=session)
    response = client_for(course.world.clinician).post(
        reverse("treatments:end_dose", args=[session.pk]),
        {"dose_mg": "35", "lot": lot.pk, "location": cart.pk},
    )
    assert response.status_code == 400
    assert "opening count" in response.content.decode()
    session.refresh_from_db()
    assert (
        session.dose_ended_at is None
        and not LedgerEntry.objects.filter(kind="administration").exists()
    )


def test_admins_set_up_chairs_and_the_healthcare_setting(course, client_for):
    client = client_for(course.world.admin)
    assert client.get(reverse("treatments:settings")).status_code == 200
    response = client.post(reverse("treatments:chair_add"), {"room": "Room C", "name": "Bed 1"})
    assert response.status_code == 302
    response = client.post(reverse("treatments:chair_add"), {"room": "Room C", "name": "Bed 1"})
    assert response.status_code == 400
    response = client.post(
        reverse("treatments:settings"), {"setting_name": "Riverside", "rems_setting_id": "HCS-1"}
    )
    assert response.status_code == 302
    from ketacare.treatments.models import Chair, TreatmentSettings

    assert TreatmentSettings.objects.get().rems_setting_id == "HCS-1"
    chair = Chair.objects.get(room="Room C")
    assert client.post(reverse("treatments:chair_toggle", args=[chair.pk])).status_code == 302
    chair.refresh_from_db()
    assert not chair.active
    assert client_for(course.world.clinician).get(reverse("treatments:settings")).status_code == 404
