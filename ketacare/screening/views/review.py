"""The staff's pages: the worklist and the screening summary, where clinicians review
(findings, notes, requests to the patient, clinician-rated instruments, corrections, urgent
tasks) and prescribers decide each route and re-evaluate during treatment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketacare.audit.log import record
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit
from ketacare.patients.selectors import get_patient_for

from .. import selectors, services
from ..forms import (
    CorrectionForm,
    FindingsForm,
    InstrumentForm,
    PatientRequestForm,
    ReevaluationForm,
    ResolveTaskForm,
    ReviewNoteForm,
    RouteDecisionForm,
    instrument_initial,
)
from ..models import Assessment, AssessmentContext, Route
from .common import press, scored


@action_required(policy.REVIEW_SCREENING)
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = selectors.clinic_worklist(user=request.user)
    record(
        action="list",
        obj=("screening.Screening", ""),
        detail=f"worklist: {len(context['urgent_tasks'])} urgent, "
        f"{len(context['awaiting_review'])} awaiting review",
    )
    return render(request, "screening/worklist.html", {"worklist": context})


# --- The screening summary, and the form steps that return to it ---------------------------


def _summary(
    request: AuthenticatedHttpRequest, patient: Any, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The summary page; a form step that did not go through is shown again in its place."""
    context = selectors.screening_summary(patient=patient)
    record(
        action="view",
        obj=("screening.Screening", getattr(context["screening"], "pk", "")),
        patient=patient,
        detail="screening summary",
    )
    decision_forms = {
        route: forms.pop(f"decision_{route}", None)
        or RouteDecisionForm(initial={"route": route}, prefix=route)
        for route in Route.values
    }
    context.update(
        note_form=forms.get("note_form") or ReviewNoteForm(),
        request_form=forms.get("request_form") or PatientRequestForm(),
        findings_form=forms.get("findings_form")
        or FindingsForm(initial=_findings_initial(context["screening"])),
        reevaluation_form=forms.get("reevaluation_form") or ReevaluationForm(),
        decision_forms=decision_forms,
        review_instruments=list(context["bundle"].staff),
        can_review=policy.can(request.user, policy.CLINICAL_CARE),
        can_decide=policy.can(request.user, policy.PRESCRIBE),
    )
    for row in context["routes"]:
        row["form"] = decision_forms[row["route"]]
    return render(request, "screening/summary.html", context, status=status)


def _findings_initial(screening: Any) -> dict[str, Any]:
    if screening is None:
        return {}
    return {name: getattr(screening, name) for name in services.FINDING_FIELDS}


def _to_summary(patient_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("screening:summary", args=[patient_id]) + anchor)


@action_required(policy.REVIEW_SCREENING)
def summary(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    return _summary(request, get_patient_for(request.user, patient_id))


def _summary_step(
    request: AuthenticatedHttpRequest,
    patient_id: int,
    *,
    form: forms.Form,
    form_name: str,
    call: Any,
    success: Any,
    anchor: str,
) -> HttpResponse:
    """A form step of the summary on the patient's latest screening: `call(screening, data)`
    through `submit()`; on success a message and back to the summary at `anchor`, else the
    summary again with the form and its errors."""
    patient = get_patient_for(request.user, patient_id)
    screening = selectors.latest_screening(patient)
    if screening is None:
        messages.error(request, "This patient has not started a screening yet.")
        return _to_summary(patient.pk)
    done = submit(form, lambda data: call(screening, data))
    if done.ok:
        messages.success(request, success(done.result) if callable(success) else success)
        return _to_summary(patient.pk, anchor)
    return _summary(request, patient, status=400, **{form_name: form})


@action_required(policy.CLINICAL_CARE)
@require_POST
def start(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id)
    done = press(lambda: services.start_screening(actor=request.user, patient=patient))
    if done.ok:
        messages.success(request, "A new screening was started; the patient can begin the intake.")
    elif done.refusal is not None:
        messages.error(request, done.refusal.message)
    return redirect("screening:summary", patient_id=patient.pk)


@action_required(policy.CLINICAL_CARE)
@require_POST
def add_note(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    return _summary_step(
        request,
        patient_id,
        form=ReviewNoteForm(request.POST),
        form_name="note_form",
        call=lambda screening, data: services.add_review_note(
            actor=request.user, screening=screening, body=data["body"]
        ),
        success="Note added.",
        anchor="#notes",
    )


@action_required(policy.CLINICAL_CARE)
@require_POST
def add_request(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    return _summary_step(
        request,
        patient_id,
        form=PatientRequestForm(request.POST),
        form_name="request_form",
        call=lambda screening, data: services.add_patient_request(
            actor=request.user, screening=screening, **data
        ),
        success="The request was sent; the patient sees it on their page.",
        anchor="#requests",
    )


@action_required(policy.CLINICAL_CARE)
@require_POST
def close_request(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    patient_request = selectors.patient_request_for(request.user, request_id)
    services.close_request(actor=request.user, patient_request=patient_request)
    messages.success(request, "Request closed.")
    return _to_summary(patient_request.screening.patient_id, "#requests")


@action_required(policy.CLINICAL_CARE)
@require_POST
def findings(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    return _summary_step(
        request,
        patient_id,
        form=FindingsForm(request.POST),
        form_name="findings_form",
        call=lambda screening, data: services.record_findings(
            actor=request.user, screening=screening, **data
        ),
        success="Findings saved; eligibility was recomputed.",
        anchor="#eligibility",
    )


def _decided_message(decided: Any) -> str:
    return (
        f"{decided.get_route_display()}: {decided.get_decision_display()}"
        + (" (override of the rules, highlighted)" if decided.is_override else "")
        + "."
    )


@action_required(policy.PRESCRIBE)
@require_POST
def decide(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    route = request.POST.get("route", "")
    if route not in Route.values:
        patient = get_patient_for(request.user, patient_id)
        messages.error(request, "Choose the route the decision is for.")
        return _summary(request, patient, status=400)
    return _summary_step(
        request,
        patient_id,
        form=RouteDecisionForm(request.POST, prefix=route),
        form_name=f"decision_{route}",
        call=lambda screening, data: services.record_route_decision(
            actor=request.user,
            screening=screening,
            route=route,
            decision=data["decision"],
            reason=data["reason"],
            override_reason=data["override_reason"],
        ),
        success=_decided_message,
        anchor="#decisions",
    )


@action_required(policy.PRESCRIBE)
@require_POST
def reevaluate(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id)
    form = ReevaluationForm(request.POST)
    done = submit(
        form,
        lambda data: services.record_reevaluation(actor=request.user, patient=patient, **data),
    )
    if done.ok:
        messages.success(request, "Re-evaluation recorded.")
        return _to_summary(patient.pk, "#reevaluation")
    return _summary(request, patient, status=400, reevaluation_form=form)


# --- Instruments entered by staff, assessments and corrections, urgent tasks ----------------


@action_required(policy.CLINICAL_CARE)
def staff_instrument(request: AuthenticatedHttpRequest, patient_id: int, code: str) -> HttpResponse:
    """Staff enter an instrument for the patient: the clinician-rated ones (MADRS, Y-BOCS) in
    the review, or a questionnaire taken on paper."""
    patient = get_patient_for(request.user, patient_id)
    if code not in INSTRUMENTS:
        raise Http404("No such instrument.")
    instrument = INSTRUMENTS[code]
    form = InstrumentForm(request.POST or None, instrument=instrument)
    if request.method == "POST":
        done = submit(
            form,
            lambda _data: scored(
                lambda: services.record_assessment(
                    actor=request.user,
                    patient=patient,
                    instrument=code,
                    answers=form.answers(),
                    context=AssessmentContext.REVIEW,
                    screening=selectors.latest_screening(patient),
                )
            ),
        )
        if done.ok:
            messages.success(request, f"{instrument.title} recorded.")
            return _to_summary(patient.pk, "#scores")
    else:
        record(action="view", obj=patient, patient=patient, detail=f"{code} entry form")
    return render(
        request,
        "screening/staff_instrument.html",
        {"form": form, "instrument": instrument, "patient": patient},
        status=400 if form.errors else 200,
    )


@action_required(policy.REVIEW_SCREENING, policy.SELF_REPORT)
def assessment_detail(request: AuthenticatedHttpRequest, assessment_id: int) -> HttpResponse:
    assessment = selectors.get_assessment_for(request.user, assessment_id)
    record(action="view", obj=assessment, patient=assessment.patient)
    instrument = INSTRUMENTS.get(assessment.instrument)
    items = []
    if instrument is not None:
        for item, value in zip(instrument.items, assessment.answers, strict=False):
            label = (
                "Skipped"
                if value is None
                else (item.choices[value - item.allowed.start] if item.choices else str(value))
            )
            items.append({"number": item.number, "text": item.text, "value": value, "label": label})
    try:
        correction = assessment.correction
    except Assessment.DoesNotExist:
        correction = None
    return render(
        request,
        "screening/assessment.html",
        {
            "assessment": assessment,
            "instrument": instrument,
            "items": items,
            "correction": correction,
            "can_correct": policy.can(request.user, policy.CLINICAL_CARE) and correction is None,
        },
    )


@action_required(policy.CLINICAL_CARE)
def correct(request: AuthenticatedHttpRequest, assessment_id: int) -> HttpResponse:
    """A correction: a new assessment linked to the old one, with a reason. The old record
    is never changed."""
    assessment = selectors.get_assessment_for(request.user, assessment_id)
    instrument = INSTRUMENTS[assessment.instrument]
    form = InstrumentForm(
        request.POST or None,
        instrument=instrument,
        initial=instrument_initial(assessment.answers, instrument),
    )
    reason_form = CorrectionForm(request.POST or None)
    if request.method == "POST" and reason_form.is_valid():
        done = submit(
            form,
            lambda _data: scored(
                lambda: services.correct_assessment(
                    actor=request.user,
                    assessment=assessment,
                    answers=form.answers(),
                    reason=reason_form.cleaned_data["correction_reason"],
                )
            ),
        )
        if done.ok:
            messages.success(request, "Correction stored; the original is kept and linked.")
            return redirect("screening:summary", patient_id=assessment.patient_id)
    if request.method != "POST":
        record(action="view", obj=assessment, patient=assessment.patient, detail="correction form")
    return render(
        request,
        "screening/correct.html",
        {
            "form": form,
            "reason_form": reason_form,
            "assessment": assessment,
            "instrument": instrument,
        },
        status=400 if (form.errors or reason_form.errors) else 200,
    )


@action_required(policy.CLINICAL_CARE)
def resolve_task(request: AuthenticatedHttpRequest, task_id: int) -> HttpResponse:
    task = selectors.urgent_task_for(request.user, task_id)
    form = ResolveTaskForm(request.POST or None)
    if request.method == "POST":
        done = submit(
            form,
            lambda data: services.resolve_urgent_task(
                actor=request.user, task=task, note=data["resolution_note"]
            ),
        )
        if done.ok:
            messages.success(request, "Urgent task resolved.")
            return redirect("screening:summary", patient_id=task.patient_id)
    else:
        record(action="view", obj=task, patient=task.patient)
    return render(
        request,
        "screening/resolve_task.html",
        {"form": form, "task": task},
        status=400 if form.errors else 200,
    )
