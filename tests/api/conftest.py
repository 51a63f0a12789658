"""Helpers for API tests: a client speaking JSON, signed in by session or by API token."""

import json

import pytest
from django.test import Client

from ketacare.accounts.tokens import create_token


class JsonClient:
    """`api.get("/api/v1/me")`, `api.post(path, {...})`: JSON in, response out (`.json()`)."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path, payload=None, *, raw=None, content_type="application/json"):
        body = raw if raw is not None else json.dumps(payload if payload is not None else {})
        return self.client.post(path, body, content_type=content_type, headers=self.headers)

    def request(self, method, path):
        return getattr(self.client, method.lower())(path, headers=self.headers)


@pytest.fixture
def api_as(client_for):
    """`api_as(user)`: the API as that user, signed in by session (None: anonymous)."""
    return lambda user: JsonClient(client_for(user))


@pytest.fixture
def api_with_token(db):
    """`api_with_token(user)`: (JsonClient with `Authorization: Bearer kc_...`, ApiToken)."""

    def _make(user):
        token, raw = create_token(actor=user, name="test script")
        return JsonClient(Client(), {"Authorization": f"Bearer {raw}"}), token

    return _make
