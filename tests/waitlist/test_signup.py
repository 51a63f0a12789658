"""Joining the waiting list through the page and the JSON API: one set of rules, the same
answers, nothing stored when the input is bad."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.waitlist.models import WaitlistEntry

from .conftest import API_URL, SIGNUP_URL, form_data, html_of, json_body, link_in

pytestmark = pytest.mark.django_db


def test_the_signup_page_asks_the_phq2_and_gad2_questions_from_the_clinical_core(world, client):
    page = client.get(SIGNUP_URL).content.decode()
    assert "Little interest or pleasure in doing things" in page
    assert "Not being able to stop or control worrying" in page
    assert 'name="phq2_1"' in page and 'name="gad2_0"' in page
    assert "privacy notice" in page


def test_a_form_signup_stores_a_pending_entry_and_emails_a_confirmation_link(
    world, site, mailoutbox
):
    response = site.signup()
    assert response.status_code == 302
    assert response["Location"] == "/waitlist/thanks/"
    entry = WaitlistEntry.objects.get()
    assert entry.status == "pending_confirmation"
    assert entry.clinic == world.clinic  # the first clinic: the one the public site speaks for
    assert (entry.phq2_total, entry.gad2_total, entry.prescreen_total) == (3, 2, 5)
    assert entry.positive_screen is True  # PHQ-2 of 3 is a positive screen
    assert entry.conditions == ["depression"] and entry.source == "form"
    (mail,) = mailoutbox
    assert mail.to == ["alex@example.org"]
    assert mail.subject == "Confirm your place on the Riverside Ketamine Clinic waiting list"
    assert "Hello Alex" in mail.body
    assert "expires in 72 hours" in mail.body
    assert link_in(mail, "/waitlist/confirm/") in html_of(mail)
    assert "988" in mail.body and "988" in html_of(mail)


def test_the_json_api_answers_201_with_the_id_and_pending_status(world, site, mailoutbox):
    response = site.api_signup()
    assert response.status_code == 201
    entry = WaitlistEntry.objects.get()
    assert response.json() == {"id": str(entry.public_id), "status": "pending_confirmation"}
    assert entry.source == "api"
    assert len(mailoutbox) == 1


def test_the_json_api_needs_no_login_and_no_csrf_token(
    world, client, django_capture_on_commit_callbacks
):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    import json

    with django_capture_on_commit_callbacks(execute=True):
        response = strict.post(API_URL, json.dumps(json_body()), content_type="application/json")
    assert response.status_code == 201


def test_the_json_api_rejects_bad_input_with_422_naming_each_bad_field(world, site, mailoutbox):
    response = site.api_signup(
        email="not-an-email",
        phq2=[1, 4],
        gad2=[1],
        conditions=["depression", "insomnia"],
        preferred_route="oral",
        consent=False,
        date_of_birth="12/31/1990",
        first_name=None,
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {
        "email",
        "phq2",
        "gad2",
        "conditions",
        "preferred_route",
        "consent",
        "date_of_birth",
        "first_name",
    }
    assert errors["phq2"] == ["Question 2: choose one of the answers (0 to 3)."]
    assert errors["date_of_birth"] == ["Enter a date as YYYY-MM-DD."]
    locs = {tuple(d["loc"]) for d in response.json()["detail"]}
    assert ("body", "email") in locs
    assert WaitlistEntry.objects.count() == 0 and mailoutbox == []


def test_json_values_of_the_wrong_type_are_named(world, site):
    response = site.api_signup(conditions="depression", consent="yes", phone=5550100199)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "conditions": ["Must be a list."],
        "consent": ["Must be true or false."],
        "phone": ["Must be a string."],
    }


def test_a_body_that_is_not_a_json_object_is_a_400(world, site):
    assert site.post_json(API_URL, ["a", "list"]).status_code == 400
    response = site.client.post(API_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON in the request body")
    assert WaitlistEntry.objects.count() == 0


def test_the_form_shows_each_error_next_to_its_field_and_stores_nothing(world, site, mailoutbox):
    response = site.signup(email="nope", phq2_1=None, consent=None, region="Atlantis")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the following" in page
    assert "Enter a valid email address." in page
    assert "Question 2: choose one of the answers (0 to 3)." in page
    assert "You need to agree to the privacy notice to join the list." in page
    assert "Choose your state (a two-letter code such as NY)." in page
    assert 'href="#field-email"' in page and 'id="field-email"' in page
    assert 'value="Alex"' in page  # what was typed is kept
    assert WaitlistEntry.objects.count() == 0 and mailoutbox == []


def test_the_page_and_the_api_give_the_same_messages(world, site):
    page = site.signup(phone="12").content.decode()
    api = site.api_signup(phone="12").json()
    assert api["errors"]["phone"] == [
        "Enter a phone number of 7 to 15 digits, e.g. +1 555 010 0199."
    ]
    assert api["errors"]["phone"][0] in page


@time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC), tick=False)
def test_someone_who_turns_18_tomorrow_is_refused_and_today_is_accepted(world, site):
    today = timezone.localdate()
    eighteen_today = today.replace(year=today.year - 18)
    tomorrow = eighteen_today + dt.timedelta(days=1)
    refused = site.api_signup(date_of_birth=tomorrow.isoformat())
    assert refused.status_code == 422
    assert refused.json()["errors"]["date_of_birth"] == [
        "The home program is for adults: you must be 18 or older to join the list."
    ]
    assert site.api_signup(date_of_birth=eighteen_today.isoformat()).status_code == 201


def test_a_date_of_birth_in_the_future_is_refused(world, site):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = site.api_signup(date_of_birth=future)
    assert response.json()["errors"]["date_of_birth"] == [
        "The date of birth cannot be in the future."
    ]


def test_consent_to_the_privacy_notice_is_required(world, site):
    assert site.api_signup(consent=False).status_code == 422
    assert site.api_signup(consent=None).json()["errors"]["consent"]
    assert WaitlistEntry.objects.count() == 0


def test_a_state_may_be_given_by_name_and_is_stored_as_its_code(world, site):
    assert site.api_signup(region="new jersey").status_code == 201
    assert WaitlistEntry.objects.get().region == "NJ"


def test_oversized_fields_are_refused(world, site):
    response = site.api_signup(first_name="A" * 101)
    assert response.status_code == 422
    assert "at most 100 characters" in response.json()["errors"]["first_name"][0]


def test_an_oversized_body_is_refused_with_413(world, site, settings):
    settings.WAITLIST_MAX_BODY_BYTES = 2000
    response = site.api_signup(last_name="x" * 3000)
    assert response.status_code == 413
    response = site.post(SIGNUP_URL, form_data(last_name="x" * 3000))
    assert response.status_code == 413
    assert WaitlistEntry.objects.count() == 0


def test_the_honeypot_pretends_success_and_stores_nothing(world, site, mailoutbox):
    response = site.post(SIGNUP_URL, form_data(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == "/waitlist/thanks/"
    assert WaitlistEntry.objects.count() == 0
    assert mailoutbox == []


def test_a_signup_is_audited_without_personal_data(world, site):
    site.signup()
    entry = WaitlistEntry.objects.get()
    event = AuditEvent.objects.filter(model="waitlist.WaitlistEntry", object_id=str(entry.pk)).get()
    assert event.action == "create" and event.clinic_id == world.clinic.pk
    assert event.actor_id is None
    assert "Alex" not in event.detail and "alex@" not in event.detail


def test_with_no_clinic_the_list_is_closed(db, site):
    response = site.api_signup()
    assert response.status_code == 503
    assert site.signup().status_code == 503


def test_public_clinic_setting_chooses_the_clinic(world, site, settings):
    settings.PUBLIC_CLINIC = "hilltop"
    site.api_signup()
    assert WaitlistEntry.objects.get().clinic == world.other_clinic
