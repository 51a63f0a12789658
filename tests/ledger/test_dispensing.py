"""Dispensing for home use is a prescriber's act; esketamine is never dispensed (REMS)."""

import pytest

from ketacare.ledger import services
from ketacare.ledger.models import LedgerEntry
from tests.ledger.conftest import count_location, receive


def form(world, lot, location, **extra):
    data = {
        "patient": world.patient.pk,
        "lot": lot.pk,
        "location": location.pk,
        "quantity": "3",
        "directions": "Dissolve one troche under the tongue before the home session.",
    }
    data.update(extra)
    return data


@pytest.fixture(autouse=True)
def patient_address(world):
    world.patient.address = "12 St James's Square, London"
    world.patient.save()


@pytest.fixture
def troches(world, stock):
    entry = receive(world, stock.troche, stock.safe, "20", "TRO-1")
    return entry.lot


def test_a_prescriber_dispenses_troches_with_directions(world, stock, troches, client_for):
    response = client_for(world.prescriber).post(
        "/ledger/dispense/", form(world, troches, stock.safe)
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="dispensing")
    assert entry.patient == world.patient and entry.actor == world.prescriber
    assert entry.quantity == -3 and entry.quantity_mg == -300
    assert "under the tongue" in entry.directions


@pytest.mark.parametrize("persona", ["clinician", "admin"])
def test_a_non_prescriber_cannot_dispense(world, stock, troches, client_for, persona):
    response = client_for(world.user(persona)).post(
        "/ledger/dispense/", form(world, troches, stock.safe)
    )
    assert response.status_code == 404
    assert not LedgerEntry.objects.filter(kind="dispensing").exists()


def test_the_service_names_the_reason_when_a_non_prescriber_dispenses(world, stock, troches):
    with pytest.raises(services.Refusal) as refused:
        services.record_dispensing(
            actor=world.clinician,
            lot=troches,
            location=stock.safe,
            patient=world.patient,
            quantity="1",
            directions="x",
        )
    assert refused.value.code == "not_prescriber"


def test_esketamine_is_never_dispensed_for_home_use(world, stock, client_for):
    devices = receive(world, stock.esketamine, stock.safe, "6", "SPR-1").lot
    response = client_for(world.prescriber).post(
        "/ledger/dispense/", form(world, devices, stock.safe, quantity="2")
    )
    assert response.status_code == 400
    assert b"REMS" in response.content
    assert not LedgerEntry.objects.filter(kind="dispensing").exists()


def test_devices_are_counted_whole(world, stock, client_for):
    devices = receive(world, stock.esketamine, stock.safe, "6", "SPR-2").lot
    count_location(world, stock.safe)
    response = client_for(world.clinician).post(
        "/ledger/administer/",
        {
            "patient": world.patient.pk,
            "lot": devices.pk,
            "location": stock.safe.pk,
            "quantity": "1.5",
        },
    )
    assert response.status_code == 400
    assert b"whole number of devices" in response.content
