"""Password reset by email: the email is rendered in the request, stored in the outbox and
sent by the worker once the request commits (inline in tests; see test_email_worker.py for a
real consumer). The page never tells whether
an address has an account."""

import datetime as dt

import time_machine
from django.test import TestCase

from ketacare.audit.models import AuditEvent
from tests.accounts.conftest import link_in

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _request_reset(client, email):
    """POST the reset form as a request would: committed, so the outbox is sent."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/accounts/password-reset/", {"email": email})


def _choose_password(client, link, password=NEW_PASSWORD):
    landing = client.get(link)
    assert landing.status_code == 302  # the token moves into the session, out of the URL
    form_url = landing["Location"]
    assert form_url.endswith("/set-password/")
    assert b"Choose a new password" in client.get(form_url).content
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_reset_by_email_end_to_end(world, client, mailoutbox, sign_in):
    response = _request_reset(client, "Clinician@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert b"Check your email" in client.get(response["Location"]).content

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [world.clinician.email]
    assert message.subject == "Reset your KetaCare password"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Choose a new password" in html
    link = link_in(message)
    assert link.startswith("/accounts/password-reset/")
    assert link in html

    done = _choose_password(client, link)
    assert done["Location"] == "/accounts/password-reset/done/"
    assert AuditEvent.objects.filter(
        actor_id=world.clinician.pk, detail="password reset by email"
    ).exists()

    assert sign_in(world.clinician).status_code == 200  # the old password no longer works
    assert sign_in(world.clinician, password=NEW_PASSWORD)["Location"] == "/"


def test_the_reset_link_works_once(world, client, mailoutbox):
    _request_reset(client, world.clinician.email)
    link = link_in(mailoutbox[0])
    _choose_password(client, link)

    again = client.get(link, follow=True)
    assert again.status_code == 200
    assert b"This link no longer works" in again.content
    assert b"new_password1" not in again.content


def test_the_reset_link_expires(world, client, mailoutbox, settings):
    _request_reset(client, world.clinician.email)
    link = link_in(mailoutbox[0])
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        assert b"This link no longer works" in client.get(link, follow=True).content


def test_an_unknown_address_gets_the_same_answer_and_no_email(world, client, mailoutbox):
    known = _request_reset(client, world.clinician.email)
    unknown = _request_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mailoutbox) == 1


def test_a_new_password_must_pass_the_validators(world, client, mailoutbox):
    _request_reset(client, world.clinician.email)
    response = _choose_password(client, link_in(mailoutbox[0]), password="short")
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert b"too short" in response.content


def test_a_reset_lifts_a_lockout(world, client, mailoutbox, sign_in):
    for _ in range(5):
        sign_in(world.clinician, password="wrong-password-0")
    assert sign_in(world.clinician).status_code == 429
    _request_reset(client, world.clinician.email)
    _choose_password(client, link_in(mailoutbox[0]))
    assert sign_in(world.clinician, password=NEW_PASSWORD)["Location"] == "/"


def test_an_invalid_email_is_explained_next_to_the_field(client, db, mailoutbox):
    response = _request_reset(client, "not-an-email")
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert not mailoutbox
