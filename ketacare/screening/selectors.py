"""Reads of the screening workflow, shaped for their pages in a fixed, small number of
queries. The rules (eligibility, due assessments, the re-evaluation gate) are computed by
`ketacare.clinical` from what is loaded here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from ketacare.accounts.models import Role
from ketacare.accounts.permissions import has_role, patients_visible_to
from ketacare.clinical.eligibility import (
    INDICATIONS,
    MedicalHistory,
    RouteEligibility,
    assess_eligibility,
)
from ketacare.clinical.instruments import INSTRUMENTS, ScoreResult
from ketacare.clinical.screening import (
    APPROVE,
    DueAssessment,
    ReassessmentSchedule,
    ReevaluationPolicy,
    SchedulingDecision,
    due_assessments,
)
from ketacare.clinical.screening import can_schedule_session as _can_schedule
from ketacare.patients.models import Patient

from .catalog import Bundle, bundle_for
from .forms import INTAKE_FORMS, describe, is_yes
from .models import (
    OPEN_STATUSES,
    Assessment,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    IntakeStep,
    PatientRequest,
    Reevaluation,
    ReevaluationOutcome,
    ReviewNote,
    Route,
    RouteDecision,
    Screening,
    ScreeningSettings,
    ScreeningStatus,
    UrgentTask,
)

# Consents a patient signs before the intake goes to review; the at-home program consent is
# needed only to approve the at-home route.
INTAKE_CONSENTS = (ConsentKind.TREATMENT, ConsentKind.DATA_SHARING)
HOME_LIST_LIMIT = 50


# --- Settings and bundles -------------------------------------------------------------------


def settings_for(clinic_id: int | None) -> ScreeningSettings:
    """The clinic's screening settings, or the defaults (unsaved) when it has none."""
    found = ScreeningSettings.objects.filter(clinic_id=clinic_id).first() if clinic_id else None
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


# --- Screenings and the intake --------------------------------------------------------------


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
    open_urgent: bool = False

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


def _state(step: IntakeStep | None) -> str:
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
        step = steps.get(key)
        state = "done" if step and step.completed_at else ("draft" if step else "todo")
        states.append(
            StepState(key, title, reverse("screening:intake_step", args=[key]), state, "form")
        )
    for code in bundle.patient:
        step = steps.get(f"instrument:{code}")
        state = "done" if step and step.completed_at else ("draft" if step else "todo")
        states.append(
            StepState(
                code,
                INSTRUMENTS[code].title,
                reverse("screening:intake_instrument", args=[code]),
                state,
                "instrument",
            )
        )
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
    open_urgent = UrgentTask.objects.filter(patient=patient, resolved_at__isnull=True).exists()
    return IntakeOverview(screening, states, bundle, can_submit, missing, next_step, open_urgent)


# --- Consent ----------------------------------------------------------------------------------


def current_consent_documents(clinic_id: int | None) -> dict[str, ConsentDocument]:
    """The newest version of each consent document of the clinic."""
    current: dict[str, ConsentDocument] = {}
    for document in ConsentDocument.objects.filter(clinic_id=clinic_id).order_by(
        "kind", "-version"
    ):
        current.setdefault(document.kind, document)
    return current


def _current_documents_with_signature(patient: Patient) -> list[ConsentDocument]:
    """The clinic's current documents, each annotated with this patient's signature time
    (`signed_at`, None when unsigned), in one query."""
    newer = ConsentDocument.objects.filter(
        clinic_id=OuterRef("clinic_id"), kind=OuterRef("kind"), version__gt=OuterRef("version")
    )
    signature = ConsentSignature.objects.filter(document=OuterRef("pk"), patient=patient)
    return list(
        ConsentDocument.objects.filter(clinic_id=patient.clinic_id)
        .annotate(is_current=~Exists(newer))
        .filter(is_current=True)
        .annotate(signed_at=Subquery(signature.values("signed_at")[:1]))
        .order_by("kind")
    )


def consents_signed(patient: Patient) -> dict[str, bool]:
    """For each consent document the clinic has published: has the patient signed its
    current version? (A kind with no document is absent.)"""
    return {d.kind: d.signed_at is not None for d in _current_documents_with_signature(patient)}


@dataclass
class ConsentState:
    kind: str
    label: str
    document: ConsentDocument | None
    signed_at: dt.datetime | None

    @property
    def needs_signature(self) -> bool:
        return self.document is not None and self.signed_at is None


def consent_states(patient: Patient) -> list[ConsentState]:
    documents = {d.kind: d for d in _current_documents_with_signature(patient)}
    states = []
    for kind in ConsentKind:
        document = documents.get(kind.value)
        states.append(
            ConsentState(kind.value, kind.label, document, getattr(document, "signed_at", None))
        )
    return states


def consent_page(patient: Patient, kind: str) -> dict[str, Any]:
    documents = current_consent_documents(patient.clinic_id)
    document = documents.get(kind)
    signatures = list(
        ConsentSignature.objects.filter(patient=patient, kind=kind).order_by("-signed_at")
    )
    signed = document is not None and any(s.document_id == document.pk for s in signatures)
    return {"document": document, "signatures": signatures, "signed": signed, "kind": kind}


def consent_documents_for_admin(clinic_id: int) -> QuerySet[ConsentDocument]:
    return (
        ConsentDocument.objects.filter(clinic_id=clinic_id)
        .select_related("published_by")
        .order_by("kind", "-version")
    )


# --- Scores and eligibility -----------------------------------------------------------------


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
    findings. A pregnancy the patient is not sure about counts as not ruled out."""
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
        pregnant=pregnancy in ("pregnant", "unsure"),
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


# --- Decisions, re-evaluation and scheduling -------------------------------------------------


def current_decisions(decisions: Iterable[RouteDecision]) -> dict[str, RouteDecision]:
    """The latest decision on each route (a later decision supersedes an earlier one)."""
    latest: dict[str, RouteDecision] = {}
    for decision in decisions:
        known = latest.get(decision.route)
        if known is None or (decision.decided_at, decision.pk) > (known.decided_at, known.pk):
            latest[decision.route] = decision
    return latest


def _scheduling(
    *,
    decisions: Iterable[RouteDecision],
    reevaluations: Sequence[Reevaluation],
    treatment_consent_signed: bool,
    settings: ScreeningSettings,
    session_times: Sequence[dt.datetime],
    at: dt.datetime,
) -> SchedulingDecision:
    current = current_decisions(decisions)
    approvals = [d for d in current.values() if d.decision == APPROVE]
    latest_reevaluation = max(reevaluations, key=lambda r: (r.evaluated_at, r.pk), default=None)
    evaluations = [d.decided_at for d in approvals]
    if latest_reevaluation is not None:
        evaluations.append(latest_reevaluation.evaluated_at)
    last_approval = max((d.decided_at for d in approvals), default=None)
    stopped = (
        latest_reevaluation is not None
        and latest_reevaluation.outcome == ReevaluationOutcome.STOP
        and (last_approval is None or last_approval <= latest_reevaluation.evaluated_at)
    )
    return _can_schedule(
        policy_of(settings),
        approved_routes=[d.route for d in approvals],
        last_evaluation_at=max(evaluations, default=None),
        session_times=session_times,
        at=at,
        stopped=stopped,
        consent_missing=not treatment_consent_signed,
    )


def can_schedule_session(
    patient: Patient, at: dt.datetime, *, session_times: Sequence[dt.datetime] | None = None
) -> SchedulingDecision:
    """May a new treatment session be scheduled for `patient` at `at`? `allowed` with the
    reasons when not (`ketacare.clinical.screening.SCHEDULING_REASON_TEXT`): no approved
    route, treatment stopped, the current treatment consent unsigned, or a prescriber
    re-evaluation due (after every N sessions, or after a gap of more than N days).

    `session_times` are the patient's treatment sessions held so far; the treatment-session
    work passes them (sessions are not recorded by this app)."""
    decisions = RouteDecision.objects.filter(screening__patient=patient)
    return _scheduling(
        decisions=list(decisions),
        reevaluations=list(Reevaluation.objects.filter(patient=patient)),
        treatment_consent_signed=bool(consents_signed(patient).get(ConsentKind.TREATMENT)),
        settings=settings_for(patient.clinic_id),
        session_times=list(session_times or ()),
        at=at,
    )


def _due(
    *,
    settings: ScreeningSettings,
    bundle: Bundle | None,
    decisions: Iterable[RouteDecision],
    last_completed: Mapping[str, dt.datetime],
    at: dt.datetime,
    last_session_at: dt.datetime | None = None,
    next_session_at: dt.datetime | None = None,
) -> list[DueAssessment]:
    """Due and overdue re-assessments of a patient in treatment (an approved route)."""
    approvals = [d for d in current_decisions(decisions).values() if d.decision == APPROVE]
    if not approvals:
        return []
    since = min(d.decided_at for d in approvals)
    return due_assessments(
        schedule_of(settings, bundle),
        last_completed=last_completed,
        since=since,
        at=at,
        last_session_at=last_session_at,
        next_session_at=next_session_at,
    )


def due_assessments_for(
    patient: Patient,
    at: dt.datetime,
    *,
    last_session_at: dt.datetime | None = None,
    next_session_at: dt.datetime | None = None,
) -> list[DueAssessment]:
    """The re-assessments due or overdue for `patient` at `at`: the clinic's full bundle every
    N weeks and, given the last session held and the next one booked, the instruments due
    before each session (`ketacare.clinical.screening.due_assessments`)."""
    screening = latest_screening(patient)
    settings = settings_for(patient.clinic_id)
    bundle = intake_bundle(screening, settings=settings) if screening is not None else None
    return _due(
        settings=settings,
        bundle=bundle,
        decisions=RouteDecision.objects.filter(screening__patient=patient),
        last_completed=_last_completed([patient.pk]).get(patient.pk, {}),
        at=at,
        last_session_at=last_session_at,
        next_session_at=next_session_at,
    )


def _last_completed(patient_ids: Iterable[int]) -> dict[int, dict[str, dt.datetime]]:
    rows = (
        Assessment.objects.filter(patient_id__in=list(patient_ids), correction__isnull=True)
        .values("patient_id", "instrument")
        .annotate(last=Max("completed_at"))
    )
    found: dict[int, dict[str, dt.datetime]] = {}
    for row in rows:
        found.setdefault(row["patient_id"], {})[row["instrument"]] = row["last"]
    return found


# --- The screening summary (clinician review) -------------------------------------------------


@dataclass
class InstrumentRow:
    code: str
    title: str
    latest: Assessment | None
    history: list[Assessment] = field(default_factory=list)
    clinician_rated: bool = False


def screening_summary(*, patient: Patient, at: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the review page shows, in at most 10 queries whatever the number of
    assessments (tests/screening/test_summary_queries.py)."""
    at = at or timezone.now()
    screening = (
        Screening.objects.filter(patient=patient)
        .select_related("patient__clinic__screening_settings", "findings_updated_by")
        .order_by("-started_at", "-id")
        .first()
    )
    if screening is not None:
        settings = getattr(
            screening.patient.clinic, "screening_settings", None
        ) or ScreeningSettings(clinic_id=patient.clinic_id)
        screening.patient = patient
    else:
        settings = settings_for(patient.clinic_id)
    assessments = list(
        Assessment.objects.filter(patient=patient)
        .select_related("completed_by")
        .order_by("-completed_at", "-id")
    )
    reevaluations = list(
        Reevaluation.objects.filter(patient=patient).select_related("evaluated_by")
    )
    tasks = list(
        UrgentTask.objects.filter(patient=patient)
        .select_related("resolved_by", "assessment")
        .order_by("-created_at", "-id")
    )
    consents = _current_documents_with_signature(patient)
    signed = {d.kind: d.signed_at for d in consents}
    context: dict[str, Any] = {
        "patient": patient,
        "screening": screening,
        "settings": settings,
        "tasks": tasks,
        "open_tasks": [t for t in tasks if t.is_open],
        "consents": [
            ConsentState(
                k.value,
                k.label,
                next((d for d in consents if d.kind == k.value), None),
                signed.get(k.value),
            )
            for k in ConsentKind
        ],
        "reevaluations": reevaluations,
        "assessments": assessments,
    }
    corrected = {a.corrects_id for a in assessments if a.corrects_id}
    for a in assessments:
        a.is_superseded = a.pk in corrected  # type: ignore[attr-defined]
    if screening is None:
        context.update(
            steps={},
            answers={},
            decisions=[],
            notes=[],
            requests=[],
            current_decisions={},
            eligibility={},
            routes=[],
            instrument_rows=[],
            bundle=Bundle((), ()),
            history=None,
            due=[],
            scheduling=None,
        )
        return context
    steps = {s.step: s for s in screening.steps.all()}
    decisions = list(
        RouteDecision.objects.filter(screening__patient=patient)
        .select_related("decided_by")
        .order_by("-decided_at", "-id")
    )
    notes = list(screening.notes.select_related("author"))
    requests = list(screening.requests.select_related("created_by", "closed_by"))
    answers = intake_answers(steps)
    day = timezone.localdate(at)
    history = medical_history(patient, screening, answers, day)
    latest = latest_by_instrument(assessments)
    eligibility = assess_eligibility(history, {c: score_of(a) for c, a in latest.items()})
    bundle = bundle_for(settings, indications_of(steps))
    current = current_decisions(decisions)
    rows = []
    codes = list(dict.fromkeys([*bundle.patient, *bundle.staff, *latest]))
    for code in codes:
        definition = INSTRUMENTS.get(code)
        if definition is None:
            continue
        rows.append(
            InstrumentRow(
                code,
                definition.title,
                latest.get(code),
                [a for a in assessments if a.instrument == code],
                definition.clinician_rated,
            )
        )
    routes = [
        {
            "route": r.value,
            "label": r.label,
            "eligibility": eligibility[r.value],
            "decision": current.get(r.value),
        }
        for r in Route
    ]
    intake_display = [
        {
            "key": key,
            "title": title,
            "rows": describe(form_class, answers[key]) if key in answers else None,
            "state": _state(steps.get(key)),
        }
        for key, (title, form_class) in INTAKE_FORMS.items()
    ]
    context.update(
        steps=steps,
        answers=answers,
        intake_display=intake_display,
        history=history,
        decisions=decisions,
        current_decisions=current,
        notes=notes,
        requests=requests,
        eligibility=eligibility,
        routes=routes,
        bundle=bundle,
        instrument_rows=rows,
        due=_due(
            settings=settings,
            bundle=bundle,
            decisions=decisions,
            last_completed={c: a.completed_at for c, a in latest.items()},
            at=at,
        ),
        scheduling=_scheduling(
            decisions=decisions,
            reevaluations=reevaluations,
            treatment_consent_signed=bool(signed.get(ConsentKind.TREATMENT)),
            settings=settings,
            session_times=(),
            at=at,
        ),
    )
    return context


# --- The patient's own screening page ------------------------------------------------------


def patient_screening_page(*, patient: Patient, at: dt.datetime | None = None) -> dict[str, Any]:
    """What the patient sees: their intake status, the clinic's requests, the decisions (not
    the clinician's notes or reasons), consents, their assessments and what is due."""
    at = at or timezone.now()
    screening = latest_screening(patient)
    requests = (
        list(PatientRequest.objects.filter(screening__patient=patient).order_by("-created_at"))
        if screening is not None
        else []
    )
    decisions = list(RouteDecision.objects.filter(screening__patient=patient))
    assessments = list(
        Assessment.objects.filter(patient=patient, correction__isnull=True).order_by(
            "-completed_at", "-id"
        )[:100]
    )
    return {
        "patient": patient,
        "screening": screening,
        "requests": requests,
        "current_decisions": sorted(current_decisions(decisions).values(), key=lambda d: d.route),
        "consents": consent_states(patient),
        "assessments": assessments,
        "due": due_assessments_for(patient, at),
    }


# --- Home pages and the staff worklist ---------------------------------------------------------


@dataclass
class DueRow:
    patient: Patient
    due: DueAssessment


def clinic_worklist(*, user: Any, at: dt.datetime | None = None) -> dict[str, Any]:
    """For staff: open urgent tasks, intakes awaiting review or in progress, and due or
    overdue re-assessments of the clinic's patients in treatment."""
    at = at or timezone.now()
    patients = patients_visible_to(user)
    urgent = list(
        UrgentTask.objects.filter(patient__in=patients, resolved_at__isnull=True)
        .select_related("patient")
        .order_by("created_at", "id")[:HOME_LIST_LIMIT]
    )
    screenings = list(
        Screening.objects.filter(patient__in=patients, status__in=OPEN_STATUSES)
        .select_related("patient")
        .order_by("submitted_at", "started_at", "id")[: HOME_LIST_LIMIT * 2]
    )
    settings = settings_for(getattr(user, "clinic_id", None))
    decisions = list(
        RouteDecision.objects.filter(screening__patient__in=patients, decision=APPROVE)
        .select_related("screening__patient")
        .order_by("decided_at", "id")
    )
    # Only patients whose current decision on some route is an approval are in treatment.
    by_patient: dict[int, list[RouteDecision]] = {}
    for decision in RouteDecision.objects.filter(
        screening__patient_id__in={d.screening.patient_id for d in decisions}
    ).select_related("screening"):
        by_patient.setdefault(decision.screening.patient_id, []).append(decision)
    patients_by_id = {d.screening.patient_id: d.screening.patient for d in decisions}
    last = _last_completed(by_patient)
    due_rows: list[DueRow] = []
    for patient_id, items in by_patient.items():
        for due in _due(
            settings=settings,
            bundle=None,
            decisions=items,
            last_completed=last.get(patient_id, {}),
            at=at,
        ):
            due_rows.append(DueRow(patients_by_id[patient_id], due))
    due_rows.sort(key=lambda r: (r.due.status != "overdue", r.due.due_at or at))
    return {
        "urgent_tasks": urgent,
        "awaiting_review": [s for s in screenings if s.status == ScreeningStatus.SUBMITTED],
        "in_intake": [s for s in screenings if s.status == ScreeningStatus.INTAKE],
        "due_rows": due_rows[:HOME_LIST_LIMIT],
    }


def home_context(
    *, user: Any, patient: Patient | None = None, at: dt.datetime | None = None
) -> dict[str, Any]:
    """The screening part of a home page: one call from `ketacare.web.views.home`."""
    at = at or timezone.now()
    if has_role(user, Role.PATIENT):
        if patient is None:
            return {}
        overview = intake_overview(patient)
        return {
            "intake": overview,
            "due_assessments": due_assessments_for(patient, at),
            "open_requests": list(
                PatientRequest.objects.filter(
                    screening__patient=patient, closed_at__isnull=True, responded_at__isnull=True
                ).order_by("-created_at")
            ),
            # During the intake, consents are screens of the intake; afterwards a new version
            # of a document the intake asked for is shown here to re-sign.
            "consents_to_sign": [
                c
                for c in consent_states(patient)
                if c.needs_signature and overview.is_finished and c.kind in INTAKE_CONSENTS
            ],
        }
    if has_role(user, Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN):
        return {"screening": clinic_worklist(user=user, at=at)}
    return {}


def assessments_for_api(
    *, user: Any, patient_id: int | None, instrument: str | None
) -> QuerySet[Assessment]:
    qs = Assessment.objects.filter(patient__in=patients_visible_to(user)).select_related(
        "completed_by"
    )
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if instrument:
        qs = qs.filter(instrument=instrument)
    return qs.order_by("-completed_at", "-id")


def decisions_for_api(*, user: Any, patient_id: int | None) -> QuerySet[RouteDecision]:
    qs = RouteDecision.objects.filter(
        screening__patient__in=patients_visible_to(user)
    ).select_related("decided_by", "screening")
    if patient_id is not None:
        qs = qs.filter(screening__patient_id=patient_id)
    return qs.order_by("-decided_at", "-id")


def notes_visible(screening: Screening) -> QuerySet[ReviewNote]:
    return screening.notes.select_related("author")


# --- Public face for other apps --------------------------------------------------------------
# What treatments reads of screening: the routes a prescriber has approved (no other app
# queries screening's models).


def approved_routes(patient: Patient) -> set[str]:
    """The routes whose latest prescriber decision for `patient` is an approval."""
    decisions = RouteDecision.objects.filter(screening__patient=patient)
    return {
        route
        for route, decision in current_decisions(decisions).items()
        if decision.decision == APPROVE
    }


def patients_with_approved_routes(clinic_id: int | None) -> dict[int, set[str]]:
    """Patient id -> the routes approved for them, for the clinic's patients with any."""
    decisions = RouteDecision.objects.filter(
        screening__patient__clinic_id=clinic_id
    ).select_related("screening")
    by_patient: dict[int, list[RouteDecision]] = {}
    for decision in decisions:
        by_patient.setdefault(decision.screening.patient_id, []).append(decision)
    approved = {}
    for patient_id, items in by_patient.items():
        routes = {
            route
            for route, decision in current_decisions(items).items()
            if decision.decision == APPROVE
        }
        if routes:
            approved[patient_id] = routes
    return approved
