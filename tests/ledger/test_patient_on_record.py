"""Administration and dispensing records carry the patient's name and address as they were
when the dose was given (21 CFR 1304.22(c)); nothing is dispensed to a patient without an
address on file."""

import csv
import io

import pytest
from django.db import connection
from django.utils import timezone

from ketacare.ledger import services
from ketacare.ledger.chain import verify_ledger
from ketacare.ledger.models import LedgerEntry
from tests.core.pdf_text import pdf_text
from tests.ledger.conftest import receive

ADDRESS = "12 Rue de l'Église\r\nApt 3\r\nLyon 69001"


@pytest.fixture
def troches(world, stock):
    return receive(world, stock.troche, stock.safe, "20", "TRO-9").lot


def dispense(world, stock, lot, patient, client):
    data = {
        "patient": patient.pk,
        "lot": lot.pk,
        "location": stock.safe.pk,
        "quantity": "2",
        "directions": "One troche under the tongue before the home session.",
    }
    return client.post("/ledger/dispense/", data)


def test_the_service_refuses_to_dispense_to_a_patient_without_an_address(world, stock, troches):
    assert world.other_patient.address == ""
    with pytest.raises(services.Refusal) as refused:
        services.record_dispensing(
            actor=world.prescriber,
            lot=troches,
            location=stock.safe,
            patient=world.other_patient,
            quantity="2",
            directions="One troche.",
        )
    assert (refused.value.field, refused.value.code) == ("patient", "patient_address_required")
    assert not LedgerEntry.objects.filter(kind="dispensing").exists()


def test_the_dispense_page_shows_the_missing_address_on_the_patient_field(
    world, stock, troches, client_for
):
    response = dispense(world, stock, troches, world.other_patient, client_for(world.prescriber))
    assert response.status_code == 400
    errors = response.context["form"].errors["patient"]
    assert any("no address on file" in error for error in errors)
    assert "Grace Hopper has no address on file" in response.content.decode()
    assert not LedgerEntry.objects.filter(kind="dispensing").exists()


def test_a_dispensing_carries_the_patients_name_and_address_on_page_csv_and_pdf(
    world, stock, troches, client_for
):
    world.patient.address = ADDRESS
    world.patient.save()
    client = client_for(world.prescriber)
    assert dispense(world, stock, troches, world.patient, client).status_code == 302
    entry = LedgerEntry.objects.get(kind="dispensing")
    assert (entry.patient_name, entry.patient_address) == ("Ada Lovelace", ADDRESS)
    # The record keeps the address it was made with when the patient moves.
    world.patient.address = "1 New Street, Boston MA"
    world.patient.save()
    page = client.get(f"/ledger/entries/{entry.pk}/").content.decode()
    assert "Ada Lovelace" in page
    assert "12 Rue de l&#x27;Église<br>Apt 3<br>Lyon 69001" in page
    url = f"/ledger/reports/patient/?patient={world.patient.pk}"
    rows = list(csv.reader(io.StringIO(client.get(url + "&format=csv").content.decode())))
    header = next(row for row in rows if row[:1] == ["Seq"])
    row = dict(zip(header, next(r for r in rows if "Dispensing (home use)" in r), strict=True))
    assert row["Patient"] == "Ada Lovelace"
    assert row["Patient address"] == "12 Rue de l'Église, Apt 3, Lyon 69001"
    text = "".join(pdf_text(client.get(url + "&format=pdf").content).split())
    assert "12Ruedel'Église,Apt3,Lyon69001" in text
    # Entries with the new fields verify, on either side of the ones written without them.
    assert verify_ledger().ok


def test_an_administration_carries_the_patients_name_and_address(world, stock, client_for):
    world.patient.address = "10 Downing St\nLondon"
    world.patient.save()
    client = client_for(world.clinician)
    response = client.post(
        "/ledger/administer/",
        {
            "patient": world.patient.pk,
            "lot": stock.lot.pk,
            "location": stock.safe.pk,
            "quantity": "1",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="administration")
    assert (entry.patient_name, entry.patient_address) == ("Ada Lovelace", "10 Downing St\nLondon")
    assert "10 Downing St<br>London" in client.get(f"/ledger/entries/{entry.pk}/").content.decode()
    today = timezone.localdate().isoformat()
    url = f"/ledger/reports/period/?date_from={today}&date_to={today}&format=csv"
    rows = list(csv.reader(io.StringIO(client_for(world.admin).get(url).content.decode())))
    header = next(row for row in rows if row[:1] == ["Seq"])
    row = dict(zip(header, next(r for r in rows if "Administration" in r), strict=True))
    assert (row["Patient"], row["Patient address"]) == ("Ada Lovelace", "10 Downing St, London")
    assert verify_ledger().ok


def test_editing_the_recorded_address_behind_the_apps_back_breaks_the_chain(world, stock):
    world.patient.address = "10 Downing St, London"
    world.patient.save()
    entry = services.record_administration(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        patient=world.patient,
        quantity="1",
    )
    assert verify_ledger().ok
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET patient_address = '' WHERE id = %s", [entry.pk]
        )
    result = verify_ledger()
    assert not result.ok and result.entry_id == entry.pk


def test_an_administration_to_a_patient_without_an_address_is_still_recorded(world, stock):
    entry = services.record_administration(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        patient=world.other_patient,
        quantity="1",
    )
    assert (entry.patient_name, entry.patient_address) == ("Grace Hopper", "")
    assert verify_ledger().ok


def test_the_api_gives_the_name_and_address_the_entry_recorded(world, stock, client_for):
    world.patient.address = "10 Downing St, London"
    world.patient.save()
    services.record_administration(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        patient=world.patient,
        quantity="1",
    )
    client = client_for(world.admin)
    entries = client.get("/api/v1/ledger/entries", {"kind": "administration"}).json()
    assert (entries[0]["patient_name"], entries[0]["patient_address"]) == (
        "Ada Lovelace",
        "10 Downing St, London",
    )
