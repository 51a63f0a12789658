"""The API documentation page renders Swagger UI from our own static files under our CSP,
and works: a signed-in user can try an operation with their session."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_api_docs_render_and_run_an_operation_without_csp_errors(
    demo_data, page, sign_in, console_errors
):
    sign_in(page, "clinician@demo.ketacare")
    page.goto("/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("KetaCare API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/patients").first).to_be_visible()

    # Open an operation and run it: highlighted code and the response table must render too.
    me = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/me"))
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    response = me.locator(".live-responses-table tbody .response-col_status").first
    expect(response).to_contain_text("200")
    expect(me.locator(".live-responses-table tbody")).to_contain_text("clinician@demo.ketacare")

    page.get_by_role("button", name="Authorize").first.click()
    expect(page.locator(".auth-container").first).to_contain_text("TokenAuth")
    expect(page.locator(".auth-container").nth(1)).to_contain_text("SessionAuth")
    assert console_errors == []
