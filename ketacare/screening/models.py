"""Screening: the patient's intake (drafts saved per step), assessments (immutable answers and
score), consent documents and signatures, the clinician's review and the prescriber's decision
per route, urgent safety tasks, re-evaluations and the clinic's screening settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketacare.audit.appendonly import AppendOnlyError, AppendOnlyModel  # noqa: F401 (re-exported)
from ketacare.clinical.dosing.codes import (
    ROUTE_HOME_TROCHE,
    ROUTE_IM,
    ROUTE_IV,
    ROUTE_NASAL,
)
from ketacare.clinical.eligibility import ELIGIBLE, INELIGIBLE, NEEDS_REVIEW
from ketacare.clinical.screening import (
    APPROVE,
    CRISIS,
    DECISION_TEXT,
    DECLINE,
    IN_PERSON,
    SAME_DAY,
)
from ketacare.clinical.vitals_ranges import PLAUSIBLE


def _plausible(field: str, measure: str | None = None) -> Q:
    """`field` empty or within the plausible range of `measure` (default: `field`)."""
    plausible = PLAUSIBLE[measure or field]
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__range": (plausible.low, plausible.high)}
    )


class Route(models.TextChoices):
    IV = ROUTE_IV, "IV infusion"
    IM = ROUTE_IM, "IM injection"
    NASAL = ROUTE_NASAL, "Esketamine nasal spray"
    HOME_TROCHE = ROUTE_HOME_TROCHE, "At-home sublingual troche"


class Decision(models.TextChoices):
    APPROVE = APPROVE, DECISION_TEXT[APPROVE]
    DECLINE = DECLINE, DECISION_TEXT[DECLINE]
    IN_PERSON = IN_PERSON, DECISION_TEXT[IN_PERSON]


class RuleStatus(models.TextChoices):
    ELIGIBLE = ELIGIBLE, "Eligible"
    NEEDS_REVIEW = NEEDS_REVIEW, "Needs review"
    INELIGIBLE = INELIGIBLE, "Ineligible"


def _default_intake() -> list[str]:
    return ["phq9", "gad7", "pcl5", "cssrs_screen", "qids_sr16"]


def _default_ocd() -> list[str]:
    return ["ybocs"]


def _default_pain() -> list[str]:
    return ["bpi_sf"]


def _default_review() -> list[str]:
    return ["madrs"]


def _default_pre_session() -> list[str]:
    return ["phq9"]


class ScreeningSettings(models.Model):
    """What a clinic asks at intake and re-asks later. A clinic without a row uses the
    defaults (the model's field defaults)."""

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="screening_settings"
    )
    intake_instruments = models.JSONField(default=_default_intake)
    ocd_instruments = models.JSONField(default=_default_ocd)
    pain_instruments = models.JSONField(default=_default_pain)
    review_instruments = models.JSONField(default=_default_review)
    pre_session_instruments = models.JSONField(default=_default_pre_session)
    full_bundle_every_weeks = models.PositiveSmallIntegerField(default=4)
    overdue_after_days = models.PositiveSmallIntegerField(default=7)
    reevaluation_every_sessions = models.PositiveSmallIntegerField(default=6)
    reevaluation_gap_days = models.PositiveSmallIntegerField(default=90)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "screening settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(full_bundle_every_weeks__gte=1)
                & Q(overdue_after_days__gte=1)
                & Q(reevaluation_every_sessions__gte=1)
                & Q(reevaluation_gap_days__gte=1),
                name="screening_settings_positive",
            )
        ]

    def __str__(self) -> str:
        return f"Screening settings of clinic {self.clinic_id}"


class ScreeningStatus(models.TextChoices):
    INTAKE = "intake", "Intake in progress"
    SUBMITTED = "submitted", "Awaiting review"
    DECIDED = "decided", "Decided"


OPEN_STATUSES = (ScreeningStatus.INTAKE, ScreeningStatus.SUBMITTED)


class Screening(models.Model):
    """One screening of a patient, from the first intake answer to the prescriber's
    decisions. The clinician's findings (screening BP, at-home checklist) are kept here."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="screenings"
    )
    status = models.CharField(
        max_length=20, choices=ScreeningStatus.choices, default=ScreeningStatus.INTAKE
    )
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    screening_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    screening_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    named_adult_monitor = models.BooleanField(default=False)
    validated_home_bp_cuff = models.BooleanField(default=False)
    supervised_first_dose_without_sae = models.BooleanField(default=False)
    findings_updated_at = models.DateTimeField(null=True, blank=True)
    findings_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # One open screening per patient: the intake resumes rather than restarts.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["intake", "submitted"]),
                name="screening_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ScreeningStatus]),
                name="screening_status_valid",
            ),
            models.CheckConstraint(
                condition=_plausible("screening_systolic", "systolic")
                & _plausible("screening_diastolic", "diastolic"),
                name="screening_bp_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening #{self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IntakeStep(models.Model):
    """The patient's answers on one intake screen, saved as they go (a draft until the step
    is completed; locked once the intake is submitted). `data` holds the form's raw values."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "step"], name="intake_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.step} of screening {self.screening_id}"


class AssessmentContext(models.TextChoices):
    INTAKE = "intake", "Intake"
    REVIEW = "review", "Clinician review"
    REASSESSMENT = "reassessment", "Re-assessment"
    API = "api", "API"
    CORRECTION = "correction", "Correction"


class Assessment(AppendOnlyModel):
    """A completed instrument: answers, score, instrument version, who and when. Immutable;
    a correction is a new record whose `corrects` points at the old one."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    instrument = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=40)
    # In item order; null where an item the instrument lets be skipped was skipped.
    answers = models.JSONField()
    total = models.DecimalField(max_digits=7, decimal_places=2)
    severity = models.CharField(max_length=30, blank=True, default="")
    flags = models.JSONField(default=list)
    subscales = models.JSONField(default=dict)
    context = models.CharField(max_length=20, choices=AssessmentContext.choices)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When the answers were given; a correction keeps the time of the answers it corrects.
    completed_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    correction_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-completed_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "instrument", "-completed_at"], name="assessment_latest"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(corrects__isnull=True) & Q(correction_reason=""))
                | (Q(corrects__isnull=False) & ~Q(correction_reason="")),
                name="assessment_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} on {self.completed_at:%Y-%m-%d}"


class Urgency(models.TextChoices):
    """How urgent an urgent task is (ketacare.clinical.screening.URGENCIES)."""

    SAME_DAY = SAME_DAY, "Same-day review"
    CRISIS = CRISIS, "Crisis"


class UrgentTask(models.Model):
    """A safety follow-up for the clinic's clinicians (crisis flags in a patient's answers,
    or a C-SSRS `moderate` for same-day review), open until a clinician records what was
    done."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="urgent_tasks"
    )
    instrument = models.CharField(max_length=20)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="urgent_tasks"
    )
    flags = models.JSONField(default=list)
    urgency = models.CharField(max_length=10, choices=Urgency, default=Urgency.CRISIS)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "resolved_at"], name="urgent_task_open")]

    def __str__(self) -> str:
        return f"Urgent task #{self.pk} ({self.instrument})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_crisis(self) -> bool:
        """The crisis path: crisis resources shown to the patient, the clinicians emailed."""
        return self.urgency == Urgency.CRISIS


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    HOME_PROGRAM = "home_program", "At-home program"
    DATA_SHARING = "data_sharing", "Data sharing"


class ConsentDocument(AppendOnlyModel):
    """One version of a consent document, written by a clinic administrator. A change is a
    new version; patients re-consent to it."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="consent_documents"
    )
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    body_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "kind", "version"], name="consent_document_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ConsentKind]), name="consent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} consent v{self.version}"


class ConsentSignature(AppendOnlyModel):
    """A patient's signature (typed name + checkbox) on one version of a consent document,
    stored immutably with the time and the client's address."""

    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_signatures"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    version = models.PositiveIntegerField()
    body_sha256 = models.CharField(max_length=64)
    typed_name = models.CharField(max_length=200)
    agreed = models.BooleanField()
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "patient"], name="consent_signed_once_per_version"
            ),
            models.CheckConstraint(condition=Q(agreed=True), name="consent_agreed"),
            models.CheckConstraint(condition=~Q(typed_name=""), name="consent_typed_name"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version} signed {self.signed_at:%Y-%m-%d}"


class ReviewNote(AppendOnlyModel):
    """A clinician's note in the review. Staff only: the patient never sees it."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note #{self.pk}"


class RequestKind(models.TextChoices):
    VISIT = "visit", "Visit"
    INFORMATION = "information", "More information"


class PatientRequest(models.Model):
    """A request from the clinic to the patient (a visit, or more information). The patient
    sees it and may answer it."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    message = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    response = models.TextField(blank=True, default="")
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RouteDecision(AppendOnlyModel):
    """The prescriber's decision on one route, with the rule-based result it was made
    against. Append-only: a later decision on the same route supersedes an earlier one."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="decisions")
    route = models.CharField(max_length=20, choices=Route.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField()
    rule_status = models.CharField(max_length=20, choices=RuleStatus.choices)
    rule_reasons = models.JSONField(default=list)
    is_override = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_override=False) | ~Q(override_reason=""),
                name="route_decision_override_has_reason",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="route_decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.route}: {self.decision}"


class ReevaluationOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue treatment"
    STOP = "stop", "Stop treatment"


class Reevaluation(AppendOnlyModel):
    """A prescriber's re-evaluation of a patient in treatment (after every N sessions, or
    after a long gap); until one is recorded, new sessions cannot be scheduled."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="reevaluations"
    )
    outcome = models.CharField(max_length=20, choices=ReevaluationOutcome.choices)
    note = models.TextField()
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["-evaluated_at", "-id"]

    def __str__(self) -> str:
        return f"Re-evaluation #{self.pk} ({self.outcome})"
