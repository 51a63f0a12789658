"""The administrator's protocol form: structure is checked here (numbers, the caps' format);
safety against the reference is checked by the service (`validate_protocol`)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from ketacare.clinical.dosing import DEFAULT_PROTOCOLS, FrequencyCap
from ketacare.clinical.monitoring_schedule import (
    VITALS_INTERVAL_MAX_MINUTES,
    VITALS_INTERVAL_MIN_MINUTES,
)

from .models import ClinicProtocol, caps_from_json

_CAP_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)|(\+))?\s*:\s*(\d+)\s*$")


def caps_as_text(caps: Any) -> str:
    lines = []
    for cap in caps_from_json(caps):
        if cap.last_week is None:
            weeks = f"{cap.first_week}+"
        elif cap.first_week == cap.last_week:
            weeks = f"{cap.first_week}"
        else:
            weeks = f"{cap.first_week}-{cap.last_week}"
        lines.append(f"{weeks}: {cap.max_per_7_days}")
    return "\n".join(lines)


def parse_caps(text: str) -> tuple[FrequencyCap, ...]:
    caps = []
    for line in re.split(r"[\n,;]+", text):
        if not line.strip():
            continue
        match = _CAP_RE.match(line)
        if not match:
            raise forms.ValidationError(
                f"Could not read “{line.strip()}”: write one line per phase, such as "
                "“1-4: 2” (weeks 1 to 4, at most 2 doses per 7 days) and “9+: 1” (week 9 on)."
            )
        first, last, plus, count = match.groups()
        caps.append(FrequencyCap(int(first), None if plus else int(last or first), int(count)))
    if not caps:
        raise forms.ValidationError("Give at least one phase, such as “1+: 3”.")
    return tuple(caps)


class ProtocolForm(forms.Form):
    title = forms.CharField(max_length=200)
    standard_dose = forms.DecimalField(max_digits=8, decimal_places=3, min_value=Decimal("0.001"))
    max_dose = forms.DecimalField(
        label="Per-session maximum", max_digits=8, decimal_places=3, min_value=Decimal("0.001")
    )
    override_ceiling = forms.DecimalField(
        label="Override ceiling",
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="A prescriber's override may go up to this dose, never above.",
    )
    first_session_dose = forms.DecimalField(
        label="First-session dose", max_digits=8, decimal_places=3, required=False
    )
    allowed_doses = forms.CharField(
        label="Allowed doses",
        required=False,
        help_text="The only doses allowed, separated by commas.",
    )
    min_interval_hours = forms.DecimalField(
        label="Minimum interval (hours)", max_digits=6, decimal_places=2, min_value=Decimal("0")
    )
    frequency_caps = forms.CharField(
        label="Doses per trailing 7 days",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One line per phase of the course: weeks, then the most doses in any "
        "7 days. “1-4: 2” is weeks 1 to 4; “9+: 1” is week 9 on.",
    )
    infusion_minutes = forms.IntegerField(label="Infusion (minutes)", required=False, min_value=1)
    observation_minutes = forms.IntegerField(
        label="Observation after the dose (minutes)", min_value=1
    )
    vitals_interval_minutes = forms.IntegerField(
        label="Vitals every (minutes)",
        min_value=VITALS_INTERVAL_MIN_MINUTES,
        max_value=VITALS_INTERVAL_MAX_MINUTES,
        help_text=f"Between {VITALS_INTERVAL_MIN_MINUTES} and {VITALS_INTERVAL_MAX_MINUTES} "
        "minutes during the dose and observation.",
    )
    active = forms.BooleanField(
        label="In use (prescribers may order it)", required=False, initial=True
    )
    change_note = forms.CharField(
        label="What changed and why", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args: Any, protocol: ClinicProtocol, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": protocol.title,
                "standard_dose": protocol.standard_dose.normalize(),
                "max_dose": protocol.max_dose.normalize(),
                "override_ceiling": protocol.override_ceiling.normalize(),
                "first_session_dose": (
                    protocol.first_session_dose.normalize()
                    if protocol.first_session_dose is not None
                    else None
                ),
                "allowed_doses": ", ".join(f"{d:g}" for d in protocol.allowed_doses or []),
                "min_interval_hours": protocol.min_interval_hours.normalize(),
                "frequency_caps": caps_as_text(protocol.frequency_caps),
                "infusion_minutes": protocol.infusion_minutes,
                "observation_minutes": protocol.observation_minutes,
                "vitals_interval_minutes": protocol.vitals_interval_minutes,
                "active": protocol.active,
            },
        )
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        reference = DEFAULT_PROTOCOLS[protocol.code]
        unit = protocol.dose_unit
        for name in ("standard_dose", "max_dose", "override_ceiling", "first_session_dose"):
            self.fields[name].label = f"{self.fields[name].label} ({unit})"
        self.fields["allowed_doses"].label = f"Allowed doses ({unit})"
        # Only the fields the reference protocol has.
        if reference.first_session_dose is None:
            del self.fields["first_session_dose"]
        if reference.allowed_doses is None:
            del self.fields["allowed_doses"]
        if reference.infusion_minutes is None:
            del self.fields["infusion_minutes"]

    def clean_allowed_doses(self) -> frozenset[float] | None:
        text = self.cleaned_data.get("allowed_doses", "")
        doses = set()
        for part in re.split(r"[,;\s]+", text.strip()):
            if not part:
                continue
            try:
                value = float(part)
            except ValueError:
                raise forms.ValidationError(f"“{part}” is not a number.") from None
            if value <= 0:
                raise forms.ValidationError("Doses must be above 0.")
            doses.add(value)
        if not doses:
            raise forms.ValidationError("Give at least one allowed dose.")
        return frozenset(doses)

    def clean_frequency_caps(self) -> tuple[FrequencyCap, ...]:
        return parse_caps(self.cleaned_data.get("frequency_caps", ""))

    def changes(self) -> dict[str, Any]:
        """The protocol fields as the clinical core's Protocol takes them."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "title": data["title"].strip(),
            "standard_dose": float(data["standard_dose"]),
            "max_dose": float(data["max_dose"]),
            "override_ceiling": float(data["override_ceiling"]),
            "min_interval_hours": float(data["min_interval_hours"]),
            "frequency_caps": data["frequency_caps"],
            "observation_minutes": data["observation_minutes"],
        }
        if "first_session_dose" in self.fields:
            value = data.get("first_session_dose")
            changes["first_session_dose"] = None if value is None else float(value)
        if "allowed_doses" in self.fields:
            changes["allowed_doses"] = data["allowed_doses"]
        if "infusion_minutes" in self.fields:
            changes["infusion_minutes"] = data.get("infusion_minutes")
        return changes
