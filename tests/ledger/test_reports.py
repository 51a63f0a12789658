"""Reports as page, CSV and PDF, filterable, every view audited; the CLI report."""

import csv
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.ledger import services


@pytest.fixture
def history(world, stock):
    services.record_administration(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        patient=world.patient,
        quantity="2",
    )
    services.record_administration(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        patient=world.other_patient,
        quantity="1",
    )
    return stock


def period_url(fmt=""):
    today = timezone.localdate().isoformat()
    return f"/ledger/reports/period/?date_from={today}&date_to={today}" + (
        f"&format={fmt}" if fmt else ""
    )


def test_the_period_report_sums_movements_per_lot(world, history, client_for):
    response = client_for(world.admin).get(period_url())
    assert response.status_code == 200
    summary = response.context["report"].sections[0]
    row = dict(zip(summary.columns, summary.rows[0], strict=True))
    assert row["Opening"] == "0" and row["Received"] == "50" and row["Administered"] == "3"
    assert row["Closing"] == "47" and row["Closing mg"] == "2350"
    assert AuditEvent.objects.filter(
        model="ledger.Report", object_id="period", action="view"
    ).exists()


def test_the_period_report_downloads_as_csv_and_pdf_and_each_is_audited(world, history, client_for):
    client = client_for(world.prescriber)
    response = client.get(period_url("csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["DEA registration", world.clinic.dea_registration] in rows
    pdf = client.get(period_url("pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", model="ledger.Report").count() == 2


def test_the_running_balance_lists_each_entry_with_the_lot_balance(world, history, client_for):
    response = client_for(world.clinician).get(f"/ledger/reports/lot/?lot={history.lot.pk}")
    rows = response.context["report"].sections[0].rows
    assert [row[7] for row in rows] == ["50", "48", "47"]


def test_the_patient_history_shows_only_that_patient_and_is_audited_against_them(
    world, history, client_for
):
    response = client_for(world.admin).get(f"/ledger/reports/patient/?patient={world.patient.pk}")
    rows = response.context["report"].sections[0].rows
    assert len(rows) == 1 and rows[0][12] == world.patient.full_name
    assert AuditEvent.objects.filter(patient_id=world.patient.pk, model="patients.Patient").exists()


def test_entries_are_searchable_and_filterable(world, history, client_for):
    client = client_for(world.clinician)
    response = client.get("/ledger/entries/", {"q": "Hopper"})
    assert [e.patient for e in response.context["page"].object_list] == [world.other_patient]
    response = client.get("/ledger/entries/", {"kind": "receipt"})
    assert {e.kind for e in response.context["page"].object_list} == {"receipt"}
    assert AuditEvent.objects.filter(model="ledger.LedgerEntry", action="list").exists()


def test_the_entry_list_runs_a_bounded_number_of_queries(
    world, history, client_for, django_assert_max_num_queries
):
    client = client_for(world.clinician)
    with django_assert_max_num_queries(20):
        assert client.get("/ledger/entries/").status_code == 200


@pytest.mark.parametrize("url", ["/ledger/reports/", "/ledger/reports/staff/"])
def test_clinicians_do_not_get_the_reports(world, stock, client_for, url):
    assert client_for(world.clinician).get(url).status_code == 404


def test_the_cli_writes_the_period_report_as_csv_and_pdf(world, history, tmp_path):
    today = timezone.localdate().isoformat()
    out = tmp_path / "report.csv"
    call_command(
        "ledger",
        "report",
        "--from",
        today,
        "--to",
        today,
        "--format",
        "csv",
        "--out",
        str(out),
        "--clinic",
        world.clinic.slug,
    )
    text = out.read_text()
    assert "Controlled-substance period report" in text and "KET-001" in text
    pdf = tmp_path / "report.pdf"
    call_command(
        "ledger",
        "report",
        "--from",
        today,
        "--to",
        today,
        "--format",
        "pdf",
        "--out",
        str(pdf),
        "--clinic",
        world.clinic.slug,
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", detail__startswith="CLI").count() == 2


def test_the_cli_asks_which_clinic_when_there_are_several(world, history):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--clinic"):
        call_command("ledger", "report", "--from", "2026-01-01", "--to", "2026-01-02")
