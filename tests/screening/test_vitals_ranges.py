"""The screening blood pressure is held to the flowsheet's plausible range, by the findings
form and by the database alike: a systolic of 40 (shock) is a reading, 39 a typo."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.screening.models import Screening

SYSTOLIC, DIASTOLIC = PLAUSIBLE["systolic"], PLAUSIBLE["diastolic"]
# (systolic, diastolic): each end of each range, with a plausible partner below the systolic.
BOUNDARIES = [
    (SYSTOLIC.low, DIASTOLIC.low),
    (SYSTOLIC.high, 90),
    (120, DIASTOLIC.low),
    (SYSTOLIC.high, DIASTOLIC.high),
]
PAST = [
    (SYSTOLIC.low - 1, DIASTOLIC.low),
    (SYSTOLIC.high + 1, 90),
    (120, DIASTOLIC.low - 1),
    (SYSTOLIC.high, DIASTOLIC.high + 1),
]


@pytest.fixture
def submitted(world, do_intake, consents):
    do_intake(world)
    return world.patient.screenings.get()


def _post(client, world, systolic, diastolic):
    return client.post(
        f"/screening/patients/{world.patient.pk}/findings/",
        {"screening_systolic": str(systolic), "screening_diastolic": str(diastolic)},
    )


@pytest.mark.parametrize(("boundary", "past"), list(zip(BOUNDARIES, PAST, strict=True)))
def test_the_findings_form_refuses_one_past_the_range(world, client_for, submitted, boundary, past):
    client = client_for(world.clinician)
    assert _post(client, world, *past).status_code == 400
    submitted.refresh_from_db()
    assert submitted.screening_systolic is None
    assert _post(client, world, *boundary).status_code == 302
    submitted.refresh_from_db()
    assert (submitted.screening_systolic, submitted.screening_diastolic) == boundary


@pytest.mark.parametrize(("boundary", "past"), list(zip(BOUNDARIES, PAST, strict=True)))
def test_the_database_refuses_one_past_the_range(submitted, boundary, past):
    rows = Screening.objects.filter(pk=submitted.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(screening_systolic=past[0], screening_diastolic=past[1])
    assert rows.update(screening_systolic=boundary[0], screening_diastolic=boundary[1]) == 1
