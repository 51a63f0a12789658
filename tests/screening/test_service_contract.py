"""The screening services ask the one policy and speak the domain's errors: the wrong role or
someone else's patient is `NotFound`, a rule the workflow refuses is a `Refusal` with its
field and code, and a signature's address comes from the audit context, not a request."""

from __future__ import annotations

import pytest

from ketacare.core.context import audit_context
from ketacare.core.errors import NotFound, Refusal
from ketacare.screening import services
from ketacare.screening.models import Screening


def test_only_the_patient_starts_their_own_intake(world):
    for actor in (world.clinician, world.admin, world.monitor, world.outsider_patient_user):
        with pytest.raises(NotFound, match="No such patient."):
            services.start_intake(actor=actor, patient=world.patient)
    assert not Screening.objects.filter(patient=world.patient).exists()
    assert services.start_intake(actor=world.patient_user, patient=world.patient).pk


def test_a_re_screening_is_clinical_staff_work_in_their_own_clinic(world):
    for actor in (world.patient_user, world.admin, world.outsider):
        with pytest.raises(NotFound):
            services.start_screening(actor=actor, patient=world.patient)
    services.start_screening(actor=world.clinician, patient=world.patient)
    with pytest.raises(Refusal) as refused:
        services.start_screening(actor=world.prescriber, patient=world.patient)
    assert refused.value.message == "This patient already has a screening in progress."
    assert refused.value.code == "screening_in_progress"


def test_settings_are_the_administrators_and_a_refusal_names_its_field(world):
    with pytest.raises(NotFound, match="Page not found."):
        services.update_screening_settings(actor=world.prescriber, overdue_after_days=3)
    with pytest.raises(Refusal) as refused:
        services.update_screening_settings(actor=world.admin, intake_instruments=["nope"])
    assert (refused.value.field, refused.value.message) == (
        "intake_instruments",
        "Unknown instrument.",
    )
    assert refused.value.detail == "intake_instruments: Unknown instrument."


def test_a_signature_keeps_the_address_of_the_audit_context(world, consents):
    document = consents["treatment"]
    with audit_context(ip="198.51.100.7", path="/screening/consent/treatment/"):
        signature = services.sign_consent(
            actor=world.patient_user,
            patient=world.patient,
            document=document,
            typed_name="  Ada   Lovelace ",
            agreed=True,
            user_agent="Reader/2.0",
        )
    assert (signature.ip, signature.user_agent, signature.typed_name) == (
        "198.51.100.7",
        "Reader/2.0",
        "Ada Lovelace",
    )
    with pytest.raises(NotFound):
        services.sign_consent(
            actor=world.clinician,
            patient=world.patient,
            document=document,
            typed_name="Ada Lovelace",
            agreed=True,
        )
