"""Receipt, transfer, return to supplier, disposal by reverse distributor, loss or theft and
corrections, each with the fields 21 CFR 1304 asks and the clinic's DEA number."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from ketacare.ledger import services
from ketacare.ledger.models import LedgerEntry, LossCase, Lot, StockBalance
from tests.core.pdf_text import pdf_text
from tests.ledger.conftest import CLINIC_DEA, DISTRIBUTOR_DEA, SUPPLIER_DEA


def test_a_receipt_records_supplier_invoice_and_date_and_creates_the_lot(world, stock, client_for):
    client = client_for(world.clinician)
    response = client.post(
        "/ledger/receive/",
        {
            "product": stock.vial.pk,
            "lot_number": "KET-777",
            "expires_on": "2030-01-31",
            "location": stock.safe.pk,
            "quantity": "100",
            "received_on": timezone.localdate().isoformat(),
            "supplier_name": "Hikma",
            "supplier_dea": SUPPLIER_DEA,
            "supplier_address": "Columbus OH",
            "invoice_number": "INV-9",
        },
    )
    assert response.status_code == 302
    lot = Lot.objects.get(lot_number="KET-777")
    assert lot.dea_registration == CLINIC_DEA
    entry = LedgerEntry.objects.get(lot=lot)
    assert (entry.kind, entry.quantity, entry.quantity_mg) == ("receipt", 100, 5000)
    assert (entry.counterparty_name, entry.counterparty_dea, entry.document_number) == (
        "Hikma",
        SUPPLIER_DEA,
        "INV-9",
    )
    assert entry.received_on == timezone.localdate() and entry.dea_registration == CLINIC_DEA


def test_a_receipt_with_an_invalid_supplier_dea_number_is_refused(world, stock, client_for):
    response = client_for(world.clinician).post(
        "/ledger/receive/",
        {
            "product": stock.vial.pk,
            "lot_number": "KET-778",
            "expires_on": "2030-01-31",
            "location": stock.safe.pk,
            "quantity": "10",
            "received_on": timezone.localdate().isoformat(),
            "supplier_name": "Hikma",
            "supplier_dea": "AB1234567",
            "supplier_address": "Columbus OH",
            "invoice_number": "INV-9",
        },
    )
    assert response.status_code == 400
    assert b"DEA registration number" in response.content
    assert not Lot.objects.filter(lot_number="KET-778").exists()


def test_an_expired_lot_cannot_be_received(world, stock, client_for):
    response = client_for(world.clinician).post(
        "/ledger/receive/",
        {
            "product": stock.vial.pk,
            "lot_number": "OLD-1",
            "expires_on": "2020-01-31",
            "location": stock.safe.pk,
            "quantity": "10",
            "received_on": timezone.localdate().isoformat(),
            "supplier_name": "Hikma",
            "supplier_dea": SUPPLIER_DEA,
            "supplier_address": "Columbus OH",
            "invoice_number": "INV-1",
        },
    )
    assert response.status_code == 400
    assert b"expired" in response.content
    assert not Lot.objects.filter(lot_number="OLD-1").exists()


def test_a_transfer_moves_stock_between_locations_as_two_linked_entries(world, stock, client_for):
    response = client_for(world.clinician).post(
        "/ledger/transfer/",
        {
            "lot": stock.lot.pk,
            "from_location": stock.safe.pk,
            "to_location": stock.cart.pk,
            "quantity": "10",
            "reason": "Stock the cart for the day",
        },
    )
    assert response.status_code == 302
    out = LedgerEntry.objects.get(kind="transfer_out")
    inbound = LedgerEntry.objects.get(kind="transfer_in")
    assert inbound.related_entry == out and out.quantity == -10 and inbound.quantity == 10
    assert StockBalance.objects.get(lot=stock.lot, location=stock.safe).quantity == 40
    assert StockBalance.objects.get(lot=stock.lot, location=stock.cart).quantity == 10


def test_a_transfer_cannot_take_more_than_the_source_holds(world, stock, client_for):
    response = client_for(world.clinician).post(
        "/ledger/transfer/",
        {
            "lot": stock.lot.pk,
            "from_location": stock.cart.pk,
            "to_location": stock.safe.pk,
            "quantity": "1",
        },
    )
    assert response.status_code == 400 and b"Insufficient stock" in response.content
    assert not LedgerEntry.objects.filter(kind__startswith="transfer").exists()


def test_a_return_to_supplier_records_the_supplier_and_document(world, stock, client_for):
    response = client_for(world.admin).post(
        "/ledger/return/",
        {
            "lot": stock.lot.pk,
            "location": stock.safe.pk,
            "quantity": "20",
            "supplier_name": "Hikma",
            "supplier_dea": SUPPLIER_DEA,
            "document_number": "RA-55",
            "reason": "Recall",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="return_to_supplier")
    assert entry.quantity == -20 and entry.document_number == "RA-55"


def test_a_disposal_by_reverse_distributor_records_the_distributor(world, stock, client_for):
    response = client_for(world.admin).post(
        "/ledger/dispose/",
        {
            "lot": stock.lot.pk,
            "location": stock.safe.pk,
            "quantity": "5",
            "distributor_name": "Rx Reverse Co",
            "distributor_dea": DISTRIBUTOR_DEA,
            "document_number": "F41-123",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="reverse_distributor")
    assert entry.counterparty_name == "Rx Reverse Co" and entry.counterparty_dea == DISTRIBUTOR_DEA


def test_a_loss_opens_a_case_with_its_dea_deadlines(world, stock, client_for):
    # Friday 2026-11-27 10:00 in New York: the next business day is Monday 30th.
    discovered = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC).replace(hour=15)
    with time_machine.travel(discovered + dt.timedelta(hours=1), tick=False):
        response = client_for(world.clinician).post(
            "/ledger/loss/",
            {
                "kind": "theft",
                "lot": stock.lot.pk,
                "location": stock.safe.pk,
                "quantity": "2",
                "discovered_at": "2026-11-27T10:00",
                "description": "Vial missing from the safe",
                "police_report": "PD-1",
            },
        )
    assert response.status_code == 302
    case = LossCase.objects.get()
    assert case.entry.kind == "loss" and case.entry.quantity == -2
    assert case.discovered_at == discovered
    local_due = timezone.localtime(case.dea_notify_due)
    assert local_due.date() == dt.date(2026, 11, 30)
    assert case.form_106_due == dt.date(2027, 1, 11)


def test_overdue_loss_cases_are_shown_to_admins(world, stock, client_for):
    from ketacare.ledger import services

    services.report_loss(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        quantity="1",
        kind="loss",
        discovered_at=timezone.now() - dt.timedelta(days=10),
        description="Short after a shift",
    )
    page = client_for(world.admin).get("/ledger/")
    assert b"Overdue loss or theft cases" in page.content
    assert b"Overdue loss or theft cases" not in client_for(world.clinician).get("/ledger/").content
    case = LossCase.objects.get()
    response = client_for(world.admin).post(
        f"/ledger/losses/{case.pk}/",
        {
            "dea_notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "form_106_filed_on": timezone.localdate().isoformat(),
            "form_106_number": "106-1",
        },
    )
    assert response.status_code == 302
    assert b"Overdue loss or theft cases" not in client_for(world.admin).get("/ledger/").content


def test_a_correction_is_a_new_linked_entry_with_a_reason(world, stock, client_for):
    client = client_for(world.admin)
    response = client.post(
        f"/ledger/entries/{stock.receipt.pk}/correct/",
        {
            "quantity_change": "-10",
            "reason": "Invoice said 40 mL, not 50",
        },
    )
    assert response.status_code == 302
    correction = LedgerEntry.objects.get(kind="correction")
    assert correction.corrects == stock.receipt and correction.quantity == -10
    assert correction.balance_after == 40
    stock.receipt.refresh_from_db()
    assert stock.receipt.quantity == 50  # the original is untouched


def test_only_the_author_or_an_admin_may_correct_an_entry(world, stock, client_for):
    response = client_for(world.clinician).post(
        f"/ledger/entries/{stock.receipt.pk}/correct/",
        {
            "quantity_change": "-10",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert not LedgerEntry.objects.filter(kind="correction").exists()


def receipt_form(stock, **extra):
    data = {
        "product": stock.vial.pk,
        "lot_number": "KET-880",
        "expires_on": "2030-01-31",
        "location": stock.safe.pk,
        "quantity": "10",
        "received_on": timezone.localdate().isoformat(),
        "supplier_name": "Hikma",
        "supplier_dea": SUPPLIER_DEA,
        "supplier_address": "1809 Wilson Rd, Columbus OH 43228",
        "invoice_number": "INV-880",
    }
    data.update(extra)
    return data


def test_the_service_refuses_a_receipt_without_the_suppliers_address(world, stock):
    with pytest.raises(services.Refusal) as refused:
        services.record_receipt(
            actor=world.clinician,
            product=stock.vial,
            lot_number="KET-881",
            expires_on=timezone.localdate() + dt.timedelta(days=365),
            location=stock.safe,
            quantity="10",
            supplier_name="Hikma",
            supplier_dea=SUPPLIER_DEA,
            supplier_address="   ",
            invoice_number="INV-881",
            received_on=timezone.localdate(),
        )
    assert (refused.value.field, refused.value.code) == ("supplier_address", "invalid_value")
    assert not Lot.objects.filter(lot_number="KET-881").exists()


def test_the_receipt_form_requires_the_suppliers_address(world, stock, client_for):
    response = client_for(world.clinician).post(
        "/ledger/receive/", receipt_form(stock, supplier_address="")
    )
    assert response.status_code == 400
    assert "supplier_address" in response.context["form"].errors
    assert not Lot.objects.filter(lot_number="KET-880").exists()


def test_a_receipt_shows_the_suppliers_name_address_and_dea_number(world, stock, client_for):
    client = client_for(world.clinician)
    assert client.post("/ledger/receive/", receipt_form(stock)).status_code == 302
    entry = LedgerEntry.objects.get(lot__lot_number="KET-880")
    assert entry.counterparty_address == "1809 Wilson Rd, Columbus OH 43228"
    page = client.get(f"/ledger/entries/{entry.pk}/").content.decode()
    assert "Hikma, 1809 Wilson Rd, Columbus OH 43228 (DEA " + SUPPLIER_DEA + ")" in page
    today = timezone.localdate().isoformat()
    url = f"/ledger/reports/period/?date_from={today}&date_to={today}"
    client = client_for(world.admin)
    rows = list(csv.reader(io.StringIO(client.get(url + "&format=csv").content.decode())))
    header = next(row for row in rows if row[:1] == ["Seq"])
    row = dict(zip(header, next(r for r in rows if "INV-880" in r), strict=True))
    assert row["Supplier / distributor"] == "Hikma"
    assert row["Supplier / distributor address"] == "1809 Wilson Rd, Columbus OH 43228"
    assert row["DEA no."] == SUPPLIER_DEA
    # Narrow PDF columns wrap their cells: compare without the white space.
    text = "".join(pdf_text(client.get(url + "&format=pdf").content).split())
    assert "1809WilsonRd,ColumbusOH43228" in text and SUPPLIER_DEA in text
