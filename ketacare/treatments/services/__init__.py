"""Writes for orders and supervised sessions, one module per workflow: `orders`, `scheduling`,
`session_flow` (check-in to discharge), `administration` (the dose), `clinic_setup`,
`calendar_feeds`. Each service takes the acting user and keyword arguments, asks the policy
(a wrong user gets `NotFound`), runs in one transaction and writes its audit row in it. A
refused write raises `Refusal` (a message a person can act on, the form field it concerns,
the rule codes) and saves nothing. Every dose decision is `ketacare.clinical.dosing`'s; every
monitoring rule is `ketacare.clinical.monitoring_schedule`'s.

The names are re-exported here: `from ketacare.treatments import services;
services.check_in(...)`."""

from __future__ import annotations

from .administration import (
    end_administration,
    override_dose,
    plan_session_dose,
    start_administration,
)
from .calendar_feeds import create_calendar_feed
from .clinic_setup import add_chair, set_chair_active, update_treatment_settings
from .orders import change_order_status, create_order, verify_signature
from .scheduling import cancel_session, schedule_session, send_reminders
from .session_flow import (
    acknowledge_alert,
    add_note,
    check_in,
    discharge,
    mark_rems_submitted,
    record_event,
    record_vitals,
)

__all__ = [
    "acknowledge_alert", "add_chair", "add_note", "cancel_session", "change_order_status",
    "check_in", "create_calendar_feed", "create_order", "discharge", "end_administration",
    "mark_rems_submitted", "override_dose", "plan_session_dose", "record_event", "record_vitals",
    "schedule_session", "send_reminders", "set_chair_active", "start_administration",
    "update_treatment_settings", "verify_signature",
]  # fmt: skip
