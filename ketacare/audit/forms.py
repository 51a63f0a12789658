"""The audit log page's filters, validated at the edge: bad input is a message by the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from .models import AuditAction, AuditOutcome

# Far enough either side for any real trail; beyond it date arithmetic would overflow.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 31)
MAX_ID = 2**63 - 1  # a 64-bit database integer


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label="Actor email", required=False, max_length=254,
        help_text="All or part of the address.",
    )  # fmt: skip
    patient = forms.IntegerField(
        label="Patient ID", required=False, min_value=1, max_value=MAX_ID,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditOutcome.choices]
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    def _check_range(self, name: str) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}."
            )
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._check_range("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._check_range("date_to")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The “To” date must be on or after the “From” date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The cleaned filters, as keyword arguments for selectors.audit_events()."""
        data = self.cleaned_data
        return {
            "actor_email": data.get("actor") or "",
            "patient_id": data.get("patient"),
            "action": data.get("action") or "",
            "outcome": data.get("outcome") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
