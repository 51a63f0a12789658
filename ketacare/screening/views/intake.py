"""The patient's pages: the intake (saved as they go, with or without JavaScript), the crisis
page, their own screening page, answers to the clinic's requests and re-assessments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketacare.audit.log import record
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import Submitted, action_required, submit
from ketacare.patients.selectors import own_patient

from .. import selectors, services
from ..forms import INTAKE_FORMS, InstrumentForm, RequestResponseForm, raw_values
from ..models import AssessmentContext, UrgentTask
from .common import INVALID_ANSWERS, press, scored

AUTOSAVE = "autosave"
SAVED_FOR_LATER = "Saved. You can come back and finish at any time."


@action_required(policy.SELF_REPORT)
def intake(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The intake's table of contents: every screen with its state; submit when all done."""
    patient = own_patient(request.user)
    overview = selectors.intake_overview(patient)
    error = None
    if request.method == "POST":
        done = press(lambda: _submit_intake(request, overview))
        if done.ok:
            messages.success(
                request, "Thank you. Your intake has been sent to your clinic for review."
            )
            return redirect("screening:mine")
        error = done.refusal.message if done.refusal else None
    record(
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


def _submit_intake(request: AuthenticatedHttpRequest, overview: selectors.IntakeOverview) -> Any:
    if overview.screening is None:
        raise Refusal("Start with the first screen.", code="intake_not_started")
    return services.submit_intake(actor=request.user, screening=overview.screening)


def step_neighbours(overview: selectors.IntakeOverview, key: str) -> tuple[str, str]:
    """The screen before `key` and the next unfinished one after it (else the contents)."""
    keys = [s.key for s in overview.steps]
    index = keys.index(key) if key in keys else -1
    following = [s for s in overview.steps[index + 1 :] if s.state != "done"] if index >= 0 else []
    after = following[0].url if following else reverse("screening:intake")
    before = overview.steps[index - 1].url if index > 0 else reverse("screening:intake")
    return before, after


# --- One intake screen: a form of the intake, or an instrument ------------------------------


@dataclass
class _Screen:
    """What differs between the two kinds of intake screen; everything else is shared."""

    key: str  # the step key ("about") or the instrument code ("phq9")
    stored_as: str  # the IntakeStep it is saved as
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Visit:
    request: AuthenticatedHttpRequest
    screen: _Screen
    patient: Any
    overview: selectors.IntakeOverview
    stored: Any

    @property
    def action(self) -> str:
        return self.request.POST.get("action", "continue")

    def screening(self) -> Any:
        """The open screening, created at the first saved answer."""
        return services.start_intake(actor=self.request.user, patient=self.patient)

    def save(self, call: Callable[[], Any]) -> Submitted[Any]:
        return press(call)

    def show(self, form: forms.Form, *, status: int = 200, **extra: Any) -> HttpResponse:
        """The screen, with its form (the one renderer of both kinds of screen)."""
        if self.request.method != "POST":
            record(
                action="view",
                obj=("screening.IntakeStep", getattr(self.stored, "pk", "")),
                patient=self.patient,
                detail=f"intake {self.screen.key}",
            )
        before, _after = step_neighbours(self.overview, self.screen.key)
        context = {
            "form": form,
            "overview": self.overview,
            "back_url": before,
            "stored": self.stored,
            **self.screen.context,
            **extra,
        }
        return render(self.request, self.screen.template, context, status=status)

    def not_saved(self, refusal: Refusal | None) -> HttpResponse:
        message = refusal.message if refusal else ""
        if self.action == AUTOSAVE:
            return HttpResponse(message, status=409)
        messages.error(self.request, message)
        return redirect("screening:intake")

    def autosaved(self, task: UrgentTask | None = None) -> HttpResponse:
        return render(
            self.request,
            "screening/_autosaved.html",
            {"saved_at": timezone.now(), "crisis": _is_crisis(task)},
        )

    def next_url(self) -> str:
        return step_neighbours(selectors.intake_overview(self.patient), self.screen.key)[1]


def _visit(request: AuthenticatedHttpRequest, screen: _Screen) -> _Visit | HttpResponse:
    """The patient's intake at this screen, or the answer for an intake already submitted."""
    patient = own_patient(request.user)
    overview = selectors.intake_overview(patient)
    if screen.stored_as.startswith("instrument:") and screen.key not in overview.bundle.patient:
        raise Http404("No such questionnaire in your intake.")
    if not overview.is_editable:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(
                "This intake has been submitted and can no longer be changed.", status=409
            )
        messages.info(request, "Your intake has been submitted; it can no longer be changed.")
        return redirect("screening:mine")
    stored = selectors.stored_step(overview.screening, screen.stored_as)
    return _Visit(request, screen, patient, overview, stored)


def _is_crisis(task: UrgentTask | None) -> bool:
    """Whether the answers opened the crisis path (a same-day review is the clinic's, not
    shown to the patient as a crisis)."""
    return task is not None and task.is_crisis


def _crisis_then(next_url: str) -> HttpResponse:
    return redirect(f"{reverse('screening:crisis')}?next={next_url}")


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


@action_required(policy.SELF_REPORT)
def intake_step(request: AuthenticatedHttpRequest, step: str) -> HttpResponse:
    """One intake screen. "Continue" validates and completes it, "Save and finish later"
    stores a draft as it is, and with JavaScript each change is saved as the patient goes."""
    if step not in INTAKE_FORMS:
        raise Http404("No such step.")
    title, form_class = INTAKE_FORMS[step]
    screen = _Screen(step, step, "screening/intake_step.html", {"title": title, "step": step})
    visit = _visit(request, screen)
    if isinstance(visit, HttpResponse):
        return visit
    if request.method != "POST":
        stored = visit.stored
        return visit.show(
            form_class(initial=stored.data if stored is not None else _prefill(step, visit.patient))
        )
    form = form_class(request.POST)
    valid = form.is_valid()
    # Saved as they go ("autosave", "save"): valid answers keep the step's state; only
    # "continue" finishes it. (An autosave racing the final click must not undo it.)
    complete = (True if visit.action == "continue" else None) if valid else False
    saved = visit.save(
        lambda: services.save_intake_step(
            actor=request.user,
            screening=visit.screening(),
            step=step,
            data=raw_values(form_class, request.POST),
            complete=complete,
        )
    )
    if not saved.ok:
        return visit.not_saved(saved.refusal)
    if visit.action == AUTOSAVE:
        return visit.autosaved()
    if visit.action != "continue":
        messages.success(request, SAVED_FOR_LATER)
        return redirect("screening:intake")
    if valid:
        return redirect(visit.next_url())
    return visit.show(form, status=400)


@action_required(policy.SELF_REPORT)
def intake_instrument(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """One screen per instrument. A finished screen is stored as an assessment at once, and
    crisis answers show the crisis page at once, whatever is left of the intake."""
    screen = _Screen(
        code,
        services.instrument_step(code),
        "screening/intake_instrument.html",
        {"instrument": INSTRUMENTS.get(code)},
    )
    visit = _visit(request, screen)
    if isinstance(visit, HttpResponse):
        return visit
    instrument = INSTRUMENTS[code]  # in the patient's bundle (`_visit` checked)
    if request.method != "POST":
        stored = visit.stored
        initial = stored.data if stored is not None else None
        return visit.show(InstrumentForm(initial=initial, instrument=instrument), crisis=False)
    form = InstrumentForm(request.POST, instrument=instrument)

    def draft() -> Any:
        return services.save_instrument_draft(
            actor=request.user, screening=visit.screening(), code=code, data=request.POST
        )

    if visit.action != "continue":
        saved = visit.save(draft)
        if not saved.ok or saved.result is None:
            return visit.not_saved(saved.refusal)
        _step, task = saved.result
        if visit.action == AUTOSAVE:
            return visit.autosaved(task)
        if _is_crisis(task):
            return _crisis_then(reverse("screening:intake"))
        messages.success(request, SAVED_FOR_LATER)
        return redirect("screening:intake")
    task = None
    if form.is_valid():
        done = submit(
            form,
            lambda _data: scored(
                lambda: services.complete_intake_instrument(
                    actor=request.user,
                    screening=visit.screening(),
                    code=code,
                    answers=form.answers(),
                )
            ),
        )
        if done.ok and done.result is not None:
            _assessment, task = done.result
            after = visit.next_url()
            return _crisis_then(after) if _is_crisis(task) else redirect(after)
        if done.refusal is None or done.refusal.code != INVALID_ANSWERS:
            return visit.not_saved(done.refusal)
    else:
        # An incomplete screen is still kept as a draft (and checked for crisis answers).
        saved = visit.save(draft)
        if not saved.ok or saved.result is None:
            return visit.not_saved(saved.refusal)
        _step, task = saved.result
    return visit.show(form, status=400, crisis=_is_crisis(task))


@action_required(policy.SELF_REPORT)
def crisis(request: AuthenticatedHttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/screening/"):
        next_url = reverse("screening:intake")
    return render(request, "screening/crisis.html", {"next_url": next_url})


# --- The patient's own screening page -----------------------------------------------------


def _mine(
    request: AuthenticatedHttpRequest,
    patient: Any,
    *,
    obj: Any,
    detail: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = selectors.patient_screening_page(patient=patient)
    record(action="view", obj=obj(context), patient=patient, detail=detail)
    context.update(extra)
    return render(request, "screening/mine.html", context, status=status)


@action_required(policy.SELF_REPORT)
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The patient's own screening page: status, requests from the clinic, decisions,
    consents, their questionnaires and what is due."""
    patient = own_patient(request.user)
    return _mine(
        request,
        patient,
        obj=lambda c: ("screening.Screening", getattr(c["screening"], "pk", "")),
        detail="own screening page",
        response_form=RequestResponseForm(),
    )


@action_required(policy.SELF_REPORT)
@require_POST
def respond_request(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    patient = own_patient(request.user)
    patient_request = selectors.patient_request_for(request.user, request_id)
    form = RequestResponseForm(request.POST)
    done = submit(
        form,
        lambda data: services.respond_to_request(
            actor=request.user, patient_request=patient_request, response=data["response"]
        ),
    )
    if done.ok:
        messages.success(request, "Your answer was sent to your clinic.")
        return redirect("screening:mine")
    if done.refusal is not None:
        messages.error(request, done.refusal.message)
        return redirect("screening:mine")
    return _mine(
        request,
        patient,
        obj=lambda _c: patient_request,
        detail="own screening page (answer not sent)",
        status=400,
        response_form=form,
        error_request_id=patient_request.pk,
    )


@action_required(policy.SELF_REPORT)
def my_assessment(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A re-assessment the patient completes outside the intake (due before a session or
    every few weeks)."""
    patient = own_patient(request.user)
    if not selectors.reassessment_offered(patient, code):
        raise Http404("No such questionnaire.")
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
                    context=AssessmentContext.REASSESSMENT,
                )
            ),
        )
        if done.ok and done.result is not None:
            _assessment, task = done.result
            if _is_crisis(task):
                return _crisis_then(reverse("screening:mine"))
            messages.success(request, f"Thank you: {instrument.title} was sent to your clinic.")
            return redirect("screening:mine")
    return render(
        request,
        "screening/my_assessment.html",
        {"form": form, "instrument": instrument},
        status=400 if form.errors else 200,
    )
