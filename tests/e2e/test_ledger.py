"""The ledger journey in Chromium: a clinician receives a lot, administers a dose, wastes the
remainder with a witness who types their own password, counts the cart with a second counter,
and reads the lot's running balance."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketacare.ledger import services
from tests.factories import PASSWORD
from tests.ledger.conftest import CLINIC_DEA, SUPPLIER_DEA

pytestmark = pytest.mark.e2e


@pytest.fixture
def clinic_ledger(world):
    world.clinic.dea_registration = CLINIC_DEA
    world.clinic.save()
    world.admin.refresh_from_db()
    product = services.create_product(
        actor=world.admin,
        name="Ketamine HCl 50 mg/mL, 10 mL vial",
        form="vial",
        concentration_mg_per_ml=Decimal(50),
        volume_ml=Decimal(10),
    )
    cart = services.create_location(actor=world.admin, name="Treatment cart", kind="cart")
    # This journey counts after dosing; the opening-count gate has its own HTTP tests.
    services.update_ledger_settings(
        actor=world.admin, dea_registration=CLINIC_DEA, require_opening_count=False
    )
    return product, cart


def test_receive_administer_waste_count_and_see_the_running_balance(
    world, clinic_ledger, page, sign_in, console_errors
):
    product, cart = clinic_ledger
    sign_in(page, world.clinician.email, PASSWORD)

    page.goto("/ledger/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Controlled-substance ledger")
    page.get_by_role("navigation", name="Record").get_by_role("link", name="Receipt").click()
    page.get_by_label("Product").select_option(label=product.name)
    page.get_by_label("Lot number").fill("KET-E2E")
    page.get_by_label("Expiry date").fill("2030-06-30")
    page.get_by_label("Stored in").select_option(label="Treatment cart")
    page.get_by_label("Quantity received").fill("20")
    page.get_by_label("Date received").fill(timezone.localdate().isoformat())
    page.locator("#id_supplier_name").fill("Hikma Pharmaceuticals")
    page.get_by_label("Supplier's DEA registration number").fill(SUPPLIER_DEA)
    page.get_by_label("Supplier's address").fill("1809 Wilson Rd, Columbus OH")
    page.get_by_label("Invoice number").fill("INV-2026-1")
    page.get_by_role("button", name="Record the receipt").click()
    expect(page.get_by_text("Receipt recorded as entry 1.")).to_be_visible()
    expect(page.locator("#balance-after")).to_contain_text("20 mL at Treatment cart")

    page.goto("/ledger/administer/")
    page.get_by_label("Patient").select_option(label=world.patient.full_name)
    page.get_by_label("Lot").select_option(index=1)
    page.get_by_label("Taken from").select_option(label="Treatment cart")
    page.get_by_label("Quantity administered").fill("1.5")
    page.get_by_role("button", name="Record the administration").click()
    expect(page.get_by_text("Administration recorded as entry 2.")).to_be_visible()
    expect(page.locator("#balance-after")).to_contain_text("18.5 mL")

    page.goto("/ledger/waste/")
    page.get_by_label("Lot").select_option(index=1)
    page.get_by_label("Taken from").select_option(label="Treatment cart")
    page.get_by_label("Quantity wasted").fill("0.5")
    page.get_by_label("Reason").fill("Remainder of the vial after the dose")
    page.locator("#id_witness").select_option(value=str(world.prescriber.pk))
    page.get_by_label("Witness's password").fill(PASSWORD)
    page.get_by_role("button", name="Record the waste").click()
    expect(page.get_by_text("Waste recorded as entry 3.")).to_be_visible()
    expect(page.locator("#balance-after")).to_contain_text("18 mL")

    page.get_by_role("navigation", name="Record").get_by_role("link", name="Count").click()
    page.get_by_label("Location to count").select_option(label="Treatment cart")
    page.get_by_label("Kind of count").select_option(value="shift")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(re.compile(r"lot KET-E2E")).fill("18")
    page.locator("#id_second_counter").select_option(value=str(world.prescriber.pk))
    page.get_by_label("Second counter's password").fill(PASSWORD)
    page.get_by_role("button", name="Record the count").click()
    expect(page.get_by_text("Count recorded: it matches the book.")).to_be_visible()

    page.get_by_role("navigation", name="Ledger").get_by_role(
        "link", name="Running balance"
    ).click()
    page.get_by_label("Lot").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Running balance")
    table = page.locator("table.report-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").nth(2)).to_contain_text("18")
    expect(page.get_by_text("18 mL (900 mg)")).to_be_visible()
    assert console_errors == []
