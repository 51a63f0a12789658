"""The waiting list for the home-based program: programs (capacity and priority weights, set
by the clinic), entries (one per person, personal data erased when they leave), staff notes
and invitations."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ketacare.clinical.waitlist_priority import PriorityWeights

from .choices import REGION_NAMES, EntryStatus, InvitationStatus, Route

_WEIGHT: dict[str, Any] = {
    "max_digits": 6,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
}


class Program(models.Model):
    """A program people wait for, e.g. the home-based program. Admins set its weekly intake
    capacity, the regions it serves and the weights of the priority score."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="waitlist_programs"
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    weekly_capacity = models.PositiveIntegerField(
        default=5,
        validators=[MaxValueValidator(10_000)],
        help_text="How many people may be invited each week (Monday to Sunday, clinic time). "
        "0 pauses invitations.",
    )
    regions_served = models.CharField(
        max_length=400,
        blank=True,
        default="",
        help_text="Two-letter state codes the program serves, separated by commas "
        "(e.g. NY, NJ, CT). People living there get the region weight.",
    )
    weight_severity = models.DecimalField(
        "points per pre-screen point", default=Decimal("2.00"), **_WEIGHT,
        help_text="Multiplied by the pre-screen total (PHQ-2 + GAD-2, 0–12).",
    )  # fmt: skip
    weight_waiting = models.DecimalField(
        "points per week waited", default=Decimal("1.00"), **_WEIGHT,
        help_text="Added for every week since the person confirmed their address.",
    )  # fmt: skip
    weight_region = models.DecimalField(
        "points for a region served", default=Decimal("10.00"), **_WEIGHT,
        help_text="Added when the person lives in one of the regions served.",
    )  # fmt: skip
    invitation_valid_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days an invitation link stays valid; then the person returns to the list.",
    )
    accepting_signups = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "slug"], name="waitlist_program_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weights(self) -> PriorityWeights:
        return PriorityWeights(
            severity_per_point=float(self.weight_severity),
            waiting_per_week=float(self.weight_waiting),
            region_served=float(self.weight_region),
        )

    @property
    def region_codes(self) -> frozenset[str]:
        return frozenset(
            code.strip().upper() for code in self.regions_served.split(",") if code.strip()
        )


class WaitlistEntry(models.Model):
    """One person on the waiting list. When they leave, every personal field is blanked and
    only this non-identifying row (status, dates) stays, with the audit trail."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="entries")
    status = models.CharField(
        max_length=24, choices=EntryStatus.choices, default=EntryStatus.PENDING_CONFIRMATION
    )
    source = models.CharField(max_length=10, default="form", help_text="form or api")

    # Personal data (blanked when the person leaves the list).
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    # The address as duplicates are detected: lower case, and for Gmail without dots and
    # +tags. NULL once erased, so the address may sign up again.
    email_key = models.CharField(max_length=254, null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True, default="")
    date_of_birth = models.DateField(null=True, blank=True)
    region = models.CharField(max_length=2, blank=True, default="")
    conditions = models.JSONField(default=list, blank=True)
    preferred_route = models.CharField(max_length=20, choices=Route.choices, blank=True, default="")
    heard_from = models.CharField(max_length=20, blank=True, default="")
    phq2_answers = models.JSONField(default=list, blank=True)
    gad2_answers = models.JSONField(default=list, blank=True)
    phq2_total = models.PositiveSmallIntegerField(null=True, blank=True)
    gad2_total = models.PositiveSmallIntegerField(null=True, blank=True)
    prescreen_total = models.PositiveSmallIntegerField(null=True, blank=True)
    positive_screen = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)

    # Queue
    in_region = models.BooleanField(default=False)
    waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="When the address was confirmed: the place in the queue."
    )
    priority_key = models.FloatField(default=0.0)
    priority_override = models.FloatField(null=True, blank=True)
    priority_override_reason = models.CharField(max_length=500, blank=True, default="")
    priority_override_at = models.DateTimeField(null=True, blank=True)
    priority_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # One-time confirmation and the private status link: random values that signed links
    # carry; rotating or blanking one kills its links.
    confirm_nonce = models.CharField(max_length=32, blank=True, default="")
    status_nonce = models.CharField(max_length=32, blank=True, default="")

    patient = models.OneToOneField(
        "patients.Patient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waitlist_entry",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-priority_key", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "email_key"], name="waitlist_entry_email_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in EntryStatus]), name="waitlist_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(prescreen_total__isnull=True) | Q(prescreen_total__lte=12),
                name="waitlist_prescreen_range",
            ),
            # On the list means confirmed: nobody waits without a place in the queue.
            models.CheckConstraint(
                condition=~Q(status__in=["waiting", "invited", "enrolled"])
                | Q(waiting_since__isnull=False),
                name="waitlist_queued_has_place",
            ),
        ]
        indexes = [
            # The board's sorts, each with `id` as the keyset tie-breaker.
            models.Index(fields=["clinic", "status", "-priority_key", "id"], name="wl_priority"),
            # "All" and "on the list" (several statuses) by priority.
            models.Index(fields=["clinic", "-priority_key", "id"], name="wl_priority_any"),
            models.Index(fields=["clinic", "status", "waiting_since", "id"], name="wl_waiting"),
            models.Index(
                fields=["clinic", "status", "-prescreen_total", "id"], name="wl_prescreen"
            ),
            models.Index(fields=["clinic", "status", "-created_at", "id"], name="wl_newest"),
            models.Index(fields=["program", "status", "-priority_key", "id"], name="wl_queue"),
        ]

    def __str__(self) -> str:
        if self.status == EntryStatus.WITHDRAWN:
            return f"Entry #{self.pk} (erased)"
        return f"{self.first_name} {self.last_name}".strip() or f"Entry #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def region_name(self) -> str:
        return REGION_NAMES.get(self.region, self.region)

    @property
    def is_erased(self) -> bool:
        return self.status == EntryStatus.WITHDRAWN


class WaitlistNote(models.Model):
    """A staff note about an entry. Deleted with the person's data when they leave."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waitlist_notes"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note #{self.pk} on entry #{self.entry_id}"


class Invitation(models.Model):
    """A one-time, expiring link that turns an entry into a patient account. Only the
    SHA-256 of the link's token is stored."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="invitations")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the scheduled job sent it.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(status="pending"),
                name="waitlist_one_pending_invitation",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_later"
            ),
        ]
        indexes = [
            models.Index(fields=["program", "created_at"], name="wl_invitations_week"),
            models.Index(fields=["status", "expires_at"], name="wl_invitations_due"),
        ]

    def __str__(self) -> str:
        return f"Invitation #{self.pk} ({self.status})"
