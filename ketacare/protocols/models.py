"""A clinic's dosing protocols: versioned copies of the reference defaults
(`ketacare.clinical.dosing.DEFAULT_PROTOCOLS`). An edit is a new version; a version is never
changed, so a treatment session keeps the exact rules it was dosed under."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketacare.clinical.dosing import FrequencyCap, Protocol
from ketacare.clinical.monitoring_schedule import (
    VITALS_INTERVAL_MAX_MINUTES,
    VITALS_INTERVAL_MIN_MINUTES,
)

DOSE: dict[str, Any] = {"max_digits": 8, "decimal_places": 3}


class ProtocolVersionError(Exception):
    """Raised for any attempt to change a saved protocol version: save a new one instead."""


class ClinicProtocol(models.Model):
    """One version of one protocol of one clinic. Doses are in the protocol's unit (mg/kg
    when `per_kg`, else mg)."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="protocols"
    )
    # The code of the reference protocol this is a copy of (it is validated against it).
    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    route = models.CharField(max_length=20)
    per_kg = models.BooleanField()
    standard_dose = models.DecimalField(**DOSE)
    max_dose = models.DecimalField(**DOSE)
    override_ceiling = models.DecimalField(**DOSE)
    first_session_dose = models.DecimalField(**DOSE, null=True, blank=True)
    # A list of numbers (the only doses allowed), or null for any dose within the limits.
    allowed_doses = models.JSONField(null=True, blank=True)
    min_interval_hours = models.DecimalField(max_digits=6, decimal_places=2)
    # [[first_week, last_week or null, max doses per trailing 7 days], ...]
    frequency_caps = models.JSONField()
    infusion_minutes = models.PositiveIntegerField(null=True, blank=True)
    observation_minutes = models.PositiveIntegerField()
    post_dose_bp_check_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_rate_mg_per_kg_per_hour = models.DecimalField(
        max_digits=6, decimal_places=3, null=True, blank=True
    )
    at_home = models.BooleanField(default=False)
    source = models.TextField(blank=True, default="")
    vitals_interval_minutes = models.PositiveSmallIntegerField(default=15)
    active = models.BooleanField(default=True)
    change_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code", "version"], name="protocol_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="protocol_version_positive"),
            models.CheckConstraint(
                condition=Q(vitals_interval_minutes__gte=VITALS_INTERVAL_MIN_MINUTES)
                & Q(vitals_interval_minutes__lte=VITALS_INTERVAL_MAX_MINUTES),
                name="protocol_vitals_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(standard_dose__gt=0)
                & Q(max_dose__gte=models.F("standard_dose"))
                & Q(override_ceiling__gte=models.F("max_dose")),
                name="protocol_dose_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ProtocolVersionError("A protocol version cannot change: save a new version.")
        super().save(*args, **kwargs)

    @property
    def dose_unit(self) -> str:
        return "mg/kg" if self.per_kg else "mg"

    def as_protocol(self) -> Protocol:
        """The clinical-core protocol these fields describe (what `plan_dose` is given)."""
        return Protocol(
            code=self.code,
            title=self.title,
            route=self.route,
            per_kg=self.per_kg,
            standard_dose=float(self.standard_dose),
            max_dose=float(self.max_dose),
            override_ceiling=float(self.override_ceiling),
            min_interval_hours=float(self.min_interval_hours),
            frequency_caps=caps_from_json(self.frequency_caps),
            observation_minutes=self.observation_minutes,
            infusion_minutes=self.infusion_minutes,
            allowed_doses=(
                frozenset(float(d) for d in self.allowed_doses)
                if self.allowed_doses is not None
                else None
            ),
            first_session_dose=_float(self.first_session_dose),
            max_rate_mg_per_kg_per_hour=_float(self.max_rate_mg_per_kg_per_hour),
            post_dose_bp_check_minutes=self.post_dose_bp_check_minutes,
            at_home=self.at_home,
            source=self.source,
        )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def caps_from_json(value: Any) -> tuple[FrequencyCap, ...]:
    return tuple(FrequencyCap(int(a), None if b is None else int(b), int(c)) for a, b, c in value)


def caps_to_json(caps: tuple[FrequencyCap, ...]) -> list[list[int | None]]:
    return [[c.first_week, c.last_week, c.max_per_7_days] for c in caps]
