"""Browser fixtures for end-to-end tests: Playwright driving Debian's Chromium (never a browser
downloaded by `playwright install`) against pytest-django's live server.

    def test_something(page, console_errors):          # desktop-sized page
    def test_on_a_phone(open_page):  page = open_page(viewport=PHONE)

Every page records console errors and uncaught exceptions (CSP violations show up there) in
`console_errors`; a test that ends with any fails, so each test asserts it visited clean pages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("KETACARE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # a current mid-sized phone, in CSS pixels
TABLET = {"width": 820, "height": 1180}
DEMO_PASSWORD = "demo-password-1"  # the published demo password (design.md, public contracts)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Collection hooks see the whole session: mark only the tests in this directory.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _plain_http_live_server_settings() -> Iterator[None]:
    # The live server speaks plain HTTP. Its middleware reads settings once, when the server
    # starts (a session fixture), so tests/conftest.py's per-test override comes too late.
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http_live_server_settings: None, live_server: Any) -> Any:
    return live_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (Debian's build) or "
            "set KETACARE_CHROMIUM. Do not use `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions of every page this test opened."""
    return []


def _on_console(page: Any, message: Any, errors: list[str]) -> None:
    if message.type == "error":
        # A failed load names only its status; the resource's URL is in the location.
        source = message.location.get("url") or ""
        errors.append(f"{page.url}: {message.text}" + (f" [{source}]" if source else ""))


@pytest.fixture
def open_page(
    browser: Any, live_server: Any, transactional_db: None, console_errors: list[str]
) -> Iterator[Callable[..., Any]]:
    """`open_page(viewport=PHONE)`: a page in a fresh browser context (no cookies), its
    relative URLs resolved against the live server."""
    contexts: list[Any] = []

    def _open(viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(viewport=viewport or DESKTOP, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        new_page = context.new_page()
        new_page.on("console", lambda message: _on_console(new_page, message, console_errors))
        new_page.on("pageerror", lambda exc: console_errors.append(f"{new_page.url}: {exc}"))
        return new_page

    yield _open
    for context in contexts:
        context.close()
    if console_errors:
        pytest.fail("Console errors in the browser:\n" + "\n".join(console_errors))


@pytest.fixture
def page(open_page: Callable[..., Any]) -> Any:
    """A desktop-sized page in a fresh context."""
    return open_page()


@pytest.fixture
def phone_page(open_page: Callable[..., Any]) -> Any:
    """A phone-sized page in a fresh context."""
    return open_page(viewport=PHONE)


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    """The demo clinic of `ketacare demo` (its logins use DEMO_PASSWORD)."""
    from django.core.management import call_command

    call_command("demo", force=True, stdout=StringIO())


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """`sign_in(page, email, password)`: sign in through the login form."""

    def _sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in
