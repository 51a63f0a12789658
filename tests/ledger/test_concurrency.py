"""50 administrations at once against a lot holding 10 units: exactly 10 succeed, the other 40
are refused with "insufficient stock", and the balance ends at 0. Real threads, each with its
own database connection, against the file SQLite database or PostgreSQL."""

import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client

from ketacare.ledger.models import LedgerEntry, StockBalance
from tests.ledger.conftest import receive

ATTEMPTS = 50
UNITS = 10


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_administrations_against_ten_units(world, stock):
    lot = receive(world, stock.troche, stock.cart, str(UNITS), "TRO-RACE").lot
    clients = []
    for _ in range(ATTEMPTS):
        client = Client()
        client.force_login(world.clinician)
        clients.append(client)
    barrier = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def administer(client: Client) -> None:
        try:
            barrier.wait(timeout=60)
            response = client.post(
                "/ledger/administer/",
                {
                    "patient": world.patient.pk,
                    "lot": lot.pk,
                    "location": stock.cart.pk,
                    "quantity": "1",
                },
            )
            with lock:
                results.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=administer, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = [status for status, _ in results]
    assert len(results) == ATTEMPTS
    assert statuses.count(302) == UNITS
    refused = [body for status, body in results if status != 302]
    assert len(refused) == ATTEMPTS - UNITS
    assert all(b"Insufficient stock" in body for body in refused)
    assert StockBalance.objects.get(lot=lot, location=stock.cart).quantity == 0
    assert LedgerEntry.objects.filter(lot=lot, kind="administration").count() == UNITS
    call_command("ledger", "verify")
