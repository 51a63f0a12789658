"""The ledger objects the permission matrix (tests/test_permission_matrix.py) puts in its
paths, all of the admin's clinic, built once per test through the services: a receipt, a count
with a discrepancy (so an investigation) and a loss case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from ketacare.ledger import services
from tests.factories import PASSWORD

CLINIC_DEA = "AB1234563"
SUPPLIER_DEA = "RS7654329"


def objects(t: Any) -> SimpleNamespace:
    if not hasattr(t, "_ledger_objects"):
        t.clinic.dea_registration = CLINIC_DEA
        t.clinic.save()
        t.admin.clinic.dea_registration = CLINIC_DEA
        product = services.create_product(
            actor=t.admin,
            name="Ketamine 50 mg/mL",
            form="vial",
            concentration_mg_per_ml=Decimal(50),
            volume_ml=Decimal(10),
        )
        safe = services.create_location(actor=t.admin, name="Safe", kind="safe")
        receipt = services.record_receipt(
            actor=t.admin,
            product=product,
            lot_number="M-1",
            location=safe,
            quantity="20",
            expires_on=timezone.localdate() + dt.timedelta(days=365),
            supplier_name="Hikma",
            supplier_dea=SUPPLIER_DEA,
            supplier_address="1809 Wilson Rd, Columbus OH",
            invoice_number="INV-1",
            received_on=timezone.localdate(),
        )
        count = services.record_count(
            actor=t.clinician,
            location=safe,
            kind="opening",
            counted={receipt.lot_id: "19"},
            second_counter=t.prescriber,
            second_counter_password=PASSWORD,
        )
        case = services.report_loss(
            actor=t.clinician,
            lot=receipt.lot,
            location=safe,
            quantity="1",
            kind="loss",
            discovered_at=timezone.now(),
            description="Missing vial",
        )
        t._ledger_objects = SimpleNamespace(
            entry=receipt, count=count, investigation=count.lines.get().investigation, case=case
        )
    return t._ledger_objects


def entry_id(t: Any) -> dict[str, Any]:
    return {"entry_id": objects(t).entry.pk}


def count_id(t: Any) -> dict[str, Any]:
    return {"count_id": objects(t).count.pk}


def investigation_id(t: Any) -> dict[str, Any]:
    return {"investigation_id": objects(t).investigation.pk}


def case_id(t: Any) -> dict[str, Any]:
    return {"case_id": objects(t).case.pk}
