"""Scheduling: the calendar by day and week, per room and clinician; no double booking of a
chair or a patient; screening's re-evaluation gate; the patient's upcoming sessions, their
private calendar feed and the reminder the day before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from ketacare.audit.models import AuditEvent
from ketacare.core.errors import Refusal
from ketacare.treatments.models import TreatmentSession
from tests.treatments.conftest import NOW, sign_order


def book_form(course, start, chair=None, **extra):
    data = {
        "order": course.order.pk,
        "chair": (chair or course.chair).pk,
        "clinician": course.world.clinician.pk,
        "start": start.strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(extra)
    return data


def test_staff_book_a_session_from_the_form(course, client_for):
    start = NOW + dt.timedelta(hours=2)
    response = client_for(course.world.clinician).post(
        reverse("treatments:schedule"), book_form(course, start)
    )
    assert response.status_code == 302
    session = TreatmentSession.objects.get()
    assert session.scheduled_start == start
    # The default length: 40-minute infusion + 60 minutes' observation + 30 minutes.
    assert session.scheduled_end - session.scheduled_start == dt.timedelta(minutes=130)
    assert session.protocol == course.order.protocol


def test_a_chair_cannot_be_double_booked(course, client_for):
    course.book(start=NOW + dt.timedelta(hours=1))
    other = sign_order(course.world, course.world.other_patient)
    with pytest.raises(Refusal, match="Room A · Chair 1 is booked from"):
        course.book(order=other, start=NOW + dt.timedelta(hours=2))
    # Back to back is fine; another chair is fine.
    course.book(order=other, start=NOW + dt.timedelta(hours=1, minutes=130))
    response = client_for(course.world.clinician).post(
        reverse("treatments:schedule"),
        book_form(course, NOW + dt.timedelta(hours=1, minutes=30), order=other.pk),
    )
    assert response.status_code == 400
    assert "is booked from" in str(response.context["form"].errors["chair"])


def test_a_patient_cannot_be_booked_twice_at_once(course):
    course.book(start=NOW + dt.timedelta(hours=1))
    with pytest.raises(Refusal, match="already has a session"):
        course.book(start=NOW + dt.timedelta(hours=2), chair=course.chair3)


def test_a_cancelled_session_frees_its_chair(course):
    from ketacare.treatments import services

    session = course.book(start=NOW + dt.timedelta(hours=1))
    services.cancel_session(actor=course.world.clinician, session=session, reason="Flu.")
    course.book(start=NOW + dt.timedelta(hours=1))


def test_a_course_cannot_be_booked_beyond_its_sessions(course):
    order = sign_order(course.world, course.world.other_patient, sessions=1)
    course.book(order=order, start=NOW + dt.timedelta(days=1))
    with pytest.raises(Refusal, match="All 1 sessions of this order"):
        course.book(order=order, start=NOW + dt.timedelta(days=2))


def test_scheduling_asks_screening_for_the_re_evaluation_gate(course):
    # Six sessions since the approval: the seventh needs the prescriber's re-evaluation.
    order = sign_order(course.world, course.world.patient, sessions=10)
    for day in range(6):
        course.book(order=order, start=NOW + dt.timedelta(days=2 * day + 1))
    with pytest.raises(Refusal, match="re-evaluation is due") as refused:
        course.book(order=order, start=NOW + dt.timedelta(days=14))
    assert refused.value.codes == ["reevaluation_due_sessions"]


def test_scheduling_refuses_a_route_the_prescriber_has_since_declined(course, world):
    from tests.factories import PatientFactory
    from tests.treatments.conftest import add_weight, approve_routes

    patient = PatientFactory(clinic=world.clinic)
    add_weight(world, patient)
    approve_routes(world, patient, "iv", at=NOW - dt.timedelta(days=2))
    order = sign_order(world, patient)
    from ketacare.screening.models import RouteDecision

    RouteDecision.objects.create(
        screening=patient.screenings.get(),
        route="iv",
        decision="decline",
        reason="Uncontrolled hypertension.",
        rule_status="eligible",
        decided_by=world.prescriber,
        decided_at=NOW - dt.timedelta(hours=1),
        is_override=True,
        override_reason="BP.",
    )
    with pytest.raises(Refusal, match="no longer approved"):
        course.book(order=order)


def test_a_session_cannot_be_booked_in_the_past(course):
    with pytest.raises(Refusal, match="in the past"):
        course.book(start=NOW - dt.timedelta(hours=1))


def test_the_calendar_shows_a_day_or_a_week_per_room_and_clinician(course, client_for):
    course.book(start=NOW + dt.timedelta(hours=1))
    other = sign_order(course.world, course.world.other_patient)
    course.book(order=other, chair=course.chair3, start=NOW + dt.timedelta(days=2))
    client = client_for(course.world.prescriber)
    day = client.get(reverse("treatments:calendar")).content.decode()
    assert "Ada Lovelace" in day and "Grace Hopper" not in day
    week = client.get(reverse("treatments:calendar"), {"view": "week"}).content.decode()
    assert "Ada Lovelace" in week and "Grace Hopper" in week
    room_b = client.get(reverse("treatments:calendar"), {"view": "week", "room": "Room B"})
    assert "Grace Hopper" in room_b.content.decode()
    assert "Ada Lovelace" not in room_b.content.decode()
    mine = client.get(
        reverse("treatments:calendar"), {"view": "week", "clinician": course.world.prescriber.pk}
    )
    assert "Ada Lovelace" not in mine.content.decode()
    assert AuditEvent.objects.filter(detail__startswith="calendar week").exists()


def test_the_patient_sees_their_upcoming_sessions_and_how_to_prepare(course, client_for):
    course.book(start=NOW + dt.timedelta(days=1))
    other = sign_order(course.world, course.world.other_patient)
    course.book(order=other, chair=course.chair2, start=NOW + dt.timedelta(days=1))
    client = client_for(course.world.patient_user)
    page = client.get(reverse("treatments:mine")).content.decode()
    assert "Wednesday 11 March 2026 at 09:00" in page
    assert "Do not eat for 4 hours" in page and "take you home" in page
    home = client.get(reverse("web:home")).content.decode()
    assert "Your next sessions" in home and "Wednesday 11 March" in home
    assert client_for(course.world.monitor).get(reverse("treatments:mine")).status_code == 404


def test_the_private_calendar_feed_holds_the_patients_sessions(course, client_for):
    session = course.book(start=NOW + dt.timedelta(days=1))
    client = client_for(course.world.patient_user)
    response = client.post(reverse("treatments:calendar_link"))
    feed_url = response.context["feed_url"]
    assert "/treatments/feed/" in feed_url
    from django.test import Client

    anonymous = Client()
    ics = anonymous.get(feed_url.split("testserver", 1)[1])
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"UID:session-{session.pk}@" in body
    assert "DTSTART:20260311T130000Z" in body and "STATUS:CONFIRMED" in body
    assert "Lovelace" not in body  # the summary names the clinic, not the patient
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    # A new link stops the old one; a made-up one finds nothing.
    client.post(reverse("treatments:calendar_link"))
    assert anonymous.get(feed_url.split("testserver", 1)[1]).status_code == 404
    assert anonymous.get(reverse("treatments:ical", args=["made-up"])).status_code == 404


def test_staff_cannot_make_a_patients_calendar_link(course, client_for):
    assert (
        client_for(course.world.clinician).post(reverse("treatments:calendar_link")).status_code
        == 404
    )


def test_reminders_go_out_the_day_before_once_with_preparation(
    course, django_capture_on_commit_callbacks
):
    from ketacare.treatments import services

    tomorrow = course.book(start=NOW + dt.timedelta(days=1))
    course.book(start=NOW + dt.timedelta(days=3), chair=course.chair2)
    mail.outbox.clear()
    course.clock.move_to(NOW.replace(hour=7))
    assert services.send_reminders() == 0  # not in the night
    course.clock.move_to(NOW.replace(hour=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [course.world.patient.email]
    assert "tomorrow" in message.subject.lower()
    assert "Do not eat for 4 hours" in message.body and "take you home" in message.body
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at is not None


def test_the_reminders_command_sends_tomorrows_reminders(course, capsys):
    course.book(start=NOW + dt.timedelta(days=1))
    call_command("treatments", "reminders")
    assert "1 reminder queued." in capsys.readouterr().out
