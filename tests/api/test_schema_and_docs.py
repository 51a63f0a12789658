"""The API describes itself: a valid OpenAPI document and Swagger UI docs served from our own
static files (no CDN), both public, both compatible with our CSP."""

from html.parser import HTMLParser

from django.test import Client
from openapi_spec_validator import validate


def test_openapi_json_is_a_valid_openapi_document(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)  # raises with the offending path if the document is invalid
    assert schema["info"]["title"] == "KetaCare API"
    for path in ("/api/v1/me", "/api/v1/patients", "/api/v1/patients/{patient_id}"):
        assert path in schema["paths"]


def test_openapi_lists_both_security_schemes_and_uses_them(db):
    schema = Client().get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"]["type"] == "http"
    assert schemes["TokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"]["type"] == "apiKey"
    assert (schemes["SessionAuth"]["in"], schemes["SessionAuth"]["name"]) == ("cookie", "sessionid")
    security = schema["paths"]["/api/v1/patients"]["get"]["security"]
    assert {"TokenAuth": []} in security and {"SessionAuth": []} in security


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.inline_scripts, self.styles, self.inline_styles = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles.append(tag)
        if tag == "style":
            self.inline_styles.append("<style>")
        if tag == "script":
            if "src" in attrs:
                self.scripts.append(attrs["src"])
            elif attrs.get("type") != "application/json":  # data, not code: CSP allows it
                self.inline_scripts.append(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])


def test_docs_page_loads_swagger_from_our_static_files_without_inline_code(db):
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assets = _Assets()
    assets.feed(response.content.decode())
    assert assets.scripts == [
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    assert assets.styles == ["/static/ninja/swagger-ui.css"]
    assert assets.inline_scripts == [] and assets.inline_styles == []
    for url in assets.scripts + assets.styles:
        assert client.get(url).status_code == 200, url
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_docs_are_public_and_the_api_root_is_a_json_404(db):
    client = Client()
    assert client.get("/api/v1/docs").status_code == 200
    response = client.get("/api/v1/")
    assert response.status_code == 404
    assert response.json()["detail"]
