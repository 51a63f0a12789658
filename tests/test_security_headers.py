"""Security headers, cookies and CSRF: a strict CSP without inline code, no framing, no MIME
sniffing, a same-origin referrer; with DEBUG off, HSTS over HTTPS and Secure + HttpOnly +
SameSite cookies; and a CSRF token in every form, refused with our clear page when missing."""

from __future__ import annotations

import runpy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from ketacare.patients.models import Patient
from tests.factories import PASSWORD
from tests.test_permission_matrix import PERSONAS, TABLE, things  # noqa: F401 (fixture)

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "ketacare" / "settings.py"
# The settings that DEBUG switches: taken from settings.py as it is evaluated with DEBUG off.
PRODUCTION_KEYS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, where: str = "") -> None:
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"], where
    assert csp["style-src"] == ["'self'"], where
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert "unsafe-inline" not in response["Content-Security-Policy"], where
    assert "unsafe-eval" not in response["Content-Security-Policy"], where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where


# --- Headers


@pytest.mark.parametrize(
    "persona, path",
    [
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/"),
        ("anonymous", "/no-such-page/"),
        ("anonymous", "/api/v1/me"),
        ("anonymous", "/api/v1/docs"),
        ("clinician", "/"),
        ("clinician", "/patients/"),
        ("clinician", "/api/v1/patients"),
        ("patient_user", "/patients/me/"),
    ],
)
def test_responses_carry_the_security_headers(world, client_for, persona, path):
    response = client_for(world.user(persona)).get(path)
    assert response.status_code in (200, 401, 404)
    assert_security_headers(response, path)


class _Forms(HTMLParser):
    """The POST forms of a page, each with the names of its inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"method": (attrs.get("method") or "get").lower(),
                             "action": attrs.get("action"), "inputs": set()}  # fmt: skip
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            if attrs.get("name"):
                self._current["inputs"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_sends_the_headers_and_every_post_form_carries_a_csrf_token(
    persona,
    things,  # noqa: F811
):
    """Walks every GET route of the permission matrix that this persona may open."""
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(things, persona))
    checked = 0
    for key, route in sorted(TABLE.items()):
        if route.method != "GET":
            continue
        path = reverse(key, kwargs=route.kwargs(things))
        response = client.get(path)
        if response.status_code != 200:
            continue
        assert_security_headers(response, path)
        if not response["Content-Type"].startswith("text/html"):
            continue
        checked += 1
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form["method"] == "post":
                assert "csrfmiddlewaretoken" in form["inputs"], (
                    f"{path}: a POST form (action={form['action']!r}) has no {{% csrf_token %}}"
                )
    assert checked, "no HTML page was checked"


# --- With DEBUG off: HSTS and secure cookies


@pytest.fixture
def production(settings, monkeypatch):
    """Apply the security settings that settings.py computes when DEBUG is off."""
    monkeypatch.setenv("DEBUG", "false")
    for key in PRODUCTION_KEYS:
        monkeypatch.delenv(key, raising=False)
    computed = runpy.run_path(str(SETTINGS_FILE))
    for key in PRODUCTION_KEYS:
        setattr(settings, key, computed[key])
    return computed


def test_debug_off_turns_on_https_only_settings(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"]
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365


def test_https_responses_carry_hsts(production, db):
    response = Client().get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_https_behind_a_proxy_is_recognised_by_its_forwarded_proto(production, db):
    response = Client().get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_plain_http_is_redirected_to_https_except_the_health_check(production, db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert "Strict-Transport-Security" not in response
    assert Client().get("/healthz").status_code == 200


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(production, world):
    client = Client()
    login_page = client.get("/accounts/login/", secure=True)
    csrf_cookie = login_page.cookies[django_settings.CSRF_COOKIE_NAME]
    response = client.post(
        "/accounts/login/",
        {"username": world.clinician.email, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302, response.content[:500]
    session_cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    for cookie in (csrf_cookie, session_cookie):
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


# --- CSRF


def assert_csrf_failure_page(response):
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "<h1>Form expired</h1>" in content
    assert "reload the page and submit it again" in content


def test_login_post_without_csrf_token_gets_our_clear_403_page(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": world.clinician.email, "password": PASSWORD}
    )
    assert_csrf_failure_page(response)
    assert "_auth_user_id" not in client.session


def test_patient_form_post_without_csrf_token_is_refused_and_nothing_is_saved(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clinician)
    data = {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "1990-01-02",
            "sex": "male"}  # fmt: skip
    assert_csrf_failure_page(client.post("/patients/new/", data))
    assert not Patient.objects.filter(last_name="Turing").exists()


def test_patient_form_post_with_the_pages_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clinician)
    page = client.get("/patients/new/")
    token = page.context["csrf_token"]
    data = {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "1990-01-02",
            "sex": "male", "csrfmiddlewaretoken": str(token)}  # fmt: skip
    assert client.post("/patients/new/", data).status_code == 302
    assert Patient.objects.filter(last_name="Turing").exists()


def test_a_forged_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clinician)
    client.get("/patients/new/")
    response = client.post(
        "/patients/new/", {"first_name": "Alan", "csrfmiddlewaretoken": "x" * 64}
    )
    assert_csrf_failure_page(response)
