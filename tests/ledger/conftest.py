"""Ledger fixtures on top of the `world` personas: the clinic has a DEA registration, three
products, a safe and a cart, and one lot of ketamine vials received into the safe. Set-up goes
through the services, so every entry is a real, chained one."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from ketacare.ledger import services
from ketacare.ledger.models import LedgerEntry, Lot, Product, StorageLocation
from tests.factories import PASSWORD

CLINIC_DEA = "AB1234563"  # 1+3+5 + 2*(2+4+6) = 33: check digit 3


def valid_dea(prefix: str, six_digits: str) -> str:
    d = [int(c) for c in six_digits]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return f"{prefix}{six_digits}{check}"


SUPPLIER_DEA = valid_dea("RS", "765432")
DISTRIBUTOR_DEA = valid_dea("RD", "111111")


@dataclass
class Stock:
    vial: Product  # ketamine HCl 50 mg/mL, 10 mL vials, counted in mL
    troche: Product  # 100 mg troches
    esketamine: Product  # 28 mg nasal devices
    safe: StorageLocation
    cart: StorageLocation
    lot: Lot  # vial lot KET-001 with 50 mL in the safe
    receipt: LedgerEntry


def receive(world, product, location, quantity, lot_number, expires_on=None, by=None):
    return services.record_receipt(
        actor=by or world.admin,
        product=product,
        lot_number=lot_number,
        expires_on=expires_on or timezone.localdate() + dt.timedelta(days=365),
        location=location,
        quantity=Decimal(quantity),
        supplier_name="Hikma Pharmaceuticals",
        supplier_dea=SUPPLIER_DEA,
        supplier_address="1809 Wilson Rd, Columbus OH",
        invoice_number=f"INV-{lot_number}",
        received_on=timezone.localdate(),
    )


def count_location(world, location, counted=None, *, by=None, second=None, kind="opening"):
    """A count by two staff members; `counted` defaults to the book balances (no discrepancy)."""
    from ketacare.ledger.models import StockBalance

    if counted is None:
        counted = {b.lot_id: b.quantity for b in StockBalance.objects.filter(location=location)}
    return services.record_count(
        actor=by or world.clinician,
        location=location,
        kind=kind,
        counted=counted,
        second_counter=second or world.prescriber,
        second_counter_password=PASSWORD,
    )


@pytest.fixture
def stock(world) -> Stock:
    world.clinic.dea_registration = CLINIC_DEA
    world.clinic.save()
    admin = world.admin
    vial = services.create_product(
        actor=admin,
        name="Ketamine HCl 50 mg/mL, 10 mL vial",
        form="vial",
        concentration_mg_per_ml=Decimal("50"),
        volume_ml=Decimal("10"),
        ndc="0143-9508-10",
    )
    troche = services.create_product(
        actor=admin, name="Ketamine troche 100 mg", form="troche", strength_mg=Decimal("100")
    )
    esketamine = services.create_product(
        actor=admin, name="Spravato 28 mg device", form="nasal_device", strength_mg=Decimal("28")
    )
    safe = services.create_location(actor=admin, name="Main safe", kind="safe")
    cart = services.create_location(actor=admin, name="Treatment cart", kind="cart")
    receipt = receive(world, vial, safe, "50", "KET-001")
    count_location(world, safe)
    count_location(world, cart)
    return Stock(vial, troche, esketamine, safe, cart, receipt.lot, receipt)
