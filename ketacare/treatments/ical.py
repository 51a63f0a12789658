"""The patient's sessions as an iCalendar feed (RFC 5545): one VEVENT per session, times in
UTC, text escaped and lines folded at 75 octets. The summary names the clinic, not the
treatment: a calendar is often shared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings as django_settings
from django.utils import timezone

from ketacare.clinical.monitoring_schedule import preparation_instructions

from .models import SessionStatus


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1),
    never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not out else 74
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(*, patient: Any, sessions: Iterable[Any], settings: Any = None) -> str:
    clinic = patient.clinic
    host = django_settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "ketacare"
    location = clinic.name
    if settings is not None and settings.address_line1:
        parts = [
            settings.setting_name or clinic.name,
            settings.address_line1,
            settings.address_line2,
            f"{settings.city} {settings.state} {settings.zip_code}",
        ]
        location = ", ".join(p.strip() for p in parts if p and p.strip())
    now = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KetaCare//Treatment sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(clinic.name)}",
    ]
    for session in sessions:
        advice = " ".join(preparation_instructions(session.protocol.route))
        cancelled = session.status == SessionStatus.CANCELLED
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(session.scheduled_start)}",
            f"DTEND:{_utc(session.scheduled_end)}",
            f"SUMMARY:{escape('Treatment session at ' + clinic.name)}",
            f"LOCATION:{escape(location)}",
            f"DESCRIPTION:{escape('How to prepare: ' + advice)}",
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
