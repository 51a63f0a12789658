"""Who is acting, and from where: the audit context. A middleware sets it for each request
(actor, client IP, path, a request id); `audit_context()` sets it for the CLI and the worker.
`ketacare.audit.log.record()` reads it, so no service needs the request to write its audit
row, and the row still says where the change came from."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import DisallowedHost

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"


@dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    path: str = ""
    request_id: str = ""
    # The scheme and host the request came in on ("https://clinic.example"), for links in
    # emails a service queues (`ketacare.core.urls.absolute_url(..., origin=...)`); empty
    # outside a request (then settings.SITE_URL is used).
    origin: str = ""
    # Read when a row is written, not when the request starts: API token auth sets
    # `request.user` after the middleware has run.
    actor_source: Callable[[], Any] | None = None

    @property
    def actor(self) -> Any:
        actor = self.actor_source() if self.actor_source is not None else None
        return actor if getattr(actor, "is_authenticated", False) else None


_EMPTY = AuditContext()
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "ketacare_audit_context", default=_EMPTY
)


def current() -> AuditContext:
    return _current.get()


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the address `NUM_PROXIES` trusted proxies saw."""
    if request is None:
        return None
    if settings.NUM_PROXIES:
        forwarded: list[str] = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        proxies: int = settings.NUM_PROXIES
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    address: str | None = request.META.get("REMOTE_ADDR") or None
    return address


def _origin(request: HttpRequest) -> str:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # answered 400 elsewhere; no links are built from it
        return ""


def for_request(request: HttpRequest) -> AuditContext:
    return AuditContext(
        ip=client_ip(request),
        path=request.get_full_path()[:300],
        origin=_origin(request),
        request_id=uuid.uuid4().hex,
        actor_source=lambda: getattr(request, "user", None),
    )


@contextmanager
def audit_context(
    *,
    actor: Any = None,
    path: str = "",
    ip: str | None = None,
    request_id: str | None = None,
    fresh: bool = False,
) -> Iterator[AuditContext]:
    """For work outside a request: `with audit_context(path="cli:ledger verify"): ...`.
    Inside a request, fields not given keep the request's values; `fresh` starts from an
    empty context instead (a worker task inherits nothing from whoever queued it)."""
    base = _EMPTY if fresh else current()
    context = replace(
        base,
        ip=ip if ip is not None else base.ip,
        path=path or base.path,
        request_id=request_id or base.request_id or uuid.uuid4().hex,
        actor_source=(lambda: actor) if actor is not None else base.actor_source,
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Sets the audit context for the request, and answers with its request id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = for_request(request)
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = context.request_id
        return response
