"""Waiting-list emails leave through the outbox: written with the change that causes them,
sent by the worker, retried when the mail server fails, never sent for a change that was
rolled back, and picked up by the minute's sweep if a hand-over was missed."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from ketacare.core import delivery
from ketacare.core.models import OutgoingEmail
from ketacare.core.tasks import sweep_outbox
from ketacare.waitlist.models import WaitlistEntry

from .conftest import html_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server_down(monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    return monkeypatch


def test_the_email_is_sent_and_leaves_the_outbox(world, site, mailoutbox):
    site.api_signup()
    assert len(mailoutbox) == 1
    assert "Hello Alex" in mailoutbox[0].body and "Hello Alex" in html_of(mailoutbox[0])
    assert not OutgoingEmail.objects.exists()


def test_a_failed_send_is_retried_later(world, site, mailoutbox, mail_server_down):
    site.api_signup()
    assert mailoutbox == []
    email = OutgoingEmail.objects.get()
    assert email.attempts == 1 and "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at > timezone.now()
    mail_server_down.undo()
    sweep_outbox.call_local()
    assert mailoutbox == []  # not yet: its retry time has not come
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert sweep_outbox.call_local() == 1
    assert mailoutbox[0].subject.startswith("Confirm your place")
    assert not OutgoingEmail.objects.exists()


def test_after_repeated_failures_it_gives_up_and_says_so(world, site, mail_server_down, caplog):
    site.api_signup()
    later = timezone.now()
    for minutes in delivery.BACKOFF_MIN:
        later += dt.timedelta(minutes=minutes + 1)
        with time_machine.travel(later):
            sweep_outbox.call_local()
    email = OutgoingEmail.objects.get()
    assert email.failed and email.attempts == len(delivery.BACKOFF_MIN) + 1
    assert "Gave up sending email" in caplog.text


def test_a_signup_that_is_rolled_back_sends_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from ketacare.waitlist import services
    from ketacare.waitlist.forms import SignupForm

    from .conftest import form_data

    form = SignupForm(form_data())
    assert form.is_valid()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.signup(data=form.cleaned_data, source="form")
            raise RuntimeError("the request failed after the sign-up")
    assert not WaitlistEntry.objects.exists()
    assert not OutgoingEmail.objects.exists() and mailoutbox == []


def test_the_sweep_sends_what_no_kick_announced(world, mailoutbox):
    OutgoingEmail.objects.create(
        to=["a@example.org"], subject="Hi", body="Hello", html="", next_attempt_at=timezone.now()
    )
    assert sweep_outbox.call_local() == 1
    assert mailoutbox[0].to == ["a@example.org"]


def test_an_email_claimed_by_another_worker_is_left_to_it(world, mailoutbox):
    OutgoingEmail.objects.create(
        to=["a@example.org"],
        subject="Hi",
        body="Hello",
        html="",
        next_attempt_at=timezone.now(),
        claimed_until=timezone.now() + dt.timedelta(minutes=5),
    )
    assert sweep_outbox.call_local() == 0 and mailoutbox == []


def test_a_mail_server_that_refuses_connections_counts_as_a_failed_attempt(
    world, site, monkeypatch, mailoutbox
):
    def refuse(self):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(EmailBackend, "open", refuse, raising=False)
    site.api_signup()
    email = OutgoingEmail.objects.get()
    assert email.attempts == 1 and "ConnectionRefusedError" in email.last_error
    assert not email.claim and mailoutbox == []
