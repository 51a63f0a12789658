"""Treatment facts that services, selectors, views and the API all read (here so that none of
them imports another for a constant)."""

from __future__ import annotations

from .models import OrderStatus

# Which ledger product forms a route draws from.
ROUTE_PRODUCT_FORMS: dict[str, set[str]] = {
    "iv": {"vial"},
    "im": {"vial"},
    "nasal": {"nasal_device"},
    "home-troche": {"troche"},
}
# Esketamine (nasal) sessions have a REMS patient monitoring form.
NASAL_ROUTE = "nasal"

# The order changes a prescriber may make (from, to).
ORDER_TRANSITIONS = {
    (OrderStatus.ACTIVE, OrderStatus.PAUSED),
    (OrderStatus.PAUSED, OrderStatus.ACTIVE),
    (OrderStatus.ACTIVE, OrderStatus.STOPPED),
    (OrderStatus.PAUSED, OrderStatus.STOPPED),
}

# The clinic's treatment settings an administrator edits.
SETTINGS_FIELDS = (
    "setting_name", "address_line1", "address_line2", "city", "state", "zip_code", "phone",
    "email", "rems_setting_id", "preparation_note",
)  # fmt: skip

# Reminders go out from this hour of the day before (clinic time), not in the night.
REMINDER_HOUR = 9
