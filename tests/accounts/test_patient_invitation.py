"""Inviting a patient to the portal from their record: a patient login linked to the record,
which then shows them their own record and nothing else."""

import pytest

from ketacare.accounts.models import Role, User
from ketacare.audit.models import AuditEvent
from tests.accounts.conftest import link_in
from tests.factories import PatientFactory

PASSWORD = "grace-picks-a-passphrase-9"


def _invite(client, capture, patient):
    with capture(execute=True):
        return client.post(f"/accounts/patients/{patient.pk}/invite/")


def test_the_record_page_offers_the_invitation_to_staff(world, client_for):
    page = client_for(world.clinician).get(f"/patients/{world.other_patient.pk}/")
    assert b"Invite to the patient portal" in page.content
    assert f'action="/accounts/patients/{world.other_patient.pk}/invite/"'.encode() in page.content
    # Ada already has a login: no button.
    linked = client_for(world.clinician).get(f"/patients/{world.patient.pk}/")
    assert b"Invite to the patient portal" not in linked.content


def test_staff_invite_a_patient_who_then_sees_only_their_own_record(
    world, client, client_for, django_capture_on_commit_callbacks, mailoutbox, sign_in
):
    grace = world.other_patient
    response = _invite(client_for(world.clinician), django_capture_on_commit_callbacks, grace)
    assert response["Location"] == f"/patients/{grace.pk}/"

    grace.refresh_from_db()
    user = grace.user
    assert user.email == grace.email and user.role == Role.PATIENT
    assert user.clinic == world.clinic and user.full_name == "Grace Hopper"
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action="create", object_id=str(user.pk))
    assert event.patient_id == grace.pk and event.actor_id == world.clinician.pk

    message = mailoutbox[0]
    assert message.to == [grace.email]
    assert "patient portal" in message.subject

    client.logout()
    landing = client.get(link_in(message))
    client.post(landing["Location"], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert sign_in(grace.email, password=PASSWORD)["Location"] == "/"
    own = client.get("/patients/me/")
    assert own.status_code == 200 and b"Hopper" in own.content
    assert client.get(f"/patients/{world.patient.pk}/").status_code == 404


def test_a_patient_without_an_email_cannot_be_invited(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    nobody = PatientFactory(clinic=world.clinic, email="")
    client = client_for(world.clinician)
    response = _invite(client, django_capture_on_commit_callbacks, nobody)
    assert b"Add the patient&#x27;s email address first" in client.get(response["Location"]).content
    assert not mailoutbox
    nobody.refresh_from_db()
    assert nobody.user is None


def test_a_patient_with_a_login_is_not_invited_twice(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(world.clinician)
    response = _invite(client, django_capture_on_commit_callbacks, world.patient)
    assert b"already has a portal account" in client.get(response["Location"]).content
    assert not mailoutbox


def test_an_email_already_used_by_an_account_is_refused(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    clash = PatientFactory(clinic=world.clinic, email="Prescriber@example.org")
    client = client_for(world.clinician)
    response = _invite(client, django_capture_on_commit_callbacks, clash)
    assert b"already exists" in client.get(response["Location"]).content
    assert User.objects.filter(email__iexact="prescriber@example.org").count() == 1
    assert not mailoutbox


@pytest.mark.parametrize("persona", ["outsider", "monitor", "patient_user"])
def test_only_staff_who_may_edit_the_record_can_invite(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox, persona
):
    client = client_for(world.user(persona))
    response = _invite(client, django_capture_on_commit_callbacks, world.other_patient)
    assert response.status_code == 404
    world.other_patient.refresh_from_db()
    assert world.other_patient.user is None
    assert not mailoutbox


def test_inviting_is_a_post(world, client_for):
    response = client_for(world.clinician).get(
        f"/accounts/patients/{world.other_patient.pk}/invite/"
    )
    assert response.status_code == 405
