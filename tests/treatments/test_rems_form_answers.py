"""The answers of the SPRAVATO REMS patient monitoring form that the record derives from the
flowsheet: dissociation from the CADSS at each time point (issue 13, item 7) and the vital
signs at the end of the session against the discharge criteria (item 8)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from ketacare.treatments import services
from tests.core.pdf_text import pdf_text
from tests.treatments.conftest import CADSS_ZERO, GOOD, sign_order

DISSOCIATION = "Did the patient experience dissociation?"
COMPLETION = "Vital signs in acceptable range prior to treatment session completion"
# Seven "Extremely" (4) answers: a CADSS total of 28.
CADSS_28 = [4] * 7 + [0] * 16


def _esketamine_session(course: Any, *, post_dose_cadss: list[int], pre_discharge: dict) -> Any:
    """56 mg of esketamine, the REMS time points before, at +40 minutes and before discharge
    (the given CADSS at +40 minutes, the given readings before discharge), discharged."""
    world = course.world
    order = sign_order(
        world, world.patient, code="esketamine-nasal", dose="56", rems_patient_id="REMS-P-1"
    )
    session = course.check_in(course.book(order=order, minutes=180))
    course.time_point(session, "pre_dose")
    plan = services.plan_session_dose(actor=world.clinician, session=session)
    assert plan.allowed, plan.reasons
    session = services.start_administration(actor=world.clinician, session=session)
    session = services.end_administration(
        actor=world.clinician, session=session, dose_mg="56", lot_number="ESK-1"
    )
    course.clock.shift(dt.timedelta(minutes=40))
    course.vitals(session, **GOOD, moaas=5, cadss_answers=post_dose_cadss, time_point="post_dose")
    course.clock.shift(dt.timedelta(minutes=75))
    course.vitals(
        session,
        **{"moaas": 5, **pre_discharge},
        cadss_answers=CADSS_ZERO,
        time_point="pre_discharge",
    )
    course.clock.shift(dt.timedelta(minutes=10))
    return services.discharge(
        actor=world.clinician, session=session, steady_on_feet=True, escort_present=True
    )


def _fields(course: Any, session: Any) -> dict[str, Any]:
    from ketacare.treatments import pdf, selectors

    session = selectors.session_for(course.world.clinician, session.pk)
    context = selectors.session_page(session, dt.datetime.now(dt.UTC))
    return {
        label: value
        for _, pairs in pdf.rems_fields(
            context,
            clinic=course.world.clinic,
            settings=selectors.treatment_settings_of(course.world.clinic.pk),
        )
        for label, value in pairs
    }


def _pdf_answer(course: Any, client_for: Any, session: Any, label: str) -> str:
    response = client_for(course.world.clinician).get(
        reverse("treatments:record_pdf", args=[session.pk])
    )
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    match = re.search(re.escape(label) + r" (\S+)", text)
    assert match, text
    return match.group(1)


GOOD_END = {**GOOD, "respiratory_rate": 16}


def test_a_cadss_of_28_at_40_minutes_is_dissociation_on_the_rems_form(course, client_for):
    session = _esketamine_session(course, post_dose_cadss=CADSS_28, pre_discharge=GOOD_END)
    fields = _fields(course, session)
    assert fields["CADSS total – about 40 minutes after the dose"] == "28 / 92"
    assert fields[DISSOCIATION] == "Yes"
    assert _pdf_answer(course, client_for, session, DISSOCIATION) == "Yes"


def test_no_cadss_above_0_and_no_event_is_no_dissociation(course, client_for):
    session = _esketamine_session(course, post_dose_cadss=CADSS_ZERO, pre_discharge=GOOD_END)
    assert _fields(course, session)[DISSOCIATION] == "No"
    assert _pdf_answer(course, client_for, session, DISSOCIATION) == "No"


def test_vital_signs_at_completion_are_acceptable_when_every_vital_meets_discharge(
    course, client_for
):
    session = _esketamine_session(course, post_dose_cadss=CADSS_ZERO, pre_discharge=GOOD_END)
    assert _fields(course, session)[COMPLETION] == "Yes"
    assert _pdf_answer(course, client_for, session, COMPLETION) == "Yes"


@pytest.mark.parametrize(
    ("reading", "problem"),
    [
        ({"heart_rate": 118}, "heart rate missing or outside 50-110"),
        ({"spo2": 90}, "SpO2 missing or below 92%"),
        ({"respiratory_rate": 6}, "respiratory rate missing or outside 9-24"),
        ({"respiratory_rate": None}, "respiratory rate missing or outside 9-24"),
    ],
)
def test_a_discharged_patient_with_a_vital_out_of_range_is_not_acceptable_at_completion(
    course, client_for, reading, problem
):
    end = {k: v for k, v in {**GOOD_END, **reading}.items() if v is not None}
    session = _esketamine_session(course, post_dose_cadss=CADSS_ZERO, pre_discharge=end)
    assert session.discharged_at is not None  # discharge itself checks only BP and alertness
    assert _fields(course, session)[COMPLETION] == f"No: {problem}"
    assert _pdf_answer(course, client_for, session, COMPLETION) == "No:"
