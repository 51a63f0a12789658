"""Orders: a prescriber (only) orders a course on an approved route, signs it with their
password and a fresh authenticator code, and may pause, resume or stop it with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ketacare.audit.models import AuditEvent
from ketacare.protocols.selectors import current_version
from ketacare.treatments.models import OrderStatusChange, TreatmentOrder
from tests.factories import PASSWORD
from tests.treatments.conftest import NOW


def order_form(world, code="iv-depression", **changes):
    data = {
        "protocol": current_version(world.clinic.pk, code).pk,
        "starting_dose": "0.5",
        "titration_plan": "0.5 mg/kg for 3 sessions, then 0.75 mg/kg if tolerated.",
        "sessions_planned": "6",
        "start_date": NOW.date().isoformat(),
        "password": PASSWORD,
    }
    data.update(changes)
    return data


def new_order_url(world, patient=None):
    return reverse("treatments:order_create", args=[(patient or world.patient).pk])


def test_a_prescriber_signs_an_order_with_their_password(course, client_for):
    world = course.world
    response = client_for(world.prescriber).post(new_order_url(world), order_form(world))
    assert response.status_code == 302
    order = TreatmentOrder.objects.latest("id")
    assert response["Location"] == reverse("treatments:order", args=[order.pk])
    assert order.prescriber == world.prescriber and order.status == "active"
    assert order.signature_method == "password" and order.route == "iv"
    assert order.protocol.version == 1 and order.sessions_planned == 6
    event = AuditEvent.objects.get(model="treatments.TreatmentOrder", object_id=str(order.pk))
    assert event.actor_id == world.prescriber.pk and "order signed" in event.detail


@pytest.mark.parametrize("persona", ["clinician", "admin", "monitor", "patient_user", "outsider"])
def test_no_one_but_a_prescriber_can_order(course, client_for, persona):
    world = course.world
    before = TreatmentOrder.objects.count()
    client = client_for(getattr(world, persona))
    assert client.get(new_order_url(world)).status_code == 404
    assert client.post(new_order_url(world), order_form(world)).status_code == 404
    assert TreatmentOrder.objects.count() == before


def test_a_prescriber_of_another_clinic_cannot_order_for_our_patient(course, client_for):
    from tests.factories import UserFactory

    other = UserFactory(clinic=course.world.other_clinic, role="prescriber")
    response = client_for(other).post(new_order_url(course.world), order_form(course.world))
    assert response.status_code == 404


def test_a_wrong_password_signs_nothing(course, client_for):
    world = course.world
    before = TreatmentOrder.objects.count()
    response = client_for(world.prescriber).post(
        new_order_url(world), order_form(world, password="not-my-password")
    )
    assert response.status_code == 400
    assert "not your password" in str(response.context["form"].errors["password"])
    assert TreatmentOrder.objects.count() == before
    assert AuditEvent.objects.filter(outcome="denied", detail__contains="order signature").exists()


def test_a_prescriber_with_an_authenticator_must_give_a_fresh_code(course, client_for):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    world = course.world
    world.prescriber.mfa_exempt = False
    world.prescriber.save()
    device = TOTPDevice.objects.create(user=world.prescriber, name="phone", confirmed=True)
    client = client_for(world.prescriber)
    session = client.session
    # The prescriber has passed MFA at sign-in (the middleware asks for that first).
    from django_otp import DEVICE_ID_SESSION_KEY

    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post(new_order_url(world), order_form(world))
    assert response.status_code == 400
    assert "six-digit code" in str(response.context["form"].errors["otp_code"])
    response = client.post(new_order_url(world), order_form(world, otp_code="000000"))
    assert response.status_code == 400
    course.clock.shift(dt.timedelta(seconds=5))  # django-otp throttles after a wrong code
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(new_order_url(world), order_form(world, otp_code=code))
    assert response.status_code == 302, response.context["form"].errors
    assert TreatmentOrder.objects.latest("id").signature_method == "password+totp"


def test_an_order_needs_a_route_approved_in_screening(course, client_for):
    world = course.world
    response = client_for(world.prescriber).post(
        new_order_url(world), order_form(world, code="im-depression")
    )
    assert response.status_code == 400
    assert "approved the im route" in str(response.context["form"].errors["protocol"])


def test_a_starting_dose_above_the_protocol_maximum_is_refused(course, client_for):
    world = course.world
    response = client_for(world.prescriber).post(
        new_order_url(world), order_form(world, starting_dose="1.2")
    )
    assert response.status_code == 400
    assert "per-session maximum" in str(response.context["form"].errors["starting_dose"])


def test_esketamine_starts_at_56_mg(course, client_for):
    world = course.world
    response = client_for(world.prescriber).post(
        new_order_url(world), order_form(world, code="esketamine-nasal", starting_dose="84")
    )
    assert response.status_code == 400
    assert "not one the protocol allows" in str(response.context["form"].errors["starting_dose"])
    response = client_for(world.prescriber).post(
        new_order_url(world),
        order_form(world, code="esketamine-nasal", starting_dose="56", rems_patient_id="P-123"),
    )
    assert response.status_code == 302


def test_a_weight_based_order_needs_a_weight(course, client_for):
    from ketacare.patients.models import WeightMeasurement
    from tests.treatments.conftest import approve_routes

    world = course.world
    patient = world.outsider_patient
    # A patient of our clinic without a weight:
    from tests.factories import PatientFactory

    patient = PatientFactory(clinic=world.clinic)
    approve_routes(world, patient, "iv")
    assert not WeightMeasurement.objects.filter(patient=patient).exists()
    response = client_for(world.prescriber).post(new_order_url(world, patient), order_form(world))
    assert response.status_code == 400
    assert "weight" in str(response.context["form"].errors["starting_dose"])


def test_empty_order_form_shows_errors_next_to_the_fields(course, client_for):
    response = client_for(course.world.prescriber).post(new_order_url(course.world), {})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert set(response.context["form"].errors) >= {"protocol", "starting_dose", "password"}


def test_the_prescriber_pauses_resumes_and_stops_an_order_with_a_reason(course, client_for):
    world = course.world
    order = course.order
    booked = course.book(start=NOW + dt.timedelta(days=1))
    client = client_for(world.prescriber)
    url = reverse("treatments:order_status", args=[order.pk])
    response = client.post(url, {"to_status": "paused", "reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"to_status": "paused", "reason": "Blood pressure review."})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "paused" and order.status_reason == "Blood pressure review."
    # A paused order books nothing and checks nobody in.
    from ketacare.core.errors import Refusal

    with pytest.raises(Refusal, match="paused"):
        course.book(start=NOW + dt.timedelta(days=2))
    with pytest.raises(Refusal, match="paused"):
        course.check_in(booked)
    assert client.post(url, {"to_status": "active", "reason": "BP fine now."}).status_code == 302
    assert client.post(url, {"to_status": "stopped", "reason": "Patient moved."}).status_code == 302
    order.refresh_from_db()
    booked.refresh_from_db()
    assert order.status == "stopped"
    assert booked.status == "cancelled" and "Patient moved." in booked.cancel_reason
    changes = list(
        OrderStatusChange.objects.filter(order=order).values_list("to_status", flat=True)
    )
    assert changes == ["paused", "active", "stopped"]
    response = client.post(url, {"to_status": "active", "reason": "Restart."})
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["clinician", "admin", "patient_user", "outsider"])
def test_only_a_prescriber_pauses_or_stops_an_order(course, client_for, persona):
    url = reverse("treatments:order_status", args=[course.order.pk])
    response = client_for(getattr(course.world, persona)).post(
        url, {"to_status": "stopped", "reason": "No."}
    )
    assert response.status_code == 404
    course.order.refresh_from_db()
    assert course.order.status == "active"


def test_staff_see_the_order_and_the_patients_treatment_page(course, client_for):
    world = course.world
    for persona in ("clinician", "prescriber", "admin"):
        client = client_for(getattr(world, persona))
        assert client.get(reverse("treatments:order", args=[course.order.pk])).status_code == 200
        page = client.get(reverse("treatments:patient_orders", args=[world.patient.pk]))
        assert page.status_code == 200 and b"iv, nasal" in page.content
    outsider = client_for(world.outsider)
    assert outsider.get(reverse("treatments:order", args=[course.order.pk])).status_code == 404
