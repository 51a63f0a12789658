"""The patient's own sessions, and their private calendar feed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ketacare.audit.log import record
from ketacare.clinical.monitoring_schedule import preparation_instructions
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.roles import Role
from ketacare.core.views import action_required, role_required

from .. import ical, selectors, services
from .common import in_clinic_time


def _mine(patient: Any, **extra: Any) -> dict[str, Any]:
    sessions = selectors.upcoming_for_patient(patient, timezone.now())
    return {
        "patient": patient,
        "sessions": [(s, preparation_instructions(s.protocol.route)) for s in sessions],
        **extra,
    }


@role_required(Role.PATIENT)
@in_clinic_time
def my_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = selectors.own_patient(request.user)
    context = _mine(patient, has_feed=hasattr(patient, "calendar_feed"), feed_url=None)
    record(actor=request.user, action="view", obj=patient, patient=patient,
           detail=f"own upcoming sessions: {len(context['sessions'])}")  # fmt: skip
    return render(request, "treatments/mine.html", context)


@action_required(policy.OWN_CALENDAR_FEED)
@in_clinic_time
@require_POST
def my_calendar_link(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = selectors.own_patient(request.user)
    token = services.create_calendar_feed(actor=request.user, patient=patient)
    url = request.build_absolute_uri(reverse("treatments:ical", args=[token]))
    context = _mine(
        patient, has_feed=True, feed_url=url, webcal_url="webcal://" + url.split("://", 1)[-1]
    )
    return render(request, "treatments/mine.html", context)


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's private calendar feed: no login (calendar apps cannot sign in); the
    unguessable token in the link is the key."""
    feed = selectors.feed_for_token(token)
    patient = feed.patient
    sessions = selectors.feed_sessions(patient, timezone.now())
    record(actor=None, action="view", obj=feed, patient=patient, clinic_id=patient.clinic_id,
           detail=f"calendar feed: {len(sessions)} sessions")  # fmt: skip
    settings_row = selectors.treatment_settings_of(patient.clinic_id)
    body = ical.calendar(patient=patient, sessions=sessions, settings=settings_row)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
