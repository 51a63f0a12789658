"""A second sign-up with an address already on the list updates that entry instead of adding
one, and the person is told they are already listed."""

from __future__ import annotations

import pytest

from ketacare.waitlist.models import WaitlistEntry
from ketacare.waitlist.services import normalise_email

from .conftest import API_URL, link_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Alex@Example.org", "alex@EXAMPLE.ORG"),
        ("alex.rivera@gmail.com", "AlexRivera@gmail.com"),
        ("alex.rivera@gmail.com", "alexrivera+waitlist@googlemail.com"),
    ],
)
def test_the_same_address_in_another_spelling_is_a_duplicate(world, site, first, second):
    created = site.api_signup(email=first)
    again = site.api_signup(email=second, phone="+1 555 010 0200")
    assert (created.status_code, again.status_code) == (201, 200)
    assert again.json() == created.json()  # same id, same status
    entry = WaitlistEntry.objects.get()
    assert entry.phone == "+1 555 010 0200"  # the existing entry was updated
    assert entry.email == first  # the address itself stays as first given


def test_dots_and_tags_count_only_at_gmail():
    assert normalise_email("a.b+x@gmail.com") == "ab@gmail.com"
    assert normalise_email("A.B@GoogleMail.com") == "ab@gmail.com"
    assert normalise_email("a.b+x@example.org") == "a.b+x@example.org"
    assert normalise_email("A.B@Example.ORG") == "a.b@example.org"


def test_dotted_addresses_at_other_providers_are_different_people(world, site):
    site.api_signup(email="a.lee@example.org")
    assert site.api_signup(email="alee@example.org").status_code == 201
    assert WaitlistEntry.objects.count() == 2


def test_the_form_tells_the_person_they_are_already_listed(world, site, mailoutbox):
    site.signup()
    response = site.signup(first_name="Alexandra")
    assert response["Location"] == "/waitlist/thanks/?already=1"
    page = site.get(response["Location"]).content.decode()
    assert "You are already on our list" in page
    assert WaitlistEntry.objects.get().first_name == "Alexandra"
    already = mailoutbox[-1]
    assert already.subject == "You are already on the Riverside Ketamine Clinic waiting list"
    assert "We updated your details" in already.body


def test_a_duplicate_while_unconfirmed_resends_a_working_confirmation_link(world, site, mailoutbox):
    site.api_signup()
    site.api_signup()
    assert len(mailoutbox) == 2
    link = link_in(mailoutbox[1], "/waitlist/confirm/")
    assert site.get(link).status_code == 302
    assert WaitlistEntry.objects.get().status == "waiting"


def test_a_duplicate_once_confirmed_keeps_the_place_and_sends_the_status_link(
    world, site, mailoutbox
):
    site.api_signup()
    site.get(link_in(mailoutbox[0], "/waitlist/confirm/"))
    entry = WaitlistEntry.objects.get()
    again = site.api_signup(phq2=[3, 3])
    assert again.json() == {"id": str(entry.public_id), "status": "waiting"}
    updated = WaitlistEntry.objects.get()
    assert updated.waiting_since == entry.waiting_since  # same place in the queue
    assert updated.phq2_total == 6
    assert "/waitlist/status/" in mailoutbox[-1].body


def test_a_bad_duplicate_changes_nothing(world, site):
    site.api_signup()
    before = WaitlistEntry.objects.values().get()
    assert site.api_signup(phone="x", first_name="Mallory").status_code == 422
    assert WaitlistEntry.objects.values().get() == before


@pytest.mark.django_db(transaction=True)
def test_two_signups_of_one_address_at_the_same_moment_make_one_entry():
    """Real concurrent requests (threads, each its own database connection)."""
    import json
    import threading

    from django.db import connection
    from django.test import Client

    from tests.factories import ClinicFactory

    from .conftest import json_body

    ClinicFactory()
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []

    def sign_up(n: int) -> None:
        try:
            barrier.wait(5)
            body = json_body(email=("Same.Person@gmail.com", "sameperson+x@googlemail.com")[n % 2])
            response = Client().post(API_URL, json.dumps(body), content_type="application/json")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(code for code, _ in answers) == [200, 200, 200, 201]
    assert len({body["id"] for _, body in answers}) == 1
    assert WaitlistEntry.objects.count() == 1
