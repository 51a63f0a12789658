"""Screening pages: the patient's intake (saved as they go, with or without JavaScript), the
crisis page, consent, the patient's own screening page; the staff worklist and screening
summary (review, findings, notes, requests, clinician-rated instruments, corrections), the
prescriber's decisions and re-evaluations; the clinic's settings and consent documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketacare.accounts.models import Role
from ketacare.accounts.permissions import get_patient_for, patients_visible_to, role_required
from ketacare.audit.log import record
from ketacare.clinical.instruments import INSTRUMENTS, InvalidAnswers

from . import selectors, services
from .catalog import self_rated
from .forms import (
    INTAKE_FORMS,
    ConsentDocumentForm,
    ConsentSignForm,
    CorrectionForm,
    FindingsForm,
    InstrumentForm,
    PatientRequestForm,
    ReevaluationForm,
    RequestResponseForm,
    ResolveTaskForm,
    ReviewNoteForm,
    RouteDecisionForm,
    ScreeningSettingsForm,
    instrument_initial,
    raw_values,
)
from .models import (
    Assessment,
    AssessmentContext,
    ConsentDocument,
    ConsentKind,
    PatientRequest,
    Route,
    UrgentTask,
)
from .services import CLINICAL_ROLES, REVIEW_ROLES, ScreeningError

AUTOSAVE = "autosave"


def _own_patient(request: HttpRequest) -> Any:
    patient = patients_visible_to(request.user).select_related("clinic").first()
    if patient is None:
        raise Http404("Your account is not linked to a patient record.")
    return patient


def _apply_error(form: Any, error: ScreeningError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- The patient's intake -----------------------------------------------------------------


@role_required(Role.PATIENT)
def intake(request: HttpRequest) -> HttpResponse:
    """The intake's table of contents: every screen with its state; submit when all done."""
    patient = _own_patient(request)
    overview = selectors.intake_overview(patient)
    error = None
    if request.method == "POST":
        try:
            if overview.screening is None:
                raise ScreeningError("Start with the first screen.")
            services.submit_intake(
                actor=request.user, screening=overview.screening, request=request
            )
        except ScreeningError as exc:
            error = exc.message
        else:
            messages.success(
                request, "Thank you. Your intake has been sent to your clinic for review."
            )
            return redirect("screening:mine")
    record(
        request=request,
        action="view",
        obj=("screening.Screening", getattr(overview.screening, "pk", "")),
        patient=patient,
        detail="intake overview",
    )
    return render(
        request,
        "screening/intake.html",
        {"overview": overview, "patient": patient, "error": error},
        status=400 if error else 200,
    )


def _step_neighbours(overview: selectors.IntakeOverview, key: str) -> tuple[str, str]:
    keys = [s.key for s in overview.steps]
    index = keys.index(key) if key in keys else -1
    following = [s for s in overview.steps[index + 1 :] if s.state != "done"] if index >= 0 else []
    after = following[0].url if following else reverse("screening:intake")
    before = overview.steps[index - 1].url if index > 0 else reverse("screening:intake")
    return before, after


def _closed_intake(request: HttpRequest) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(
            "This intake has been submitted and can no longer be changed.", status=409
        )
    messages.info(request, "Your intake has been submitted; it can no longer be changed.")
    return redirect("screening:mine")


def _autosaved(request: HttpRequest, task: UrgentTask | None = None) -> HttpResponse:
    return render(
        request,
        "screening/_autosaved.html",
        {"saved_at": timezone.now(), "crisis": task is not None},
    )


def _prefill(step: str, patient: Any) -> dict[str, Any] | None:
    """A first visit to "About you" starts from what the clinic already has on record."""
    if step != "about":
        return None
    return {
        name: getattr(patient, name)
        for name in (
            "sex",
            "phone",
            "address",
            "emergency_contact_name",
            "emergency_contact_phone",
            "emergency_contact_relationship",
        )
        if getattr(patient, name)
    }


@role_required(Role.PATIENT)
def intake_step(request: HttpRequest, step: str) -> HttpResponse:
    """One intake screen. "Continue" validates and completes it, "Save and finish later"
    stores a draft as it is, and with JavaScript each change is saved as the patient goes."""
    if step not in INTAKE_FORMS:
        raise Http404("No such step.")
    title, form_class = INTAKE_FORMS[step]
    patient = _own_patient(request)
    overview = selectors.intake_overview(patient)
    if not overview.is_editable:
        return _closed_intake(request)
    stored = selectors.stored_step(overview.screening, step)
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        data = raw_values(form_class, request.POST)
        form = form_class(request.POST)
        valid = form.is_valid()
        try:
            screening = services.start_intake(actor=request.user, patient=patient, request=request)
            # Saved as they go ("autosave", "save"): valid answers keep the step's state;
            # only "continue" finishes it. (An autosave racing the final click must not undo it.)
            complete = (True if action == "continue" else None) if valid else False
            services.save_intake_step(
                actor=request.user,
                screening=screening,
                step=step,
                data=data,
                complete=complete,
                request=request,
            )
        except ScreeningError as exc:
            if action == AUTOSAVE:
                return HttpResponse(exc.message, status=409)
            messages.error(request, exc.message)
            return redirect("screening:intake")
        if action == AUTOSAVE:
            return _autosaved(request)
        if action != "continue":
            messages.success(request, "Saved. You can come back and finish at any time.")
            return redirect("screening:intake")
        if valid:
            overview = selectors.intake_overview(patient)
            return redirect(_step_neighbours(overview, step)[1])
        status = 400
    else:
        form = form_class(initial=stored.data if stored is not None else _prefill(step, patient))
        status = 200
        record(
            request=request,
            action="view",
            obj=("screening.IntakeStep", getattr(stored, "pk", "")),
            patient=patient,
            detail=f"intake {step}",
        )
    before, _after = _step_neighbours(overview, step)
    return render(
        request,
        "screening/intake_step.html",
        {
            "form": form,
            "title": title,
            "step": step,
            "overview": overview,
            "back_url": before,
            "stored": stored,
        },
        status=status,
    )


@role_required(Role.PATIENT)
def intake_instrument(request: HttpRequest, code: str) -> HttpResponse:
    """One screen per instrument. A finished screen is stored as an assessment at once, and
    crisis answers show the crisis page at once, whatever is left of the intake."""
    patient = _own_patient(request)
    overview = selectors.intake_overview(patient)
    if code not in overview.bundle.patient:
        raise Http404("No such questionnaire in your intake.")
    if not overview.is_editable:
        return _closed_intake(request)
    instrument = INSTRUMENTS[code]
    stored = selectors.stored_step(overview.screening, f"instrument:{code}")
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        form = InstrumentForm(request.POST, instrument=instrument)
        try:
            screening = services.start_intake(actor=request.user, patient=patient, request=request)
            if action != "continue":
                _saved, task = services.save_instrument_draft(
                    actor=request.user,
                    screening=screening,
                    code=code,
                    data=request.POST,
                    request=request,
                )
                if action == AUTOSAVE:
                    return _autosaved(request, task)
                if task is not None:
                    return redirect(
                        f"{reverse('screening:crisis')}?next={reverse('screening:intake')}"
                    )
                messages.success(request, "Saved. You can come back and finish at any time.")
                return redirect("screening:intake")
            if form.is_valid():
                _assessment, task = services.complete_intake_instrument(
                    actor=request.user,
                    screening=screening,
                    code=code,
                    answers=form.answers(),
                    request=request,
                )
                after = _step_neighbours(selectors.intake_overview(patient), code)[1]
                if task is not None:
                    return redirect(f"{reverse('screening:crisis')}?next={after}")
                return redirect(after)
            # An incomplete screen is still kept as a draft (and checked for crisis answers).
            _saved, task = services.save_instrument_draft(
                actor=request.user,
                screening=screening,
                code=code,
                data=request.POST,
                request=request,
            )
        except ScreeningError as exc:
            if action == AUTOSAVE:
                return HttpResponse(exc.message, status=409)
            messages.error(request, exc.message)
            return redirect("screening:intake")
        except InvalidAnswers as exc:
            form.add_item_error(exc.item, str(exc))
            task = None
        status = 400
        crisis = task is not None
    else:
        form = InstrumentForm(
            initial=stored.data if stored is not None else None, instrument=instrument
        )
        status = 200
        crisis = False
        record(
            request=request,
            action="view",
            obj=("screening.IntakeStep", getattr(stored, "pk", "")),
            patient=patient,
            detail=f"intake {code}",
        )
    before, _after = _step_neighbours(overview, code)
    return render(
        request,
        "screening/intake_instrument.html",
        {
            "form": form,
            "instrument": instrument,
            "overview": overview,
            "back_url": before,
            "stored": stored,
            "crisis": crisis,
        },
        status=status,
    )


@role_required(Role.PATIENT)
def crisis(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/screening/"):
        next_url = reverse("screening:intake")
    return render(request, "screening/crisis.html", {"next_url": next_url})


@role_required(Role.PATIENT)
def consent(request: HttpRequest, kind: str) -> HttpResponse:
    """Read and sign the current version of a consent document (typed name + checkbox)."""
    if kind not in ConsentKind.values:
        raise Http404("No such document.")
    patient = _own_patient(request)
    context = selectors.consent_page(patient, kind)
    document = context["document"]
    if document is None:
        raise Http404("Your clinic has not published this document.")
    form = ConsentSignForm(request.POST or None, expected_name=patient.full_name)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_consent(
                actor=request.user,
                patient=patient,
                document=document,
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agreed"],
                request=request,
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"Signed: {document.title} (version {document.version}).")
            overview = selectors.intake_overview(patient)
            if overview.is_editable and overview.screening is not None:
                return redirect(_step_neighbours(overview, kind)[1])
            return redirect("screening:mine")
    if request.method != "POST":
        record(
            request=request,
            action="view",
            obj=document,
            patient=patient,
            detail=f"consent {kind} v{document.version}",
        )
    context.update(form=form, patient=patient)
    return render(request, "screening/consent.html", context, status=400 if form.errors else 200)


@role_required(Role.PATIENT)
def mine(request: HttpRequest) -> HttpResponse:
    """The patient's own screening page: status, requests from the clinic, decisions,
    consents, their questionnaires and what is due."""
    patient = _own_patient(request)
    context = selectors.patient_screening_page(patient=patient)
    record(
        request=request,
        action="view",
        obj=("screening.Screening", getattr(context["screening"], "pk", "")),
        patient=patient,
        detail="own screening page",
    )
    context["response_form"] = RequestResponseForm()
    return render(request, "screening/mine.html", context)


@role_required(Role.PATIENT)
@require_POST
def respond_request(request: HttpRequest, request_id: int) -> HttpResponse:
    patient = _own_patient(request)
    patient_request = get_object_or_404(
        PatientRequest.objects.select_related("screening__patient"),
        pk=request_id,
        screening__patient=patient,
    )
    form = RequestResponseForm(request.POST)
    if form.is_valid():
        try:
            services.respond_to_request(
                actor=request.user,
                patient_request=patient_request,
                response=form.cleaned_data["response"],
                request=request,
            )
        except ScreeningError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Your answer was sent to your clinic.")
        return redirect("screening:mine")
    context = selectors.patient_screening_page(patient=patient)
    record(
        request=request,
        action="view",
        obj=patient_request,
        patient=patient,
        detail="own screening page (answer not sent)",
    )
    context.update(response_form=form, error_request_id=patient_request.pk)
    return render(request, "screening/mine.html", context, status=400)


@role_required(Role.PATIENT)
def my_assessment(request: HttpRequest, code: str) -> HttpResponse:
    """A re-assessment the patient completes outside the intake (due before a session or
    every few weeks)."""
    patient = _own_patient(request)
    settings = selectors.settings_for(patient.clinic_id)
    screening = selectors.latest_screening(patient)
    bundle = selectors.intake_bundle(screening, settings=settings) if screening else None
    allowed = set(settings.pre_session_instruments) | set(bundle.patient if bundle else ())
    if code not in allowed or not self_rated(code):
        raise Http404("No such questionnaire.")
    instrument = INSTRUMENTS[code]
    form = InstrumentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            _assessment, task = services.record_assessment(
                actor=request.user,
                patient=patient,
                instrument=code,
                answers=form.answers(),
                context=AssessmentContext.REASSESSMENT,
                request=request,
            )
        except InvalidAnswers as exc:
            form.add_item_error(exc.item, str(exc))
        else:
            if task is not None:
                return redirect(f"{reverse('screening:crisis')}?next={reverse('screening:mine')}")
            messages.success(request, f"Thank you: {instrument.title} was sent to your clinic.")
            return redirect("screening:mine")
    return render(
        request,
        "screening/my_assessment.html",
        {"form": form, "instrument": instrument},
        status=400 if form.errors else 200,
    )


# --- Staff: worklist and the screening summary -------------------------------------------


@role_required(*REVIEW_ROLES)
def worklist(request: HttpRequest) -> HttpResponse:
    context = selectors.clinic_worklist(user=request.user)
    record(
        request=request,
        action="list",
        obj=("screening.Screening", ""),
        detail=f"worklist: {len(context['urgent_tasks'])} urgent, "
        f"{len(context['awaiting_review'])} awaiting review",
    )
    return render(request, "screening/worklist.html", {"worklist": context})


def _summary(
    request: HttpRequest, patient: Any, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = selectors.screening_summary(patient=patient)
    record(
        request=request,
        action="view",
        obj=("screening.Screening", getattr(context["screening"], "pk", "")),
        patient=patient,
        detail="screening summary",
    )
    decision_forms = {}
    for route in Route.values:
        decision_forms[route] = forms.pop(f"decision_{route}", None) or RouteDecisionForm(
            initial={"route": route}, prefix=route
        )
    context.update(
        note_form=forms.get("note_form") or ReviewNoteForm(),
        request_form=forms.get("request_form") or PatientRequestForm(),
        findings_form=forms.get("findings_form")
        or FindingsForm(initial=_findings_initial(context["screening"])),
        reevaluation_form=forms.get("reevaluation_form") or ReevaluationForm(),
        decision_forms=decision_forms,
        review_instruments=[c for c in context["bundle"].staff],
        can_review=request.user.role in CLINICAL_ROLES,
        can_decide=request.user.role == Role.PRESCRIBER,
    )
    for row in context["routes"]:
        row["form"] = decision_forms[row["route"]]
    return render(request, "screening/summary.html", context, status=status)


def _findings_initial(screening: Any) -> dict[str, Any]:
    if screening is None:
        return {}
    return {name: getattr(screening, name) for name in services.FINDING_FIELDS}


@role_required(*REVIEW_ROLES)
def summary(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    return _summary(request, patient)


def _screening_or_error(request: HttpRequest, patient: Any) -> Any:
    screening = selectors.latest_screening(patient)
    if screening is None:
        messages.error(request, "This patient has not started a screening yet.")
    return screening


@role_required(*CLINICAL_ROLES)
@require_POST
def start(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    try:
        services.start_screening(actor=request.user, patient=patient, request=request)
    except ScreeningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "A new screening was started; the patient can begin the intake.")
    return redirect("screening:summary", patient_id=patient.pk)


@role_required(*CLINICAL_ROLES)
@require_POST
def add_note(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    form = ReviewNoteForm(request.POST)
    screening = _screening_or_error(request, patient)
    if screening is None:
        return redirect("screening:summary", patient_id=patient.pk)
    if form.is_valid():
        try:
            services.add_review_note(
                actor=request.user,
                screening=screening,
                body=form.cleaned_data["body"],
                request=request,
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Note added.")
            return redirect(reverse("screening:summary", args=[patient.pk]) + "#notes")
    return _summary(request, patient, status=400, note_form=form)


@role_required(*CLINICAL_ROLES)
@require_POST
def add_request(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    form = PatientRequestForm(request.POST)
    screening = _screening_or_error(request, patient)
    if screening is None:
        return redirect("screening:summary", patient_id=patient.pk)
    if form.is_valid():
        try:
            services.add_patient_request(
                actor=request.user, screening=screening, request=request, **form.cleaned_data
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "The request was sent; the patient sees it on their page.")
            return redirect(reverse("screening:summary", args=[patient.pk]) + "#requests")
    return _summary(request, patient, status=400, request_form=form)


@role_required(*CLINICAL_ROLES)
@require_POST
def close_request(request: HttpRequest, request_id: int) -> HttpResponse:
    patient_request = get_object_or_404(
        PatientRequest.objects.select_related("screening__patient"),
        pk=request_id,
        screening__patient__in=patients_visible_to(request.user),
    )
    services.close_request(actor=request.user, patient_request=patient_request, request=request)
    messages.success(request, "Request closed.")
    return redirect(
        reverse("screening:summary", args=[patient_request.screening.patient_id]) + "#requests"
    )


@role_required(*CLINICAL_ROLES)
@require_POST
def findings(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    form = FindingsForm(request.POST)
    screening = _screening_or_error(request, patient)
    if screening is None:
        return redirect("screening:summary", patient_id=patient.pk)
    if form.is_valid():
        services.record_findings(
            actor=request.user, screening=screening, request=request, **form.cleaned_data
        )
        messages.success(request, "Findings saved; eligibility was recomputed.")
        return redirect(reverse("screening:summary", args=[patient.pk]) + "#eligibility")
    return _summary(request, patient, status=400, findings_form=form)


@role_required(Role.PRESCRIBER)
@require_POST
def decide(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    route = request.POST.get("route", "")
    if route not in Route.values:
        messages.error(request, "Choose the route the decision is for.")
        return _summary(request, patient, status=400)
    form = RouteDecisionForm(request.POST, prefix=route)
    screening = _screening_or_error(request, patient)
    if screening is None:
        return redirect("screening:summary", patient_id=patient.pk)
    if form.is_valid():
        try:
            decided = services.record_route_decision(
                actor=request.user,
                screening=screening,
                route=route,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data["override_reason"],
                request=request,
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request,
                f"{decided.get_route_display()}: {decided.get_decision_display()}"
                + (" (override of the rules, highlighted)" if decided.is_override else "")
                + ".",
            )
            return redirect(reverse("screening:summary", args=[patient.pk]) + "#decisions")
    return _summary(request, patient, status=400, **{f"decision_{route}": form})


@role_required(Role.PRESCRIBER)
@require_POST
def reevaluate(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, request=request)
    form = ReevaluationForm(request.POST)
    if form.is_valid():
        try:
            services.record_reevaluation(
                actor=request.user, patient=patient, request=request, **form.cleaned_data
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Re-evaluation recorded.")
            return redirect(reverse("screening:summary", args=[patient.pk]) + "#reevaluation")
    return _summary(request, patient, status=400, reevaluation_form=form)


@role_required(*CLINICAL_ROLES)
def staff_instrument(request: HttpRequest, patient_id: int, code: str) -> HttpResponse:
    """Staff enter an instrument for the patient: the clinician-rated ones (MADRS, Y-BOCS) in
    the review, or a questionnaire taken on paper."""
    patient = get_patient_for(request.user, patient_id, request=request)
    if code not in INSTRUMENTS:
        raise Http404("No such instrument.")
    instrument = INSTRUMENTS[code]
    form = InstrumentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        screening = selectors.latest_screening(patient)
        try:
            services.record_assessment(
                actor=request.user,
                patient=patient,
                instrument=code,
                answers=form.answers(),
                context=AssessmentContext.REVIEW,
                screening=screening,
                request=request,
            )
        except InvalidAnswers as exc:
            form.add_item_error(exc.item, str(exc))
        except ScreeningError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{instrument.title} recorded.")
            return redirect(reverse("screening:summary", args=[patient.pk]) + "#scores")
    if request.method != "POST":
        record(
            request=request,
            action="view",
            obj=patient,
            patient=patient,
            detail=f"{code} entry form",
        )
    return render(
        request,
        "screening/staff_instrument.html",
        {"form": form, "instrument": instrument, "patient": patient},
        status=400 if form.errors else 200,
    )


def _assessment_for(request: HttpRequest, assessment_id: int) -> Assessment:
    assessment = (
        Assessment.objects.filter(pk=assessment_id)
        .select_related("patient", "completed_by", "corrects", "correction")
        .first()
    )
    allowed = request.user.role in (*REVIEW_ROLES, Role.PATIENT)
    if (
        assessment is None
        or not allowed
        or not patients_visible_to(request.user).filter(pk=assessment.patient_id).exists()
    ):
        record(
            request=request,
            action="view",
            obj=("screening.Assessment", assessment_id),
            outcome="denied",
            detail="assessment refused",
        )
        raise Http404("No such assessment.")
    return assessment


@role_required(*REVIEW_ROLES, Role.PATIENT)
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment_for(request, assessment_id)
    record(request=request, action="view", obj=assessment, patient=assessment.patient)
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
            "can_correct": request.user.role in CLINICAL_ROLES and correction is None,
        },
    )


@role_required(*CLINICAL_ROLES)
def correct(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """A correction: a new assessment linked to the old one, with a reason. The old record
    is never changed."""
    assessment = _assessment_for(request, assessment_id)
    instrument = INSTRUMENTS[assessment.instrument]
    form = InstrumentForm(
        request.POST or None,
        instrument=instrument,
        initial=instrument_initial(assessment.answers, instrument),
    )
    reason_form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and reason_form.is_valid():
        try:
            services.correct_assessment(
                actor=request.user,
                assessment=assessment,
                answers=form.answers(),
                reason=reason_form.cleaned_data["correction_reason"],
                request=request,
            )
        except InvalidAnswers as exc:
            form.add_item_error(exc.item, str(exc))
        except ScreeningError as exc:
            reason_form.add_error(None, exc.message)
        else:
            messages.success(request, "Correction stored; the original is kept and linked.")
            return redirect("screening:summary", patient_id=assessment.patient_id)
    if request.method != "POST":
        record(
            request=request,
            action="view",
            obj=assessment,
            patient=assessment.patient,
            detail="correction form",
        )
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


@role_required(*CLINICAL_ROLES)
def resolve_task(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(
        UrgentTask.objects.select_related("patient", "assessment"),
        pk=task_id,
        patient__in=patients_visible_to(request.user),
    )
    form = ResolveTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_urgent_task(
                actor=request.user,
                task=task,
                note=form.cleaned_data["resolution_note"],
                request=request,
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Urgent task resolved.")
            return redirect("screening:summary", patient_id=task.patient_id)
    if request.method != "POST":
        record(request=request, action="view", obj=task, patient=task.patient)
    return render(
        request,
        "screening/resolve_task.html",
        {"form": form, "task": task},
        status=400 if form.errors else 200,
    )


# --- Clinic settings and consent documents ------------------------------------------------


@role_required(Role.ADMIN)
def clinic_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_for(request.user.clinic_id)
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    form = ScreeningSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_screening_settings(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Screening settings saved.")
            return redirect("screening:settings")
    return render(
        request, "screening/settings.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(Role.ADMIN)
def consent_documents(request: HttpRequest) -> HttpResponse:
    form = ConsentDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.publish_consent_document(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ScreeningError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"{document} published. Patients will be asked to sign it.")
            return redirect("screening:consent_documents")
    documents = selectors.consent_documents_for_admin(request.user.clinic_id)
    return render(
        request,
        "screening/consent_documents.html",
        {"form": form, "documents": documents},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
def consent_document(request: HttpRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(ConsentDocument, pk=document_id, clinic_id=request.user.clinic_id)
    signatures = document.signatures.select_related("patient").order_by("-signed_at")[:200]
    record(request=request, action="view", obj=document, detail="consent document and signatures")
    return render(
        request, "screening/consent_document.html", {"document": document, "signatures": signatures}
    )


def home_context(request: HttpRequest, *, patient: Any = None) -> dict[str, Any]:
    """The screening part of a home page (patient: intake, due questionnaires, requests,
    consents to sign; staff: urgent tasks, intakes to review, due assessments), audited."""
    context = selectors.home_context(user=request.user, patient=patient)
    if "screening" in context:
        worklist = context["screening"]
        if worklist["urgent_tasks"] or worklist["awaiting_review"] or worklist["due_rows"]:
            record(
                request=request,
                action="list",
                obj=("screening.Screening", ""),
                detail=f"home: {len(worklist['urgent_tasks'])} urgent tasks, "
                f"{len(worklist['awaiting_review'])} awaiting review, "
                f"{len(worklist['due_rows'])} due",
            )
    elif patient is not None and context:
        record(
            request=request,
            action="view",
            obj=("screening.Screening", ""),
            patient=patient,
            detail="home: own screening status",
        )
    return context
