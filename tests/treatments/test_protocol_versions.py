"""A session runs under the protocol version current at its check-in, and keeps it when an
administrator saves a new version; limits a clinic tightened apply to the next sessions."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.urls import reverse

from ketacare.protocols import services as protocol_services
from ketacare.protocols.selectors import current_version
from ketacare.treatments import services
from tests.treatments.conftest import NOW


def tighten(course, **changes):
    base = current_version(course.world.clinic.pk, "iv-depression")
    fields = {k: v for k, v in changes.items()}
    return protocol_services.save_protocol_version(
        actor=course.world.admin, base=base, changes=fields, vitals_interval_minutes=5,
        active=True, change_note="Clinic policy: lower maximum.",
    )  # fmt: skip


def test_a_session_keeps_the_version_it_was_checked_in_under(course):
    first = course.check_in(course.book())
    assert first.protocol.version == 1
    second_booking = course.book(start=NOW + dt.timedelta(days=2), chair=course.chair2)
    v2 = tighten(course, max_dose=0.4, standard_dose=0.4)
    first = course.reload(first)
    assert first.protocol.version == 1  # in progress: the rules it started with
    second = course.check_in(second_booking)
    assert second.protocol == v2 and second.protocol.vitals_interval_minutes == 5


def test_a_tightened_maximum_applies_to_the_dose_decision(course):
    tighten(course, max_dose=0.4, standard_dose=0.4)
    session = course.check_in(course.book())
    course.vitals(session)
    plan = services.plan_session_dose(actor=course.world.clinician, session=session)
    # The order's 0.5 mg/kg (35 mg) is now above the clinic's 0.4 mg/kg (28 mg) maximum.
    assert not plan.allowed and "dose_above_max" in plan.reasons
    assert plan.decision["max_dose_mg"] == 28.0


def test_the_reference_itself_is_unchanged_by_a_clinic_edit(course):
    from ketacare.clinical.dosing import DEFAULT_PROTOCOLS

    v2 = tighten(course, max_dose=0.4, standard_dose=0.4)
    assert DEFAULT_PROTOCOLS["iv-depression"].max_dose == 1.0
    assert dataclasses.replace(v2.as_protocol(), max_dose=1.0, standard_dose=0.5) == (
        dataclasses.replace(DEFAULT_PROTOCOLS["iv-depression"])
    )


def test_the_patients_page_lists_those_with_an_approved_route(course, client_for):
    page = client_for(course.world.prescriber).get(reverse("treatments:patients"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ada Lovelace" in text and "Grace Hopper" in text and "iv, nasal" in text
    assert f"#{course.order.pk} IV ketamine infusion for depression" in text
    outsider = client_for(course.world.outsider).get(reverse("treatments:patients"))
    assert "Ada Lovelace" not in outsider.content.decode()
