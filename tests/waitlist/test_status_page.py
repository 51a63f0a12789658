"""The person's private status link: their state and an honest estimate of the wait, their
details to update, and leaving the list (which erases their data)."""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.waitlist.models import Program, WaitlistEntry, WaitlistNote

from .conftest import link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(world, site, mailoutbox):
    """Alex, signed up and confirmed: the path of their status page."""
    site.signup()
    site.get(link_in(mailoutbox[0], "/waitlist/confirm/"))
    return link_in(mailoutbox[1], "/waitlist/status/")


def _join(site, mailoutbox, email, **overrides):
    site.api_signup(email=email, **overrides)
    site.get(link_in(mailoutbox[-1], "/waitlist/confirm/"))
    return link_in(mailoutbox[-1], "/waitlist/status/")


def test_the_status_page_shows_the_place_and_the_estimate_from_weekly_capacity(
    world, site, mailoutbox
):
    for n in range(5):
        _join(site, mailoutbox, f"early{n}@example.org", phq2=[3, 3], gad2=[3, 3])
    Program.objects.update(weekly_capacity=2)
    status = _join(site, mailoutbox, "late@example.org", phq2=[0, 0], gad2=[0, 0])
    page = site.get(status).content.decode()
    assert "number 6</strong> in the queue" in page
    assert "invites about 2 people a week" in page
    assert "about 2 weeks" in page  # places 1–2 this week, 3–4 next week, 5–6 the week after
    assert "This is an estimate, not a promise." in page
    assert site.get(status)["X-Robots-Tag"] == "noindex, nofollow"


def test_paused_invitations_say_the_wait_cannot_be_estimated(world, site, mailoutbox, confirmed):
    Program.objects.update(weekly_capacity=0)
    assert "paused invitations" in site.get(confirmed).content.decode()


def test_the_status_token_never_reaches_the_audit_log(world, site, confirmed):
    site.get(confirmed)
    token = confirmed.split("/")[3]
    assert not AuditEvent.objects.filter(path__contains=token).exists()
    assert AuditEvent.objects.filter(detail="status page, by the person").exists()


def test_a_forged_status_link_is_a_404(world, site, confirmed):
    assert site.get(confirmed.replace("/status/", "/status/x")).status_code == 404


def test_the_person_can_update_their_details_and_keep_their_place(world, site, confirmed):
    before = WaitlistEntry.objects.get()
    response = site.post(
        confirmed + "edit/",
        {
            "first_name": "Alex",
            "last_name": "Rivera-Lee",
            "phone": "+1 555 010 0300",
            "date_of_birth": before.date_of_birth.isoformat(),
            "region": "NJ",
            "conditions": ["anxiety", "ptsd"],
            "preferred_route": "nasal",
            "heard_from": "",
        },
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.last_name, entry.region, entry.conditions) == (
        "Rivera-Lee",
        "NJ",
        ["anxiety", "ptsd"],
    )
    assert entry.waiting_since == before.waiting_since


def test_an_invalid_update_shows_errors_and_changes_nothing(world, site, confirmed):
    before = WaitlistEntry.objects.values().get()
    response = site.post(
        confirmed + "edit/",
        {
            "first_name": "",
            "phone": "1",
            "region": "NY",
            "conditions": ["depression"],
            "preferred_route": "iv",
            "date_of_birth": "2020-01-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "you must be 18 or older" in page
    assert WaitlistEntry.objects.values().get() == before


def test_leaving_erases_personal_data_and_keeps_a_tombstone(world, site, mailoutbox, confirmed):
    entry = WaitlistEntry.objects.get()
    WaitlistNote.objects.create(entry=entry, author=world.clinician, text="Called, no answer")
    assert "erased" in site.get(confirmed + "leave/").content.decode()
    response = site.post(confirmed + "leave/")
    assert response["Location"] == "/waitlist/left/"
    tombstone = WaitlistEntry.objects.get()
    assert tombstone.status == "withdrawn" and tombstone.left_at is not None
    for name in ("first_name", "last_name", "email", "phone", "region", "preferred_route"):
        assert getattr(tombstone, name) == "", name
    assert tombstone.email_key is None and tombstone.date_of_birth is None
    assert (
        tombstone.conditions == []
        and tombstone.phq2_answers == []
        and tombstone.prescreen_total is None
    )
    assert not WaitlistNote.objects.exists()
    erased = AuditEvent.objects.get(action="delete", object_id=str(tombstone.pk))
    assert "personal data erased" in erased.detail
    assert not AuditEvent.objects.filter(detail__icontains="alex").exists()
    goodbye = mailoutbox[-1]
    assert goodbye.to == ["alex@example.org"]
    assert "your details have been erased" in goodbye.body


def test_after_leaving_the_links_stop_working_and_the_address_may_sign_up_afresh(
    world, site, confirmed
):
    site.post(confirmed + "leave/")
    assert site.get(confirmed).status_code == 404
    assert site.post(confirmed + "leave/").status_code == 404
    response = site.api_signup()
    assert response.status_code == 201  # a new entry, at the back of the list
    assert WaitlistEntry.objects.count() == 2


def test_the_persons_changes_are_audited_with_their_address_and_the_path_without_the_token(
    world, site, mailoutbox
):
    site.signup()
    confirm = link_in(mailoutbox[0], "/waitlist/confirm/")
    site.get(confirm, REMOTE_ADDR="203.0.113.9")
    status = link_in(mailoutbox[1], "/waitlist/status/")
    site.post(status + "leave/", REMOTE_ADDR="203.0.113.9")
    confirmed = AuditEvent.objects.get(detail__endswith="waiting: address confirmed")
    assert (confirmed.path, confirmed.ip) == ("/waitlist/confirm/[token]/", "203.0.113.9")
    left = AuditEvent.objects.get(model="waitlist.WaitlistEntry", action="delete")
    assert (left.path, left.ip) == ("/waitlist/status/[token]/leave/", "203.0.113.9")
    for link in (confirm, status):
        assert not AuditEvent.objects.filter(path__contains=link.split("/")[3]).exists()
