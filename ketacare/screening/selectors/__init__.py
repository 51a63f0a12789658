"""Reads of the screening workflow, one module per page or workflow, shaped for their pages
in a fixed, small number of queries. The rules (eligibility, due assessments, the
re-evaluation gate) are computed by `ketacare.clinical` from what is loaded here. Other apps
use the small public face re-exported below (e.g. `can_schedule_session`, `current_decisions`,
`due_assessments_for`)."""

from .bundles import indications_of, intake_bundle, policy_of, schedule_of, settings_for
from .consent import (
    INTAKE_CONSENTS,
    ConsentState,
    consent_document_for_admin,
    consent_documents_for_admin,
    consent_page,
    consent_states,
    consents_signed,
    current_consent_documents,
)
from .eligibility import (
    age_on,
    current_assessments,
    eligibility_for,
    intake_answers,
    latest_by_instrument,
    medical_history,
    pregnancy_test_needed,
    score_of,
)
from .home import audited_home_context
from .intake import (
    IntakeOverview,
    StepState,
    intake_overview,
    latest_screening,
    open_screening,
    stored_step,
)
from .pages import (
    HOME_LIST_LIMIT,
    DueRow,
    clinic_worklist,
    home_context,
    patient_screening_page,
    reassessment_offered,
)
from .records import (
    assessment_of,
    assessments_for_api,
    decisions_for_api,
    get_assessment_for,
    get_decision_for,
    may_read_screening,
    notes_visible,
    patient_request_for,
    urgent_task_for,
)
from .summary import InstrumentRow, screening_summary
from .treatment import (
    approved_routes,
    can_schedule_session,
    current_decisions,
    due_assessments_for,
    patients_with_approved_routes,
)

__all__ = [
    "audited_home_context",
    "HOME_LIST_LIMIT", "INTAKE_CONSENTS", "ConsentState", "DueRow", "InstrumentRow",
    "IntakeOverview", "StepState", "age_on", "assessment_of", "assessments_for_api",
    "can_schedule_session", "clinic_worklist", "consent_document_for_admin",
    "consent_documents_for_admin", "consent_page", "consent_states", "consents_signed",
    "current_assessments", "current_consent_documents", "current_decisions",
    "decisions_for_api", "due_assessments_for", "eligibility_for", "get_assessment_for",
    "get_decision_for", "home_context", "indications_of", "intake_answers", "intake_bundle",
    "intake_overview", "latest_by_instrument", "latest_screening", "may_read_screening",
    "pregnancy_test_needed",
    "medical_history", "notes_visible", "open_screening", "patient_request_for",
    "patient_screening_page", "policy_of", "reassessment_offered", "schedule_of", "score_of",
    "screening_summary", "settings_for", "stored_step", "urgent_task_for",
    # What treatments reads (the routes approved for a patient):
    "approved_routes", "patients_with_approved_routes",
]  # fmt: skip
