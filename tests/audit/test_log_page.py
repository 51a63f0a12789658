"""The audit log page (/audit/): the clinic administrator's view of their clinic's trail."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.utils import timezone

from ketacare.audit.log import record
from ketacare.audit.models import AuditEvent

URL = "/audit/"
EXPORT_URL = "/audit/export.csv"


def _events(response):
    return list(response.context["page"].object_list)


@pytest.fixture
def trail(world):
    """A small trail: reads by two staff, a denied read, and an event of the other clinic."""
    record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient)
    record(actor=world.prescriber, action="update", obj=world.other_patient,
           patient=world.other_patient, detail="changed: phone")  # fmt: skip
    record(actor=world.clinician, action="view", obj=("patients.Patient", 999),
           outcome="denied", detail="view_patient refused")  # fmt: skip
    record(actor=world.outsider, action="view", obj=world.outsider_patient,
           patient=world.outsider_patient, detail="other clinic")  # fmt: skip
    return world


@pytest.mark.parametrize(
    "persona", ["prescriber", "clinician", "monitor", "patient_user", "outsider"]
)
def test_only_the_clinic_admin_may_see_the_log(world, client_for, persona):
    client = client_for(world.user(persona))
    assert client.get(URL).status_code == 404
    assert client.get(EXPORT_URL).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    for url in (URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_admin_sees_their_clinics_events_newest_first(trail, client_for):
    response = client_for(trail.admin).get(URL)
    assert response.status_code == 200
    events = _events(response)
    assert [e.actor_email for e in events] == [
        "clinician@example.org", "prescriber@example.org", "clinician@example.org",
    ]  # fmt: skip
    assert [e.pk for e in events] == sorted((e.pk for e in events), reverse=True)
    assert b"other clinic" not in response.content
    assert b"outsider@example.org" not in response.content
    assert b"changed: phone" in response.content


def test_filters_narrow_the_events(trail, client_for):
    client = client_for(trail.admin)

    def emails(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return [(e.actor_email, e.action, e.outcome) for e in _events(response)]

    assert emails(actor="PRESCRIBER@") == [("prescriber@example.org", "update", "success")]
    assert emails(patient=trail.patient.pk) == [("clinician@example.org", "view", "success")]
    assert emails(action="update") == [("prescriber@example.org", "update", "success")]
    assert emails(outcome="denied") == [("clinician@example.org", "view", "denied")]
    assert emails(actor="clinician", outcome="success") == [
        ("clinician@example.org", "view", "success")
    ]
    assert emails(patient=trail.outsider_patient.pk) == []


def test_date_filters_are_whole_days_in_the_clinic_time_zone(world, client_for):
    # 23:30 in New York on 1 March is already 2 March in UTC.
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(late, tick=False):
        record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient,
               detail="late evening")  # fmt: skip
    with time_machine.travel(late + dt.timedelta(days=2), tick=False):
        record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient,
               detail="two days later")  # fmt: skip
    client = client_for(world.admin)

    def details(**params):
        return [e.detail for e in _events(client.get(URL, params))]

    assert details(date_from="2026-03-01", date_to="2026-03-01") == ["late evening"]
    assert details(date_from="2026-03-02") == ["two days later"]
    assert details(date_to="2026-03-02") == ["late evening"]
    assert details(date_from="2026-03-01") == ["two days later", "late evening"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
        ({"date_from": "2026-02-30"}, "date_from", "Enter a valid date."),
        ({"date_from": "0001-01-01"}, "date_from", "Enter a date between"),
        ({"date_to": "9999-12-31"}, "date_to", "Enter a date between"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to", "on or after"),
        ({"patient": "Ada"}, "patient", "Enter a whole number."),
        ({"patient": "0"}, "patient", "greater than or equal to 1"),
        ({"patient": "99999999999999999999999"}, "patient", "less than or equal to"),
        ({"action": "drop_table"}, "action", "Select a valid choice."),
        ({"outcome": "maybe"}, "outcome", "Select a valid choice."),
        ({"actor": "x" * 300}, "actor", "at most 254 characters"),
    ],
)
def test_bad_filters_get_a_message_next_to_the_field(trail, client_for, params, field, message):
    for url in (URL, EXPORT_URL):
        response = client_for(trail.admin).get(url, params)
        assert response.status_code == 400
        assert any(message in error for error in response.context["form"].errors[field])
        html = response.content.decode()
        assert f'id="id_{field}_error"' in html  # next to the field
        assert "Please correct the following" in html  # and in the summary
        assert response["Content-Type"].startswith("text/html")


def test_a_nul_in_a_filter_is_refused_before_the_page_with_a_clear_400(trail, client_for):
    for url in (URL, EXPORT_URL):
        response = client_for(trail.admin).get(url, {"actor": "nul\x00byte"})
        assert response.status_code == 400
        assert b"NUL character" in response.content


def test_the_log_is_paginated_fifty_to_a_page(world, client_for):
    for n in range(120):
        record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient,
               detail=f"read {n}")  # fmt: skip
    client = client_for(world.admin)
    first = client.get(URL)
    assert len(_events(first)) == 50
    assert _events(first)[0].detail == "read 119"
    third = client.get(URL, {"page": 3})
    assert [e.detail for e in _events(third)] == [f"read {n}" for n in range(19, -1, -1)]
    assert b'rel="prev"' in third.content and b'rel="next"' not in third.content
    # Filters survive paging; a page past the end says so; nonsense is the first page.
    filtered = client.get(URL, {"actor": "clinician", "page": "2"})
    assert "actor=clinician&amp;page=3" in filtered.content.decode()
    beyond = client.get(URL, {"page": "99"})
    assert beyond.status_code == 200 and _events(beyond) == []
    assert b"no events this far back" in beyond.content
    for nonsense in ("last", "-3", "1e9", "99999999999999999999"):
        response = client.get(URL, {"page": nonsense})
        assert response.status_code == 200


# Transaction control (SAVEPOINT, BEGIN IMMEDIATE, COMMIT around the session save) is logged
# as statements on some backends; it is not a query, and the budget is about queries.
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


@pytest.mark.parametrize("rows", [5, 200])
def test_a_page_takes_at_most_six_queries_whatever_the_row_count(
    world, client_for, django_assert_max_num_queries, rows
):
    for n in range(rows):
        record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient,
               detail=f"read {n}")  # fmt: skip
    client = client_for(world.admin)
    with django_assert_max_num_queries(9) as captured:
        response = client.get(URL, {"actor": "clinician", "page": 2 if rows > 50 else 1})
    assert response.status_code == 200
    assert len(_events(response)) == min(rows, 50)
    queries = [q["sql"] for q in captured.captured_queries]
    real = [sql for sql in queries if not TRANSACTION_CONTROL.match(sql)]
    # Session, user, MFA device, the page of events, the session's last-seen update.
    assert len(real) <= 6, "\n".join(real)


def test_csv_export_holds_the_filtered_rows_and_is_itself_audited(trail, client_for):
    client = client_for(trail.admin)
    response = client.get(EXPORT_URL, {"actor": "clinician"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["actor_email"], r["outcome"]) for r in rows] == [
        ("clinician@example.org", "denied"), ("clinician@example.org", "success"),
    ]  # fmt: skip
    assert all(r["hash"] for r in rows)
    export = AuditEvent.objects.order_by("-id").first()
    assert export.action == "export"
    assert export.actor_email == trail.admin.email
    assert export.clinic_id == trail.clinic.pk
    assert "actor_email=clinician" in export.detail


def test_csv_export_neutralises_spreadsheet_formulas(world, client_for):
    record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient,
           detail="=HYPERLINK(\"http://evil.example\")")  # fmt: skip
    response = client_for(world.admin).get(EXPORT_URL)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["detail"] == '\'=HYPERLINK("http://evil.example")'


def test_an_export_filtered_by_patient_is_audited_against_that_patient(trail, client_for):
    client_for(trail.admin).get(EXPORT_URL, {"patient": trail.patient.pk})
    export = AuditEvent.objects.order_by("-id").first()
    assert export.action == "export" and export.patient_id == trail.patient.pk


def test_the_page_links_the_export_with_the_same_filters(trail, client_for):
    response = client_for(trail.admin).get(URL, {"action": "view", "page": "1"})
    html = response.content.decode()
    assert 'href="/audit/export.csv?action=view"' in html
