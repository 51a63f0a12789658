"""Stored scores and intake answers as the clinical core's inputs, and the rule-based
eligibility per route computed from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from ketacare.clinical.eligibility import (
    MedicalHistory,
    RouteEligibility,
    assess_eligibility,
)
from ketacare.clinical.instruments import ScoreResult
from ketacare.patients.models import Patient

from ..forms import INTAKE_FORMS, is_yes
from ..models import (
    Assessment,
    IntakeStep,
    Screening,
)


def score_of(assessment: Assessment) -> ScoreResult:
    """The stored score as the clinical core's result (no re-scoring: the stored score is the
    record, made with the instrument version it names)."""
    total: int | float = float(assessment.total)
    if total == int(total):
        total = int(total)
    return ScoreResult(
        assessment.instrument,
        total,
        assessment.severity or None,
        frozenset(assessment.flags),
        dict(assessment.subscales),
        tuple(assessment.answers),
    )


def current_assessments(assessments: Iterable[Assessment]) -> list[Assessment]:
    """Assessments not superseded by a correction."""
    items = list(assessments)
    corrected = {a.corrects_id for a in items if a.corrects_id}
    return [a for a in items if a.pk not in corrected]


def latest_by_instrument(assessments: Iterable[Assessment]) -> dict[str, Assessment]:
    latest: dict[str, Assessment] = {}
    for assessment in current_assessments(assessments):
        known = latest.get(assessment.instrument)
        if known is None or (assessment.completed_at, assessment.pk) > (
            known.completed_at,
            known.pk,
        ):
            latest[assessment.instrument] = assessment
    return latest


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def intake_answers(steps: Mapping[str, IntakeStep]) -> dict[str, dict[str, Any]]:
    """The cleaned answers of each completed intake screen (forms re-validate stored data)."""
    cleaned: dict[str, dict[str, Any]] = {}
    for key, (_title, form_class) in INTAKE_FORMS.items():
        step = steps.get(key)
        if step is not None and step.completed_at is not None:
            form = form_class(data=step.data)
            if form.is_valid():
                cleaned[key] = form.cleaned_data
    return cleaned


def medical_history(
    patient: Patient, screening: Screening, answers: Mapping[str, Mapping[str, Any]], day: dt.date
) -> MedicalHistory:
    """The eligibility checklist from the patient's intake answers and the clinician's
    findings. A pregnancy the patient is not sure about is not a contraindication: it
    needs a negative test before the first dose (see `pregnancy_test_needed`)."""
    med = answers.get("medical", {})
    psy = answers.get("psychiatric", {})
    meds = answers.get("medications", {})
    pregnancy = med.get("pregnancy")
    liver = med.get("liver_disease")
    return MedicalHistory(
        age=age_on(patient.date_of_birth, day),
        indications=frozenset(answers.get("reasons", {}).get("indications", [])),
        screening_systolic=screening.screening_systolic,
        screening_diastolic=screening.screening_diastolic,
        antidepressant_trials=int(answers.get("treatments", {}).get("antidepressant_trials") or 0),
        aneurysmal_vascular_disease=is_yes(med.get("aneurysmal_vascular_disease")),
        arteriovenous_malformation=is_yes(med.get("arteriovenous_malformation")),
        intracerebral_hemorrhage=is_yes(med.get("intracerebral_hemorrhage")),
        ketamine_hypersensitivity=is_yes(meds.get("ketamine_hypersensitivity")),
        active_psychosis=is_yes(psy.get("active_psychosis")),
        schizophrenia=is_yes(psy.get("schizophrenia")),
        pregnant=pregnancy == "pregnant",
        pregnancy_unsure=pregnancy == PREGNANCY_UNSURE,
        substance_use_disorder=is_yes(psy.get("substance_use_disorder")),
        bipolar_disorder=is_yes(psy.get("bipolar_disorder")),
        cardiovascular_disease=is_yes(med.get("cardiovascular_disease")),
        raised_intracranial_pressure=is_yes(med.get("raised_intracranial_pressure")),
        raised_intraocular_pressure=is_yes(med.get("raised_intraocular_pressure")),
        severe_liver_disease=liver == "severe",
        moderate_liver_disease=liver == "moderate",
        interstitial_cystitis=is_yes(med.get("interstitial_cystitis")),
        breastfeeding=pregnancy == "breastfeeding",
        named_adult_monitor=screening.named_adult_monitor,
        validated_home_bp_cuff=screening.validated_home_bp_cuff,
        supervised_first_dose_without_sae=screening.supervised_first_dose_without_sae,
    )


PREGNANCY_UNSURE = "unsure"  # the intake's "not sure" answer


def pregnancy_test_needed(patient: Patient) -> bool:
    """Whether the patient's latest screening says they are not sure whether pregnant: the
    check-in then needs a negative pregnancy test until one has been recorded."""
    from .intake import latest_screening

    screening = latest_screening(patient)
    if screening is None:
        return False
    answers = intake_answers({s.step: s for s in screening.steps.all()})
    return answers.get("medical", {}).get("pregnancy") == PREGNANCY_UNSURE


def eligibility_for(
    screening: Screening,
    *,
    steps: Mapping[str, IntakeStep] | None = None,
    assessments: Iterable[Assessment] | None = None,
    day: dt.date | None = None,
) -> dict[str, RouteEligibility]:
    """Eligibility per route (`ketacare.clinical.eligibility`) from the intake, the findings
    and the latest score of each instrument."""
    patient = screening.patient
    if steps is None:
        steps = {s.step: s for s in screening.steps.all()}
    if assessments is None:
        assessments = Assessment.objects.filter(patient=patient)
    history = medical_history(
        patient, screening, intake_answers(steps), day or timezone.localdate()
    )
    scores = {code: score_of(a) for code, a in latest_by_instrument(assessments).items()}
    return assess_eligibility(history, scores)
