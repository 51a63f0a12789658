"""Writes of the screening workflow: each one transaction, permission-checked, audited in the
same transaction. Scores, crisis flags, eligibility and overrides come from
`ketacare.clinical`; nothing here re-implements a threshold."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from ketacare.accounts.models import Role, User
from ketacare.accounts.permissions import has_role
from ketacare.audit.log import client_ip, record
from ketacare.clinical.instruments import INSTRUMENTS, score
from ketacare.clinical.screening import APPROVE, crisis_flags, crisis_flags_so_far, is_override
from ketacare.core import outbox
from ketacare.patients.models import Patient

from . import selectors
from .catalog import instrument_version
from .forms import instrument_raw_values, partial_answers
from .models import (
    Assessment,
    AssessmentContext,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    IntakeStep,
    PatientRequest,
    Reevaluation,
    ReviewNote,
    Route,
    RouteDecision,
    Screening,
    ScreeningSettings,
    ScreeningStatus,
    UrgentTask,
)

log = logging.getLogger(__name__)

# Who may do what here, on top of the clinic scope (a user only ever acts on their clinic).
CLINICAL_ROLES = (Role.CLINICIAN, Role.PRESCRIBER)
REVIEW_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN)
# Who is told of an urgent safety task.
URGENT_TASK_ROLES = (Role.CLINICIAN, Role.PRESCRIBER)
INTAKE_CHANGE_REASON = "Changed by the patient during the intake."


class ScreeningError(Exception):
    """A request the workflow refuses, with a message for the person (and the form field it
    concerns, when there is one)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _is_own(actor: Any, patient: Patient) -> bool:
    return has_role(actor, Role.PATIENT) and patient.user_id == actor.pk


def _require_own(actor: Any, patient: Patient) -> None:
    if not _is_own(actor, patient):
        raise Http404("No such patient.")


def _require_staff(actor: Any, patient: Patient, roles: Iterable[str] = CLINICAL_ROLES) -> None:
    if not has_role(actor, *roles) or patient.clinic_id != actor.clinic_id:
        raise Http404("No such patient.")


def _require_admin(actor: Any) -> None:
    if not has_role(actor, Role.ADMIN) or not actor.clinic_id:
        raise Http404("Page not found.")


# --- Intake -----------------------------------------------------------------------------


@transaction.atomic
def start_intake(*, actor: User, patient: Patient, request: HttpRequest | None = None) -> Screening:
    """The patient's open screening, created at their first saved answer."""
    _require_own(actor, patient)
    screening = selectors.open_screening(patient)
    if screening is not None:
        return screening
    if Screening.objects.filter(patient=patient).exists():
        raise ScreeningError(
            "Your screening has been reviewed. Your clinic will start a new one when it is due."
        )
    screening = Screening.objects.create(patient=patient, started_at=timezone.now())
    record(
        actor=actor,
        action="create",
        obj=screening,
        patient=patient,
        request=request,
        detail="intake started",
    )
    return screening


@transaction.atomic
def start_screening(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> Screening:
    """Staff start a new screening (a re-screening) for a patient of their clinic."""
    _require_staff(actor, patient)
    if selectors.open_screening(patient) is not None:
        raise ScreeningError("This patient already has a screening in progress.")
    screening = Screening.objects.create(patient=patient, started_at=timezone.now())
    record(
        actor=actor,
        action="create",
        obj=screening,
        patient=patient,
        request=request,
        detail="screening started by staff",
    )
    return screening


def _editable(screening: Screening) -> None:
    if screening.status != ScreeningStatus.INTAKE:
        raise ScreeningError("This intake has been submitted; it can no longer be changed.")


@transaction.atomic
def save_intake_step(
    *,
    actor: User,
    screening: Screening,
    step: str,
    data: Mapping[str, Any],
    complete: bool | None,
    request: HttpRequest | None = None,
) -> IntakeStep:
    """Save one intake screen: finished (`complete=True`), a draft that is not (yet) valid
    (`False`), or valid answers saved as the patient goes (`None`: a finished step stays
    finished, an unfinished one stays a draft until the patient continues)."""
    _require_own(actor, screening.patient)
    _editable(screening)
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
        request=request,
        detail=f"intake {step}: {state}",
    )
    return saved


def instrument_step(code: str) -> str:
    return f"instrument:{code}"


@transaction.atomic
def save_instrument_draft(
    *,
    actor: User,
    screening: Screening,
    code: str,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> tuple[IntakeStep, UrgentTask | None]:
    """Save a half-answered instrument. Crisis flags already certain from the answers so far
    raise the urgent task now: the patient may close the browser before finishing."""
    _require_own(actor, screening.patient)
    _editable(screening)
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
    flags = crisis_flags_so_far(code, partial_answers(instrument, values))
    task = None
    if flags:
        task = _raise_urgent_task(
            actor=actor,
            patient=screening.patient,
            code=code,
            flags=flags,
            assessment=None,
            request=request,
        )
    record(
        actor=actor,
        action="create" if created else "update",
        obj=saved,
        patient=screening.patient,
        request=request,
        detail=f"intake {code}: draft saved",
    )
    return saved, task


@transaction.atomic
def complete_intake_instrument(
    *,
    actor: User,
    screening: Screening,
    code: str,
    answers: Mapping[int, int | None],
    request: HttpRequest | None = None,
) -> tuple[Assessment, UrgentTask | None]:
    """Store a finished intake instrument as an assessment. Submitting the screen again with
    different answers stores a correction linked to the earlier record."""
    patient = screening.patient
    _require_own(actor, patient)
    _editable(screening)
    if code not in selectors.intake_bundle(screening).patient:
        raise ScreeningError("This questionnaire is not part of your intake.")
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
    task = None
    if previous is not None and list(previous.answers) == ordered:
        assessment = previous
    else:
        assessment, task = record_assessment(
            actor=actor,
            patient=patient,
            instrument=code,
            answers=ordered,
            context=AssessmentContext.INTAKE,
            screening=screening,
            corrects=previous,
            correction_reason=INTAKE_CHANGE_REASON if previous else "",
            request=request,
        )
    return assessment, task


@transaction.atomic
def submit_intake(
    *, actor: User, screening: Screening, request: HttpRequest | None = None
) -> Screening:
    """Hand the finished intake to the clinic for review."""
    _require_own(actor, screening.patient)
    _editable(screening)
    overview = selectors.intake_overview(screening.patient, screening=screening)
    if not overview.can_submit:
        missing = ", ".join(overview.missing)
        raise ScreeningError(f"Some parts are not finished yet: {missing}.")
    screening.status = ScreeningStatus.SUBMITTED
    screening.submitted_at = timezone.now()
    screening.save(update_fields=["status", "submitted_at"])
    record(
        actor=actor,
        action="update",
        obj=screening,
        patient=screening.patient,
        request=request,
        detail="intake submitted for review",
    )
    return screening


# --- Assessments ------------------------------------------------------------------------


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
    request: HttpRequest | None = None,
) -> tuple[Assessment, UrgentTask | None]:
    """Score and store one completed instrument (immutable). Crisis flags in the score raise
    an urgent task for the clinic's clinicians. Raises InvalidAnswers (naming the item) for
    answers the instrument does not allow, ScreeningError for a request it refuses."""
    definition = INSTRUMENTS.get(instrument)
    if definition is None:
        raise ScreeningError(f"Unknown instrument {instrument!r}.", field="instrument")
    if has_role(actor, Role.PATIENT):
        _require_own(actor, patient)
        if definition.clinician_rated:
            raise ScreeningError(
                "This questionnaire is completed by your clinician.", field="instrument"
            )
        if corrects is not None and context != AssessmentContext.INTAKE:
            raise ScreeningError("Only your clinic can correct a stored questionnaire.")
    else:
        _require_staff(actor, patient)
    result = score(instrument, answers)
    correction_reason = " ".join(correction_reason.split())
    if corrects is not None:
        if corrects.patient_id != patient.pk or corrects.instrument != instrument:
            raise ScreeningError("A correction must be of the same patient and instrument.")
        if Assessment.objects.filter(corrects=corrects).exists():
            raise ScreeningError(
                "This assessment has already been corrected: correct the latest version."
            )
        if not correction_reason:
            raise ScreeningError("Give a reason for the correction.", field="correction_reason")
    elif correction_reason:
        correction_reason = ""
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
    flags = crisis_flags(result)
    if flags:
        # Before this assessment's audit row: row locks first, audit last (no deadlock).
        task = _raise_urgent_task(
            actor=actor,
            patient=patient,
            code=instrument,
            flags=flags,
            assessment=assessment,
            request=request,
        )
    record(
        actor=actor,
        action="create",
        obj=assessment,
        patient=patient,
        request=request,
        detail=detail,
    )
    return assessment, task


def correct_assessment(
    *,
    actor: User,
    assessment: Assessment,
    answers: Any,
    reason: str,
    request: HttpRequest | None = None,
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
        request=request,
    )


# --- Urgent safety tasks ------------------------------------------------------------------


def _raise_urgent_task(
    *,
    actor: User,
    patient: Patient,
    code: str,
    flags: Iterable[str],
    assessment: Assessment | None,
    request: HttpRequest | None,
) -> UrgentTask:
    """Open an urgent task (or return the one already open for the same answers) and email
    the clinic's clinicians once it is committed."""
    flags = sorted(flags)
    open_tasks = UrgentTask.objects.filter(
        patient=patient, instrument=code, resolved_at__isnull=True
    ).order_by("-created_at", "-id")
    from_draft = open_tasks.filter(assessment__isnull=True).first()
    if assessment is None and (from_draft or open_tasks.exists()):
        # Already raised from these answers (or from an earlier finished sheet still open).
        return from_draft or open_tasks[0]
    if assessment is not None and from_draft is not None:
        from_draft.assessment = assessment
        from_draft.flags = flags
        from_draft.save(update_fields=["assessment", "flags"])
        record(
            actor=actor,
            action="update",
            obj=from_draft,
            patient=patient,
            request=request,
            detail=f"urgent task linked to assessment #{assessment.pk}",
        )
        return from_draft
    task = UrgentTask.objects.create(
        patient=patient,
        instrument=code,
        assessment=assessment,
        flags=flags,
        created_at=timezone.now(),
    )
    record(
        actor=actor,
        action="create",
        obj=task,
        patient=patient,
        request=request,
        detail=f"urgent safety task: {code} {', '.join(flags)}",
    )
    link = reverse("screening:worklist")
    if request is not None:
        link = request.build_absolute_uri(link)
    notify_clinicians_of_urgent_task(clinic_id=patient.clinic_id, link=link)
    return task


def notify_clinicians_of_urgent_task(*, clinic_id: int, link: str) -> int:
    """Email every active clinician and prescriber of the clinic, one email each, through the
    outbox in the caller's transaction. The email names no patient: it asks the reader to
    sign in."""
    recipients = list(
        User.objects.filter(clinic_id=clinic_id, role__in=URGENT_TASK_ROLES, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    subject, body, html = outbox.render("screening/email/urgent_task", {"link": link})
    for email in recipients:
        outbox.add(subject=subject, body=body, html=html, to=email)
    return len(recipients)


@transaction.atomic
def resolve_urgent_task(
    *, actor: User, task: UrgentTask, note: str, request: HttpRequest | None = None
) -> UrgentTask:
    _require_staff(actor, task.patient)
    if task.resolved_at is not None:
        raise ScreeningError("This task has already been resolved.")
    note = note.strip()
    if not note:
        raise ScreeningError("Write what was done.", field="resolution_note")
    task.resolved_at = timezone.now()
    task.resolved_by = actor
    task.resolution_note = note
    task.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    record(
        actor=actor,
        action="update",
        obj=task,
        patient=task.patient,
        request=request,
        detail="urgent task resolved",
    )
    return task


# --- Consent ------------------------------------------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def publish_consent_document(
    *, actor: User, kind: str, title: str, body: str, request: HttpRequest | None = None
) -> ConsentDocument:
    """A new version of a consent document; patients must sign it again."""
    _require_admin(actor)
    if kind not in ConsentKind.values:
        raise ScreeningError("Choose a document.", field="kind")
    latest = (
        ConsentDocument.objects.filter(clinic_id=actor.clinic_id, kind=kind)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    document = ConsentDocument.objects.create(
        clinic_id=actor.clinic_id,
        kind=kind,
        version=(latest or 0) + 1,
        title=title.strip(),
        body=body,
        body_sha256=_sha256(body),
        published_at=timezone.now(),
        published_by=actor,
    )
    record(
        actor=actor,
        action="create",
        obj=document,
        request=request,
        detail=f"consent {kind} v{document.version} published",
    )
    return document


@transaction.atomic
def sign_consent(
    *,
    actor: User,
    patient: Patient,
    document: ConsentDocument,
    typed_name: str,
    agreed: bool,
    request: HttpRequest | None = None,
) -> ConsentSignature:
    _require_own(actor, patient)
    if document.clinic_id != patient.clinic_id:
        raise Http404("No such document.")
    current = selectors.current_consent_documents(patient.clinic_id).get(document.kind)
    if current is None or current.pk != document.pk:
        raise ScreeningError(
            "A newer version of this document has been published: read and sign that one."
        )
    typed_name = " ".join(typed_name.split())
    if not agreed:
        raise ScreeningError("Tick the box to show that you agree.", field="agreed")
    if not typed_name:
        raise ScreeningError("Type your full name to sign.", field="typed_name")
    if ConsentSignature.objects.filter(document=document, patient=patient).exists():
        raise ScreeningError("You have already signed this version.")
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    signature = ConsentSignature.objects.create(
        document=document,
        patient=patient,
        signed_by=actor,
        kind=document.kind,
        version=document.version,
        body_sha256=document.body_sha256,
        typed_name=typed_name,
        agreed=True,
        signed_at=timezone.now(),
        ip=client_ip(request),
        user_agent=user_agent,
    )
    record(
        actor=actor,
        action="create",
        obj=signature,
        patient=patient,
        request=request,
        detail=f"consent {document.kind} v{document.version} signed",
    )
    return signature


# --- Clinician review ---------------------------------------------------------------------


@transaction.atomic
def add_review_note(
    *, actor: User, screening: Screening, body: str, request: HttpRequest | None = None
) -> ReviewNote:
    _require_staff(actor, screening.patient)
    body = body.strip()
    if not body:
        raise ScreeningError("Write the note.", field="body")
    note = ReviewNote.objects.create(
        screening=screening, author=actor, body=body, created_at=timezone.now()
    )
    record(actor=actor, action="create", obj=note, patient=screening.patient, request=request)
    return note


@transaction.atomic
def add_patient_request(
    *,
    actor: User,
    screening: Screening,
    kind: str,
    message: str,
    request: HttpRequest | None = None,
) -> PatientRequest:
    _require_staff(actor, screening.patient)
    message = message.strip()
    if not message:
        raise ScreeningError("Write the message to the patient.", field="message")
    patient_request = PatientRequest.objects.create(
        screening=screening,
        kind=kind,
        message=message,
        created_by=actor,
        created_at=timezone.now(),
    )
    record(
        actor=actor,
        action="create",
        obj=patient_request,
        patient=screening.patient,
        request=request,
        detail=f"request to patient: {kind}",
    )
    return patient_request


@transaction.atomic
def respond_to_request(
    *,
    actor: User,
    patient_request: PatientRequest,
    response: str,
    request: HttpRequest | None = None,
) -> PatientRequest:
    _require_own(actor, patient_request.screening.patient)
    if patient_request.closed_at is not None:
        raise ScreeningError("This request has been closed by your clinic.")
    response = response.strip()
    if not response:
        raise ScreeningError("Write your answer.", field="response")
    patient_request.response = response
    patient_request.responded_at = timezone.now()
    patient_request.save(update_fields=["response", "responded_at"])
    record(
        actor=actor,
        action="update",
        obj=patient_request,
        patient=patient_request.screening.patient,
        request=request,
        detail="patient answered a request",
    )
    return patient_request


@transaction.atomic
def close_request(
    *, actor: User, patient_request: PatientRequest, request: HttpRequest | None = None
) -> PatientRequest:
    _require_staff(actor, patient_request.screening.patient)
    if patient_request.closed_at is None:
        patient_request.closed_at = timezone.now()
        patient_request.closed_by = actor
        patient_request.save(update_fields=["closed_at", "closed_by"])
        record(
            actor=actor,
            action="update",
            obj=patient_request,
            patient=patient_request.screening.patient,
            request=request,
            detail="request closed",
        )
    return patient_request


FINDING_FIELDS = (
    "screening_systolic",
    "screening_diastolic",
    "named_adult_monitor",
    "validated_home_bp_cuff",
    "supervised_first_dose_without_sae",
)


@transaction.atomic
def record_findings(
    *, actor: User, screening: Screening, request: HttpRequest | None = None, **fields: Any
) -> Screening:
    """The clinician's findings: screening blood pressure and the at-home checklist."""
    _require_staff(actor, screening.patient)
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise TypeError(f"unknown finding fields: {sorted(unknown)}")
    changed = [
        name
        for name in FINDING_FIELDS
        if name in fields and getattr(screening, name) != fields[name]
    ]
    for name in changed:
        setattr(screening, name, fields[name])
    screening.findings_updated_at = timezone.now()
    screening.findings_updated_by = actor
    screening.save(update_fields=[*changed, "findings_updated_at", "findings_updated_by"])
    record(
        actor=actor,
        action="update",
        obj=screening,
        patient=screening.patient,
        request=request,
        detail="findings: " + (", ".join(changed) or "no change"),
    )
    return screening


@transaction.atomic
def record_route_decision(
    *,
    actor: User,
    screening: Screening,
    route: str,
    decision: str,
    reason: str,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> RouteDecision:
    """The prescriber's decision on one route, against the rule-based eligibility now. An
    override of the rules needs its own reason."""
    patient = screening.patient
    _require_staff(actor, patient, (Role.PRESCRIBER,))
    if screening.status == ScreeningStatus.INTAKE:
        raise ScreeningError("The patient has not submitted the intake yet.")
    if route not in Route.values:
        raise ScreeningError("Unknown route.", field="route")
    reason = reason.strip()
    override_reason = override_reason.strip()
    if not reason:
        raise ScreeningError("Give the reason for the decision.", field="reason")
    eligibility = selectors.eligibility_for(screening)[route]
    override = is_override(eligibility.status, decision)
    if override and not override_reason:
        raise ScreeningError(
            f"The rules find this route {eligibility.status.replace('_', ' ')}: overriding "
            "that needs a reason.",
            field="override_reason",
        )
    if decision == APPROVE:
        signed = selectors.consents_signed(patient)
        if not signed.get(ConsentKind.TREATMENT):
            raise ScreeningError(
                "The patient has not signed the current treatment consent.", field="decision"
            )
        if route == Route.HOME_TROCHE and not signed.get(ConsentKind.HOME_PROGRAM):
            raise ScreeningError(
                "The patient has not signed the current at-home program consent.",
                field="decision",
            )
    at = timezone.now()
    decided = RouteDecision.objects.create(
        screening=screening,
        route=route,
        decision=decision,
        reason=reason,
        rule_status=eligibility.status,
        rule_reasons=[r.as_dict() for r in eligibility.reasons],
        is_override=override,
        override_reason=override_reason if override else "",
        decided_by=actor,
        decided_at=at,
    )
    if screening.status != ScreeningStatus.DECIDED:
        screening.status = ScreeningStatus.DECIDED
        screening.decided_at = at
        screening.save(update_fields=["status", "decided_at"])
    record(
        actor=actor,
        action="create",
        obj=decided,
        patient=patient,
        request=request,
        detail=f"{route}: {decision}" + (" (override of the rules)" if override else ""),
    )
    return decided


@transaction.atomic
def record_reevaluation(
    *,
    actor: User,
    patient: Patient,
    outcome: str,
    note: str,
    request: HttpRequest | None = None,
) -> Reevaluation:
    _require_staff(actor, patient, (Role.PRESCRIBER,))
    note = note.strip()
    if not note:
        raise ScreeningError("Write the assessment and plan.", field="note")
    reevaluation = Reevaluation.objects.create(
        patient=patient,
        outcome=outcome,
        note=note,
        evaluated_by=actor,
        evaluated_at=timezone.now(),
    )
    record(
        actor=actor,
        action="create",
        obj=reevaluation,
        patient=patient,
        request=request,
        detail=f"re-evaluation: {outcome}",
    )
    return reevaluation


# --- Clinic settings ----------------------------------------------------------------------

SETTINGS_FIELDS = (
    "intake_instruments",
    "ocd_instruments",
    "pain_instruments",
    "review_instruments",
    "pre_session_instruments",
    "full_bundle_every_weeks",
    "overdue_after_days",
    "reevaluation_every_sessions",
    "reevaluation_gap_days",
)


@transaction.atomic
def update_screening_settings(
    *, actor: User, request: HttpRequest | None = None, **fields: Any
) -> ScreeningSettings:
    _require_admin(actor)
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    for name in (
        "intake_instruments",
        "ocd_instruments",
        "pain_instruments",
        "review_instruments",
        "pre_session_instruments",
    ):
        if name in fields and any(code not in INSTRUMENTS for code in fields[name]):
            raise ScreeningError("Unknown instrument.", field=name)
    current, _ = ScreeningSettings.objects.get_or_create(clinic_id=actor.clinic_id)
    changed = [
        name
        for name in SETTINGS_FIELDS
        if name in fields and getattr(current, name) != fields[name]
    ]
    for name in changed:
        setattr(current, name, fields[name])
    current.updated_by = actor
    current.save()
    record(
        actor=actor,
        action="update",
        obj=current,
        request=request,
        detail="changed: " + (", ".join(changed) or "nothing"),
    )
    return current
