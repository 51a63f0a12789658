"""The JSON API at /api/v1/: session auth for the browser (with CSRF), personal tokens
(`Authorization: Bearer kc_...`) for scripts. Every error is `{"detail": ...}` with the right
status: 400 unreadable body, 401 not signed in, 403 CSRF, 404 unknown or not yours, 405 wrong
method, 413 body too large, 422 invalid fields (each naming its field)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from ketacare.accounts.tokens import user_for_token
from ketacare.core.errors import NotFound, Refusal

UNAUTHENTICATED = "Authentication required: sign in or send a valid API token."
CSRF_FAILED = (
    "CSRF check failed: a request signed in by session cookie must send the page's CSRF token "
    "in the X-CSRFToken header (scripts: use an API token instead)."
)


class TokenAuth(HttpBearer):
    """A personal API token; revoked tokens and inactive users are refused."""

    openapi_bearerFormat = "kc_..."
    openapi_description = "A personal API token from your Security page: `Bearer kc_...`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            request.auth_method = "token"  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, MFA already checked by middleware, CSRF enforced on unsafe methods.
    An anonymous request gets 401, not a CSRF 403: there is no session to protect."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The browser session of a signed-in user; unsafe methods need the X-CSRFToken header."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, CSRF_FAILED)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            request.auth_method = "session"  # type: ignore[attr-defined]
            return user
        return None


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a plain-text 405; ours is JSON like every other error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            json_response = JsonResponse(
                {"detail": f"Method {request.method} is not allowed here (allowed: {allowed})."},
                status=405,
            )
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapped


class KetaCareAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
        return urls


api = KetaCareAPI(
    title="KetaCare API",
    version="1.0.0",
    description="JSON API of KetaCare. Authenticate with your browser session or a personal "
    "API token (`Authorization: Bearer kc_...`) created on your Security page. Errors are "
    '`{"detail": ...}`; for invalid fields `detail` lists each error with its `loc` (the field).',
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    docs_url="/docs",
    openapi_url="/openapi.json",
    # The schema and docs are public (no patient data) and read-only.
    docs_decorator=require_safe,
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": UNAUTHENTICATED}, status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(NotFound)
def on_domain_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(Refusal)
def on_refusal(request: HttpRequest, exc: Refusal) -> HttpResponse:
    """A service's refusal: 422 with the message (prefixed by its field), the stable `code`,
    the messages by field (`errors`) and the clinical rule codes behind it (`codes`)."""
    return api.create_response(request, exc.as_json(), status=exc.status)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit_kib = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    return api.create_response(
        request, {"detail": f"Request body is too large (limit {limit_kib} KiB)."}, status=413
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        message = (
            f"Malformed JSON in the request body: {cause.msg} "
            f"(line {cause.lineno}, column {cause.colno})."
        )
    elif isinstance(cause, RecursionError):
        message = "Malformed JSON in the request body: it is nested too deeply."
    elif isinstance(cause, UnicodeDecodeError):
        message = "Malformed request body: it is not valid UTF-8 JSON."
    elif cause is not None and exc.status_code == 400:
        message = (
            "The request body could not be read: send JSON with Content-Type: application/json."
        )
    else:
        message = str(exc)
    return api.create_response(request, {"detail": message}, status=exc.status_code)

