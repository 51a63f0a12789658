"""Helpers for the waiting-list tests: valid sign-up data, a client whose emails are sent
(on-commit callbacks run, as they do outside a test transaction), and links from emails."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.utils import timezone

SIGNUP_URL = "/waitlist/"
API_URL = "/api/v1/waitlist"


@pytest.fixture(autouse=True)
def _waitlist_settings(settings):
    # Each test counts its own rate limit, in memory; most tests are not about the limit.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "waitlist-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()
    settings.WAITLIST_RATE_LIMIT = "off"
    settings.CONTACT_RATE_LIMIT = "off"
    settings.PUBLIC_CLINIC = ""
    settings.SITE_URL = "https://clinic.example"


def adult_dob(years: int = 30) -> str:
    return dt.date(timezone.localdate().year - years, 1, 1).isoformat()


def form_data(**overrides: Any) -> dict[str, Any]:
    """What the page's form posts for a valid sign-up."""
    data: dict[str, Any] = {
        "first_name": "Alex", "last_name": "Rivera", "email": "alex@example.org",
        "phone": "+1 555 010 0199", "date_of_birth": adult_dob(), "region": "NY",
        "conditions": ["depression"], "preferred_route": "home-troche", "heard_from": "doctor",
        "phq2_0": "2", "phq2_1": "1", "gad2_0": "1", "gad2_1": "1", "consent": "on",
    }  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def json_body(**overrides: Any) -> dict[str, Any]:
    """The issue's JSON body for a valid sign-up."""
    body: dict[str, Any] = {
        "first_name": "Alex", "last_name": "Rivera", "email": "alex@example.org",
        "phone": "+1 555 010 0199", "date_of_birth": adult_dob(), "region": "NY",
        "conditions": ["depression"], "preferred_route": "home-troche",
        "phq2": [2, 1], "gad2": [1, 1], "consent": True,
    }  # fmt: skip
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class Site:
    """The test client, with on-commit callbacks (the emails) run after each request."""

    def __init__(self, client, capture) -> None:
        self.client = client
        self._capture = capture

    def get(self, url: str, **kwargs: Any):
        with self._capture(execute=True):
            return self.client.get(url, **kwargs)

    def post(self, url: str, data: Any = None, **kwargs: Any):
        with self._capture(execute=True):
            return self.client.post(url, data or {}, **kwargs)

    def post_json(self, url: str, body: Any, **kwargs: Any):
        with self._capture(execute=True):
            return self.client.post(
                url, json.dumps(body), content_type="application/json", **kwargs
            )

    def signup(self, **overrides: Any):
        return self.post(SIGNUP_URL, form_data(**overrides))

    def api_signup(self, **overrides: Any):
        return self.post_json(API_URL, json_body(**overrides))


@pytest.fixture
def site(client, django_capture_on_commit_callbacks) -> Site:
    return Site(client, django_capture_on_commit_callbacks)


def link_in(message, path_prefix: str) -> str:
    """The path of the first link starting with `path_prefix` in an email's text body."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", message.body)
    assert match, f"no {path_prefix} link in: {message.body}"
    return match.group(1)


def html_of(message) -> str:
    (html, mime), *_ = message.alternatives
    assert mime == "text/html"
    return html
