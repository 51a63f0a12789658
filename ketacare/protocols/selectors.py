"""Reads of a clinic's protocols: the current version of each, and a protocol's history."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from ketacare.core.errors import NotFound

from .models import ClinicProtocol


def current_protocols(
    clinic_id: int | None, *, active_only: bool = False
) -> QuerySet[ClinicProtocol]:
    """The newest version of each protocol of the clinic, by code."""
    if clinic_id is None:
        return ClinicProtocol.objects.none()
    newer = ClinicProtocol.objects.filter(
        clinic_id=OuterRef("clinic_id"), code=OuterRef("code"), version__gt=OuterRef("version")
    )
    qs = (
        ClinicProtocol.objects.filter(clinic_id=clinic_id)
        .annotate(superseded=Exists(newer))
        .filter(superseded=False)
        .order_by("code")
    )
    return qs.filter(active=True) if active_only else qs


def current_version(clinic_id: int | None, code: str) -> ClinicProtocol | None:
    if clinic_id is None:
        return None
    return (
        ClinicProtocol.objects.filter(clinic_id=clinic_id, code=code).order_by("-version").first()
    )


def protocol_for(clinic_id: int | None, code: str) -> ClinicProtocol:
    """The current version of the clinic's protocol `code`, or `NotFound`."""
    protocol = current_version(clinic_id, code)
    if protocol is None:
        raise NotFound("No such protocol.")
    return protocol


def versions(clinic_id: int | None, code: str) -> QuerySet[ClinicProtocol]:
    if clinic_id is None:
        return ClinicProtocol.objects.none()
    return (
        ClinicProtocol.objects.filter(clinic_id=clinic_id, code=code)
        .select_related("created_by")
        .order_by("-version")
    )


def format_caps(caps: Any) -> str:
    """Frequency caps as people write them: "weeks 1-4: 2, weeks 5-8: 1, week 9 on: 1"."""
    parts = []
    for first, last, count in caps:
        if last is None:
            weeks = f"week {first} on" if first > 1 else "every week"
        elif first == last:
            weeks = f"week {first}"
        else:
            weeks = f"weeks {first}-{last}"
        parts.append(f"{weeks}: {count}")
    return ", ".join(parts)
