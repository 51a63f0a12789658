"""Full links are built one way: from the request when there is one, else from SITE_URL."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse

from ketacare.core.urls import absolute_url


def test_a_view_name_with_arguments_is_reversed_under_site_url(settings):
    settings.SITE_URL = "https://clinic.example/"
    path = reverse("treatments:session", args=[42])
    assert absolute_url("treatments:session", 42) == "https://clinic.example" + path
    assert absolute_url("/inbox/") == "https://clinic.example/inbox/"


def test_the_request_address_wins_over_site_url(settings):
    settings.SITE_URL = "https://clinic.example"
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    assert absolute_url("/x/", request=request) == "http://testserver/x/"
