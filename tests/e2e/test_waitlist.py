"""The front door's journey: a visitor reads about the home program, joins the waiting list,
opens the confirmation link from the email and sees their place."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import ClinicFactory

pytestmark = pytest.mark.e2e


def _wait_for_mail(count: int) -> list:
    deadline = time.monotonic() + 10
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(mail.outbox)


def test_a_visitor_reads_the_home_program_signs_up_confirms_and_sees_their_status(
    page, mailoutbox, console_errors
):
    ClinicFactory(name="Riverside Ketamine Clinic", slug="riverside")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ketamine therapy, with care")
    expect(page.get_by_role("link", name="988").first).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home program").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The home program")
    expect(page.get_by_role("heading", name="Who may join")).to_be_visible()
    page.get_by_role("article").get_by_role("link", name="Join the waiting list").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Join the waiting list")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Email").fill("jordan.lee@example.org")
    page.get_by_label("Phone").fill("+1 555 010 0142")
    page.get_by_label("Date of birth").fill("1987-09-23")
    page.get_by_label("State").select_option("NY")
    page.get_by_label("Depression").check()
    page.get_by_label("Anxiety").check()
    page.get_by_label("Sublingual troches at home").check()
    page.get_by_label("How did you hear about us?").select_option("doctor")
    page.locator("fieldset#id_phq2_0").get_by_label("More than half the days").check()
    page.locator("fieldset#id_phq2_1").get_by_label("Several days").check()
    page.locator("fieldset#id_gad2_0").get_by_label("Several days").check()
    page.locator("fieldset#id_gad2_1").get_by_label("Not at all").check()
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    page.get_by_role("button", name="Join the waiting list").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm")
    (confirmation,) = _wait_for_mail(1)
    assert confirmation.to == ["jordan.lee@example.org"]
    link = re.search(r"https?://\S+/waitlist/confirm/\S+", confirmation.body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", link))

    expect(page.get_by_role("heading", level=1)).to_have_text("Your place on the waiting list")
    expect(page.get_by_text("Thank you: your address is confirmed")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Status: On the waiting list"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"You are number 1 in the queue"))).to_be_visible()
    expect(page.get_by_role("link", name="Leave the list")).to_be_visible()
    assert console_errors == []
