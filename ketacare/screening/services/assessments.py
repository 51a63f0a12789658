"""Completed instruments, scored by `ketacare.clinical` and stored immutably; a correction is
a new record linked to the one it corrects. Crisis flags in a score raise an urgent task."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import Role, User
from ketacare.audit.log import record
from ketacare.clinical.instruments import INSTRUMENTS, score
from ketacare.clinical.screening import urgent_follow_up
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.patients.models import Patient

from ..catalog import instrument_version
from ..models import Assessment, AssessmentContext, Screening, UrgentTask
from .urgent_tasks import raise_urgent_task


def _check_who_records(
    actor: User, patient: Patient, *, clinician_rated: bool, correcting: bool, context: str
) -> None:
    """A patient records their own self-rated instruments (and, in the intake, changes
    them); staff record any instrument of their clinic's patients, and correct them."""
    if not policy.has_role(actor, Role.PATIENT):
        policy.require(actor, policy.CLINICAL_CARE, patient, what="No such patient.")
        return
    policy.require(actor, policy.SELF_REPORT, patient, what="No such patient.")
    if clinician_rated:
        raise Refusal(
            "This questionnaire is completed by your clinician.",
            field="instrument",
            code="clinician_rated",
        )
    if correcting and context != AssessmentContext.INTAKE:
        raise Refusal("Only your clinic can correct a stored questionnaire.", code="staff_corrects")


def _check_correction(
    patient: Patient, instrument: str, corrects: Assessment | None, reason: str
) -> str:
    """The correction's reason, normalised (empty when nothing is corrected)."""
    reason = " ".join(reason.split())
    if corrects is None:
        return ""
    if corrects.patient_id != patient.pk or corrects.instrument != instrument:
        raise Refusal(
            "A correction must be of the same patient and instrument.", code="correction_mismatch"
        )
    if Assessment.objects.filter(corrects=corrects).exists():
        raise Refusal(
            "This assessment has already been corrected: correct the latest version.",
            code="already_corrected",
        )
    if not reason:
        raise Refusal(
            "Give a reason for the correction.",
            field="correction_reason",
            code="reason_required",
        )
    return reason


@transaction.atomic
def record_assessment(
    *,
    actor: User,
    patient: Patient,
    instrument: str,
    answers: Any,
    context: str,
    screening: Screening | None = None,
    corrects: Assessment | None = None,
    correction_reason: str = "",
) -> tuple[Assessment, UrgentTask | None]:
    """Score and store one completed instrument (immutable). Crisis flags in the score raise
    an urgent task for the clinic's clinicians. Raises InvalidAnswers (naming the item) for
    answers the instrument does not allow, Refusal for a request it refuses."""
    definition = INSTRUMENTS.get(instrument)
    if definition is None:
        raise Refusal(
            f"Unknown instrument {instrument!r}.", field="instrument", code="unknown_instrument"
        )
    _check_who_records(
        actor,
        patient,
        clinician_rated=definition.clinician_rated,
        correcting=corrects is not None,
        context=context,
    )
    result = score(instrument, answers)
    correction_reason = _check_correction(patient, instrument, corrects, correction_reason)
    at = timezone.now()
    assessment = Assessment.objects.create(
        patient=patient,
        screening=screening,
        instrument=instrument,
        instrument_version=instrument_version(instrument),
        answers=list(result.answers),
        total=Decimal(str(result.total)),
        severity=result.severity or "",
        flags=sorted(result.flags),
        subscales=dict(result.subscales),
        context=context,
        completed_by=actor,
        completed_at=corrects.completed_at
        if corrects is not None and context == AssessmentContext.CORRECTION
        else at,
        recorded_at=at,
        corrects=corrects,
        correction_reason=correction_reason,
    )
    detail = f"{instrument} total {result.total}"
    if result.flags:
        detail += f", flags: {', '.join(sorted(result.flags))}"
    if corrects is not None:
        detail += f", corrects #{corrects.pk}"
    task = None
    follow_up = urgent_follow_up(result)
    if follow_up is not None:
        # Before this assessment's audit row: row locks first, audit last (no deadlock).
        task = raise_urgent_task(
            actor=actor,
            patient=patient,
            code=instrument,
            flags=follow_up.flags,
            urgency=follow_up.urgency,
            assessment=assessment,
        )
    record(actor=actor, action="create", obj=assessment, patient=patient, detail=detail)
    return assessment, task


def correct_assessment(
    *, actor: User, assessment: Assessment, answers: Any, reason: str
) -> tuple[Assessment, UrgentTask | None]:
    """Staff correct a stored assessment: a new record linked to the old one."""
    return record_assessment(
        actor=actor,
        patient=assessment.patient,
        instrument=assessment.instrument,
        answers=answers,
        context=AssessmentContext.CORRECTION,
        screening=assessment.screening,
        corrects=assessment,
        correction_reason=reason,
    )
