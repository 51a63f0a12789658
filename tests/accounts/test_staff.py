"""The staff page: the clinic's users, invitations by email (link to choose a password, once,
expiring), deactivation. Administrators only, within their own clinic."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketacare.accounts import services
from ketacare.accounts.models import Role, User
from ketacare.audit.models import AuditEvent
from ketacare.core.models import OutgoingEmail
from tests.accounts.conftest import link_in
from tests.factories import UserFactory

PASSWORD = "a-long-enough-passphrase-7"


def _invite(client, capture, **fields):
    data = {"full_name": "Mary Seacole", "email": "mary@example.org", "role": "clinician"}
    data.update(fields)
    with capture(execute=True):
        return client.post("/accounts/staff/", data)


def _accept(client, link, password=PASSWORD):
    landing = client.get(link)
    assert landing.status_code == 302
    return client.post(landing["Location"], {"new_password1": password, "new_password2": password})


# --- The list


def test_the_admin_sees_the_clinics_staff_with_mfa_and_last_sign_in(
    world, client_for, django_assert_max_num_queries
):
    TOTPDevice.objects.create(user=world.prescriber, name="phone", confirmed=True)
    client = client_for(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get("/accounts/staff/")
    assert response.status_code == 200
    rows = {u.email: u for u in response.context["page"].object_list}
    assert set(rows) == {"admin@example.org", "prescriber@example.org", "clinician@example.org",
                         "monitor@example.org"}  # fmt: skip
    assert rows["prescriber@example.org"].mfa_enrolled is True
    assert rows["clinician@example.org"].mfa_enrolled is False
    html = response.content.decode()
    assert "outsider@example.org" not in html  # another clinic
    assert "pat@example.org" not in html  # patients only when asked for
    assert "At-home monitor" in html


def test_the_admin_can_list_the_patient_logins_and_it_is_audited(world, client_for):
    response = client_for(world.admin).get("/accounts/staff/?role=patient")
    assert [u.email for u in response.context["page"].object_list] == ["pat@example.org"]
    assert AuditEvent.objects.filter(action="list", detail__startswith="patient logins").exists()


def test_the_list_is_paginated_and_ignores_an_unknown_filter(world, client_for):
    UserFactory.create_batch(3, clinic=world.clinic, role=Role.CLINICIAN)
    client = client_for(world.admin)
    assert client.get("/accounts/staff/?role=bogus&page=99").status_code == 200


@pytest.mark.parametrize(
    "persona", ["prescriber", "clinician", "monitor", "patient_user", "outsider"]
)
def test_only_administrators_see_the_staff_page(world, client_for, persona):
    client = client_for(world.user(persona))
    assert client.get("/accounts/staff/").status_code == 404
    assert client.post("/accounts/staff/", {"email": "x@example.org"}).status_code == 404
    assert not User.objects.filter(email="x@example.org").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/accounts/staff/")["Location"] == "/accounts/login/?next=/accounts/staff/"


# --- Inviting


def test_inviting_staff_creates_a_passwordless_user_and_emails_a_link(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(world.admin)
    response = _invite(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert b"Invitation sent to mary@example.org" in client.get(response["Location"]).content

    user = User.objects.get(email="mary@example.org")
    assert user.clinic == world.clinic and user.role == Role.CLINICIAN
    assert not user.has_usable_password() and user.is_active and not user.is_staff
    assert not user.mfa_exempt
    event = AuditEvent.objects.get(action="create", object_id=str(user.pk))
    assert event.actor_id == world.admin.pk and event.detail == "invited as clinician"

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["mary@example.org"]
    assert "Riverside Ketamine Clinic" in message.subject
    assert link_in(message).startswith("/accounts/invitation/")
    assert message.alternatives[0][1] == "text/html"


def test_the_invitation_link_is_on_the_address_the_admin_used_else_site_url(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SITE_URL = "https://configured.example"
    _invite(client_for(world.admin), django_capture_on_commit_callbacks)
    assert "http://testserver/accounts/invitation/" in mailoutbox[0].body
    # Outside a request (a script, the shell) the configured address is used.
    services.invite_user(
        actor=world.admin, email="rosa@example.org", full_name="Rosa Parks", role=Role.CLINICIAN
    )
    queued = OutgoingEmail.objects.order_by("-id").first()
    assert queued.to == ["rosa@example.org"]
    assert "https://configured.example/accounts/invitation/" in queued.body


def test_an_invited_admin_gets_the_django_admin_flag(
    world, client_for, django_capture_on_commit_callbacks
):
    _invite(client_for(world.admin), django_capture_on_commit_callbacks, role="admin")
    assert User.objects.get(email="mary@example.org").is_staff


def test_a_duplicate_email_is_refused_next_to_the_field(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(world.admin)
    response = _invite(client, django_capture_on_commit_callbacks, email="Outsider@Example.org")
    assert response.status_code == 200
    assert b"An account with this email address already exists." in response.content
    assert b"error-summary" in response.content
    assert not mailoutbox


def test_patient_is_not_a_role_the_staff_form_offers(
    world, client_for, django_capture_on_commit_callbacks
):
    response = _invite(client_for(world.admin), django_capture_on_commit_callbacks, role="patient")
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


def test_the_invited_person_chooses_a_password_and_signs_in(
    world, client, client_for, django_capture_on_commit_callbacks, mailoutbox, sign_in
):
    _invite(client_for(world.admin), django_capture_on_commit_callbacks)
    client.logout()
    link = link_in(mailoutbox[0])
    landing = client.get(link, follow=True)
    assert b"Welcome, Mary" in landing.content

    done = _accept(client, link)
    assert done["Location"] == "/accounts/login/"
    assert b"Your password is set" in client.get("/accounts/login/").content
    user = User.objects.get(email="mary@example.org")
    assert AuditEvent.objects.filter(
        actor_id=user.pk, detail="password set from invitation"
    ).exists()

    assert sign_in("mary@example.org", password=PASSWORD)["Location"] == "/"
    assert client.get("/").status_code == 200  # first sign-in: MFA not yet required


def test_the_invitation_link_works_once(
    world, client, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    _invite(client_for(world.admin), django_capture_on_commit_callbacks)
    client.logout()
    link = link_in(mailoutbox[0])
    _accept(client, link)
    again = client.get(link, follow=True)
    assert b"This invitation link no longer works" in again.content


def test_the_invitation_link_expires(
    world, client, client_for, django_capture_on_commit_callbacks, mailoutbox, settings
):
    _invite(client_for(world.admin), django_capture_on_commit_callbacks)
    client.logout()
    link = link_in(mailoutbox[0])
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        assert b"This invitation link no longer works" in client.get(link, follow=True).content


def test_the_password_must_pass_the_validators(
    world, client, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    _invite(client_for(world.admin), django_capture_on_commit_callbacks)
    client.logout()
    response = _accept(client, link_in(mailoutbox[0]), password="mary@example.org")
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert not User.objects.get(email="mary@example.org").has_usable_password()


def test_an_invitation_can_be_sent_again_until_accepted(
    world, client_for, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(world.admin)
    _invite(client, django_capture_on_commit_callbacks)
    user = User.objects.get(email="mary@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accounts/staff/{user.pk}/resend-invitation/")
    assert len(mailoutbox) == 2
    # Someone who already has a password gets no invitation.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/staff/{world.clinician.pk}/resend-invitation/")
    assert len(mailoutbox) == 2
    assert b"has already set a password" in client.get(response["Location"]).content


# --- Deactivating


def test_the_admin_deactivates_a_user_who_is_then_signed_out(world, client_for):
    victim = Client()
    victim.force_login(world.clinician)
    assert victim.get("/patients/").status_code == 200

    admin = client_for(world.admin)
    response = admin.post(f"/accounts/staff/{world.clinician.pk}/deactivate/")
    assert response.status_code == 302
    world.clinician.refresh_from_db()
    assert not world.clinician.is_active
    assert AuditEvent.objects.filter(
        object_id=str(world.clinician.pk), detail="deactivated"
    ).exists()
    assert victim.get("/patients/").status_code == 302  # their session no longer works

    admin.post(f"/accounts/staff/{world.clinician.pk}/reactivate/")
    world.clinician.refresh_from_db()
    assert world.clinician.is_active


def test_an_admin_cannot_deactivate_themselves(world, client_for):
    client = client_for(world.admin)
    response = client.post(f"/accounts/staff/{world.admin.pk}/deactivate/", follow=True)
    assert b"You cannot deactivate your own account." in response.content
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_an_admin_cannot_touch_another_clinics_users(world, client_for):
    client = client_for(world.admin)
    assert client.post(f"/accounts/staff/{world.outsider.pk}/deactivate/").status_code == 404
    world.outsider.refresh_from_db()
    assert world.outsider.is_active


def test_deactivation_is_a_post(world, client_for):
    assert (
        client_for(world.admin).get(f"/accounts/staff/{world.clinician.pk}/deactivate/").status_code
        == 405
    )
