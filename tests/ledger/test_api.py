"""The read-only ledger API at /api/v1/ledger/: admins and prescribers only, audited."""

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.ledger import services


@pytest.fixture
def dosed(world, stock):
    services.record_administration(
        actor=world.clinician,
        lot=stock.lot,
        location=stock.safe,
        patient=world.patient,
        quantity="2",
    )
    return stock


@pytest.mark.parametrize("persona", ["admin", "prescriber"])
def test_admins_and_prescribers_read_balances_and_entries(world, dosed, client_for, persona):
    client = client_for(world.user(persona))
    balances = client.get("/api/v1/ledger/balances").json()
    assert balances[0]["quantity"] in ("48.000", 48, "48")
    entries = client.get("/api/v1/ledger/entries", {"kind": "administration"}).json()
    assert len(entries) == 1 and entries[0]["patient_id"] == world.patient.pk
    assert entries[0]["dea_registration"] == world.clinic.dea_registration
    one = client.get(f"/api/v1/ledger/entries/{entries[0]['id']}").json()
    assert one["hash"] == entries[0]["hash"]
    history = client.get(f"/api/v1/ledger/patients/{world.patient.pk}/history").json()
    assert [e["kind"] for e in history] == ["administration"]
    assert AuditEvent.objects.filter(patient_id=world.patient.pk, detail__startswith="api").exists()


@pytest.mark.parametrize("persona", ["clinician", "monitor", "patient_user", "outsider"])
def test_everyone_else_gets_404(world, dosed, client_for, persona):
    client = client_for(world.user(persona))
    assert client.get("/api/v1/ledger/entries").status_code == 404
    assert client.get("/api/v1/ledger/balances").status_code == 404


def test_anonymous_callers_get_401(world, dosed, client_for):
    assert client_for(None).get("/api/v1/ledger/entries").status_code == 401


def test_the_api_is_read_only(world, dosed, client_for):
    response = client_for(world.admin).post(
        "/api/v1/ledger/entries", {}, content_type="application/json"
    )
    assert response.status_code == 405


def test_the_period_report_over_the_api(world, dosed, client_for):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    body = (
        client_for(world.admin)
        .get("/api/v1/ledger/reports/period", {"date_from": today, "date_to": today})
        .json()
    )
    assert body["sections"][0]["rows"][0][1] == "KET-001"
    bad = client_for(world.admin).get(
        "/api/v1/ledger/reports/period", {"date_from": today, "date_to": "2000-01-01"}
    )
    assert bad.status_code == 422
