"""Reads of patient records, already scoped to what the user may see and shaped for the page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ketacare.accounts.permissions import patients_visible_to

from .models import Patient


def patient_list(*, user: Any, query: str = "") -> QuerySet[Patient]:
    qs = patients_visible_to(user).select_related("user")
    query = query.strip()
    if query:
        for word in query.split()[:5]:
            qs = qs.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    return qs


def patient_detail(*, patient: Patient) -> dict[str, Any]:
    """Everything the record page shows, in a fixed, small number of queries."""
    weights = list(patient.weights.select_related("recorded_by")[:20])
    diagnoses = list(patient.diagnoses.all())
    return {
        "patient": patient,
        "weights": weights,
        "diagnoses": diagnoses,
        "latest_weight": weights[0] if weights else None,
    }
