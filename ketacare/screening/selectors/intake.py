"""The patient's screening and the state of each screen of their intake."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.patients.models import Patient

from ..catalog import Bundle, bundle_for
from ..forms import INTAKE_FORMS
from ..models import (
    OPEN_STATUSES,
    ConsentKind,
    IntakeStep,
    Screening,
    ScreeningStatus,
    Urgency,
    UrgentTask,
)
from .bundles import (
    indications_of,
    settings_for,
)
from .consent import (
    INTAKE_CONSENTS,
    consents_signed,
)


def open_screening(patient: Patient) -> Screening | None:
    return (
        Screening.objects.filter(patient=patient, status__in=OPEN_STATUSES)
        .order_by("-started_at", "-id")
        .first()
    )


def stored_step(screening: Screening | None, step: str) -> IntakeStep | None:
    if screening is None:
        return None
    return IntakeStep.objects.filter(screening=screening, step=step).first()


def latest_screening(patient: Patient) -> Screening | None:
    return Screening.objects.filter(patient=patient).order_by("-started_at", "-id").first()


@dataclass
class StepState:
    key: str
    title: str
    url: str
    state: str  # "done", "draft" or "todo"
    kind: str  # "form", "instrument" or "consent"


@dataclass
class IntakeOverview:
    screening: Screening | None
    steps: list[StepState]
    bundle: Bundle
    can_submit: bool
    missing: list[str]
    next_step: StepState | None
    open_urgent: bool = False  # an open crisis task: the patient keeps seeing crisis resources

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.state == "done")

    @property
    def total_count(self) -> int:
        return len(self.steps)

    @property
    def is_editable(self) -> bool:
        return self.screening is None or self.screening.status == ScreeningStatus.INTAKE

    @property
    def is_finished(self) -> bool:
        return self.screening is not None and self.screening.status != ScreeningStatus.INTAKE


def step_state(step: IntakeStep | None) -> str:
    return "done" if step and step.completed_at else ("draft" if step else "todo")


def intake_overview(patient: Patient, *, screening: Screening | None = None) -> IntakeOverview:
    """The patient's intake (their latest screening, unless given): each screen (forms,
    instruments, consents) with its state."""
    if screening is None:
        screening = latest_screening(patient)
    settings = settings_for(patient.clinic_id)
    steps = {s.step: s for s in screening.steps.all()} if screening is not None else {}
    bundle = bundle_for(settings, indications_of(steps))
    states: list[StepState] = []
    for key, (title, _form) in INTAKE_FORMS.items():
        url = reverse("screening:intake_step", args=[key])
        states.append(StepState(key, title, url, step_state(steps.get(key)), "form"))
    for code in bundle.patient:
        url = reverse("screening:intake_instrument", args=[code])
        state = step_state(steps.get(f"instrument:{code}"))
        states.append(StepState(code, INSTRUMENTS[code].title, url, state, "instrument"))
    signed = consents_signed(patient)
    for kind in INTAKE_CONSENTS:
        if kind in signed:
            states.append(
                StepState(
                    kind,
                    f"Consent: {ConsentKind(kind).label}",
                    reverse("screening:consent", args=[kind]),
                    "done" if signed[kind] else "todo",
                    "consent",
                )
            )
    missing = [s.title for s in states if s.state != "done"]
    next_step = next((s for s in states if s.state != "done"), None)
    can_submit = (
        screening is not None and screening.status == ScreeningStatus.INTAKE and not missing
    )
    open_urgent = UrgentTask.objects.filter(
        patient=patient, resolved_at__isnull=True, urgency=Urgency.CRISIS
    ).exists()
    return IntakeOverview(screening, states, bundle, can_submit, missing, next_step, open_urgent)
