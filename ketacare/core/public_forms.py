"""The edge of every form an anonymous visitor posts (the waiting-list sign-up, the contact
form): a honeypot field that bots fill in, a cap on the body's size, and the pages that
answer "too many from your address" (429, with Retry-After) and "not open" (503). One copy,
so the sign-up and the contact form answer alike."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .ratelimit import Verdict

HONEYPOT = "website"


def body_too_large(request: HttpRequest) -> bool:
    """More than WAITLIST_MAX_BODY_BYTES (or an unreadable Content-Length)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    limit: int = settings.WAITLIST_MAX_BODY_BYTES
    return length > limit


def too_many(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    """The rate limiter refused: 429, with when to try again."""
    response = render(
        request, "public/too_many.html", {"retry_after": verdict.retry_after_text}, status=429
    )
    response["Retry-After"] = str(verdict.retry_after_s)
    return response


def not_open(
    request: HttpRequest, message: str, *, status: int = 503, title: str = ""
) -> HttpResponse:
    """A public form that cannot take this now (closed, no clinic yet, too large)."""
    context = {"message": message, **({"title": title} if title else {})}
    return render(request, "public/closed.html", context, status=status)
