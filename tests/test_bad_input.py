"""Garbage in, a clear 4xx out, never a 500: malformed JSON, wrong types, oversized bodies,
unknown routes, nonsense in query strings and in every form of every page. A form with bad
values answers with the message next to the field and saves nothing."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ketacare.api.routers import api
from ketacare.patients.models import Patient, WeightMeasurement
from tests.test_permission_matrix import PERSONAS, TABLE, To, things, walk  # noqa: F401

TWO_MIB = 2 * 1024 * 1024
# Not a number or date; a number out of every range; a NUL byte (PostgreSQL refuses it in
# text) with markup and a length beyond any field.
GARBAGE = ["abc", "-99999999999999999999999", "\x00<script>x</script>" + "x" * 3000]


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # These tests post many bad requests from one address: rate limits are tested elsewhere.
    settings.WAITLIST_RATE_LIMIT = "off"
    settings.CONTACT_RATE_LIMIT = "off"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "bad-input"}}  # fmt: skip
    from django.core.cache import cache

    cache.clear()


def client_as(things, persona):  # noqa: F811
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(things, persona))
    return client


def first_allowed(route):
    """The first persona (in PERSONAS order) that gets past this route's permission check:
    its answer in TABLE is a success or a validation error, not a 401, 404 or redirect."""
    for persona, expected in zip(PERSONAS, route.expect, strict=True):
        if not isinstance(expected, To) and expected in (200, 201, 204, 400, 409, 422):
            return persona
    raise AssertionError(f"no persona may use {route}")


def body_fields(key):
    """The JSON body's field names of API route `key`, from the OpenAPI document."""
    schema = api.get_openapi_schema()
    template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", dict(walk())[key])
    body = schema["paths"][template]["post"].get("requestBody")
    if body is None:
        return []
    component = body["content"]["application/json"]["schema"]
    if "$ref" in component:
        component = schema["components"]["schemas"][component["$ref"].rsplit("/", 1)[-1]]
    return list(component.get("properties", {}))


def api_writes():
    return sorted(
        key for key, route in TABLE.items() if key.startswith("api:") and route.method == "POST"
    )


def assert_clear_json_error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    return response.json()["detail"]


# --- The API: every endpoint that takes a body


@pytest.mark.parametrize("key", api_writes())
def test_every_api_write_answers_malformed_json_with_400(key, things):  # noqa: F811
    route = TABLE[key]
    client = client_as(things, first_allowed(route))
    path = reverse(key, kwargs=route.kwargs(things))
    for body in ("{bad", '{"a": 1,}', "\x00", "[" * 5000):
        response = client.post(path, body, content_type="application/json")
        detail = assert_clear_json_error(response, 400)
        assert detail.startswith("Malformed JSON in the request body"), detail


@pytest.mark.parametrize("key", api_writes())
def test_every_api_write_answers_a_wrong_type_with_422_naming_the_field(key, things):  # noqa: F811
    route = TABLE[key]
    client = client_as(things, first_allowed(route))
    path = reverse(key, kwargs=route.kwargs(things))
    payload = route.data(things) if route.data else {}
    fields = body_fields(key)
    if not fields:
        return  # takes no body: nothing to spoil
    for name in fields:
        # Wrong for any typed field: a list of lists of objects.
        spoiled = {**payload, name: [[{"nested": None}]]}
        with transaction.atomic():
            response = client.post(path, json.dumps(spoiled), content_type="application/json")
            transaction.set_rollback(True)
        detail = assert_clear_json_error(response, 422)
        assert name in json.dumps(detail), f"{key}: the 422 does not name {name!r}: {detail}"


@pytest.mark.parametrize("key", api_writes())
def test_every_api_write_answers_a_2_mib_body_with_413(key, things):  # noqa: F811
    route = TABLE[key]
    client = client_as(things, first_allowed(route))
    path = reverse(key, kwargs=route.kwargs(things))
    body = json.dumps({"padding": "x" * TWO_MIB})
    detail = assert_clear_json_error(client.post(path, body, content_type="application/json"), 413)
    assert "too large" in detail


def test_the_api_refuses_a_body_that_is_not_json(world, client_for):
    response = client_for(world.clinician).post(
        "/api/v1/patients", "first_name=Alan", content_type="text/plain"
    )
    assert_clear_json_error(response, 400, 415, 422)


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/patients/abc", "/api/v1/patients/1/nope", "/api/v2/me"]
)
def test_unknown_api_routes_are_json_404(db, path):
    detail = assert_clear_json_error(Client().get(path), 404)
    assert "nothing here" in detail or detail == "Not found."


# --- Pages: unknown routes and the 404 page


@pytest.mark.parametrize(
    "path", ["/no-such-page/", "/patients/abc/", "/patients/" + "9" * 30 + "/", "/%00/"]
)
def test_unknown_pages_are_404_with_our_template(settings, world, client_for, path):
    settings.DEBUG = False
    response = client_for(world.clinician).get(path)
    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["errors/error.html", "web/base.html"]
    content = response.content.decode()
    assert "<h1>Page not found</h1>" in content
    assert "There is nothing here, or it is not yours to see." in content
    assert "Lovelace" not in content


def test_the_404_page_is_ours_for_anonymous_visitors_too(settings, db):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert b"<h1>Page not found</h1>" in response.content
    assert b'href="/static/css/ketacare.css"' in response.content


def test_a_2_mib_form_post_is_refused_with_a_page_not_a_500(world, client_for):
    body = "first_name=" + "x" * TWO_MIB
    response = client_for(world.clinician).post(
        "/patients/new/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 413)
    assert b"<h1>" in response.content
    assert not Patient.objects.filter(first_name__startswith="xxx").exists()


def test_a_broken_multipart_body_is_400(world, client_for):
    response = client_for(world.clinician).post(
        "/patients/new/", b"--x\r\n\r\n", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 400


# --- The patient forms: messages next to the field, nothing saved


def field_error(response, field):
    match = re.search(
        rf'<p class="error" id="id_{field}_error">([^<]+)</p>', response.content.decode()
    )
    return match and match.group(1)


def test_a_garbage_birth_date_is_shown_next_to_the_field_and_nothing_is_saved(world, client_for):
    before = Patient.objects.count()
    response = client_for(world.clinician).post(
        "/patients/new/",
        {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "abc", "sex": "male"},
    )
    assert response.status_code in (200, 400)
    assert field_error(response, "date_of_birth") == "Enter a valid date."
    assert b"error-summary" in response.content
    assert Patient.objects.count() == before


def test_an_invalid_sex_and_email_are_each_shown_next_to_their_field(world, client_for):
    response = client_for(world.clinician).post(
        "/patients/new/",
        {"first_name": "A", "last_name": "T", "date_of_birth": "1990-01-01", "sex": "zebra",
         "email": "not-an-email"},
    )  # fmt: skip
    assert response.status_code in (200, 400)
    assert "zebra is not one of the available choices" in field_error(response, "sex")
    assert field_error(response, "email") == "Enter a valid email address."
    assert not Patient.objects.filter(last_name="T").exists()


@pytest.mark.parametrize("weight", ["9999", "abc", "-5", "1e400", "NaN"])
def test_an_impossible_weight_is_shown_next_to_the_field_and_nothing_is_saved(
    world, client_for, weight
):
    response = client_for(world.clinician).post(
        f"/patients/{world.patient.pk}/weights/", {"weight_kg": weight, "measured_on": "2024-01-01"}
    )
    assert response.status_code == 400
    assert field_error(response, "weight_kg")
    assert not WeightMeasurement.objects.exists()


def test_a_weight_of_9999_says_what_range_is_allowed(world, client_for):
    response = client_for(world.clinician).post(
        f"/patients/{world.patient.pk}/weights/", {"weight_kg": "9999", "measured_on": "2024-01-01"}
    )
    assert field_error(response, "weight_kg") in (
        "Enter a weight between 20 and 400 kg.",
        "Ensure that there are no more than 4 digits in total.",
    )


# --- Every page: nonsense in the query string and in every form


def _get_routes():
    for key, route in sorted(TABLE.items()):
        if route.method == "GET" and not key.startswith("api:openapi"):
            for persona, expected in zip(PERSONAS, route.expect, strict=True):
                if expected == 200:
                    yield key, persona
                    break


@pytest.mark.parametrize("key, persona", list(_get_routes()))
def test_nonsense_in_the_query_string_is_never_a_500(key, persona, things):  # noqa: F811
    client = client_as(things, persona)
    path = reverse(key, kwargs=TABLE[key].kwargs(things))
    for query in ("page=abc&q=%00&limit=-1&offset=x&sort=%27", "page=99999999999999999999",
                  "q=" + "x" * 5000, "status=%ff%fe&date=2024-13-45&from=abc&to=-1"):  # fmt: skip
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, f"{path}?{query[:60]} -> {response.status_code}"


class _PostForms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea"):
            if attrs.get("name") and attrs.get("type") not in ("submit", "button"):
                self._form["fields"].append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


@pytest.mark.parametrize("key, persona", list(_get_routes()))
def test_garbage_in_every_form_of_every_page_is_never_a_500(key, persona, things):  # noqa: F811
    path = reverse(key, kwargs=TABLE[key].kwargs(things))
    page = client_as(things, persona).get(path)
    if not page["Content-Type"].startswith("text/html"):
        return
    parser = _PostForms()
    parser.feed(page.content.decode())
    logout = reverse("accounts:logout")
    for form in parser.forms:
        action = urlsplit(form["action"]).path or path
        if action == logout:
            continue
        for garbage in GARBAGE:
            data = {name: garbage for name in form["fields"] if name != "csrfmiddlewaretoken"}
            with transaction.atomic():
                response = client_as(things, persona).post(action, data)
                transaction.set_rollback(True)
            assert response.status_code < 500, (
                f"{persona} POST {action} (form on {path}) with {garbage[:20]!r} in every field "
                f"-> {response.status_code}"
            )
