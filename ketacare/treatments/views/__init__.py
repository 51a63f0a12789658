"""Pages for orders, scheduling and the session workflow, one module per page family:
`session` (the session page and its steps), `schedule` (board, calendar, booking), `orders`,
`patient` (the patient's own sessions and calendar feed), `settings`. Thin: parse the form,
call one service or selector (form steps through `ketacare.core.views.submit`), render."""

from __future__ import annotations

from .orders import order_create, order_detail, order_status, patient_orders, patients_in_treatment
from .patient import ical_feed, my_calendar_link, my_sessions
from .schedule import board, board_live, calendar, schedule
from .session import (
    alert_acknowledge,
    session_cancel,
    session_check_in,
    session_detail,
    session_discharge,
    session_end_dose,
    session_event,
    session_note,
    session_override,
    session_plan,
    session_record_pdf,
    session_rems,
    session_start,
    session_status,
    session_vitals,
)
from .settings import chair_add, chair_toggle, treatment_settings

__all__ = [
    "alert_acknowledge", "board", "board_live", "calendar", "chair_add", "chair_toggle",
    "ical_feed", "my_calendar_link", "my_sessions", "order_create",
    "order_detail", "order_status", "patient_orders", "patients_in_treatment", "schedule",
    "session_cancel", "session_check_in", "session_detail", "session_discharge",
    "session_end_dose", "session_event", "session_note", "session_override", "session_plan",
    "session_record_pdf", "session_rems", "session_start", "session_status", "session_vitals",
    "treatment_settings",
]  # fmt: skip
