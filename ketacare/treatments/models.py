"""Treatment orders and supervised sessions: chairs, the prescriber's signed order, each
session from check-in to discharge, its dose plans (`plan_dose` decisions), the vitals
flowsheet with its alerts, side effects and adverse events, notes, and the patient's private
calendar feed. Clinical records (plans, vitals, events, notes, status changes) are
append-only: a correction is a new row that points at what it corrects."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ketacare.audit.appendonly import AppendOnlyError, AppendOnlyModel  # noqa: F401 (re-exported)
from ketacare.clinical.dosing import (
    DIASTOLIC_HIGH,
    HEART_RATE_HIGH,
    HEART_RATE_LOW,
    RESPIRATORY_RATE_HIGH,
    RESPIRATORY_RATE_LOW,
    SEDATION_DEEP,
    SPO2_LOW,
    SYSTOLIC_HIGH,
)
from ketacare.clinical.monitoring_schedule import (
    PREGNANCY_ANSWERS,
    TIME_POINT_TEXT,
)
from ketacare.clinical.vitals_ranges import PLAUSIBLE

DOSE: dict[str, Any] = {"max_digits": 8, "decimal_places": 1}


def _plausible(field: str, measure: str | None = None) -> Q:
    """`field` empty or within the plausible range of `measure` (default: `field`)."""
    plausible = PLAUSIBLE[measure or field]
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__range": (plausible.low, plausible.high)}
    )


class TreatmentSettings(models.Model):
    """The clinic as the esketamine REMS patient monitoring form names it, and what reminder
    emails add to the preparation advice. A clinic without a row uses blanks."""

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="treatment_settings"
    )
    setting_name = models.CharField("Healthcare setting name", max_length=200, blank=True)
    address_line1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=40, blank=True)
    zip_code = models.CharField("ZIP code", max_length=20, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    rems_setting_id = models.CharField(
        "SPRAVATO REMS healthcare setting ID", max_length=40, blank=True
    )
    preparation_note = models.TextField(
        "Extra preparation advice",
        blank=True,
        help_text="Added to every reminder email (parking, what to bring...).",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "treatment settings"

    def __str__(self) -> str:
        return f"Treatment settings of clinic {self.clinic_id}"


class Chair(models.Model):
    """A treatment chair (or bed) in a room: a session books one."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    room = models.CharField(max_length=80)
    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["room", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "room", "name"], name="chair_unique")
        ]

    def __str__(self) -> str:
        return f"{self.room} · {self.name}"


class OrderStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"


class TreatmentOrder(models.Model):
    """A prescriber's signed order for a course on one protocol (the version signed for).
    The starting dose is in the protocol's unit (mg/kg or mg)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_orders"
    )
    protocol = models.ForeignKey(
        "protocols.ClinicProtocol", on_delete=models.PROTECT, related_name="orders"
    )
    route = models.CharField(max_length=20)
    starting_dose = models.DecimalField(max_digits=8, decimal_places=3)
    titration_plan = models.TextField()
    sessions_planned = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    rems_patient_id = models.CharField("REMS patient ID", max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default="active")
    status_reason = models.TextField(blank=True)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    # How the prescriber proved it was them: "password+totp" or "password" (MFA-exempt demo).
    signature_method = models.CharField(max_length=20)

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in OrderStatus]), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(sessions_planned__gte=1) & Q(sessions_planned__lte=100),
                name="order_sessions_range",
            ),
            models.CheckConstraint(condition=Q(starting_dose__gt=0), name="order_dose_positive"),
        ]

    def __str__(self) -> str:
        return f"Order #{self.pk} ({self.protocol.title})"

    @property
    def dose_unit(self) -> str:
        return self.protocol.dose_unit


class OrderStatusChange(AppendOnlyModel):
    order = models.ForeignKey(TreatmentOrder, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=10, choices=OrderStatus.choices)
    to_status = models.CharField(max_length=10, choices=OrderStatus.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="order_change_reason")]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# Statuses that hold a chair and the patient's time.
BOOKED = (SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS)


class TreatmentSession(models.Model):
    """One supervised session at a chair: its booking, check-in checklist, administration,
    discharge and REMS form submission. Its dose plans, vitals, events and notes are rows of
    their own."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    order = models.ForeignKey(TreatmentOrder, on_delete=models.PROTECT, related_name="sessions")
    # The protocol version the session runs under: the current one when booked, refreshed at
    # check-in, then kept for good.
    protocol = models.ForeignKey(
        "protocols.ClinicProtocol", on_delete=models.PROTECT, related_name="sessions"
    )
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="sessions")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    scheduled_start = models.DateTimeField()
    scheduled_end = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    # Check-in and the pre-dose checklist
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_confirmed = models.BooleanField(default=False)
    fasting_confirmed = models.BooleanField(default=False)
    escort_name = models.CharField(max_length=200, blank=True)
    escort_phone = models.CharField(max_length=30, blank=True)
    escort_arranged = models.BooleanField(default=False)
    medication_changes = models.TextField(blank=True)
    medications_reviewed = models.BooleanField(default=False)
    pregnancy = models.CharField(max_length=30, blank=True, choices=list(PREGNANCY_ANSWERS.items()))
    assessments_completed = models.BooleanField(default=False)
    # Concomitant medication that may cause sedation or BP changes (REMS monitoring form).
    takes_benzodiazepines = models.BooleanField(null=True, blank=True)
    takes_sedative_hypnotics = models.BooleanField(null=True, blank=True)
    takes_psychostimulants = models.BooleanField(null=True, blank=True)
    takes_maois = models.BooleanField(null=True, blank=True)
    takes_opioids = models.BooleanField(null=True, blank=True)
    first_treatment = models.BooleanField(null=True, blank=True)

    # Administration
    dose_plan = models.ForeignKey(
        "DosePlan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dose_started_at = models.DateTimeField(null=True, blank=True)
    dose_ended_at = models.DateTimeField(null=True, blank=True)
    administered_dose_mg = models.DecimalField(**DOSE, null=True, blank=True)
    administration_route = models.CharField(max_length=20, blank=True)
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lot = models.ForeignKey(
        "ledger.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lot_number = models.CharField(max_length=40, blank=True)
    ledger_entry = models.ForeignKey(
        "ledger.LedgerEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Discharge (or the end of a session without a dose)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    steady_on_feet = models.BooleanField(default=False)
    escort_present = models.BooleanField(default=False)
    # REMS evaluation question: without the 2-hour rule, when would the patient have been
    # ready to leave (minutes from the start of administration)?
    ready_to_leave_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    discharge_note = models.TextField(blank=True)

    # Cancellation (before the dose), or ending a session without a dose
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    # SPRAVATO REMS patient monitoring form
    rems_submitted_at = models.DateTimeField(null=True, blank=True)
    rems_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rems_confirmation = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["scheduled_start", "id"]
        indexes = [
            models.Index(fields=["clinic", "scheduled_start"], name="session_clinic_day"),
            models.Index(fields=["patient", "scheduled_start"], name="session_patient_time"),
            models.Index(fields=["chair", "scheduled_start"], name="session_chair_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=F("scheduled_start")), name="session_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SessionStatus]),
                name="session_status_valid",
            ),
            # Backstop of the locked overlap check in the scheduling service.
            models.UniqueConstraint(
                fields=["chair", "scheduled_start"],
                condition=Q(status__in=["scheduled", "in_progress"]),
                name="session_chair_start_unique",
            ),
            models.UniqueConstraint(
                fields=["patient", "scheduled_start"],
                condition=Q(status__in=["scheduled", "in_progress"]),
                name="session_patient_start_unique",
            ),
            models.CheckConstraint(
                condition=Q(dose_ended_at__isnull=True) | Q(dose_started_at__isnull=False),
                name="session_dose_started_before_end",
            ),
            models.CheckConstraint(
                condition=Q(administered_dose_mg__isnull=True) | Q(administered_dose_mg__gt=0),
                name="session_dose_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="session_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Session #{self.pk}"

    @property
    def is_booked(self) -> bool:
        return self.status in BOOKED

    @property
    def dosed(self) -> bool:
        return self.dose_started_at is not None


class DosePlan(AppendOnlyModel):
    """One `plan_dose` decision for a session, with the inputs it was given. The latest plan
    governs the administration; a blocked plan cannot be administered."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="plans")
    vitals = models.ForeignKey(
        "VitalSigns", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    proposed_dose_mg = models.DecimalField(**DOSE, null=True, blank=True)
    allowed = models.BooleanField()
    dose_mg = models.DecimalField(**DOSE, null=True, blank=True)
    infusion_rate_mg_per_min = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True
    )
    reasons = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    overridden = models.JSONField(default=list)
    decision = models.JSONField(default=dict)
    override_reason = models.TextField(blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField()

    class Meta:
        ordering = ["planned_at", "id"]

    def __str__(self) -> str:
        return f"Plan #{self.pk}: {'allowed' if self.allowed else 'blocked'}"


class TimePoint(models.TextChoices):
    NONE = "", "Routine reading"
    PRE_DOSE = "pre_dose", TIME_POINT_TEXT["pre_dose"]
    POST_DOSE = "post_dose", TIME_POINT_TEXT["post_dose"]
    PRE_DISCHARGE = "pre_discharge", TIME_POINT_TEXT["pre_discharge"]


# Which reading each monitoring alert is about, to highlight it on the flowsheet.
ALERT_FIELD = {
    SYSTOLIC_HIGH: "systolic",
    DIASTOLIC_HIGH: "diastolic",
    HEART_RATE_HIGH: "heart_rate",
    HEART_RATE_LOW: "heart_rate",
    SPO2_LOW: "spo2",
    RESPIRATORY_RATE_LOW: "respiratory_rate",
    RESPIRATORY_RATE_HIGH: "respiratory_rate",
    SEDATION_DEEP: "moaas",
}


class VitalSigns(AppendOnlyModel):
    """One row of the flowsheet. Readings may be partial; a REMS time point row holds BP,
    sedation (MOAA/S) and dissociation (a CADSS assessment)."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="vitals")
    taken_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    moaas = models.PositiveSmallIntegerField("MOAA/S", null=True, blank=True)
    cadss = models.ForeignKey(
        "screening.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    time_point = models.CharField(max_length=20, blank=True, choices=TimePoint.choices)
    alerts = models.JSONField(default=list)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["session", "taken_at"], name="vitals_session_time")]
        constraints = [
            models.CheckConstraint(
                condition=_plausible("systolic")
                & _plausible("diastolic")
                & _plausible("heart_rate")
                & _plausible("spo2")
                & _plausible("respiratory_rate")
                & (Q(moaas__isnull=True) | Q(moaas__range=(0, 5))),
                name="vitals_plausible",
            ),
            models.CheckConstraint(
                condition=Q(systolic__isnull=True, diastolic__isnull=True)
                | Q(systolic__isnull=False, diastolic__isnull=False),
                name="vitals_bp_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"Vitals #{self.pk} at {self.taken_at:%H:%M}"

    @property
    def readings(self) -> dict[str, int]:
        """What the clinical core's vitals mapping takes (absent readings left out)."""
        names = ("systolic", "diastolic", "heart_rate", "spo2")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    @property
    def has_bp(self) -> bool:
        return self.systolic is not None and self.diastolic is not None

    @property
    def alert_fields(self) -> set[str]:
        return {ALERT_FIELD[code] for code in self.alerts if code in ALERT_FIELD}


class VitalsAlert(models.Model):
    """An out-of-range reading, raised to the clinic's prescribers until one acknowledges it."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="alerts")
    vitals = models.OneToOneField(VitalSigns, on_delete=models.PROTECT, related_name="alert")
    codes = models.JSONField()
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["session", "acknowledged_at"], name="alert_open")]

    def __str__(self) -> str:
        return f"Alert #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class EventCategory(models.TextChoices):
    SIDE_EFFECT = "side_effect", "Side effect"
    ADVERSE_EVENT = "adverse_event", "Adverse event"


class EventKind(models.TextChoices):
    NAUSEA = "nausea", "Nausea"
    VOMITING = "vomiting", "Vomiting"
    DIZZINESS = "dizziness", "Dizziness"
    DISSOCIATION = "dissociation", "Dissociation"
    HEADACHE = "headache", "Headache"
    ANXIETY = "anxiety", "Anxiety"
    BP_RISE = "bp_rise", "Blood pressure rise"
    SEDATION = "sedation", "Sedation"
    RESPIRATORY_DEPRESSION = "respiratory_depression", "Respiratory depression"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class SessionEvent(AppendOnlyModel):
    """A side effect or an adverse event during a session, with what was done about it."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="events")
    category = models.CharField(max_length=20, choices=EventCategory.choices)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    description = models.CharField(max_length=500, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    serious = models.BooleanField(default=False)
    onset_at = models.DateTimeField()
    actions_taken = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["onset_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(serious=False) | Q(category="adverse_event"),
                name="event_serious_is_adverse",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(description=""),
                name="event_other_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.get_kind_display()}"


class SessionNote(AppendOnlyModel):
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="notes")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="session_note_body")]

    def __str__(self) -> str:
        return f"Note #{self.pk}"


class CalendarFeed(models.Model):
    """A patient's private iCalendar feed of their sessions. Only the token's SHA-256 is kept:
    the link is shown once, and resetting it revokes the old one."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed of patient {self.patient_id}"
