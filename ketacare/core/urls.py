"""Full links (for emails, calendar feeds, anything read outside the site): one function, so
that every link is built from the same SITE_URL the same way."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def absolute_url(
    path_or_viewname: str, *args: Any, request: HttpRequest | None = None, origin: str = ""
) -> str:
    """The full URL of a path ("/inbox/") or of a view name with its arguments
    ("treatments:session", 42). From the request when there is one (the address the person
    used), or `origin` when given (a service's `ketacare.core.context.current().origin`: the
    request's scheme and host, without the request), else from settings.SITE_URL, whose
    trailing slash does not matter."""
    path = (
        path_or_viewname
        if path_or_viewname.startswith("/")
        else reverse(path_or_viewname, args=args)
    )
    if request is not None:
        return request.build_absolute_uri(path)
    site: str = origin or settings.SITE_URL
    return site.rstrip("/") + path
