"""Administration: linked to the patient (and, later, the treatment session); refused when it
would take the balance below zero, when the lot has expired, or before the day's opening
count."""

import datetime as dt

import pytest
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.ledger import services
from ketacare.ledger.models import LedgerEntry, StockBalance
from tests.ledger.conftest import receive


def form(stock, world, **extra):
    data = {
        "patient": world.patient.pk,
        "lot": stock.lot.pk,
        "location": stock.safe.pk,
        "quantity": "1.5",
    }
    data.update(extra)
    return data


def test_a_clinician_records_an_administration_for_a_patient(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post("/ledger/administer/", form(stock, world, treatment_session_id="42"))
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="administration")
    assert entry.patient == world.patient and entry.treatment_session_id == 42
    assert entry.quantity == -1.5 and entry.quantity_mg == -75 and entry.balance_after == 48.5
    assert StockBalance.objects.get(lot=stock.lot, location=stock.safe).quantity == 48.5
    assert AuditEvent.objects.filter(
        model="ledger.LedgerEntry", object_id=str(entry.pk), patient_id=world.patient.pk
    ).exists()
    page = client.get(response["Location"])
    assert b"48.5 mL" in page.content


def test_an_administration_cannot_take_the_balance_below_zero(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post("/ledger/administer/", form(stock, world, quantity="50.001"))
    assert response.status_code == 400
    assert b"Insufficient stock" in response.content
    assert not LedgerEntry.objects.filter(kind="administration").exists()


def test_an_expired_lot_cannot_be_administered(world, stock, client_for):
    import time_machine

    expiry = stock.lot.expires_on
    with time_machine.travel(
        dt.datetime.combine(expiry + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC), tick=False
    ):
        client = client_for(world.clinician)
        services.update_ledger_settings(
            actor=world.admin,
            dea_registration=world.clinic.dea_registration,
            require_opening_count=False,
        )
        response = client.post("/ledger/administer/", form(stock, world))
    assert response.status_code == 400
    assert b"expired on" in response.content
    assert not LedgerEntry.objects.filter(kind="administration").exists()


def test_administration_waits_for_the_days_opening_count(world, stock, client_for):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    import time_machine

    with time_machine.travel(tomorrow, tick=False):
        client = client_for(world.clinician)
        response = client.post("/ledger/administer/", form(stock, world))
        assert response.status_code == 400
        assert b"opening count" in response.content
        from tests.ledger.conftest import count_location

        count_location(world, stock.safe)
        response = client.post("/ledger/administer/", form(stock, world))
        assert response.status_code == 302


def test_the_opening_count_gate_can_be_switched_off_by_an_admin(world, stock, client_for):
    client = client_for(world.admin)
    response = client.post("/ledger/settings/", {"dea_registration": world.clinic.dea_registration})
    assert response.status_code == 302
    import time_machine

    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        response = client_for(world.clinician).post("/ledger/administer/", form(stock, world))
    assert response.status_code == 302


def test_a_patient_of_another_clinic_cannot_be_chosen(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post(
        "/ledger/administer/", form(stock, world, patient=world.outsider_patient.pk)
    )
    assert response.status_code == 400
    assert not LedgerEntry.objects.filter(kind="administration").exists()


def test_nothing_is_recorded_without_the_clinics_dea_registration(world, stock):
    world.clinic.dea_registration = ""
    world.clinic.save()
    world.clinician.refresh_from_db()
    with pytest.raises(services.Refusal) as refused:
        receive(world, stock.vial, stock.safe, "5", "KET-009", by=world.clinician)
    assert refused.value.code == "no_dea_registration"


@pytest.mark.parametrize("persona", ["monitor", "patient_user"])
def test_people_outside_the_clinic_staff_get_404(world, stock, client_for, persona):
    client = client_for(world.user(persona))
    response = client.post("/ledger/administer/", form(stock, world))
    assert response.status_code == 404
    assert not LedgerEntry.objects.filter(kind="administration").exists()


def test_staff_of_another_clinic_cannot_touch_this_clinics_stock(world, stock, client_for):
    client = client_for(world.outsider)
    response = client.post("/ledger/administer/", form(stock, world))
    # None of the lot, location or patient is theirs to choose.
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert client.get(f"/ledger/entries/{stock.receipt.pk}/").status_code == 404
    assert not LedgerEntry.objects.filter(kind="administration").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(world, stock, client_for):
    response = client_for(None).get("/ledger/administer/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
