"""The first journey: the demo clinician signs in, lands on the staff home, signs out."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_demo_clinician_signs_in_sees_the_staff_home_and_signs_out(
    demo_data, page, sign_in, console_errors
):
    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/patients/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    sign_in(page, "clinician@demo.ketacare")  # from the login page itself: lands on the home

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    expect(page.get_by_text("Clinician", exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="Open the patient list")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert console_errors == []


def test_a_wrong_password_keeps_the_clinician_on_the_login_page_with_a_message(
    demo_data, phone_page, sign_in, console_errors
):
    sign_in(phone_page, "clinician@demo.ketacare", "not-the-password")

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(phone_page.get_by_text("do not match an account")).to_be_visible()
    assert console_errors == []
