"""Screening pages, one module per workflow: the patient's intake and own page (`intake`),
consent (`consent`), the staff's review and decisions (`review`), the clinic's settings
(`settings`), and the screening part of the home page (`home`). Every form step goes
through `ketacare.core.views.submit()`."""

from .consent import consent, consent_document, consent_documents
from .intake import (
    crisis,
    intake,
    intake_instrument,
    intake_step,
    mine,
    my_assessment,
    respond_request,
)
from .review import (
    add_note,
    add_request,
    assessment_detail,
    close_request,
    correct,
    decide,
    findings,
    reevaluate,
    resolve_task,
    staff_instrument,
    start,
    summary,
    worklist,
)
from .settings import clinic_settings

__all__ = [
    "add_note", "add_request", "assessment_detail", "clinic_settings", "close_request",
    "consent", "consent_document", "consent_documents", "correct", "crisis", "decide",
    "findings", "intake", "intake_instrument", "intake_step", "mine",
    "my_assessment", "reevaluate", "resolve_task", "respond_request", "staff_instrument",
    "start", "summary", "worklist",
]  # fmt: skip
