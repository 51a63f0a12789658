"""Writes of the screening workflow, one module per workflow: each one transaction,
permission-checked (`ketacare.core.policy`), audited in the same transaction. Scores, crisis
flags, eligibility and overrides come from `ketacare.clinical`; nothing here re-implements a
threshold. Refusals are `ketacare.core.errors.Refusal`; a record the actor may not touch is
`NotFound`."""

from ..models import AssessmentContext  # where an assessment was taken: other apps pass it
from .assessments import correct_assessment, record_assessment
from .consent import publish_consent_document, sign_consent
from .intake import (
    INTAKE_CHANGE_REASON,
    complete_intake_instrument,
    instrument_step,
    save_instrument_draft,
    save_intake_step,
    start_intake,
    start_screening,
    submit_intake,
)
from .review import (
    FINDING_FIELDS,
    add_patient_request,
    add_review_note,
    close_request,
    record_findings,
    record_reevaluation,
    record_route_decision,
    respond_to_request,
)
from .settings import SETTINGS_FIELDS, update_screening_settings
from .urgent_tasks import notify_clinicians_of_urgent_task, raise_urgent_task, resolve_urgent_task

__all__ = [
    "AssessmentContext", "FINDING_FIELDS", "INTAKE_CHANGE_REASON", "SETTINGS_FIELDS",
    "add_patient_request",
    "add_review_note", "close_request", "complete_intake_instrument", "correct_assessment",
    "instrument_step", "notify_clinicians_of_urgent_task", "publish_consent_document",
    "raise_urgent_task", "record_assessment", "record_findings", "record_reevaluation",
    "record_route_decision", "resolve_urgent_task", "respond_to_request", "save_instrument_draft",
    "save_intake_step", "sign_consent", "start_intake", "start_screening", "submit_intake",
    "update_screening_settings",
]  # fmt: skip
