"""What the treatment pages share: times in the clinic's time zone."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def in_clinic_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Forms read and pages show times in the clinic's time zone."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        clinic = getattr(request.user, "clinic", None)
        with timezone.override(ZoneInfo(clinic.timezone) if clinic else None):
            return view(request, *args, **kwargs)

    return wrapped
