"""Waste needs a second staff member who types their own password in the same form."""

from ketacare.audit.models import AuditEvent
from ketacare.ledger.models import LedgerEntry, StockBalance
from tests.factories import PASSWORD, UserFactory


def waste_form(stock, witness, password=PASSWORD, **extra):
    data = {
        "lot": stock.lot.pk,
        "location": stock.safe.pk,
        "quantity": "0.5",
        "reason": "Remainder of vial after a 25 mg dose",
        "witness": witness.pk if witness is not None else "",
        "witness_password": password,
    }
    data.update(extra)
    return data


def balance(stock):
    return StockBalance.objects.get(lot=stock.lot, location=stock.safe).quantity


def test_waste_with_a_witness_who_enters_their_password_is_recorded(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post("/ledger/waste/", waste_form(stock, world.prescriber))
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="waste")
    assert entry.witness == world.prescriber and entry.actor == world.clinician
    assert entry.quantity == -0.5 and entry.quantity_mg == -25
    assert entry.dea_registration == world.clinic.dea_registration
    assert balance(stock) == 49.5
    assert AuditEvent.objects.filter(model="ledger.LedgerEntry", object_id=str(entry.pk)).exists()


def test_it_requires_a_witness(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post("/ledger/waste/", waste_form(stock, None))
    assert response.status_code == 400
    assert b"A witness is required" in response.content
    assert not LedgerEntry.objects.filter(kind="waste").exists()
    assert balance(stock) == 50


def test_the_witness_cannot_be_the_person_recording_the_waste(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post("/ledger/waste/", waste_form(stock, world.clinician))
    assert response.status_code == 400
    # The form offers only other staff members, so the choice itself is refused.
    assert b"witness" in response.content.lower()
    assert not LedgerEntry.objects.filter(kind="waste").exists()


def test_the_service_refuses_self_witnessing_with_a_clear_reason(world, stock):
    import pytest

    from ketacare.ledger import services

    with pytest.raises(services.Refusal) as refused:
        services.record_waste(
            actor=world.clinician,
            lot=stock.lot,
            location=stock.safe,
            quantity="1",
            reason="broken",
            witness=world.clinician,
            witness_password=PASSWORD,
        )
    assert refused.value.code == "witness_is_actor"
    assert "your own witness" in refused.value.message
    assert not LedgerEntry.objects.filter(kind="waste").exists()


def test_a_wrong_witness_password_is_refused_and_nothing_is_saved(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post("/ledger/waste/", waste_form(stock, world.prescriber, "not-it-at-all"))
    assert response.status_code == 400
    assert b"is not" in response.content and b"password" in response.content
    assert b"Nothing was saved" in response.content
    assert not LedgerEntry.objects.filter(kind="waste").exists()
    assert balance(stock) == 50
    assert AuditEvent.objects.filter(
        outcome="denied", detail__contains="witness_password_wrong"
    ).exists()


def test_the_denied_row_of_a_refused_waste_names_who_and_where_from_the_request(
    world, stock, client_for
):
    client = client_for(world.clinician)
    client.post(
        "/ledger/waste/", waste_form(stock, world.prescriber, "not-it-at-all"),
        REMOTE_ADDR="203.0.113.9",
    )  # fmt: skip
    denied = AuditEvent.objects.get(
        outcome="denied", detail="waste refused: witness_password_wrong"
    )
    assert (denied.actor_id, denied.clinic_id) == (world.clinician.pk, world.clinic.pk)
    assert (denied.path, denied.ip) == ("/ledger/waste/", "203.0.113.9")


def test_a_witness_from_another_clinic_is_refused(world, stock):
    import pytest

    from ketacare.ledger import services

    with pytest.raises(services.Refusal) as refused:
        services.record_waste(
            actor=world.clinician,
            lot=stock.lot,
            location=stock.safe,
            quantity="1",
            reason="broken",
            witness=world.outsider,
            witness_password=PASSWORD,
        )
    assert refused.value.code == "witness_not_staff"


def test_a_patient_or_monitor_cannot_witness(world, stock):
    import pytest

    from ketacare.ledger import services

    for person in (world.patient_user, world.monitor):
        with pytest.raises(services.Refusal) as refused:
            services.record_waste(
                actor=world.clinician,
                lot=stock.lot,
                location=stock.safe,
                quantity="1",
                reason="broken",
                witness=person,
                witness_password=PASSWORD,
            )
        assert refused.value.code == "witness_not_staff"


def test_repeated_wrong_witness_passwords_lock_that_witness_out(world, stock, client_for):
    from django.core.cache import cache

    cache.clear()
    nurse = UserFactory(clinic=world.clinic, role="clinician", email="nurse2@example.org")
    client = client_for(world.clinician)
    for _ in range(5):
        client.post("/ledger/waste/", waste_form(stock, nurse, "guess-guess-guess"))
    response = client.post("/ledger/waste/", waste_form(stock, nurse, PASSWORD))
    assert response.status_code == 400
    assert b"Too many wrong passwords" in response.content
    assert not LedgerEntry.objects.filter(kind="waste").exists()
    cache.clear()


def test_waste_cannot_exceed_the_balance(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post("/ledger/waste/", waste_form(stock, world.prescriber, quantity="51"))
    assert response.status_code == 400
    assert b"Insufficient stock" in response.content
    assert balance(stock) == 50
