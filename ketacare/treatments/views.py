"""Pages for orders, scheduling and the session workflow. Thin: parse the form, call one
service or selector, render. Each step of the session page posts to its own URL; with htmx the
answer is the re-rendered workflow (no full reload), without JavaScript a redirect back to the
page (or the page with the errors next to the fields, status 400)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ketacare.accounts.models import Role
from ketacare.accounts.permissions import (
    get_patient_for,
    patients_visible_to,
    role_required,
)
from ketacare.audit.log import record
from ketacare.clinical.dosing import REASON_TEXT
from ketacare.clinical.monitoring_schedule import preparation_instructions

from . import gates, ical, pdf, selectors, services
from .forms import (
    AlertForm,
    CalendarFilterForm,
    CancelForm,
    ChairForm,
    CheckInForm,
    DischargeForm,
    EndDoseForm,
    EventForm,
    NoteForm,
    OrderForm,
    OrderStatusForm,
    OverrideForm,
    PlanForm,
    RemsForm,
    ScheduleForm,
    SettingsForm,
    VitalsForm,
)
from .models import Chair, OrderStatus, TreatmentSession, TreatmentSettings, VitalsAlert
from .services import ADMINS, CLINICAL, PRESCRIBERS, STAFF, TreatmentError

# Time at the chair beyond the dose and the observation: check-in, vitals, discharge.
BOOKING_MARGIN_MINUTES = 30


def in_clinic_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Forms read and pages show times in the clinic's time zone."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        clinic = getattr(request.user, "clinic", None)
        with timezone.override(ZoneInfo(clinic.timezone) if clinic else None):
            return view(request, *args, **kwargs)

    return wrapped


def _apply_errors(form: Any, error: TreatmentError) -> None:
    for field, problems in error.errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


# --- The session page ----------------------------------------------------------------------


def _forms(
    request: HttpRequest,
    session: TreatmentSession,
    state: Any,
    bound: dict[str, Any],
    *,
    light: bool = False,
) -> dict[str, Any]:
    """The forms of the page, fresh, except those in `bound` (with the user's input and the
    errors). `light`: only those of the sections a vitals row changes."""
    dosing = session.dose_started_at is None and session.status == "in_progress"
    default_dose = services.default_dose_mg(session) if dosing else None
    forms: dict[str, Any] = {
        "vitals_form": VitalsForm(initial={"time_point": state.suggested_time_point}),
        "plan_form": PlanForm(initial={"dose_mg": default_dose}),
        "override_form": OverrideForm(initial={"dose_mg": default_dose}),
        "discharge_form": DischargeForm(),
        "cancel_form": CancelForm(),
        "alert_form": AlertForm(),
    }
    if not light:
        ledger = selectors.ledger_choices(request.user, session.protocol.route)
        end_initial = {"dose_mg": session.dose_plan.dose_mg if session.dose_plan else None}
        forms.update(
            checkin_form=CheckInForm(),
            end_form=EndDoseForm(initial=end_initial, ledger=ledger),
            event_form=EventForm(),
            note_form=NoteForm(),
            rems_form=RemsForm(),
        )
    forms.update(bound)
    return forms


def _context(
    request: HttpRequest,
    session: TreatmentSession,
    bound: dict[str, Any] | None = None,
    *,
    light: bool = False,
) -> dict[str, Any]:
    context = selectors.session_page(session, timezone.now(), light=light)
    context.update(_forms(request, session, context["state"], bound or {}, light=light))
    user = request.user
    context.update(
        can_act=user.role in CLINICAL and session.status == "in_progress",
        can_check_in=user.role in CLINICAL and session.status == "scheduled",
        is_prescriber=user.role == Role.PRESCRIBER,
        can_record_events=user.role in CLINICAL
        and session.checked_in_at is not None
        and session.status != "cancelled",
        can_write_notes=user.role in CLINICAL,
        can_cancel=user.role in STAFF and session.is_booked and session.dose_started_at is None,
        due_assessments=(
            gates.due_assessments(session.patient, timezone.now())
            if session.status == "scheduled" and not light
            else []
        ),
        error_message=(bound or {}).get("error_message"),
    )
    return context


def _respond(
    request: HttpRequest,
    session: TreatmentSession,
    *,
    anchor: str,
    bound: dict[str, Any] | None = None,
    success: str = "",
) -> HttpResponse:
    """After a step: the workflow partial for htmx, else a redirect (or the page with the
    errors, 400). Errors reach htmx with status 200 so that it swaps them in."""
    if request.htmx and anchor == "vitals":  # type: ignore[attr-defined]
        # The tablet's most frequent step answers with only what a reading changes: the
        # flowsheet (its form cleared), and out of band the status, alerts, dose decision and
        # discharge sections. (A reading changes no field of the session row itself.)
        context = _context(request, session, bound, light=True)
        context["flash"] = success
        response = render(request, "treatments/_vitals_saved.html", context)
        response["HX-Retarget"] = "#vitals"
        response["HX-Reswap"] = "outerHTML"
        return response
    if request.htmx:  # type: ignore[attr-defined]
        session = selectors.session_for(request.user, session.pk)
        context = _context(request, session, bound)
        context["flash"] = success
        return render(request, "treatments/_workflow.html", context)
    if bound:
        session = selectors.session_for(request.user, session.pk)
        return render(
            request, "treatments/session.html", _context(request, session, bound), status=400
        )
    if success:
        messages.success(request, success)
    return redirect(reverse("treatments:session", args=[session.pk]) + f"#{anchor}")


def _session(request: HttpRequest, session_id: int) -> TreatmentSession:
    session = selectors.session_for(request.user, session_id)
    return session


@role_required(*STAFF)
@in_clinic_time
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    record(request=request, action="view", obj=session, patient=session.patient)
    return render(request, "treatments/session.html", _context(request, session))


@role_required(*STAFF)
@in_clinic_time
@require_GET
def session_status(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    record(request=request, action="view", obj=session, patient=session.patient,
           detail="status refresh")  # fmt: skip
    context = selectors.session_page(session, timezone.now())
    context["is_prescriber"] = request.user.role == Role.PRESCRIBER
    return render(request, "treatments/_status.html", context)


def _step(
    form_class: Any,
    key: str,
    anchor: str,
    roles: frozenset[str] = CLINICAL,
) -> Callable[[Callable[..., str]], Callable[..., HttpResponse]]:
    """A POST step of the session page: validate `form_class`, call the service (the wrapped
    function, which returns the success message), answer as `_respond` does."""

    def decorator(action: Callable[..., str]) -> Callable[..., HttpResponse]:
        @role_required(*roles)
        @in_clinic_time
        @require_POST
        @wraps(action)
        def view(request: HttpRequest, session_id: int) -> HttpResponse:
            session = _session(request, session_id)
            form = form_class(request.POST, **_form_kwargs(request, session, form_class))
            if form.is_valid():
                try:
                    message = action(request, session, form)
                except TreatmentError as error:
                    _apply_errors(form, error)
                else:
                    return _respond(request, session, anchor=anchor, success=message)
            record(request=request, action="view", obj=session, patient=session.patient,
                   detail=f"{key} refused")  # fmt: skip
            return _respond(request, session, anchor=anchor, bound={key: form})

        return view

    return decorator


def _form_kwargs(
    request: HttpRequest, session: TreatmentSession, form_class: Any
) -> dict[str, Any]:
    if form_class is EndDoseForm:
        return {"ledger": selectors.ledger_choices(request.user, session.protocol.route)}
    return {}


@_step(CheckInForm, "checkin_form", "checkin")
def session_check_in(request: HttpRequest, session: TreatmentSession, form: CheckInForm) -> str:
    services.check_in(actor=request.user, session=session, request=request, **form.service_kwargs())
    return "Checked in."


@_step(VitalsForm, "vitals_form", "vitals")
def session_vitals(request: HttpRequest, session: TreatmentSession, form: VitalsForm) -> str:
    row = services.record_vitals(
        actor=request.user, session=session, request=request, **form.service_kwargs()
    )
    if row.alerts:
        return "Vitals recorded. ALERT raised to the prescribers: " + " ".join(
            _alert_texts(row.alerts)
        )
    return "Vitals recorded."


def _alert_texts(codes: list[str]) -> list[str]:
    from ketacare.clinical.dosing import ALERT_TEXT

    return [ALERT_TEXT.get(code, code) for code in codes]


@_step(PlanForm, "plan_form", "plan")
def session_plan(request: HttpRequest, session: TreatmentSession, form: PlanForm) -> str:
    plan = services.plan_session_dose(
        actor=request.user, session=session, dose_mg=form.cleaned_data["dose_mg"], request=request
    )
    return "Dose planned: allowed." if plan.allowed else "Dose planned: BLOCKED."


@_step(OverrideForm, "override_form", "plan", roles=PRESCRIBERS)
def session_override(request: HttpRequest, session: TreatmentSession, form: OverrideForm) -> str:
    plan = services.plan_session_dose(
        actor=request.user,
        session=session,
        dose_mg=form.cleaned_data["dose_mg"],
        override_reason=form.cleaned_data["override_reason"],
        request=request,
    )
    if not plan.overridden:
        raise TreatmentError(
            "Nothing the reference lets a prescriber override blocks this dose: "
            + (" ".join(REASON_TEXT[r] for r in plan.reasons) or "it is allowed."),
            field="override_reason",
        )
    return "Override recorded." + ("" if plan.allowed else " The dose is still blocked.")


class _Empty(forms.Form):
    """A step without fields (its button is the whole form)."""


@_step(_Empty, "start_form", "administration")
def session_start(request: HttpRequest, session: TreatmentSession, form: Any) -> str:
    services.start_administration(actor=request.user, session=session, request=request)
    return "Dose started."


@_step(EndDoseForm, "end_form", "administration")
def session_end_dose(request: HttpRequest, session: TreatmentSession, form: EndDoseForm) -> str:
    data = form.cleaned_data
    services.end_administration(
        actor=request.user,
        session=session,
        dose_mg=data["dose_mg"],
        lot=data.get("lot"),
        location=data.get("location"),
        lot_number=data.get("lot_number", ""),
        request=request,
    )
    return "Dose ended: observation has started."


@_step(EventForm, "event_form", "events")
def session_event(request: HttpRequest, session: TreatmentSession, form: EventForm) -> str:
    services.record_event(actor=request.user, session=session, request=request, **form.cleaned_data)
    return "Event recorded."


@_step(NoteForm, "note_form", "notes")
def session_note(request: HttpRequest, session: TreatmentSession, form: NoteForm) -> str:
    services.add_note(actor=request.user, session=session, body=form.cleaned_data["body"],
                      request=request)  # fmt: skip
    return "Note added."


@_step(DischargeForm, "discharge_form", "discharge")
def session_discharge(request: HttpRequest, session: TreatmentSession, form: DischargeForm) -> str:
    services.discharge(actor=request.user, session=session, request=request, **form.cleaned_data)
    return "Discharged."


@_step(CancelForm, "cancel_form", "cancel", roles=STAFF)
def session_cancel(request: HttpRequest, session: TreatmentSession, form: CancelForm) -> str:
    services.cancel_session(actor=request.user, session=session, request=request,
                            reason=form.cleaned_data["reason"])  # fmt: skip
    return "Session ended without a dose." if session.checked_in_at else "Session cancelled."


@_step(RemsForm, "rems_form", "rems", roles=STAFF)
def session_rems(request: HttpRequest, session: TreatmentSession, form: RemsForm) -> str:
    services.mark_rems_submitted(actor=request.user, session=session, request=request,
                                 confirmation=form.cleaned_data["confirmation"])  # fmt: skip
    return "REMS form recorded as submitted."


@role_required(*PRESCRIBERS)
@in_clinic_time
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = (
        VitalsAlert.objects.filter(pk=alert_id, session__clinic_id=request.user.clinic_id)
        .select_related("session__patient")
        .first()
    )
    if alert is None:
        raise Http404("Not found.")
    session = alert.session
    form = AlertForm(request.POST)
    if form.is_valid():
        try:
            services.acknowledge_alert(actor=request.user, alert=alert, request=request,
                                       response=form.cleaned_data["response"])  # fmt: skip
        except TreatmentError as error:
            _apply_errors(form, error)
        else:
            return _respond(request, session, anchor="alerts", success="Alert acknowledged.")
    return _respond(request, session, anchor="alerts", bound={"alert_form": form})


@role_required(*STAFF)
@in_clinic_time
@require_GET
def session_record_pdf(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    context = selectors.session_page(session, timezone.now())
    settings_row = TreatmentSettings.objects.filter(clinic_id=session.clinic_id).first()
    content = pdf.session_record(context, clinic=session.patient.clinic, settings=settings_row)
    record(request=request, action="export", obj=session, patient=session.patient,
           detail="session record PDF")  # fmt: skip
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="session-{session.pk}.pdf"'
    return response


# --- Board, calendar and scheduling --------------------------------------------------------


def _filters(
    request: HttpRequest, chairs: list[Chair]
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


def _board_context(request: HttpRequest) -> dict[str, Any]:
    chairs = list(Chair.objects.filter(clinic_id=request.user.clinic_id))
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
    record(request=request, action="list", obj=("treatments.TreatmentSession", ""),
           detail=f"session board {values['date']}: {len(context['rows'])} sessions")  # fmt: skip
    return context


@role_required(*STAFF)
@in_clinic_time
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "treatments/board.html", _board_context(request))


@role_required(*STAFF)
@in_clinic_time
@require_GET
def board_live(request: HttpRequest) -> HttpResponse:
    return render(request, "treatments/_board.html", _board_context(request))


@role_required(*STAFF)
@in_clinic_time
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    form, values = _filters(request, list(Chair.objects.filter(clinic_id=request.user.clinic_id)))
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
    record(request=request, action="list", obj=("treatments.TreatmentSession", ""),
           detail=f"calendar {values['view']} from {day}: "
                  f"{context['session_count']} sessions")  # fmt: skip
    return render(request, "treatments/calendar.html", context)


def _default_duration(order: Any) -> int:
    protocol = order.protocol
    return (protocol.infusion_minutes or 0) + protocol.observation_minutes + BOOKING_MARGIN_MINUTES


@role_required(*STAFF)
@in_clinic_time
def schedule(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {"clinician": user.pk if user.role in CLINICAL else None}
    if request.GET.get("order"):
        initial["order"] = request.GET["order"]
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        orders=selectors.active_orders(user),
        chairs=Chair.objects.filter(clinic_id=user.clinic_id, active=True),
        staff=selectors.clinic_staff(user),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.schedule_session(
                    actor=user,
                    order=data["order"],
                    chair=data["chair"],
                    clinician=data["clinician"],
                    start=data["start"],
                    duration_minutes=data["duration"] or _default_duration(data["order"]),
                    request=request,
                )
            except TreatmentError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Session booked.")
                return redirect("treatments:session", session_id=session.pk)
        status = 400
    return render(request, "treatments/schedule.html", {"form": form}, status=status)


# --- Orders ----------------------------------------------------------------------------------


@role_required(*STAFF)
@in_clinic_time
@require_GET
def patients_in_treatment(request: HttpRequest) -> HttpResponse:
    """The clinic's patients with a route approved in screening, and their orders."""
    approved = gates.patients_with_approved_routes(request.user.clinic_id)
    patients = list(
        patients_visible_to(request.user)
        .filter(pk__in=list(approved))
        .prefetch_related("treatment_orders__protocol")
    )
    rows = [(p, sorted(approved[p.pk]), list(p.treatment_orders.all())) for p in patients]
    record(request=request, action="list", obj=("patients.Patient", ""),
           detail=f"patients in treatment: {len(rows)}")  # fmt: skip
    return render(request, "treatments/patients.html", {"rows": rows})


@role_required(*STAFF)
@in_clinic_time
@require_GET
def patient_orders(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    record(request=request, action="view", obj=patient, patient=patient, detail="treatment orders")
    context = {
        "patient": patient,
        "orders": selectors.orders_for_patient(patient),
        "approved_routes": sorted(gates.approved_routes(patient)),
        "sessions": list(
            patient.treatment_sessions.select_related("protocol", "chair").order_by(
                "-scheduled_start"
            )[:50]
        ),
    }
    return render(request, "treatments/patient_orders.html", context)


@role_required(*PRESCRIBERS)
@in_clinic_time
def order_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    from ketacare.protocols.selectors import current_protocols

    patient = get_patient_for(request.user, patient_id, request=request)
    form = OrderForm(
        request.POST if request.method == "POST" else None,
        protocols=current_protocols(request.user.clinic_id, active_only=True),
        initial={"start_date": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.create_order(
                    actor=request.user, patient=patient, request=request, **data
                )
            except TreatmentError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Order signed.")
                return redirect("treatments:order", order_id=order.pk)
        status = 400
        record(request=request, action="view", obj=patient, patient=patient,
               detail="order form refused")  # fmt: skip
    else:
        record(request=request, action="view", obj=patient, patient=patient, detail="order form")
    context = {
        "form": form,
        "patient": patient,
        "approved_routes": sorted(gates.approved_routes(patient)),
        "weight": selectors.latest_weight(patient),
    }
    return render(request, "treatments/order_form.html", context, status=status)


def _order_page(
    request: HttpRequest, order: Any, form: Any = None, status: int = 200
) -> HttpResponse:
    context = {
        "order": order,
        "changes": list(order.changes.select_related("changed_by")),
        "sessions": list(order.sessions.select_related("chair", "clinician")),
        "status_form": form or OrderStatusForm(),
        "transitions": [s for s in OrderStatus if (order.status, s) in services.ORDER_TRANSITIONS],
    }
    return render(request, "treatments/order.html", context, status=status)


@role_required(*STAFF)
@in_clinic_time
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for(request.user, order_id)
    record(request=request, action="view", obj=order, patient=order.patient)
    return _order_page(request, order)


@role_required(*PRESCRIBERS)
@in_clinic_time
@require_POST
def order_status(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for(request.user, order_id)
    form = OrderStatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_order_status(actor=request.user, order=order, request=request,
                                         **form.cleaned_data)  # fmt: skip
        except TreatmentError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Order {order.pk} is now {form.cleaned_data['to_status']}.")
            return redirect("treatments:order", order_id=order.pk)
    record(request=request, action="view", obj=order, patient=order.patient,
           detail="order status change refused")  # fmt: skip
    return _order_page(request, order, form, status=400)


# --- The patient's own sessions and calendar -----------------------------------------------


def _own_patient(request: HttpRequest) -> Any:
    patient = patients_visible_to(request.user).select_related("clinic").first()
    if patient is None:
        raise Http404("Your account is not linked to a patient record.")
    return patient


@role_required(Role.PATIENT)
@in_clinic_time
def my_sessions(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    sessions = selectors.upcoming_for_patient(patient, timezone.now())
    record(request=request, action="view", obj=patient, patient=patient,
           detail=f"own upcoming sessions: {len(sessions)}")  # fmt: skip
    context = {
        "patient": patient,
        "sessions": [(s, preparation_instructions(s.protocol.route)) for s in sessions],
        "has_feed": hasattr(patient, "calendar_feed"),
        "feed_url": None,
    }
    return render(request, "treatments/mine.html", context)


@role_required(Role.PATIENT)
@in_clinic_time
@require_POST
def my_calendar_link(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    token = services.create_calendar_feed(actor=request.user, patient=patient, request=request)
    sessions = selectors.upcoming_for_patient(patient, timezone.now())
    url = request.build_absolute_uri(reverse("treatments:ical", args=[token]))
    context = {
        "patient": patient,
        "sessions": [(s, preparation_instructions(s.protocol.route)) for s in sessions],
        "has_feed": True,
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[-1],
    }
    return render(request, "treatments/mine.html", context)


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's private calendar feed: no login (calendar apps cannot sign in); the
    unguessable token in the link is the key."""
    from .models import CalendarFeed

    feed = (
        CalendarFeed.objects.filter(token_hash=services.hash_feed_token(token[:100]))
        .select_related("patient__clinic")
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    patient = feed.patient
    sessions = selectors.feed_sessions(patient, timezone.now())
    record(actor=None, action="view", obj=feed, patient=patient, request=request,
           clinic_id=patient.clinic_id, detail=f"calendar feed: {len(sessions)} sessions",
           )  # fmt: skip
    settings_row = TreatmentSettings.objects.filter(clinic_id=patient.clinic_id).first()
    body = ical.calendar(patient=patient, sessions=sessions, settings=settings_row)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Clinic settings -------------------------------------------------------------------------


@role_required(*ADMINS)
@in_clinic_time
def treatment_settings(request: HttpRequest) -> HttpResponse:
    instance = TreatmentSettings.objects.filter(clinic_id=request.user.clinic_id).first()
    form = SettingsForm(
        request.POST if request.method == "POST" else None, instance=instance or TreatmentSettings()
    )
    status = 200
    if request.method == "POST":
        form.instance = TreatmentSettings()  # the service writes, not the form
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
            services.update_treatment_settings(actor=request.user, request=request, **fields)
            messages.success(request, "Treatment settings saved.")
            return redirect("treatments:settings")
        status = 400
    return _settings_page(request, form, ChairForm(), status)


def _settings_page(request: HttpRequest, form: Any, chair_form: Any, status: int) -> HttpResponse:
    chairs = list(Chair.objects.filter(clinic_id=request.user.clinic_id))
    context = {"form": form, "chair_form": chair_form, "chairs": chairs}
    return render(request, "treatments/settings.html", context, status=status)


@role_required(*ADMINS)
@in_clinic_time
@require_POST
def chair_add(request: HttpRequest) -> HttpResponse:
    form = ChairForm(request.POST)
    if form.is_valid():
        try:
            services.add_chair(actor=request.user, request=request, **form.cleaned_data)
        except TreatmentError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Chair added.")
            return redirect("treatments:settings")
    instance = TreatmentSettings.objects.filter(clinic_id=request.user.clinic_id).first()
    return _settings_page(request, SettingsForm(instance=instance), form, 400)


@role_required(*ADMINS)
@require_POST
def chair_toggle(request: HttpRequest, chair_id: int) -> HttpResponse:
    chair = Chair.objects.filter(pk=chair_id, clinic_id=request.user.clinic_id).first()
    if chair is None:
        raise Http404("Not found.")
    services.set_chair_active(actor=request.user, chair=chair, active=not chair.active,
                              request=request)  # fmt: skip
    messages.success(request, f"{chair} is {'in use' if chair.active else 'retired'}.")
    return redirect("treatments:settings")


# --- Home page cards -----------------------------------------------------------------------


def home_context(request: HttpRequest) -> dict[str, Any]:
    """What the home pages show of treatments (staff: today, alerts, REMS forms due; a
    patient: their next sessions)."""
    user = request.user
    if user.role == Role.PATIENT:
        patient = patients_visible_to(user).first()
        if patient is None:
            return {}
        zone = ZoneInfo(user.clinic.timezone) if user.clinic_id else None
        upcoming = selectors.upcoming_for_patient(patient, timezone.now())[:3]
        return {
            "upcoming_sessions": [
                (s, timezone.localtime(s.scheduled_start, zone)) for s in upcoming
            ]
        }
    if user.role not in STAFF or not user.clinic_id:
        return {}
    with timezone.override(ZoneInfo(user.clinic.timezone)):
        today = timezone.localdate()
        return {
            "sessions_today": selectors.today_count(user, today),
            "open_alerts": selectors.open_alerts(user),
            "rems_pending": selectors.rems_forms_pending(user, today),
        }
