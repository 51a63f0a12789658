"""Stock in and out, one entry type per service: receipts from a supplier, transfers between
locations, doses given in the clinic, dispensing for home use, witnessed waste, stock leaving
for another DEA registrant (a return to the supplier, a reverse distributor), and corrections.
Each asks the policy, runs in one transaction and writes its audit row before it commits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketacare.accounts.models import User
from ketacare.core import policy
from ketacare.core.errors import Refusal

from ..models import THOUSANDTH, EntryKind, LedgerEntry, Lot, Product, StorageLocation
from ..selectors import actor_clinic, clinic_today
from .base import (
    Code,
    append,
    audit_entry,
    check_in_use,
    check_not_expired,
    check_opening_count,
    chosen_patient,
    dea_registration,
    lock_head,
    required_dea,
    required_text,
    to_quantity,
)
from .witness import verify_second_person

if TYPE_CHECKING:
    from ketacare.patients.models import Patient


def record_receipt(
    *,
    actor: User,
    product: Product,
    lot_number: str,
    expires_on: dt.date,
    location: StorageLocation,
    quantity: Any,
    supplier_name: str,
    supplier_dea: str,
    invoice_number: str,
    received_on: dt.date,
    supplier_address: str,
) -> LedgerEntry:
    """Stock received from a supplier (21 CFR 1304.22(a)(2)(iv): name, address and DEA number
    of the supplier, date received, quantity); creates the lot on first receipt."""
    for obj in (product, location):
        policy.require(actor, policy.RECORD_LEDGER, obj)
    clinic = actor_clinic(actor)
    quantity = to_quantity(quantity, product=product)
    lot_number = required_text(lot_number, "lot_number", "lot number")
    supplier_name = required_text(supplier_name, "supplier_name", "supplier's name")
    supplier_address = required_text(supplier_address, "supplier_address", "supplier's address")
    invoice_number = required_text(invoice_number, "invoice_number", "invoice number")
    supplier_dea = required_dea(
        supplier_dea,
        "supplier_dea",
        "Enter the supplier's DEA registration number (two letters, seven digits, with a "
        "valid check digit).",
    )
    today = clinic_today(clinic)
    if received_on > today:
        raise Refusal(
            "The date received cannot be in the future.",
            code=Code.INVALID_VALUE,
            field="received_on",
        )
    if not product.active:
        raise Refusal("This product is no longer in use.", code=Code.INACTIVE, field="product")
    with transaction.atomic():
        dea = dea_registration(clinic)
        lock_head(clinic)
        lot = Lot.objects.filter(product=product, lot_number=lot_number).first()
        if lot is None:
            lot = Lot.objects.create(
                clinic=clinic,
                dea_registration=dea,
                product=product,
                lot_number=lot_number,
                expires_on=expires_on,
            )
        elif lot.expires_on != expires_on:
            raise Refusal(
                f"Lot {lot_number} is already recorded with expiry {lot.expires_on:%Y-%m-%d}; "
                "check the label.",
                code=Code.INVALID_VALUE,
                field="expires_on",
            )
        check_in_use(location)
        check_not_expired(lot, clinic, "received")
        entry = append(
            actor=actor,
            kind=EntryKind.RECEIPT,
            lot=lot,
            location=location,
            quantity=quantity,
            counterparty_name=supplier_name,
            counterparty_dea=supplier_dea,
            counterparty_address=supplier_address,
            document_number=invoice_number,
            received_on=received_on,
        )
        audit_entry(entry, actor=actor)
    return entry


def record_transfer(
    *,
    actor: User,
    lot: Lot,
    from_location: StorageLocation,
    to_location: StorageLocation,
    quantity: Any,
    reason: str = "",
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move stock between two of the clinic's locations: a linked out/in pair of entries."""
    for obj in (lot, from_location, to_location):
        policy.require(actor, policy.RECORD_LEDGER, obj)
    check_in_use(from_location, to_location)
    if from_location.pk == to_location.pk:
        raise Refusal(
            "Choose two different locations.", code=Code.INVALID_VALUE, field="to_location"
        )
    quantity = to_quantity(quantity, product=lot.product)
    with transaction.atomic():
        out = append(
            actor=actor,
            kind=EntryKind.TRANSFER_OUT,
            lot=lot,
            location=from_location,
            quantity=-quantity,
            reason=reason,
        )
        inbound = append(
            actor=actor,
            kind=EntryKind.TRANSFER_IN,
            lot=lot,
            location=to_location,
            quantity=quantity,
            reason=reason,
            related_entry_id=out.pk,
        )
        audit_entry(out, actor=actor, detail=f"to {to_location.name}")
        audit_entry(inbound, actor=actor, detail=f"from {from_location.name}")
    return out, inbound


def record_administration(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    patient: Patient | None,
    quantity: Any,
    treatment_session_id: int | None = None,
    note: str = "",
) -> LedgerEntry:
    """A dose given in the clinic. `treatment_session_id` links it to its treatment session
    once ketacare.treatments exists."""
    for obj in (lot, location):
        policy.require(actor, policy.RECORD_LEDGER, obj)
    check_in_use(location)
    patient = chosen_patient(actor, patient)
    quantity = to_quantity(quantity, product=lot.product)
    clinic = actor_clinic(actor)
    with transaction.atomic():
        check_not_expired(lot, clinic, "administered")
        check_opening_count(clinic, location)
        entry = append(
            actor=actor,
            kind=EntryKind.ADMINISTRATION,
            lot=lot,
            location=location,
            quantity=-quantity,
            patient_id=patient.pk,
            patient_name=patient.full_name,
            patient_address=patient.address,
            treatment_session_id=treatment_session_id,
            reason=note,
        )
        audit_entry(entry, actor=actor)
    return entry


def record_dispensing(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    patient: Patient | None,
    quantity: Any,
    directions: str,
) -> LedgerEntry:
    """Dispensed to a patient for home use: a prescriber only, with directions for use."""
    if not policy.can(actor, policy.PRESCRIBE):
        raise Refusal("Only a prescriber may dispense for home use.", code=Code.NOT_PRESCRIBER)
    for obj in (lot, location):
        policy.require(actor, policy.PRESCRIBE, obj)
    check_in_use(location)
    patient = chosen_patient(actor, patient)
    if lot.product.is_esketamine:
        raise Refusal(
            "Esketamine nasal spray may not be dispensed for home use: its REMS requires "
            "administration under supervision in a certified setting.",
            code=Code.REMS_NO_HOME_USE,
            field="lot",
        )
    if not patient.address.strip():
        raise Refusal(
            f"{patient.full_name} has no address on file: a dispensing record must carry the "
            "patient's name and address (21 CFR 1304.22(c)). Add it to the patient's record "
            "first.",
            code=Code.PATIENT_ADDRESS_REQUIRED,
            field="patient",
        )
    quantity = to_quantity(quantity, product=lot.product)
    directions = required_text(directions, "directions", "directions for use")
    clinic = actor_clinic(actor)
    with transaction.atomic():
        check_not_expired(lot, clinic, "dispensed")
        check_opening_count(clinic, location)
        entry = append(
            actor=actor,
            kind=EntryKind.DISPENSING,
            lot=lot,
            location=location,
            quantity=-quantity,
            patient_id=patient.pk,
            patient_name=patient.full_name,
            patient_address=patient.address,
            directions=directions,
        )
        audit_entry(entry, actor=actor)
    return entry


def record_waste(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    quantity: Any,
    reason: str,
    witness: User | None,
    witness_password: str,
    patient: Patient | None = None,
) -> LedgerEntry:
    """Waste (an unused remainder, a broken vial, expired stock), witnessed by a second staff
    member who proves their presence with their own password in the same form."""
    for obj in (lot, location):
        policy.require(actor, policy.RECORD_LEDGER, obj)
    check_in_use(location)
    quantity = to_quantity(quantity, product=lot.product)
    reason = required_text(reason, "reason", "reason for the waste")
    if patient is not None:
        patient = chosen_patient(actor, patient)
    witness = verify_second_person(actor=actor, person=witness, password=witness_password)
    with transaction.atomic():
        entry = append(
            actor=actor,
            kind=EntryKind.WASTE,
            lot=lot,
            location=location,
            quantity=-quantity,
            reason=reason,
            witness_id=witness.pk,
            patient_id=patient.pk if patient is not None else None,
        )
        audit_entry(entry, actor=actor, detail=f"witness {witness.email}")
    return entry


def _record_outgoing_to_registrant(
    *,
    actor: User,
    kind: str,
    lot: Lot,
    location: StorageLocation,
    quantity: Any,
    name: str,
    dea: str,
    address: str,
    document_number: str,
    reason: str,
) -> LedgerEntry:
    """Stock leaving the clinic for another DEA registrant; the caller has checked the actor,
    the lot and location, the quantity and the counterparty's fields."""
    with transaction.atomic():
        entry = append(
            actor=actor,
            kind=kind,
            lot=lot,
            location=location,
            quantity=-quantity,
            counterparty_name=name,
            counterparty_dea=dea,
            counterparty_address=address,
            document_number=document_number,
            reason=reason,
        )
        audit_entry(entry, actor=actor)
    return entry


def record_return_to_supplier(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    quantity: Any,
    supplier_name: str,
    supplier_dea: str,
    document_number: str,
    supplier_address: str = "",
    reason: str = "",
) -> LedgerEntry:
    for obj in (lot, location):
        policy.require(actor, policy.RECORD_LEDGER, obj)
    check_in_use(location)
    quantity = to_quantity(quantity, product=lot.product)
    return _record_outgoing_to_registrant(
        actor=actor,
        kind=EntryKind.RETURN_TO_SUPPLIER,
        lot=lot,
        location=location,
        quantity=quantity,
        name=required_text(supplier_name, "supplier_name", "supplier's name"),
        document_number=required_text(
            document_number, "document_number", "invoice or return number"
        ),
        dea=required_dea(
            supplier_dea, "supplier_dea", "Enter the supplier's DEA registration number."
        ),
        address=supplier_address,
        reason=reason,
    )


def record_reverse_distribution(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    quantity: Any,
    distributor_name: str,
    distributor_dea: str,
    document_number: str,
    distributor_address: str = "",
    reason: str = "",
) -> LedgerEntry:
    """Stock handed to a DEA-registered reverse distributor for destruction."""
    for obj in (lot, location):
        policy.require(actor, policy.RECORD_LEDGER, obj)
    check_in_use(location)
    quantity = to_quantity(quantity, product=lot.product)
    return _record_outgoing_to_registrant(
        actor=actor,
        kind=EntryKind.REVERSE_DISTRIBUTOR,
        lot=lot,
        location=location,
        quantity=quantity,
        name=required_text(distributor_name, "distributor_name", "reverse distributor's name"),
        document_number=required_text(
            document_number, "document_number", "invoice or DEA Form 41 number"
        ),
        dea=required_dea(
            distributor_dea,
            "distributor_dea",
            "Enter the reverse distributor's DEA registration number.",
        ),
        address=distributor_address,
        reason=reason,
    )


def record_correction(
    *, actor: User, entry: LedgerEntry, quantity_change: Any, reason: str
) -> LedgerEntry:
    """A correction never edits the entry: it is a new entry, linked to it, whose signed
    quantity changes the same lot and location, with the reason in words."""
    policy.require(actor, policy.RECORD_LEDGER, entry)
    if entry.actor_id != actor.pk and not policy.can(actor, policy.MANAGE_CLINIC):
        raise Refusal(
            "Only the person who recorded an entry, or an administrator, may correct it.",
            code=Code.INVALID_VALUE,
        )
    try:
        change = Decimal(str(quantity_change).strip())
    except (InvalidOperation, ValueError):
        raise Refusal(
            "Enter a number, negative to take stock out.",
            code=Code.INVALID_QUANTITY,
            field="quantity_change",
        ) from None
    if not change.is_finite() or change == 0 or change != change.quantize(THOUSANDTH):
        raise Refusal(
            "Enter a change other than zero, with at most three decimal places.",
            code=Code.INVALID_QUANTITY,
            field="quantity_change",
        )
    to_quantity(abs(change), field="quantity_change", product=entry.lot.product)
    reason = required_text(reason, "reason", "reason for the correction")
    with transaction.atomic():
        correction = append(
            actor=actor,
            kind=EntryKind.CORRECTION,
            lot=entry.lot,
            location=entry.location,
            quantity=change.quantize(THOUSANDTH),
            reason=reason,
            corrects_id=entry.pk,
            patient_id=entry.patient_id,
            patient_name=entry.patient_name,
            patient_address=entry.patient_address,
        )
        audit_entry(correction, actor=actor, detail=f"corrects #{entry.seq}")
    return correction
