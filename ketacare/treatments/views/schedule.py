"""The day's board, the calendar, and booking a session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit

from .. import selectors, services
from ..forms import CalendarFilterForm, ScheduleForm
from ..models import Chair
from .common import in_clinic_time

# Time at the chair beyond the dose and the observation: check-in, vitals, discharge.
BOOKING_MARGIN_MINUTES = 30


def _filters(
    request: AuthenticatedHttpRequest, chairs: list[Chair]
) -> tuple[CalendarFilterForm, dict[str, Any]]:
    # The live board renders no form: it needs the staff list only to read a clinician filter.
    live = request.htmx and "clinician" not in request.GET  # type: ignore[attr-defined]
    form = CalendarFilterForm(
        request.GET or None,
        initial={"date": timezone.localdate(), "view": "day"},
        rooms=sorted({chair.room for chair in chairs}),
        staff=[] if live else list(selectors.clinic_staff(request.user)),
    )
    today = timezone.localdate()
    values: dict[str, Any] = {"view": "day", "date": today, "room": "", "clinician": None}
    if form.is_valid():
        data = form.cleaned_data
        values.update(
            view=data.get("view") or "day",
            date=data.get("date") or today,
            room=data.get("room") or "",
            clinician=data.get("clinician"),
        )
    return form, values


def _board_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    chairs = list(selectors.chairs_of(request.user))
    form, values = _filters(request, chairs)
    context = selectors.board(
        request.user,
        values["date"],
        timezone.now(),
        clinician_id=values["clinician"],
        room=values["room"],
        chairs=[chair for chair in chairs if chair.active],
    )
    context.update(filter_form=form, values=values, query=request.GET.urlencode())
    record(actor=request.user, action="list", obj=("treatments.TreatmentSession", ""),
           detail=f"session board {values['date']}: {len(context['rows'])} sessions")  # fmt: skip
    return context


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "treatments/board.html", _board_context(request))


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def board_live(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "treatments/_board.html", _board_context(request))


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, values = _filters(request, list(selectors.chairs_of(request.user)))
    day = values["date"]
    days = 1
    if values["view"] == "week":
        day = day - dt.timedelta(days=day.weekday())
        days = 7
    context = selectors.calendar(
        request.user, day, days, clinician_id=values["clinician"], room=values["room"]
    )
    step = dt.timedelta(days=days)
    query = request.GET.copy()
    query["view"] = values["view"]
    query["date"] = (day - step).isoformat()
    previous = query.urlencode()
    query["date"] = (day + step).isoformat()
    following = query.urlencode()
    context.update(filter_form=form, values=values, previous=previous, following=following)
    record(actor=request.user, action="list", obj=("treatments.TreatmentSession", ""),
           detail=f"calendar {values['view']} from {day}: "
                  f"{context['session_count']} sessions")  # fmt: skip
    return render(request, "treatments/calendar.html", context)


def _default_duration(order: Any) -> int:
    protocol = order.protocol
    return (protocol.infusion_minutes or 0) + protocol.observation_minutes + BOOKING_MARGIN_MINUTES


@action_required(policy.BOOK_SESSION)
@in_clinic_time
def schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {
        "clinician": user.pk if policy.can(user, policy.CLINICAL_CARE) else None
    }
    if request.GET.get("order"):
        initial["order"] = request.GET["order"]
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        orders=selectors.active_orders(user),
        chairs=selectors.chairs_of(user, active_only=True),
        staff=selectors.clinic_staff(user),
    )
    if request.method != "POST":
        return render(request, "treatments/schedule.html", {"form": form})
    done = submit(
        form,
        lambda data: services.schedule_session(
            actor=user,
            order=data["order"],
            chair=data["chair"],
            clinician=data["clinician"],
            start=data["start"],
            duration_minutes=data["duration"] or _default_duration(data["order"]),
        ),
    )
    if done.ok and done.result is not None:
        messages.success(request, "Session booked.")
        return redirect("treatments:session", session_id=done.result.pk)
    return render(request, "treatments/schedule.html", {"form": form}, status=400)
