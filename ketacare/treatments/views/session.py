"""The session page and its steps. Each step posts to its own URL; with htmx the answer is the
re-rendered workflow (no full reload), without JavaScript a redirect back to the page (or the
page with the errors next to the fields, status 400)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ketacare.audit.log import record
from ketacare.clinical.dosing import ALERT_TEXT
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.roles import Role
from ketacare.core.views import action_required, submit
from ketacare.screening.selectors import due_assessments_for

from .. import pdf, selectors, services
from ..forms import (
    AlertForm,
    CancelForm,
    CheckInForm,
    DischargeForm,
    EndDoseForm,
    EventForm,
    NoteForm,
    OverrideForm,
    PlanForm,
    RemsForm,
    VitalsForm,
)
from ..models import TreatmentSession
from .common import in_clinic_time


def _forms(
    request: AuthenticatedHttpRequest,
    session: TreatmentSession,
    state: Any,
    bound: dict[str, Any],
    *,
    light: bool = False,
) -> dict[str, Any]:
    """The forms of the page, fresh, except those in `bound` (with the user's input and the
    errors). `light`: only those of the sections a vitals row changes."""
    dosing = session.dose_started_at is None and session.status == "in_progress"
    default_dose = selectors.default_dose_mg(session) if dosing else None
    page_forms: dict[str, Any] = {
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
        page_forms.update(
            checkin_form=CheckInForm(),
            end_form=EndDoseForm(initial=end_initial, ledger=ledger),
            event_form=EventForm(),
            note_form=NoteForm(),
            rems_form=RemsForm(),
        )
    page_forms.update(bound)
    return page_forms


def _context(
    request: AuthenticatedHttpRequest,
    session: TreatmentSession,
    bound: dict[str, Any] | None = None,
    *,
    light: bool = False,
) -> dict[str, Any]:
    context = selectors.session_page(session, timezone.now(), light=light)
    context.update(_forms(request, session, context["state"], bound or {}, light=light))
    user = request.user
    clinical = policy.can(user, policy.CLINICAL_CARE)
    context.update(
        can_act=clinical and session.status == "in_progress",
        can_check_in=clinical and session.status == "scheduled",
        is_prescriber=user.role == Role.PRESCRIBER,
        can_record_events=clinical
        and session.checked_in_at is not None
        and session.status != "cancelled",
        can_write_notes=clinical,
        can_cancel=policy.can(user, policy.BOOK_SESSION)
        and session.is_booked
        and session.dose_started_at is None,
        due_assessments=(
            [due.instrument for due in due_assessments_for(session.patient, timezone.now())]
            if session.status == "scheduled" and not light
            else []
        ),
        error_message=(bound or {}).get("error_message"),
    )
    return context


def _respond(
    request: AuthenticatedHttpRequest,
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


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def session_detail(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_for(request.user, session_id)
    record(actor=request.user, action="view", obj=session, patient=session.patient)
    return render(request, "treatments/session.html", _context(request, session))


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def session_status(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_for(request.user, session_id)
    record(actor=request.user, action="view", obj=session, patient=session.patient,
           detail="status refresh")  # fmt: skip
    context = selectors.session_page(session, timezone.now())
    context["is_prescriber"] = request.user.role == Role.PRESCRIBER
    return render(request, "treatments/_status.html", context)


Step = Callable[[AuthenticatedHttpRequest, TreatmentSession, Any], str]


def _step(
    form_class: Any, key: str, anchor: str, action: str = policy.CLINICAL_CARE
) -> Callable[[Step], Callable[..., HttpResponse]]:
    """A POST step of the session page, on `submit()`: the wrapped function calls the service
    and returns the success message; the answer is `_respond`'s."""

    def decorator(step: Step) -> Callable[..., HttpResponse]:
        @action_required(action)
        @in_clinic_time
        @require_POST
        @wraps(step)
        def view(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
            session = selectors.session_for(request.user, session_id)
            kwargs: dict[str, Any] = {}
            if form_class is EndDoseForm:
                kwargs["ledger"] = selectors.ledger_choices(request.user, session.protocol.route)
            form = form_class(request.POST, **kwargs)
            done = submit(form, lambda _data: step(request, session, form))
            if done.ok:
                return _respond(request, session, anchor=anchor, success=done.result or "")
            record(actor=request.user, action="view", obj=session, patient=session.patient,
                   detail=f"{key} refused")  # fmt: skip
            return _respond(request, session, anchor=anchor, bound={key: form})

        return view

    return decorator


@_step(CheckInForm, "checkin_form", "checkin")
def session_check_in(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: CheckInForm
) -> str:
    services.check_in(actor=request.user, session=session, **form.service_kwargs())
    return "Checked in."


@_step(VitalsForm, "vitals_form", "vitals")
def session_vitals(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: VitalsForm
) -> str:
    row = services.record_vitals(actor=request.user, session=session, **form.service_kwargs())
    if row.alerts:
        return "Vitals recorded. ALERT raised to the prescribers: " + " ".join(
            ALERT_TEXT.get(code, code) for code in row.alerts
        )
    return "Vitals recorded."


@_step(PlanForm, "plan_form", "plan")
def session_plan(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: PlanForm
) -> str:
    plan = services.plan_session_dose(
        actor=request.user, session=session, dose_mg=form.cleaned_data["dose_mg"]
    )
    return "Dose planned: allowed." if plan.allowed else "Dose planned: BLOCKED."


@_step(OverrideForm, "override_form", "plan", action=policy.PRESCRIBE)
def session_override(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: OverrideForm
) -> str:
    plan = services.override_dose(
        actor=request.user,
        session=session,
        dose_mg=form.cleaned_data["dose_mg"],
        override_reason=form.cleaned_data["override_reason"],
    )
    return "Override recorded." + ("" if plan.allowed else " The dose is still blocked.")


class _Empty(forms.Form):
    """A step without fields (its button is the whole form)."""


@_step(_Empty, "start_form", "administration")
def session_start(request: AuthenticatedHttpRequest, session: TreatmentSession, form: Any) -> str:
    services.start_administration(actor=request.user, session=session)
    return "Dose started."


@_step(EndDoseForm, "end_form", "administration")
def session_end_dose(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: EndDoseForm
) -> str:
    data = form.cleaned_data
    services.end_administration(
        actor=request.user,
        session=session,
        dose_mg=data["dose_mg"],
        lot=data.get("lot"),
        location=data.get("location"),
        lot_number=data.get("lot_number", ""),
    )
    return "Dose ended: observation has started."


@_step(EventForm, "event_form", "events")
def session_event(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: EventForm
) -> str:
    services.record_event(actor=request.user, session=session, **form.cleaned_data)
    return "Event recorded."


@_step(NoteForm, "note_form", "notes")
def session_note(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: NoteForm
) -> str:
    services.add_note(actor=request.user, session=session, body=form.cleaned_data["body"])
    return "Note added."


@_step(DischargeForm, "discharge_form", "discharge")
def session_discharge(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: DischargeForm
) -> str:
    services.discharge(actor=request.user, session=session, **form.cleaned_data)
    return "Discharged."


@_step(CancelForm, "cancel_form", "cancel", action=policy.BOOK_SESSION)
def session_cancel(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: CancelForm
) -> str:
    services.cancel_session(actor=request.user, session=session, reason=form.cleaned_data["reason"])
    return "Session ended without a dose." if session.checked_in_at else "Session cancelled."


@_step(RemsForm, "rems_form", "rems", action=policy.BOOK_SESSION)
def session_rems(
    request: AuthenticatedHttpRequest, session: TreatmentSession, form: RemsForm
) -> str:
    services.mark_rems_submitted(
        actor=request.user, session=session, confirmation=form.cleaned_data["confirmation"]
    )
    return "REMS form recorded as submitted."


@action_required(policy.PRESCRIBE)
@in_clinic_time
@require_POST
def alert_acknowledge(request: AuthenticatedHttpRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_for(request.user, alert_id)
    session = alert.session
    form = AlertForm(request.POST)
    done = submit(
        form,
        lambda data: services.acknowledge_alert(
            actor=request.user, alert=alert, response=data["response"]
        ),
    )
    if done.ok:
        return _respond(request, session, anchor="alerts", success="Alert acknowledged.")
    return _respond(request, session, anchor="alerts", bound={"alert_form": form})


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def session_record_pdf(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session_for(request.user, session_id)
    context = selectors.session_page(session, timezone.now())
    settings_row = selectors.treatment_settings_of(session.clinic_id)
    content = pdf.session_record(context, clinic=session.patient.clinic, settings=settings_row)
    record(actor=request.user, action="export", obj=session, patient=session.patient,
           detail="session record PDF")  # fmt: skip
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="session-{session.pk}.pdf"'
    return response
