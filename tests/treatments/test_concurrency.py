"""Two staff recording vitals for the same session at the same moment lose nothing: each
reading is its own row (no read-modify-write of a shared one), and the writers queue on the
database (SQLite's IMMEDIATE transactions, PostgreSQL's row and advisory locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from ketacare.audit.log import iter_breaks
from ketacare.audit.models import AuditEvent
from ketacare.treatments.models import VitalSigns

PER_THREAD = 8


@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_vitals_at_once_lose_nothing(course):
    session = course.check_in(course.book())
    url = reverse("treatments:vitals", args=[session.pk])
    staff = [course.world.clinician, course.world.prescriber]
    barrier = threading.Barrier(len(staff))
    failures: list[str] = []

    def record(user, base):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                response = client.post(
                    url,
                    {"systolic": base + i, "diastolic": 80, "heart_rate": 70, "spo2": 98},
                    HTTP_HX_REQUEST="true",
                )
                if response.status_code != 200 or b"Vitals recorded." not in response.content:
                    failures.append(f"{user.email}: {response.status_code}")
        except Exception as exc:  # noqa: BLE001 (reported below, in the test's thread)
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(u, 110 + 20 * n)) for n, u in enumerate(staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    rows = VitalSigns.objects.filter(session=session)
    assert rows.count() == 2 * PER_THREAD
    assert sorted(rows.values_list("systolic", flat=True)) == sorted(
        [110 + i for i in range(PER_THREAD)] + [130 + i for i in range(PER_THREAD)]
    )
    assert set(rows.values_list("recorded_by", flat=True)) == {u.pk for u in staff}
    assert AuditEvent.objects.filter(model="treatments.VitalSigns").count() == 2 * PER_THREAD
    assert list(iter_breaks()) == []
