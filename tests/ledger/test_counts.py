"""Counts by two staff members; a discrepancy opens an investigation that an administrator
resolves with an explanation and an adjustment entry; patterns are summarised per staff."""

from decimal import Decimal

from ketacare.ledger.models import InventoryCount, Investigation, LedgerEntry, StockBalance
from tests.factories import PASSWORD


def count_url(stock, kind="shift"):
    return f"/ledger/counts/new/?location={stock.safe.pk}&kind={kind}"


def test_a_matching_count_by_two_staff_opens_no_investigation(world, stock, client_for):
    client = client_for(world.clinician)
    page = client.get(count_url(stock))
    assert page.status_code == 200 and b"KET-001" in page.content
    response = client.post(
        count_url(stock),
        {
            f"lot_{stock.lot.pk}": "50",
            "second_counter": world.prescriber.pk,
            "second_counter_password": PASSWORD,
        },
    )
    assert response.status_code == 302
    count = InventoryCount.objects.filter(kind="shift").get()
    assert count.second_counter == world.prescriber and count.dea_registration
    assert not Investigation.objects.exists()


def test_a_count_needs_the_second_counters_own_password(world, stock, client_for):
    before = InventoryCount.objects.count()
    response = client_for(world.clinician).post(
        count_url(stock),
        {
            f"lot_{stock.lot.pk}": "50",
            "second_counter": world.prescriber.pk,
            "second_counter_password": "wrong-password-here",
        },
    )
    assert response.status_code == 400
    assert b"password" in response.content
    assert InventoryCount.objects.count() == before


def test_a_discrepancy_opens_an_investigation_resolved_by_an_admin(world, stock, client_for):
    response = client_for(world.clinician).post(
        count_url(stock),
        {
            f"lot_{stock.lot.pk}": "49.5",
            "second_counter": world.prescriber.pk,
            "second_counter_password": PASSWORD,
        },
    )
    assert response.status_code == 302
    investigation = Investigation.objects.get()
    assert investigation.status == "open" and investigation.count_line.difference == Decimal("-0.5")
    url = f"/ledger/investigations/{investigation.pk}/"
    # A clinician may read it but not resolve it.
    assert client_for(world.clinician).get(url).status_code == 200
    assert client_for(world.clinician).post(url, {"explanation": "x"}).status_code == 404
    # The explanation is required.
    assert client_for(world.admin).post(url, {"explanation": ""}).status_code == 400
    response = client_for(world.admin).post(
        url, {"explanation": "Spill during draw-up, unrecorded"}
    )
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.status == "resolved" and investigation.resolved_by == world.admin
    adjustment = investigation.adjustment
    assert adjustment.kind == "adjustment" and adjustment.quantity == Decimal("-0.5")
    assert StockBalance.objects.get(lot=stock.lot, location=stock.safe).quantity == Decimal("49.5")
    # Resolving twice is refused.
    again = client_for(world.admin).post(url, {"explanation": "again"})
    assert again.status_code in (400, 200)
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 1


def test_the_staff_summary_shows_waste_and_discrepancies_per_person(world, stock, client_for):
    from ketacare.ledger import services
    from tests.ledger.conftest import count_location

    services.record_waste(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        quantity="0.4",
        reason="remainder",
        witness=world.prescriber,
        witness_password=PASSWORD,
    )
    count_location(world, stock.safe, {stock.lot.pk: Decimal("49")})
    response = client_for(world.admin).get("/ledger/reports/staff/")
    assert response.status_code == 200
    rows = {row[0]: row for row in response.context["report"].sections[0].rows}
    nurse = rows[world.clinician.full_name]
    assert nurse[2] == "1" and nurse[3] == "20"  # one waste, 20 mg
    assert nurse[5] == "1" and nurse[6] == "30"  # one discrepancy of 0.6 mL = 30 mg
    assert rows[world.prescriber.full_name][4] == "1"  # witnessed one waste
    csv = client_for(world.admin).get("/ledger/reports/staff/?format=csv")
    assert (
        csv["Content-Type"].startswith("text/csv")
        and world.clinician.full_name in csv.content.decode()
    )


def test_a_biennial_inventory_report_has_the_date_and_time_of_the_count(world, stock, client_for):
    from tests.ledger.conftest import count_location

    count = count_location(world, stock.safe, kind="biennial")
    page = client_for(world.admin).get(f"/ledger/counts/{count.pk}/")
    assert b"Date and time of count" in page.content and b"Biennial inventory" in page.content
    pdf = client_for(world.admin).get(f"/ledger/counts/{count.pk}/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    index = client_for(world.admin).get("/ledger/reports/")
    assert b"the next is due by" in index.content
