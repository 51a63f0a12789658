"""What every treatment workflow checks its input with, and how it locks a session."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from ketacare.core.errors import Refusal

from ..models import TreatmentSession


def clinic_zone(clinic_timezone: str) -> ZoneInfo:
    return ZoneInfo(clinic_timezone)


def text(value: str, field: str, what: str, *, max_length: int = 5000) -> str:
    """Required free text: one line squeezed of its spaces, or several lines trimmed."""
    value = " ".join((value or "").split()) if "\n" not in (value or "") else (value or "").strip()
    if not value:
        raise Refusal(f"Give {what}.", field=field)
    return value[:max_length]


def positive_decimal(value: Any, field: str, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise Refusal(f"Enter {what} as a number.", field=field) from None
    if not number.is_finite() or number <= 0:
        raise Refusal(f"Enter {what} above 0.", field=field)
    return number


def locked(session: TreatmentSession) -> TreatmentSession:
    """The session row, locked for this transaction (PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers), with the state other staff may have changed."""
    return (
        TreatmentSession.objects.select_for_update()
        .select_related("protocol", "patient", "order")
        .get(pk=session.pk)
    )


def refusal_of(errors: Mapping[str | None, Sequence[str]], *, codes: Sequence[str] = ()) -> Refusal:
    """One refusal for several problems by field (its message: the first of them)."""
    field = next(iter(errors))
    return Refusal(errors[field][0], field=field, errors=errors, codes=codes)
