"""Input guards that every request passes before any view sees it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

NUL_MESSAGE = "The request contains a NUL character (\\x00), which no field accepts."


def _has_nul(request: HttpRequest) -> bool:
    if "%00" in request.META.get("QUERY_STRING", ""):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        try:
            fields = _items(request.POST)
        except (RequestDataTooBig, TooManyFieldsSent, UnreadablePostError):
            return False  # the view (or Django's 400 handler) answers these clearly
        return any("\x00" in key or "\x00" in value for key, value in fields)
    if content_type.startswith("application/json"):
        try:
            body = request.body
        except (RequestDataTooBig, UnreadablePostError):  # the view answers these clearly
            return False
        # JSON can only carry a NUL escaped; a raw one is a parse error the API reports.
        return b"\\u0000" in body
    return False


def _items(querydict: QueryDict) -> list[tuple[str, str]]:
    return [(k, v) for k, values in querydict.lists() for v in values]


class RejectNulMiddleware:
    """PostgreSQL cannot store a NUL character in text, and no clinic form needs one: refuse
    it at the edge with a clear 400 rather than let it reach a query and fail there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = _has_nul(request)
            message = NUL_MESSAGE
        except MultiPartParserError:
            # Django would answer 400 too, but only on first reading the body: here it is.
            refused, message = True, "The form data could not be read (a malformed upload)."
        if refused:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return render(
                request,
                "errors/error.html",
                {"title": "Bad request", "message": message},
                status=400,
            )
        return self.get_response(request)
