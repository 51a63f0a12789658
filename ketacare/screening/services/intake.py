"""The patient's intake, from the first saved answer to the hand-over for review: screens
saved as the patient goes (drafts included), instruments stored as assessments when a screen
is finished, and the submission. Staff start a re-screening here too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.screening import urgent_follow_up_so_far
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.patients.models import Patient

from .. import selectors
from ..forms import instrument_raw_values, partial_answers
from ..models import (
    Assessment,
    AssessmentContext,
    IntakeStep,
    Screening,
    ScreeningStatus,
    UrgentTask,
)
from .assessments import record_assessment
from .urgent_tasks import raise_urgent_task

INTAKE_CHANGE_REASON = "Changed by the patient during the intake."
NO_PATIENT = "No such patient."


@transaction.atomic
def start_intake(*, actor: User, patient: Patient) -> Screening:
    """The patient's open screening, created at their first saved answer."""
    policy.require(actor, policy.SELF_REPORT, patient, what=NO_PATIENT)
    screening = selectors.open_screening(patient)
    if screening is not None:
        return screening
    if Screening.objects.filter(patient=patient).exists():
        raise Refusal(
            "Your screening has been reviewed. Your clinic will start a new one when it is due.",
            code="screening_reviewed",
        )
    screening = Screening.objects.create(patient=patient, started_at=timezone.now())
    record(actor=actor, action="create", obj=screening, patient=patient, detail="intake started")
    return screening


@transaction.atomic
def start_screening(*, actor: User, patient: Patient) -> Screening:
    """Staff start a new screening (a re-screening) for a patient of their clinic."""
    policy.require(actor, policy.CLINICAL_CARE, patient, what=NO_PATIENT)
    if selectors.open_screening(patient) is not None:
        raise Refusal(
            "This patient already has a screening in progress.", code="screening_in_progress"
        )
    screening = Screening.objects.create(patient=patient, started_at=timezone.now())
    record(
        actor=actor,
        action="create",
        obj=screening,
        patient=patient,
        detail="screening started by staff",
    )
    return screening


def _editable(actor: User, screening: Screening) -> None:
    """The patient's own intake, still open to changes."""
    policy.require(actor, policy.SELF_REPORT, screening.patient, what=NO_PATIENT)
    if screening.status != ScreeningStatus.INTAKE:
        raise Refusal(
            "This intake has been submitted; it can no longer be changed.", code="intake_closed"
        )


@transaction.atomic
def save_intake_step(
    *,
    actor: User,
    screening: Screening,
    step: str,
    data: Mapping[str, Any],
    complete: bool | None,
) -> IntakeStep:
    """Save one intake screen: finished (`complete=True`), a draft that is not (yet) valid
    (`False`), or valid answers saved as the patient goes (`None`: a finished step stays
    finished, an unfinished one stays a draft until the patient continues)."""
    _editable(actor, screening)
    at = timezone.now()
    saved, created = IntakeStep.objects.select_for_update().get_or_create(
        screening=screening, step=step, defaults={"data": dict(data), "saved_at": at}
    )
    if not created:
        saved.data = dict(data)
        saved.saved_at = at
    if complete:
        saved.completed_at = saved.completed_at or at
    elif complete is False:
        saved.completed_at = None
    saved.save()
    state = "completed" if saved.completed_at else "draft saved"
    record(
        actor=actor,
        action="create" if created else "update",
        obj=saved,
        patient=screening.patient,
        detail=f"intake {step}: {state}",
    )
    return saved


def instrument_step(code: str) -> str:
    return f"instrument:{code}"


@transaction.atomic
def save_instrument_draft(
    *, actor: User, screening: Screening, code: str, data: Mapping[str, Any]
) -> tuple[IntakeStep, UrgentTask | None]:
    """Save a half-answered instrument. Crisis flags already certain from the answers so far
    raise the urgent task now: the patient may close the browser before finishing."""
    _editable(actor, screening)
    instrument = INSTRUMENTS[code]
    values = instrument_raw_values(instrument, data)
    at = timezone.now()
    # Row locks before the audit row (whose PostgreSQL advisory lock every audited write
    # takes): the same order everywhere here, so concurrent autosaves cannot deadlock.
    saved, created = IntakeStep.objects.select_for_update().get_or_create(
        screening=screening, step=instrument_step(code), defaults={"data": values, "saved_at": at}
    )
    if not created:
        # A finished instrument stays finished (its assessment is stored); changed answers
        # become a correction only when the patient submits the screen again.
        saved.data = values
        saved.saved_at = at
        saved.save(update_fields=["data", "saved_at"])
    follow_up = urgent_follow_up_so_far(code, partial_answers(instrument, values))
    task = None
    if follow_up is not None:
        task = raise_urgent_task(
            actor=actor,
            patient=screening.patient,
            code=code,
            flags=follow_up.flags,
            urgency=follow_up.urgency,
            assessment=None,
        )
    record(
        actor=actor,
        action="create" if created else "update",
        obj=saved,
        patient=screening.patient,
        detail=f"intake {code}: draft saved",
    )
    return saved, task


@transaction.atomic
def complete_intake_instrument(
    *, actor: User, screening: Screening, code: str, answers: Mapping[int, int | None]
) -> tuple[Assessment, UrgentTask | None]:
    """Store a finished intake instrument as an assessment. Submitting the screen again with
    different answers stores a correction linked to the earlier record."""
    patient = screening.patient
    _editable(actor, screening)
    if code not in selectors.intake_bundle(screening).patient:
        raise Refusal("This questionnaire is not part of your intake.", code="not_in_intake")
    values = {f"item_{n}": ("skip" if v is None else str(v)) for n, v in answers.items()}
    at = timezone.now()
    # The step row first, the audit rows last (see save_instrument_draft).
    IntakeStep.objects.select_for_update().update_or_create(
        screening=screening,
        step=instrument_step(code),
        defaults={"data": values, "saved_at": at, "completed_at": at},
    )
    previous = (
        Assessment.objects.filter(screening=screening, instrument=code, correction__isnull=True)
        .order_by("-recorded_at", "-id")
        .first()
    )
    ordered = [answers.get(item.number) for item in INSTRUMENTS[code].items]
    if previous is not None and list(previous.answers) == ordered:
        return previous, None
    return record_assessment(
        actor=actor,
        patient=patient,
        instrument=code,
        answers=ordered,
        context=AssessmentContext.INTAKE,
        screening=screening,
        corrects=previous,
        correction_reason=INTAKE_CHANGE_REASON if previous else "",
    )


@transaction.atomic
def submit_intake(*, actor: User, screening: Screening) -> Screening:
    """Hand the finished intake to the clinic for review."""
    _editable(actor, screening)
    overview = selectors.intake_overview(screening.patient, screening=screening)
    if not overview.can_submit:
        missing = ", ".join(overview.missing)
        raise Refusal(f"Some parts are not finished yet: {missing}.", code="intake_unfinished")
    screening.status = ScreeningStatus.SUBMITTED
    screening.submitted_at = timezone.now()
    screening.save(update_fields=["status", "submitted_at"])
    record(
        actor=actor,
        action="update",
        obj=screening,
        patient=screening.patient,
        detail="intake submitted for review",
    )
    return screening
