"""The service contract every app follows: the policy answers for role and object together,
refusals land on forms and in the API as `{"detail": ...}`, and the audit context carries
who and where into the rows services write without their taking the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from ketacare.audit.log import record
from ketacare.audit.models import AuditEvent
from ketacare.core import policy
from ketacare.core.context import audit_context, current
from ketacare.core.errors import NotFound, Refusal
from ketacare.core.views import submit
from ketacare.patients.selectors import get_patient_for


@pytest.mark.parametrize(
    ("persona", "sees_patient", "sees_other_patient"),
    [
        ("patient_user", True, False),  # only their own record
        ("monitor", True, False),  # only the patient they sit for
        ("clinician", True, True),
        ("prescriber", True, True),
        ("admin", True, True),
        ("outsider", False, False),  # another clinic's clinician
        ("outsider_patient_user", False, False),
    ],
)
def test_view_patient_needs_the_role_and_the_object(
    world, persona, sees_patient, sees_other_patient
):
    user = world.user(persona)
    assert policy.can(user, policy.VIEW_PATIENT, world.patient) is sees_patient
    assert policy.can(user, policy.VIEW_PATIENT, world.other_patient) is sees_other_patient


def test_a_role_outside_the_table_is_refused_even_for_its_own_clinic(world):
    assert policy.can(world.prescriber, policy.PRESCRIBE, world.patient)
    assert not policy.can(world.clinician, policy.PRESCRIBE, world.patient)
    with pytest.raises(NotFound):
        policy.require(world.clinician, policy.PRESCRIBE, world.patient)


def test_objects_that_belong_to_a_patient_are_scoped_through_that_patient(world):
    weight = world.patient.weights.create(
        weight_kg="70.0", measured_on=dt.date(2026, 1, 5), recorded_by=world.clinician
    )
    assert policy.can(world.patient_user, policy.VIEW_PATIENT, weight)
    assert not policy.can(world.outsider, policy.VIEW_PATIENT, weight)


def test_the_clinic_itself_is_only_its_staffs(world):
    assert policy.can(world.admin, policy.MANAGE_CLINIC, world.clinic)
    assert not policy.can(world.admin, policy.MANAGE_CLINIC, world.other_clinic)


def test_an_inactive_user_may_do_nothing(world):
    world.clinician.is_active = False
    assert not policy.can(world.clinician, policy.VIEW_PATIENT, world.patient)
    assert list(policy.scope_patients(world.clinician, type(world.patient).objects.all())) == []


def test_a_refused_patient_lookup_is_not_found_and_audited(world):
    with pytest.raises(NotFound):
        get_patient_for(world.outsider, world.patient.pk)
    row = AuditEvent.objects.order_by("-id").first()
    assert (row.outcome, row.actor_id, row.object_id) == (
        "denied",
        world.outsider.pk,
        str(world.patient.pk),
    )


class _DoseForm(forms.Form):
    dose_mg = forms.IntegerField()


def test_submit_puts_a_refusal_next_to_its_field():
    def refuse(data):
        raise Refusal("Above the protocol's maximum.", field="dose_mg", code="dose_above_max")

    form = _DoseForm({"dose_mg": "90"})
    outcome = submit(form, refuse)
    assert not outcome.ok and outcome.refusal.code == "dose_above_max"
    assert form.errors["dose_mg"] == ["Above the protocol's maximum."]


def test_submit_puts_a_refusal_without_a_known_field_at_the_top():
    form = _DoseForm({"dose_mg": "90"})
    submit(form, lambda data: (_ for _ in ()).throw(Refusal("Session closed.", field="nope")))
    assert form.non_field_errors() == ["Session closed."]


def test_submit_does_not_call_the_service_for_an_invalid_form():
    called = []
    outcome = submit(_DoseForm({"dose_mg": "lots"}), called.append)
    assert not outcome.ok and outcome.refusal is None and called == []


def test_submit_returns_the_service_result():
    assert submit(_DoseForm({"dose_mg": "5"}), lambda data: data["dose_mg"] * 2).result == 10


def test_refusal_json_names_its_field_and_codes():
    body = Refusal("Too high.", field="dose_mg", code="dose_above_max", codes=["x"]).as_json()
    assert body["detail"] == "dose_mg: Too high."
    assert body["errors"] == {"dose_mg": ["Too high."]} and body["codes"] == ["x"]


def test_the_cli_context_reaches_the_audit_row(world):
    with audit_context(actor=world.admin, path="cli:audit verify"):
        event = record(action="view", obj=("audit.AuditEvent", ""))
    assert (event.actor_id, event.path, event.ip) == (world.admin.pk, "cli:audit verify", None)
    assert current().path == ""  # and it ends with the block


def test_a_request_sets_the_context_for_the_services_it_calls(world, client_for):
    client = client_for(world.clinician)
    response = client.get(f"/patients/{world.patient.pk}/", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32
    row = AuditEvent.objects.filter(patient_id=world.patient.pk).order_by("-id").first()
    assert (row.actor_id, row.ip, row.path) == (
        world.clinician.pk,
        "203.0.113.9",
        f"/patients/{world.patient.pk}/",
    )


def test_an_api_refusal_is_json_with_its_detail(world, client_for):
    client = client_for(world.outsider)
    response = client.get(f"/api/v1/patients/{world.patient.pk}")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
