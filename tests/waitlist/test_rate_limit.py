"""The per-address rate limit on sign-ups (WAITLIST_RATE_LIMIT, default 10/h)."""

from __future__ import annotations

import pytest

from ketacare.core.ratelimit import parse_rate
from ketacare.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def test_the_default_is_ten_an_hour(settings):
    from django.conf import settings as live

    assert live.WAITLIST_RATE_LIMIT in ("10/h", "off")  # "off" comes from the test fixture
    assert parse_rate("10/h").count == 10 and parse_rate("10/h").period_s == 3600


def test_the_eleventh_signup_from_one_address_in_an_hour_gets_a_clear_429_page(
    world, site, settings
):
    settings.WAITLIST_RATE_LIMIT = "10/h"
    for n in range(10):
        assert site.signup(email=f"p{n}@example.org").status_code == 302
    response = site.signup(email="p10@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert WaitlistEntry.objects.count() == 10


def test_the_api_shares_the_limit_and_answers_429_json(world, site, settings):
    settings.WAITLIST_RATE_LIMIT = "2/m"
    assert site.signup(email="a@example.org").status_code == 302
    assert site.api_signup(email="b@example.org").status_code == 201
    response = site.api_signup(email="c@example.org")
    assert response.status_code == 429
    assert "Too many sign-ups" in response.json()["detail"]
    assert "Retry-After" in response


def test_other_addresses_are_not_affected(world, site, settings):
    settings.WAITLIST_RATE_LIMIT = "1/h"
    assert site.api_signup(email="a@example.org").status_code == 201
    assert site.api_signup(email="b@example.org").status_code == 429
    response = site.post_json("/api/v1/waitlist", {}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 422


def test_off_disables_the_limit(world, site, settings):
    settings.WAITLIST_RATE_LIMIT = "off"
    for n in range(15):
        assert site.api_signup(email=f"p{n}@example.org").status_code == 201


@pytest.mark.parametrize("text", ["ten/h", "10/fortnight", "10", "-1/h"])
def test_unreadable_rates_are_refused(text):
    with pytest.raises(ValueError, match="rate limit"):
        parse_rate(text)
