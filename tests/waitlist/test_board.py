"""The staff waiting-list board: who may see it, filters and sorts, priority and its
override, notes, bulk actions, the CSV export, and its cost per page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.waitlist.models import WaitlistEntry
from tests.factories import WaitlistEntryFactory, WaitlistProgramFactory

pytestmark = pytest.mark.django_db
BOARD = "/waitlist/board/"


@pytest.fixture
def program(world):
    return WaitlistProgramFactory(clinic=world.clinic, regions_served="NY, NJ")


def _names(response) -> list[str]:
    return [row.entry.first_name for row in response.context["page"].rows]


@pytest.mark.parametrize("persona", ["clinician", "prescriber", "admin"])
def test_clinic_staff_see_the_board(world, client_for, program, persona):
    WaitlistEntryFactory(program=program, first_name="Bea")
    response = client_for(world.user(persona)).get(BOARD)
    assert response.status_code == 200
    assert "Bea" in response.content.decode()


@pytest.mark.parametrize("persona", ["patient_user", "monitor"])
def test_patients_and_monitors_get_a_404(world, client_for, persona):
    assert client_for(world.user(persona)).get(BOARD).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world, client_for):
    response = client_for(None).get(BOARD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_clinics_staff_see_none_of_its_entries(world, client_for, program):
    entry = WaitlistEntryFactory(program=program, first_name="Bea")
    outsider = client_for(world.outsider)
    assert "Bea" not in outsider.get(BOARD).content.decode()
    assert outsider.get(f"{BOARD}{entry.pk}/").status_code == 404
    assert outsider.post(f"{BOARD}{entry.pk}/action/", {"action": "remove"}).status_code == 404
    assert WaitlistEntry.objects.get().status == "waiting"


def test_the_board_ranks_by_priority_from_severity_waiting_and_region(world, client_for, program):
    now = timezone.now()
    WaitlistEntryFactory(
        program=program, first_name="Mild", phq2_total=1, gad2_total=0, region="NY"
    )
    WaitlistEntryFactory(
        program=program, first_name="Severe", phq2_total=6, gad2_total=6, region="NY"
    )
    WaitlistEntryFactory(
        program=program, first_name="Faraway", phq2_total=6, gad2_total=6, region="TX"
    )
    WaitlistEntryFactory(
        program=program,
        first_name="Patient",
        phq2_total=1,
        gad2_total=0,
        region="NY",
        waiting_since=now - dt.timedelta(weeks=30),
    )
    response = client_for(world.clinician).get(BOARD)
    # Severe 24+10; Patient 2+30+10; Faraway 24; Mild 2+10
    assert _names(response) == ["Patient", "Severe", "Faraway", "Mild"]
    priorities = [row.priority for row in response.context["page"].rows]
    assert priorities[1] == pytest.approx(34.0, abs=0.1)


def test_filters_by_status_region_route_condition_score_and_waiting_time(
    world, client_for, program
):
    now = timezone.now()
    WaitlistEntryFactory(
        program=program,
        first_name="A",
        region="NJ",
        preferred_route="iv",
        conditions=["ptsd"],
        phq2_total=3,
        gad2_total=3,
        waiting_since=now - dt.timedelta(weeks=9),
    )
    WaitlistEntryFactory(program=program, first_name="B", region="NY")
    WaitlistEntryFactory(program=program, first_name="C", status="removed")
    staff = client_for(world.clinician)
    assert _names(staff.get(BOARD, {"region": "NJ"})) == ["A"]
    assert _names(staff.get(BOARD, {"route": "iv"})) == ["A"]
    assert _names(staff.get(BOARD, {"condition": "ptsd"})) == ["A"]
    assert _names(staff.get(BOARD, {"min_score": "5"})) == ["A"]
    assert _names(staff.get(BOARD, {"positive": "1"})) == ["A"]
    assert _names(staff.get(BOARD, {"min_weeks": "8"})) == ["A"]
    assert _names(staff.get(BOARD, {"status": "removed"})) == ["C"]
    assert sorted(_names(staff.get(BOARD, {"status": "all"}))) == ["A", "B", "C"]


def test_sorts_by_waiting_time_and_prescreen_score(world, client_for, program):
    now = timezone.now()
    WaitlistEntryFactory(
        program=program, first_name="Old", waiting_since=now - dt.timedelta(days=60)
    )
    WaitlistEntryFactory(program=program, first_name="High", phq2_total=6, gad2_total=5)
    WaitlistEntryFactory(
        program=program, first_name="New", waiting_since=now - dt.timedelta(days=1)
    )
    staff = client_for(world.clinician)
    assert _names(staff.get(BOARD, {"sort": "waiting"}))[0] == "Old"
    assert _names(staff.get(BOARD, {"sort": "prescreen"}))[0] == "High"


def test_keyset_pages_cover_every_entry_once(world, client_for, program):
    WaitlistEntryFactory.create_batch(120, program=program)
    staff = client_for(world.clinician)
    for sort in ("priority", "waiting", "prescreen", "newest"):
        seen, params = [], {"sort": sort}
        while True:
            response = staff.get(BOARD, params)
            seen += [row.entry.pk for row in response.context["page"].rows]
            cursor = response.context["page"].next_cursor
            if not cursor:
                break
            params = {"sort": sort, "after": cursor}
        assert sorted(seen) == sorted(WaitlistEntry.objects.values_list("pk", flat=True)), sort


def _queries(connection, request):
    """The SQL a request runs, without the savepoints of the test's own transaction (outside a
    test, the atomic blocks that make them are BEGIN/COMMIT, which Django does not log)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = request()
    sql = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    return response, sql


@pytest.mark.slow
def test_a_page_of_the_board_costs_at_most_10_queries_with_100000_entries(
    world, client_for, program
):
    from django.db import connection

    from .bulk import insert_entries

    insert_entries(program, 100_000, now=timezone.now())
    staff = client_for(world.clinician)
    staff.get(BOARD)  # warm the session
    first, sql = _queries(connection, lambda: staff.get(BOARD))
    # session, user, MFA device, count, rows, programs, invitations, audit (2), session save
    assert len(sql) <= 10, "\n".join(sql)
    assert first.context["page"].total_is_capped
    assert "More than 10000 entries match." in first.content.decode()
    cursor = first.context["page"].next_cursor
    deep, sql = _queries(
        connection, lambda: staff.get(BOARD, {"after": cursor, "region": "NY", "sort": "waiting"})
    )
    assert len(sql) <= 10, "\n".join(sql)
    assert deep.status_code == 200 and len(deep.context["page"].rows) == 50


def test_viewing_the_board_and_an_entry_is_audited(world, client_for, program):
    entry = WaitlistEntryFactory(program=program)
    staff = client_for(world.clinician)
    staff.get(BOARD)
    staff.get(f"{BOARD}{entry.pk}/")
    assert AuditEvent.objects.filter(
        action="list", actor_id=world.clinician.pk, detail__startswith="waitlist board"
    ).exists()
    assert AuditEvent.objects.filter(
        action="view", object_id=str(entry.pk), actor_id=world.clinician.pk
    ).exists()


def test_staff_override_the_priority_with_a_reason(world, client_for, program):
    low = WaitlistEntryFactory(program=program, first_name="Low", phq2_total=0, gad2_total=0)
    WaitlistEntryFactory(program=program, first_name="High", phq2_total=6, gad2_total=6)
    staff = client_for(world.prescriber)
    url = f"{BOARD}{low.pk}/action/"
    refused = staff.post(url, {"action": "override", "score": "99", "reason": "  "}, follow=True)
    assert "Give a reason for the override." in refused.content.decode()
    staff.post(
        url, {"action": "override", "score": "99", "reason": "Discharged from hospital, urgent"}
    )
    low.refresh_from_db()
    assert low.priority_override == 99 and low.priority_override_by == world.prescriber
    assert _names(staff.get(BOARD)) == ["Low", "High"]
    assert AuditEvent.objects.filter(
        object_id=str(low.pk), detail="priority overridden to 99"
    ).exists()
    staff.post(url, {"action": "clear_override"})
    assert _names(staff.get(BOARD)) == ["High", "Low"]


def test_an_override_that_is_not_a_number_is_refused(world, client_for, program):
    entry = WaitlistEntryFactory(program=program)
    response = client_for(world.clinician).post(
        f"{BOARD}{entry.pk}/action/",
        {"action": "override", "score": "lots", "reason": "x"},
        follow=True,
    )
    assert "Enter the priority as a number" in response.content.decode()
    entry.refresh_from_db()
    assert entry.priority_override is None


def test_staff_add_notes(world, client_for, program):
    entry = WaitlistEntryFactory(program=program)
    staff = client_for(world.clinician)
    staff.post(f"{BOARD}{entry.pk}/action/", {"action": "note", "text": "Prefers morning calls"})
    page = staff.get(f"{BOARD}{entry.pk}/").content.decode()
    assert "Prefers morning calls" in page and world.clinician.full_name in page


def test_bulk_remove_and_restore_keep_the_place(world, client_for, program):
    a, b, c = WaitlistEntryFactory.create_batch(3, program=program)
    staff = client_for(world.clinician)
    response = staff.post(f"{BOARD}bulk/", {"entry": [a.pk, b.pk], "action": "remove"})
    assert response.status_code == 302
    assert set(WaitlistEntry.objects.filter(status="removed").values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
    }
    staff.post(f"{BOARD}bulk/", {"entry": [a.pk], "action": "restore"})
    a.refresh_from_db()
    assert a.status == "waiting" and a.waiting_since is not None
    assert AuditEvent.objects.filter(
        object_id=str(b.pk), detail="status waiting → removed"
    ).exists()


def test_bulk_actions_ignore_other_clinics_entries(world, client_for, program):
    foreign = WaitlistEntryFactory(program=WaitlistProgramFactory(clinic=world.other_clinic))
    client_for(world.clinician).post(f"{BOARD}bulk/", {"entry": [foreign.pk], "action": "remove"})
    foreign.refresh_from_db()
    assert foreign.status == "waiting"


def test_csv_export_follows_the_filters_and_defuses_formulas(world, client_for, program):
    WaitlistEntryFactory(program=program, first_name="=HYPERLINK(1)", region="NJ")
    WaitlistEntryFactory(program=program, first_name="Other", region="NY")
    response = client_for(world.admin).get(f"{BOARD}export.csv", {"region": "NJ"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["first_name"] for r in rows] == ["'=HYPERLINK(1)"]
    assert rows[0]["region"] == "NJ" and rows[0]["email"].endswith("@example.org")
    assert AuditEvent.objects.filter(action="export", actor_id=world.admin.pk).exists()


def test_the_csv_export_is_staff_only(world, client_for):
    assert client_for(world.patient_user).get(f"{BOARD}export.csv").status_code == 404
