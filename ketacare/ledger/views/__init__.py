"""Ledger pages, one workflow per module: `entries` (home, entries, entry types), `counts`
(counts and investigations), `losses`, `setup` and `report_pages`; `base` holds what they
share. Views parse a form, call one service or selector through `submit()`, and render."""

from .counts import count_create, count_detail, count_list, investigation_detail, investigation_list
from .entries import (
    administer,
    correct_entry,
    dispense,
    dispose,
    entry_detail,
    entry_list,
    overview,
    receive,
    return_to_supplier,
    transfer,
    waste,
)
from .losses import loss_detail, loss_list, report_loss
from .report_pages import lot_report, patient_report, period_report, reports_index, staff_report
from .setup import ledger_settings, locations, products

__all__ = [
    "administer",
    "correct_entry",
    "count_create",
    "count_detail",
    "count_list",
    "dispense",
    "dispose",
    "entry_detail",
    "entry_list",
    "investigation_detail",
    "investigation_list",
    "ledger_settings",
    "locations",
    "loss_detail",
    "loss_list",
    "lot_report",
    "overview",
    "patient_report",
    "period_report",
    "products",
    "receive",
    "report_loss",
    "reports_index",
    "return_to_supplier",
    "staff_report",
    "transfer",
    "waste",
]
