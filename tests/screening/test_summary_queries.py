"""The screening summary of a patient with 200 assessments loads in at most 10 SQL queries,
and the page's query count does not grow with the number of assessments."""

import datetime as dt

from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketacare.clinical.instruments import INSTRUMENTS as INSTRUMENT_DEFS
from ketacare.screening import selectors, services
from ketacare.screening.forms import PatientRequestForm, ReviewNoteForm
from tests.factories import AssessmentFactory

INSTRUMENTS = ["phq9", "gad7", "pcl5", "cssrs_screen", "qids_sr16"]
ZEROS = {code: [0] * len(INSTRUMENT_DEFS[code].items) for code in INSTRUMENTS}


def _history(world, do_intake, count):
    do_intake(world)
    screening = world.patient.screenings.get()
    services.add_review_note(actor=world.clinician, screening=screening, body="Seen.")
    services.add_patient_request(
        actor=world.clinician, screening=screening, kind="visit", message="Come in."
    )
    services.record_findings(
        actor=world.clinician, screening=screening, screening_systolic=120, screening_diastolic=80
    )
    services.record_route_decision(
        actor=world.prescriber, screening=screening, route="iv", decision="approve", reason="ok"
    )
    start = timezone.now() - dt.timedelta(days=count)
    for i in range(count - 5):
        AssessmentFactory(
            patient=world.patient,
            completed_by=world.patient_user,
            completed_at=start + dt.timedelta(days=i),
        )
    return screening


def test_the_summary_of_200_assessments_needs_at_most_10_queries(
    world, do_intake, consents, django_assert_max_num_queries
):
    _history(world, do_intake, 200)
    assert world.patient.assessments.count() == 200
    request = RequestFactory().get("/")
    request.user = world.clinician
    with django_assert_max_num_queries(10):
        context = selectors.screening_summary(patient=world.patient)
        context.update(
            note_form=ReviewNoteForm(),
            request_form=PatientRequestForm(),
            can_review=True,
            can_decide=False,
            decision_forms={},
        )
        html = render_to_string("screening/summary.html", context, request=request)
    assert html.count('class="score"') >= 200
    assert "Eligibility per route" in html and "Seen." in html


def _count(client, url):
    client.get(url)  # warm: the first request of a session writes more
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_pages_query_count_does_not_grow_with_the_assessments(
    world, do_intake, consents, client_for
):
    _history(world, do_intake, 10)
    client = client_for(world.clinician)
    url = f"/screening/patients/{world.patient.pk}/"
    few = _count(client, url)
    for i in range(190):
        AssessmentFactory(
            patient=world.patient,
            completed_by=world.clinician,
            instrument=INSTRUMENTS[i % 5],
            answers=ZEROS[INSTRUMENTS[i % 5]],
            total=0,
            severity="",
        )
    assert world.patient.assessments.count() == 200
    assert _count(client, url) == few
