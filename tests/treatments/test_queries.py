"""The day's pages stay a fixed number of queries however full the day is.

Counted: every statement the page sends, except the SAVEPOINT/RELEASE pairs that only exist
because the test runs inside a transaction (in production the audit row's atomic block is the
request's own transaction)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from ketacare.treatments.models import Chair, TreatmentSession, VitalSigns
from tests.factories import PatientFactory
from tests.treatments.conftest import NOW

SESSIONS = 40
MAX_QUERIES = 15


@contextlib.contextmanager
def at_most(limit: int = MAX_QUERIES):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        yield
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) <= limit, f"{len(statements)} queries:\n" + "\n".join(statements)


def full_day(course):
    """40 sessions today for the clinician, over 8 chairs, each checked in, dosed and with
    six vitals rows (the last out of range for every fifth)."""
    world = course.world
    chairs = [
        Chair.objects.create(clinic=world.clinic, room=f"Room {i // 4}", name=f"C{i}")
        for i in range(8)
    ]
    start_of_day = NOW.replace(hour=7)
    for n in range(SESSIONS):
        patient = PatientFactory(clinic=world.clinic)
        start = start_of_day + dt.timedelta(minutes=70 * (n // 8))
        session = TreatmentSession.objects.create(
            clinic=world.clinic,
            patient=patient,
            order=course.order,
            protocol=course.order.protocol,
            chair=chairs[n % 8],
            clinician=world.clinician,
            scheduled_start=start,
            scheduled_end=start + dt.timedelta(minutes=65),
            status="in_progress",
            created_at=timezone.now(),
            created_by=world.clinician,
            checked_in_at=start,
            dose_started_at=start + dt.timedelta(minutes=10),
            dose_ended_at=start + dt.timedelta(minutes=50),
        )
        for k in range(6):
            VitalSigns.objects.create(
                session=session,
                taken_at=start + dt.timedelta(minutes=10 * k),
                systolic=190 if (k == 5 and n % 5 == 0) else 120,
                diastolic=80,
                heart_rate=70,
                spo2=98,
                moaas=5,
                recorded_by=world.clinician,
                recorded_at=timezone.now(),
                alerts=["systolic_high"] if (k == 5 and n % 5 == 0) else [],
            )


def test_the_clinicians_day_board_with_40_sessions_takes_at_most_15_queries(course, client_for):
    full_day(course)
    client = client_for(course.world.clinician)
    url = reverse("treatments:board") + f"?clinician={course.world.clinician.pk}"
    with at_most():
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="slot"') == SESSIONS


def test_the_live_board_refresh_takes_at_most_15_queries(course, client_for):
    full_day(course)
    client = client_for(course.world.clinician)
    with at_most():
        response = client.get(reverse("treatments:board_live"), HTTP_HX_REQUEST="true")
    assert response.content.decode().count('class="slot"') == SESSIONS


def test_the_calendar_day_and_week_take_at_most_15_queries(course, client_for):
    full_day(course)
    client = client_for(course.world.clinician)
    for view in ("day", "week"):
        with at_most():
            response = client.get(reverse("treatments:calendar"), {"view": view})
        assert response.content.decode().count("/treatments/sessions/") >= SESSIONS


def test_the_api_day_list_with_40_sessions_takes_at_most_15_queries(course, client_for):
    full_day(course)
    client = client_for(course.world.clinician)
    with at_most():
        response = client.get("/api/v1/treatments/sessions", {"date": NOW.date().isoformat()})
    assert len(response.json()) == SESSIONS
