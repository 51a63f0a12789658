"""Reads for orders and sessions, scoped to what the user may see and shaped for each page in
a fixed number of queries (`sessions`, `orders`, `clinic`); and the monitoring state of a
session, worked out by the clinical core (`monitoring`). The names are re-exported here:
`from ketacare.treatments import selectors; selectors.session_for(...)`."""

from __future__ import annotations

from .clinic import (
    chair_for,
    chairs_of,
    clinic_staff,
    home_cards,
    ledger_choices,
    treatment_settings_of,
)
from .monitoring import Monitoring, discharge_missing, effective_vitals, monitoring, pre_dose_vitals
from .orders import (
    active_orders,
    default_dose_mg,
    dose_history,
    dose_in_mg,
    first_dose_at,
    latest_plan,
    latest_weighing,
    latest_weight,
    order_for,
    order_page,
    orders_for_patient,
    patient_sessions,
    patients_in_treatment,
)
from .sessions import (
    BoardRow,
    RemsFormDue,
    alert_for,
    alerts_of,
    board,
    calendar,
    feed_for_token,
    feed_sessions,
    hash_feed_token,
    local_day_bounds,
    open_alerts,
    own_patient,
    rems_forms_pending,
    session_for,
    session_page,
    sessions_between,
    sessions_visible_to,
    today_count,
    upcoming_for_patient,
    zone_of,
)

__all__ = [
    "BoardRow", "Monitoring", "RemsFormDue", "active_orders", "alert_for", "alerts_of", "board",
    "calendar", "chair_for", "chairs_of", "clinic_staff", "default_dose_mg", "discharge_missing",
    "dose_history", "dose_in_mg", "effective_vitals", "feed_for_token", "feed_sessions",
    "first_dose_at", "hash_feed_token", "home_cards", "latest_plan", "latest_weighing",
    "latest_weight", "ledger_choices", "local_day_bounds", "monitoring", "open_alerts",
    "order_for", "order_page", "orders_for_patient", "own_patient", "patient_sessions",
    "patients_in_treatment",
    "pre_dose_vitals", "rems_forms_pending", "session_for", "session_page", "sessions_between",
    "sessions_visible_to", "today_count", "treatment_settings_of", "upcoming_for_patient",
    "zone_of",
]  # fmt: skip
