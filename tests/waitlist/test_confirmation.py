"""Double opt-in: only a confirmed address is on the list; the link is signed, expires and
works once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.waitlist.models import WaitlistEntry

from .conftest import html_of, link_in

pytestmark = pytest.mark.django_db


def test_opening_the_link_confirms_and_shows_the_private_status_page(world, site, mailoutbox):
    site.signup()
    response = site.get(link_in(mailoutbox[0], "/waitlist/confirm/"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'Status: <span class="status-name">On the waiting list</span>' in page
    assert "number 1</strong> in the queue" in page
    entry = WaitlistEntry.objects.get()
    assert entry.status == "waiting" and entry.waiting_since is not None
    confirmed = mailoutbox[1]
    assert confirmed.subject == "You are on the Riverside Ketamine Clinic waiting list"
    assert "You are number 1 in the queue" in confirmed.body
    assert link_in(confirmed, "/waitlist/status/") in html_of(confirmed)
    assert AuditEvent.objects.filter(detail__contains="pending_confirmation → waiting").exists()


def test_the_confirmation_link_works_once(world, site, mailoutbox):
    site.signup()
    link = link_in(mailoutbox[0], "/waitlist/confirm/")
    site.get(link)
    again = site.get(link)
    assert again.status_code == 410
    assert "This link has already been used" in again.content.decode()
    assert len(mailoutbox) == 2  # no second "confirmed" email


def test_an_expired_confirmation_link_does_nothing(world, site, mailoutbox, settings):
    site.signup()
    link = link_in(mailoutbox[0], "/waitlist/confirm/")
    with time_machine.travel(
        timezone.now() + dt.timedelta(hours=settings.WAITLIST_CONFIRM_HOURS, minutes=1)
    ):
        response = site.get(link)
    assert response.status_code == 410
    assert "This confirmation link has expired" in response.content.decode()
    assert WaitlistEntry.objects.get().status == "pending_confirmation"


def test_a_tampered_link_is_not_valid(world, site, mailoutbox):
    site.signup()
    link = link_in(mailoutbox[0], "/waitlist/confirm/")
    forged = link[:-3] + ("AAA" if not link.endswith("AAA/") else "BBB") + "/"
    response = site.get(forged.replace("//", "/"))
    assert response.status_code == 404
    assert WaitlistEntry.objects.get().status == "pending_confirmation"


def test_unconfirmed_people_are_not_in_the_queue(world, site, mailoutbox):
    site.api_signup(email="first@example.org")
    site.api_signup(email="second@example.org")
    site.get(link_in(mailoutbox[1], "/waitlist/confirm/"), follow=True)
    second = WaitlistEntry.objects.get(email="second@example.org")
    from ketacare.waitlist.selectors import queue_estimate

    assert queue_estimate(second).position == 1
    assert queue_estimate(WaitlistEntry.objects.get(email="first@example.org")) is None
