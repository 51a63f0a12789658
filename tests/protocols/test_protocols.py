"""Clinic protocols: the reference defaults for every clinic, edits as new versions that may
be stricter but never looser than the reference, and who may read or edit them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ketacare.audit.models import AuditEvent
from ketacare.clinical.dosing import DEFAULT_PROTOCOLS
from ketacare.protocols import selectors
from ketacare.protocols.models import ClinicProtocol, ProtocolVersionError
from tests.factories import ClinicFactory


def form_for(protocol, **changes):
    from ketacare.protocols.forms import caps_as_text

    data = {
        "title": protocol.title,
        "standard_dose": protocol.standard_dose,
        "max_dose": protocol.max_dose,
        "override_ceiling": protocol.override_ceiling,
        "min_interval_hours": protocol.min_interval_hours,
        "frequency_caps": caps_as_text(protocol.frequency_caps),
        "observation_minutes": protocol.observation_minutes,
        "vitals_interval_minutes": protocol.vitals_interval_minutes,
        "active": "on",
        "change_note": "Clinic policy review.",
    }
    if protocol.infusion_minutes:
        data["infusion_minutes"] = protocol.infusion_minutes
    if protocol.first_session_dose is not None:
        data["first_session_dose"] = protocol.first_session_dose
    if protocol.allowed_doses:
        data["allowed_doses"] = ", ".join(f"{d:g}" for d in protocol.allowed_doses)
    data.update(changes)
    if data.get("active") is None:
        data.pop("active")
    return data


def test_every_clinic_starts_with_the_five_reference_protocols(world):
    for clinic in (world.clinic, world.other_clinic):
        codes = set(selectors.current_protocols(clinic.pk).values_list("code", flat=True))
        assert codes == set(DEFAULT_PROTOCOLS)
    iv = selectors.current_version(world.clinic.pk, "iv-depression")
    assert iv.version == 1 and iv.as_protocol() == DEFAULT_PROTOCOLS["iv-depression"]
    esk = selectors.current_version(world.clinic.pk, "esketamine-nasal").as_protocol()
    assert esk == DEFAULT_PROTOCOLS["esketamine-nasal"]


def test_a_new_clinic_gets_the_reference_protocols_when_it_is_created(db):
    clinic = ClinicFactory()
    assert ClinicProtocol.objects.filter(clinic=clinic, version=1).count() == len(DEFAULT_PROTOCOLS)


def test_the_command_loads_missing_defaults_and_lists_them(world):
    from ketacare.accounts.models import Clinic

    # bulk_create sends no post_save: a clinic made behind the application's back.
    (bare,) = Clinic.objects.bulk_create([Clinic(name="Lakeside", slug="lakeside")])
    assert not ClinicProtocol.objects.filter(clinic__slug="lakeside").exists()
    out = StringIO()
    call_command("protocols", "--load-defaults", stdout=out)
    assert ClinicProtocol.objects.filter(clinic__slug="lakeside").count() == len(DEFAULT_PROTOCOLS)
    assert "Lakeside: loaded" in out.getvalue()
    assert "iv-depression" in out.getvalue()
    call_command("protocols", "--load-defaults", stdout=StringIO())
    assert ClinicProtocol.objects.count() == 3 * len(DEFAULT_PROTOCOLS)


def test_a_saved_version_cannot_be_changed(world):
    protocol = selectors.current_version(world.clinic.pk, "iv-depression")
    protocol.title = "Changed"
    with pytest.raises(ProtocolVersionError):
        protocol.save()


def test_an_admin_saves_a_stricter_edit_as_a_new_version(world, client_for):
    protocol = selectors.current_version(world.clinic.pk, "iv-depression")
    url = reverse("protocols:edit", args=["iv-depression"])
    response = client_for(world.admin).post(
        url,
        form_for(
            protocol,
            max_dose="0.8",
            observation_minutes="90",
            vitals_interval_minutes="10",
        ),
    )
    assert response.status_code == 302
    current = selectors.current_version(world.clinic.pk, "iv-depression")
    assert current.version == 2 and current.created_by == world.admin
    assert current.as_protocol().max_dose == 0.8 and current.observation_minutes == 90
    assert current.vitals_interval_minutes == 10
    assert ClinicProtocol.objects.get(pk=protocol.pk).max_dose == protocol.max_dose
    assert AuditEvent.objects.filter(
        model="protocols.ClinicProtocol", object_id=str(current.pk), actor_id=world.admin.pk
    ).exists()
    assert selectors.current_version(world.other_clinic.pk, "iv-depression").version == 1


@pytest.mark.parametrize(
    ("code", "changes", "field", "message"),
    [
        (
            "iv-depression",
            {"override_ceiling": "2.0", "max_dose": "2.0"},
            "override_ceiling",
            "exceeds the reference ceiling of 1.5 mg/kg",
        ),
        ("iv-depression", {"min_interval_hours": "12"}, "min_interval_hours", "at least 24 hours"),
        (
            "iv-depression",
            {"observation_minutes": "30"},
            "observation_minutes",
            "at least 60 minutes",
        ),
        ("iv-depression", {"infusion_minutes": "20"}, "infusion_minutes", "at least 40 minutes"),
        ("iv-depression", {"frequency_caps": "1+: 5"}, "frequency_caps", "allowed 1 to 3"),
        (
            "esketamine-nasal",
            {"allowed_doses": "56, 112"},
            "allowed_doses",
            "subset of [56.0, 84.0]",
        ),
        (
            "esketamine-nasal",
            {"observation_minutes": "60"},
            "observation_minutes",
            "at least 120 minutes",
        ),
        (
            "iv-depression",
            {"vitals_interval_minutes": "30"},
            "vitals_interval_minutes",
            "less than or equal to 15",
        ),
    ],
)
def test_limits_looser_than_the_reference_are_refused_with_a_clear_message(
    world, client_for, code, changes, field, message
):
    protocol = selectors.current_version(world.clinic.pk, code)
    response = client_for(world.admin).post(
        reverse("protocols:edit", args=[code]), form_for(protocol, **changes)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert selectors.current_version(world.clinic.pk, code).version == 1


def test_malformed_frequency_caps_are_explained(world, client_for):
    protocol = selectors.current_version(world.clinic.pk, "iv-depression")
    response = client_for(world.admin).post(
        reverse("protocols:edit", args=["iv-depression"]),
        form_for(protocol, frequency_caps="weekly three"),
    )
    assert response.status_code == 400
    assert "one line per phase" in str(response.context["form"].errors["frequency_caps"])
    response = client_for(world.admin).post(
        reverse("protocols:edit", args=["iv-depression"]),
        form_for(protocol, frequency_caps="2+: 3"),
    )
    assert response.status_code == 400
    assert "start at week 1" in str(response.context["form"].errors["frequency_caps"])


def test_an_edit_needs_a_change_note(world, client_for):
    protocol = selectors.current_version(world.clinic.pk, "im-depression")
    response = client_for(world.admin).post(
        reverse("protocols:edit", args=["im-depression"]), form_for(protocol, change_note="")
    )
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["clinician", "prescriber", "outsider", "patient_user"])
def test_only_an_admin_of_the_clinic_may_edit_a_protocol(world, client_for, persona):
    protocol = selectors.current_version(world.clinic.pk, "iv-depression")
    response = client_for(getattr(world, persona)).post(
        reverse("protocols:edit", args=["iv-depression"]), form_for(protocol, max_dose="0.8")
    )
    assert response.status_code == 404
    assert selectors.current_version(world.clinic.pk, "iv-depression").version == 1


def test_staff_read_the_protocols_and_their_history(world, client_for):
    client = client_for(world.clinician)
    response = client.get(reverse("protocols:list"))
    assert response.status_code == 200
    assert b"IV ketamine infusion for depression" in response.content
    response = client.get(reverse("protocols:detail", args=["esketamine-nasal"]))
    assert response.status_code == 200
    assert b"weeks 1-4: 2, weeks 5-8: 1, week 9 on: 1" in response.content
    assert client.get(reverse("protocols:detail", args=["nope"])).status_code == 404
    assert client_for(world.patient_user).get(reverse("protocols:list")).status_code == 404


def test_the_api_lists_the_current_protocols_to_staff_only(world, client_for):
    response = client_for(world.prescriber).get("/api/v1/protocols")
    assert response.status_code == 200
    by_code = {p["code"]: p for p in response.json()}
    assert by_code["iv-depression"]["max_dose"] == 1.0
    assert by_code["iv-depression"]["dose_unit"] == "mg/kg"
    assert by_code["esketamine-nasal"]["allowed_doses"] == [56.0, 84.0]
    versions = client_for(world.admin).get("/api/v1/protocols/iv-depression")
    assert versions.status_code == 200 and versions.json()[0]["version"] == 1
    assert client_for(world.patient_user).get("/api/v1/protocols").status_code == 404
    assert client_for(world.admin).get("/api/v1/protocols/nope").status_code == 404
