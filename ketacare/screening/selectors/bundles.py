"""The clinic's screening settings, and the instrument bundles and schedules drawn from them."""

from __future__ import annotations

from collections.abc import Mapping

from ketacare.clinical.eligibility import (
    INDICATIONS,
)
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.screening import (
    ReassessmentSchedule,
    ReevaluationPolicy,
)

from ..catalog import Bundle, bundle_for
from ..models import (
    IntakeStep,
    Screening,
    ScreeningSettings,
)


def settings_for(clinic_id: int | None) -> ScreeningSettings:
    """The clinic's screening settings, or the defaults (unsaved) when it has none."""
    if clinic_id is None:
        return ScreeningSettings()
    found = ScreeningSettings.objects.filter(clinic_id=clinic_id).first()
    return found or ScreeningSettings(clinic_id=clinic_id)


def schedule_of(settings: ScreeningSettings, bundle: Bundle | None = None) -> ReassessmentSchedule:
    full = bundle.patient if bundle is not None else tuple(settings.intake_instruments)
    return ReassessmentSchedule(
        before_each_session=tuple(c for c in settings.pre_session_instruments if c in INSTRUMENTS),
        full_bundle=tuple(c for c in full if c in INSTRUMENTS),
        full_bundle_every_days=settings.full_bundle_every_weeks * 7,
        overdue_after_days=settings.overdue_after_days,
    )


def policy_of(settings: ScreeningSettings) -> ReevaluationPolicy:
    return ReevaluationPolicy(
        every_sessions=settings.reevaluation_every_sessions,
        max_gap_days=settings.reevaluation_gap_days,
    )


def indications_of(steps: Mapping[str, IntakeStep]) -> frozenset[str]:
    step = steps.get("reasons")
    values = step.data.get("indications", []) if step is not None else []
    return frozenset(v for v in values if v in INDICATIONS)


def intake_bundle(
    screening: Screening,
    *,
    steps: Mapping[str, IntakeStep] | None = None,
    settings: ScreeningSettings | None = None,
) -> Bundle:
    if steps is None:
        steps = {s.step: s for s in screening.steps.all()}
    if settings is None:
        settings = settings_for(screening.patient.clinic_id)
    return bundle_for(settings, indications_of(steps))
