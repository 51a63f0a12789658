"""Writes to the controlled-substance ledger, one workflow per module: `entries` (stock in and
out), `counts` (two-person counts and their investigations), `losses` (loss and theft cases),
`setup` (products, locations, settings); `base` holds what every write shares (the chain
append, quantity and DEA checks, the refusal codes) and `witness` the second person's proof.
Every service takes `actor` and keyword arguments and raises `Refusal` or `NotFound`."""

from ketacare.core.errors import Refusal

from .base import Code, record_denied, to_quantity
from .counts import record_count, resolve_investigation
from .entries import (
    record_administration,
    record_correction,
    record_dispensing,
    record_receipt,
    record_return_to_supplier,
    record_reverse_distribution,
    record_transfer,
    record_waste,
)
from .losses import report_loss, update_loss_case
from .setup import create_location, create_product, update_ledger_settings
from .witness import verify_second_person

__all__ = [
    "Code",
    "Refusal",
    "create_location",
    "create_product",
    "record_administration",
    "record_correction",
    "record_count",
    "record_denied",
    "record_dispensing",
    "record_receipt",
    "record_return_to_supplier",
    "record_reverse_distribution",
    "record_transfer",
    "record_waste",
    "report_loss",
    "resolve_investigation",
    "to_quantity",
    "update_ledger_settings",
    "update_loss_case",
    "verify_second_person",
]
