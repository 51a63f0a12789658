"""Writes to the controlled-substance ledger. Each service checks the actor's role, runs in
one transaction that locks the clinic's chain head (select_for_update on PostgreSQL; SQLite's
IMMEDIATE transactions already serialise writers), checks the (lot, location) balance in that
same transaction, appends hash-chained entries, updates the balance rows and writes the audit
row. A refused write raises `LedgerRefusal` (a stable code, the form field it concerns and a
message a person can act on) and saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from ketacare.accounts.models import Clinic, User
from ketacare.accounts.permissions import has_role, patients_visible_to
from ketacare.audit.hashchain import GENESIS_HASH
from ketacare.audit.log import record
from ketacare.audit.models import AuditOutcome
from ketacare.core.reauth import ReentryLocked, check_password_reentry
from ketacare.patients.models import Patient

from . import deadlines
from .chain import entry_hash
from .dea import is_valid_dea_number
from .models import (
    GATE_COUNT_KINDS,
    THOUSANDTH,
    UNIT_FOR_FORM,
    ChainHead,
    CountKind,
    EntryKind,
    InventoryCount,
    InventoryCountLine,
    Investigation,
    InvestigationStatus,
    LedgerEntry,
    LedgerSettings,
    LossCase,
    LossKind,
    Lot,
    Product,
    ProductForm,
    StockBalance,
    StorageLocation,
)
from .roles import DISPENSERS, LEDGER_ADMINS, LEDGER_STAFF, WITNESS_ROLES


class Refusal:
    """Stable reason codes of a refused ledger write."""

    INSUFFICIENT_STOCK = "insufficient_stock"
    LOT_EXPIRED = "lot_expired"
    WITNESS_REQUIRED = "witness_required"
    WITNESS_IS_ACTOR = "witness_is_actor"
    WITNESS_NOT_STAFF = "witness_not_staff"
    WITNESS_PASSWORD_WRONG = "witness_password_wrong"  # noqa: S105 (a reason code)
    WITNESS_LOCKED = "witness_locked"
    NOT_PRESCRIBER = "not_prescriber"
    OPENING_COUNT_REQUIRED = "opening_count_required"
    NO_DEA_REGISTRATION = "no_dea_registration"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_VALUE = "invalid_value"
    REMS_NO_HOME_USE = "rems_no_home_use"
    INACTIVE = "inactive"
    ALREADY_RESOLVED = "already_resolved"


class LedgerRefusal(Exception):
    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


# --- helpers -----------------------------------------------------------------------------


def _require(actor: Any, roles: frozenset[str]) -> None:
    if not has_role(actor, *roles) or not actor.clinic_id:
        raise Http404("Page not found.")


def _same_clinic(actor: Any, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.clinic_id != actor.clinic_id:
            raise Http404("Not found.")


def clinic_today(clinic: Clinic, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), ZoneInfo(clinic.timezone)).date()


def _dea(clinic: Clinic) -> str:
    if not clinic.dea_registration:
        raise LedgerRefusal(
            "This clinic has no DEA registration number on file: an administrator must enter "
            "it in the ledger settings before anything can be recorded.",
            code=Refusal.NO_DEA_REGISTRATION,
        )
    return clinic.dea_registration


def to_quantity(value: Any, *, field: str = "quantity", product: Product | None = None) -> Decimal:
    """A positive amount in the product's unit, to the thousandth; whole devices only."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise LedgerRefusal("Enter a number.", code=Refusal.INVALID_QUANTITY, field=field) from None
    if not quantity.is_finite() or quantity <= 0:
        raise LedgerRefusal(
            "Enter an amount greater than zero.", code=Refusal.INVALID_QUANTITY, field=field
        )
    if quantity != quantity.quantize(THOUSANDTH):
        raise LedgerRefusal(
            "Use at most three decimal places.", code=Refusal.INVALID_QUANTITY, field=field
        )
    if quantity >= Decimal("1e9"):
        raise LedgerRefusal("That amount is too large.", code=Refusal.INVALID_QUANTITY, field=field)
    if product is not None and product.form == ProductForm.NASAL_DEVICE and quantity % 1:
        raise LedgerRefusal(
            "Nasal spray devices are counted whole: enter a whole number of devices.",
            code=Refusal.INVALID_QUANTITY,
            field=field,
        )
    return quantity.quantize(THOUSANDTH)


def _mg(quantity: Decimal, product: Product) -> Decimal:
    return (quantity * product.mg_per_unit).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def _fmt(quantity: Decimal, product: Product) -> str:
    return f"{quantity.normalize():f} {product.unit} ({_mg(quantity, product).normalize():f} mg)"


def ledger_settings(clinic: Clinic) -> LedgerSettings:
    found = LedgerSettings.objects.filter(clinic=clinic).first()
    if found is None:
        return LedgerSettings(
            clinic=clinic, require_opening_count=settings.LEDGER_REQUIRE_OPENING_COUNT
        )
    return found


def _lock_head(clinic: Clinic) -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(clinic=clinic).first()
    if head is None:
        try:
            with transaction.atomic():
                ChainHead.objects.create(clinic=clinic, entry_count=0, last_hash=GENESIS_HASH)
        except IntegrityError:
            pass  # another writer created it first; lock theirs
        head = ChainHead.objects.select_for_update().get(clinic=clinic)
    return head


def _check_not_expired(lot: Lot, clinic: Clinic, what: str) -> None:
    today = clinic_today(clinic)
    if lot.expires_on < today:
        raise LedgerRefusal(
            f"Lot {lot.lot_number} expired on {lot.expires_on:%Y-%m-%d}: it cannot be {what}. "
            "Waste it with a witness or return it for disposal.",
            code=Refusal.LOT_EXPIRED,
            field="lot",
        )


def _check_opening_count(clinic: Clinic, location: StorageLocation) -> None:
    if not ledger_settings(clinic).require_opening_count:
        return
    tz = ZoneInfo(clinic.timezone)
    today = clinic_today(clinic)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    done = InventoryCount.objects.filter(
        location=location, kind__in=list(GATE_COUNT_KINDS), counted_at__gte=start
    ).exists()
    if not done:
        raise LedgerRefusal(
            f"Today's opening count of {location.name} has not been done: two staff members "
            "must count it before anything is administered or dispensed from it.",
            code=Refusal.OPENING_COUNT_REQUIRED,
            field="location",
        )


def verify_second_person(
    *,
    actor: User,
    person: User | None,
    password: str,
    field: str = "witness",
    what: str = "witness",
) -> User:
    """The second staff member of a waste or count, proven by their own password. Runs before
    the write transaction (password hashing is slow; the write lock is not held meanwhile)."""
    password_field = f"{field}_password"
    if person is None:
        raise LedgerRefusal(
            f"A {what} is required: a second staff member must be chosen and enter their password.",
            code=Refusal.WITNESS_REQUIRED,
            field=field,
        )
    if person.pk == actor.pk:
        raise LedgerRefusal(
            f"You cannot be your own {what}: choose another staff member.",
            code=Refusal.WITNESS_IS_ACTOR,
            field=field,
        )
    if not has_role(person, *WITNESS_ROLES) or person.clinic_id != actor.clinic_id:
        raise LedgerRefusal(
            f"The {what} must be an active staff member of this clinic.",
            code=Refusal.WITNESS_NOT_STAFF,
            field=field,
        )
    # The lock-out (core.reauth) keeps anyone from guessing a colleague's password here.
    try:
        right = check_password_reentry(user=person, password=password, purpose="ledger-witness")
    except ReentryLocked:
        raise LedgerRefusal(
            f"Too many wrong passwords for {person.full_name}: they can act as {what} again in "
            "15 minutes.",
            code=Refusal.WITNESS_LOCKED,
            field=password_field,
        ) from None
    if not right:
        raise LedgerRefusal(
            f"That is not {person.full_name}'s password: the {what} must type their own password. "
            "Nothing was saved.",
            code=Refusal.WITNESS_PASSWORD_WRONG,
            field=password_field,
        )
    return person


def _append(
    *,
    actor: User,
    kind: str,
    lot: Lot,
    location: StorageLocation,
    quantity: Decimal,
    **fields: Any,
) -> LedgerEntry:
    """Append one entry: must run inside the caller's transaction. `quantity` is signed."""
    clinic = actor.clinic
    dea = _dea(clinic)
    head = _lock_head(clinic)
    balance = StockBalance.objects.select_for_update().filter(lot=lot, location=location).first()
    if balance is None:
        balance = StockBalance(
            clinic=clinic, dea_registration=dea, lot=lot, location=location, quantity=Decimal(0)
        )
    new_balance = (balance.quantity + quantity).quantize(THOUSANDTH)
    if new_balance < 0:
        product = lot.product
        raise LedgerRefusal(
            f"Insufficient stock: {location.name} holds {_fmt(balance.quantity, product)} of lot "
            f"{lot.lot_number}, less than the {_fmt(-quantity, product)} requested. "
            "Nothing was recorded.",
            code=Refusal.INSUFFICIENT_STOCK,
            field="quantity",
        )
    values: dict[str, Any] = {
        "clinic_id": clinic.pk,
        "seq": head.entry_count + 1,
        "dea_registration": dea,
        "kind": str(kind),
        "lot_id": lot.pk,
        "location_id": location.pk,
        "quantity": quantity,
        "quantity_mg": _mg(quantity, lot.product),
        "balance_after": new_balance,
        "recorded_at": timezone.now(),
        "actor_id": actor.pk,
        "witness_id": None,
        "patient_id": None,
        "treatment_session_id": None,
        "counterparty_name": "",
        "counterparty_dea": "",
        "counterparty_address": "",
        "document_number": "",
        "received_on": None,
        "directions": "",
        "reason": "",
        "corrects_id": None,
        "related_entry_id": None,
        "investigation_id": None,
    }
    unknown = set(fields) - set(values)
    if unknown:
        raise TypeError(f"unknown ledger entry fields: {sorted(unknown)}")
    values.update(fields)
    for name in (
        "counterparty_name",
        "counterparty_dea",
        "counterparty_address",
        "document_number",
        "directions",
        "reason",
    ):
        values[name] = (values[name] or "").strip()
    entry_hash_value = entry_hash(head.last_hash, values)
    entry = LedgerEntry(prev_hash=head.last_hash, hash=entry_hash_value, **values)
    entry.save(force_insert=True)
    balance.quantity = new_balance
    balance.last_entry = entry
    balance.save()
    head.entry_count = entry.seq
    head.last_hash = entry.hash
    head.save(update_fields=["entry_count", "last_hash", "updated_at"])
    return entry


def _audit_entry(entry: LedgerEntry, *, actor: User, request: Any, detail: str = "") -> None:
    product = entry.lot.product
    text = (
        f"{entry.get_kind_display()} #{entry.seq}: {_fmt(entry.amount, product)} "
        f"lot {entry.lot.lot_number}"
    )
    record(
        actor=actor,
        action="create",
        obj=entry,
        patient=entry.patient_id,
        request=request,
        detail=(text + (f"; {detail}" if detail else ""))[:500],
    )


def _load(actor: User, lot: Lot, *locations: StorageLocation) -> None:
    _same_clinic(actor, lot, *locations)
    for location in locations:
        if not location.active:
            raise LedgerRefusal(
                f"{location.name} is no longer in use.", code=Refusal.INACTIVE, field="location"
            )


def _patient(actor: User, patient: Patient | None) -> Patient:
    if patient is None:
        raise LedgerRefusal("Choose the patient.", code=Refusal.INVALID_VALUE, field="patient")
    if not patients_visible_to(actor).filter(pk=patient.pk).exists():
        raise Http404("No such patient.")
    return patient


def _required_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise LedgerRefusal(f"Enter the {label}.", code=Refusal.INVALID_VALUE, field=field)
    return value


def _required_dea(value: str, field: str, message: str) -> str:
    """The DEA registration number, upper-cased, or a refusal with `message` on `field`."""
    number = (value or "").strip().upper()
    if not is_valid_dea_number(number):
        raise LedgerRefusal(message, code=Refusal.INVALID_VALUE, field=field)
    return number


# --- entry types -------------------------------------------------------------------------


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
    supplier_address: str = "",
    request: Any = None,
) -> LedgerEntry:
    """Stock received from a supplier (21 CFR 1304.22(c): name, address and DEA number of the
    supplier, date received, quantity); creates the lot on first receipt."""
    _require(actor, LEDGER_STAFF)
    _same_clinic(actor, product, location)
    quantity = to_quantity(quantity, product=product)
    lot_number = _required_text(lot_number, "lot_number", "lot number")
    supplier_name = _required_text(supplier_name, "supplier_name", "supplier's name")
    invoice_number = _required_text(invoice_number, "invoice_number", "invoice number")
    supplier_dea = _required_dea(
        supplier_dea,
        "supplier_dea",
        "Enter the supplier's DEA registration number (two letters, seven digits, with a "
        "valid check digit).",
    )
    today = clinic_today(actor.clinic)
    if received_on > today:
        raise LedgerRefusal(
            "The date received cannot be in the future.",
            code=Refusal.INVALID_VALUE,
            field="received_on",
        )
    if not product.active:
        raise LedgerRefusal(
            "This product is no longer in use.", code=Refusal.INACTIVE, field="product"
        )
    with transaction.atomic():
        dea = _dea(actor.clinic)
        _lock_head(actor.clinic)
        lot = Lot.objects.filter(product=product, lot_number=lot_number).first()
        if lot is None:
            lot = Lot.objects.create(
                clinic=actor.clinic,
                dea_registration=dea,
                product=product,
                lot_number=lot_number,
                expires_on=expires_on,
            )
        elif lot.expires_on != expires_on:
            raise LedgerRefusal(
                f"Lot {lot_number} is already recorded with expiry {lot.expires_on:%Y-%m-%d}; "
                "check the label.",
                code=Refusal.INVALID_VALUE,
                field="expires_on",
            )
        _load(actor, lot, location)
        _check_not_expired(lot, actor.clinic, "received")
        entry = _append(
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
        _audit_entry(entry, actor=actor, request=request)
    return entry


def record_transfer(
    *,
    actor: User,
    lot: Lot,
    from_location: StorageLocation,
    to_location: StorageLocation,
    quantity: Any,
    reason: str = "",
    request: Any = None,
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move stock between two of the clinic's locations: a linked out/in pair of entries."""
    _require(actor, LEDGER_STAFF)
    _load(actor, lot, from_location, to_location)
    if from_location.pk == to_location.pk:
        raise LedgerRefusal(
            "Choose two different locations.", code=Refusal.INVALID_VALUE, field="to_location"
        )
    quantity = to_quantity(quantity, product=lot.product)
    with transaction.atomic():
        out = _append(
            actor=actor,
            kind=EntryKind.TRANSFER_OUT,
            lot=lot,
            location=from_location,
            quantity=-quantity,
            reason=reason,
        )
        inbound = _append(
            actor=actor,
            kind=EntryKind.TRANSFER_IN,
            lot=lot,
            location=to_location,
            quantity=quantity,
            reason=reason,
            related_entry_id=out.pk,
        )
        _audit_entry(out, actor=actor, request=request, detail=f"to {to_location.name}")
        _audit_entry(inbound, actor=actor, request=request, detail=f"from {from_location.name}")
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
    request: Any = None,
) -> LedgerEntry:
    """A dose given in the clinic. `treatment_session_id` links it to its treatment session
    once ketacare.treatments exists."""
    _require(actor, LEDGER_STAFF)
    _load(actor, lot, location)
    patient = _patient(actor, patient)
    quantity = to_quantity(quantity, product=lot.product)
    with transaction.atomic():
        _check_not_expired(lot, actor.clinic, "administered")
        _check_opening_count(actor.clinic, location)
        entry = _append(
            actor=actor,
            kind=EntryKind.ADMINISTRATION,
            lot=lot,
            location=location,
            quantity=-quantity,
            patient_id=patient.pk,
            treatment_session_id=treatment_session_id,
            reason=note,
        )
        _audit_entry(entry, actor=actor, request=request)
    return entry


def record_dispensing(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    patient: Patient | None,
    quantity: Any,
    directions: str,
    request: Any = None,
) -> LedgerEntry:
    """Dispensed to a patient for home use: a prescriber only, with directions for use."""
    if not has_role(actor, *DISPENSERS):
        raise LedgerRefusal(
            "Only a prescriber may dispense for home use.", code=Refusal.NOT_PRESCRIBER
        )
    _require(actor, DISPENSERS)
    _load(actor, lot, location)
    patient = _patient(actor, patient)
    if lot.product.is_esketamine:
        raise LedgerRefusal(
            "Esketamine nasal spray may not be dispensed for home use: its REMS requires "
            "administration under supervision in a certified setting.",
            code=Refusal.REMS_NO_HOME_USE,
            field="lot",
        )
    quantity = to_quantity(quantity, product=lot.product)
    directions = _required_text(directions, "directions", "directions for use")
    with transaction.atomic():
        _check_not_expired(lot, actor.clinic, "dispensed")
        _check_opening_count(actor.clinic, location)
        entry = _append(
            actor=actor,
            kind=EntryKind.DISPENSING,
            lot=lot,
            location=location,
            quantity=-quantity,
            patient_id=patient.pk,
            directions=directions,
        )
        _audit_entry(entry, actor=actor, request=request)
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
    request: Any = None,
) -> LedgerEntry:
    """Waste (an unused remainder, a broken vial, expired stock), witnessed by a second staff
    member who proves their presence with their own password in the same form."""
    _require(actor, LEDGER_STAFF)
    _load(actor, lot, location)
    quantity = to_quantity(quantity, product=lot.product)
    reason = _required_text(reason, "reason", "reason for the waste")
    if patient is not None:
        patient = _patient(actor, patient)
    witness = verify_second_person(actor=actor, person=witness, password=witness_password)
    with transaction.atomic():
        entry = _append(
            actor=actor,
            kind=EntryKind.WASTE,
            lot=lot,
            location=location,
            quantity=-quantity,
            reason=reason,
            witness_id=witness.pk,
            patient_id=patient.pk if patient is not None else None,
        )
        _audit_entry(entry, actor=actor, request=request, detail=f"witness {witness.email}")
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
    request: Any,
) -> LedgerEntry:
    """Stock leaving the clinic for another DEA registrant; the caller has checked the actor,
    the lot and location, the quantity and the counterparty's fields."""
    with transaction.atomic():
        entry = _append(
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
        _audit_entry(entry, actor=actor, request=request)
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
    request: Any = None,
) -> LedgerEntry:
    _require(actor, LEDGER_STAFF)
    _load(actor, lot, location)
    quantity = to_quantity(quantity, product=lot.product)
    return _record_outgoing_to_registrant(
        actor=actor,
        kind=EntryKind.RETURN_TO_SUPPLIER,
        lot=lot,
        location=location,
        quantity=quantity,
        name=_required_text(supplier_name, "supplier_name", "supplier's name"),
        document_number=_required_text(
            document_number, "document_number", "invoice or return number"
        ),
        dea=_required_dea(
            supplier_dea, "supplier_dea", "Enter the supplier's DEA registration number."
        ),
        address=supplier_address,
        reason=reason,
        request=request,
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
    request: Any = None,
) -> LedgerEntry:
    """Stock handed to a DEA-registered reverse distributor for destruction."""
    _require(actor, LEDGER_STAFF)
    _load(actor, lot, location)
    quantity = to_quantity(quantity, product=lot.product)
    return _record_outgoing_to_registrant(
        actor=actor,
        kind=EntryKind.REVERSE_DISTRIBUTOR,
        lot=lot,
        location=location,
        quantity=quantity,
        name=_required_text(distributor_name, "distributor_name", "reverse distributor's name"),
        document_number=_required_text(
            document_number, "document_number", "invoice or DEA Form 41 number"
        ),
        dea=_required_dea(
            distributor_dea,
            "distributor_dea",
            "Enter the reverse distributor's DEA registration number.",
        ),
        address=distributor_address,
        reason=reason,
        request=request,
    )


def report_loss(
    *,
    actor: User,
    lot: Lot,
    location: StorageLocation,
    quantity: Any,
    kind: str,
    discovered_at: dt.datetime,
    description: str,
    police_report: str = "",
    request: Any = None,
) -> LossCase:
    """A loss or theft: the missing stock leaves the ledger and a case opens with its DEA
    deadlines (notification within one business day, Form 106 within 45 days)."""
    _require(actor, LEDGER_STAFF)
    _load(actor, lot, location)
    quantity = to_quantity(quantity, product=lot.product)
    description = _required_text(description, "description", "description of what happened")
    if kind not in LossKind.values:
        raise LedgerRefusal("Choose loss or theft.", code=Refusal.INVALID_VALUE, field="kind")
    now = timezone.now()
    if discovered_at > now:
        raise LedgerRefusal(
            "The discovery time cannot be in the future.",
            code=Refusal.INVALID_VALUE,
            field="discovered_at",
        )
    local = timezone.localtime(discovered_at, ZoneInfo(actor.clinic.timezone))
    with transaction.atomic():
        entry = _append(
            actor=actor,
            kind=EntryKind.LOSS,
            lot=lot,
            location=location,
            quantity=-quantity,
            reason=f"{LossKind(kind).label}: {description}",
            document_number=police_report,
        )
        case = LossCase.objects.create(
            clinic=actor.clinic,
            dea_registration=entry.dea_registration,
            entry=entry,
            kind=kind,
            discovered_at=discovered_at,
            description=description,
            police_report=police_report,
            dea_notify_due=deadlines.dea_notification_due(local),
            form_106_due=deadlines.form_106_due(local),
        )
        _audit_entry(entry, actor=actor, request=request, detail=f"loss case {case.pk}")
    return case


def record_correction(
    *, actor: User, entry: LedgerEntry, quantity_change: Any, reason: str, request: Any = None
) -> LedgerEntry:
    """A correction never edits the entry: it is a new entry, linked to it, whose signed
    quantity changes the same lot and location, with the reason in words."""
    _require(actor, LEDGER_STAFF)
    _same_clinic(actor, entry)
    if entry.actor_id != actor.pk and not has_role(actor, *LEDGER_ADMINS):
        raise LedgerRefusal(
            "Only the person who recorded an entry, or an administrator, may correct it.",
            code=Refusal.INVALID_VALUE,
        )
    try:
        change = Decimal(str(quantity_change).strip())
    except (InvalidOperation, ValueError):
        raise LedgerRefusal(
            "Enter a number, negative to take stock out.",
            code=Refusal.INVALID_QUANTITY,
            field="quantity_change",
        ) from None
    if not change.is_finite() or change == 0 or change != change.quantize(THOUSANDTH):
        raise LedgerRefusal(
            "Enter a change other than zero, with at most three decimal places.",
            code=Refusal.INVALID_QUANTITY,
            field="quantity_change",
        )
    to_quantity(abs(change), field="quantity_change", product=entry.lot.product)
    reason = _required_text(reason, "reason", "reason for the correction")
    with transaction.atomic():
        correction = _append(
            actor=actor,
            kind=EntryKind.CORRECTION,
            lot=entry.lot,
            location=entry.location,
            quantity=change.quantize(THOUSANDTH),
            reason=reason,
            corrects_id=entry.pk,
            patient_id=entry.patient_id,
        )
        _audit_entry(correction, actor=actor, request=request, detail=f"corrects #{entry.seq}")
    return correction


# --- counts and investigations ------------------------------------------------------------


def record_count(
    *,
    actor: User,
    location: StorageLocation,
    kind: str,
    counted: dict[int, Any],
    second_counter: User | None,
    second_counter_password: str,
    notes: str = "",
    request: Any = None,
) -> InventoryCount:
    """A physical count by two staff members. Each lot at the location is compared with the
    book balance at the moment of the count; every difference opens an investigation."""
    _require(actor, LEDGER_STAFF)
    _same_clinic(actor, location)
    if kind not in CountKind.values:
        raise LedgerRefusal("Choose the kind of count.", code=Refusal.INVALID_VALUE, field="kind")
    amounts: dict[int, Decimal] = {}
    for lot_id, value in counted.items():
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(THOUSANDTH):
            raise LedgerRefusal(
                "Enter what you counted: zero or more, at most three decimal places.",
                code=Refusal.INVALID_QUANTITY,
                field=f"lot_{lot_id}",
            )
        amounts[int(lot_id)] = amount.quantize(THOUSANDTH)
    second = verify_second_person(
        actor=actor,
        person=second_counter,
        password=second_counter_password,
        field="second_counter",
        what="second counter",
    )
    with transaction.atomic():
        dea = _dea(actor.clinic)
        _lock_head(actor.clinic)
        balances = {
            b.lot_id: b
            for b in StockBalance.objects.filter(location=location).select_related("lot__product")
        }
        missing = set(balances) - set(amounts)
        missing = {lot_id for lot_id in missing if balances[lot_id].quantity != 0}
        if missing:
            raise LedgerRefusal(
                "Count every lot held at this location (the list changed: reload the form).",
                code=Refusal.INVALID_VALUE,
            )
        unknown = set(amounts) - set(balances)
        if unknown:
            raise Http404("No such lot at this location.")
        now = timezone.now()
        count = InventoryCount.objects.create(
            clinic=actor.clinic,
            dea_registration=dea,
            location=location,
            kind=kind,
            counted_at=now,
            counted_by=actor,
            second_counter=second,
            notes=(notes or "").strip(),
        )
        discrepancies = 0
        for lot_id, amount in sorted(amounts.items()):
            line = InventoryCountLine.objects.create(
                count=count, lot_id=lot_id, expected=balances[lot_id].quantity, counted=amount
            )
            if line.counted != line.expected:
                discrepancies += 1
                Investigation.objects.create(
                    clinic=actor.clinic, dea_registration=dea, count_line=line, opened_at=now
                )
        record(
            actor=actor,
            action="create",
            obj=count,
            request=request,
            detail=f"{count.get_kind_display()} count of {location.name} with {second.email}: "
            f"{len(amounts)} lots, {discrepancies} discrepancies",
        )
    return count


def resolve_investigation(
    *, actor: User, investigation: Investigation, explanation: str, request: Any = None
) -> Investigation:
    """An administrator closes a discrepancy: the explanation, and an adjustment entry that
    brings the book to what was counted."""
    _require(actor, LEDGER_ADMINS)
    _same_clinic(actor, investigation)
    explanation = _required_text(explanation, "explanation", "explanation")
    with transaction.atomic():
        _lock_head(actor.clinic)
        investigation = Investigation.objects.select_for_update().get(pk=investigation.pk)
        if investigation.status != InvestigationStatus.OPEN:
            raise LedgerRefusal(
                "This investigation is already resolved.", code=Refusal.ALREADY_RESOLVED
            )
        line = investigation.count_line
        adjustment = _append(
            actor=actor,
            kind=EntryKind.ADJUSTMENT,
            lot=line.lot,
            location=line.count.location,
            quantity=line.difference,
            reason=explanation,
            investigation_id=investigation.pk,
        )
        investigation.status = InvestigationStatus.RESOLVED
        investigation.explanation = explanation
        investigation.resolved_by = actor
        investigation.resolved_at = adjustment.recorded_at
        investigation.adjustment = adjustment
        investigation.save()
        _audit_entry(
            adjustment,
            actor=actor,
            request=request,
            detail=f"resolves investigation {investigation.pk}",
        )
    return investigation


def update_loss_case(
    *,
    actor: User,
    case: LossCase,
    dea_notified_at: dt.datetime | None = None,
    form_106_filed_on: dt.date | None = None,
    form_106_number: str = "",
    close: bool = False,
    request: Any = None,
) -> LossCase:
    """Record the follow-up of a loss: DEA notified, Form 106 filed, case closed."""
    _require(actor, LEDGER_ADMINS)
    _same_clinic(actor, case)
    now = timezone.now()
    changed = []
    with transaction.atomic():
        case = LossCase.objects.select_for_update().get(pk=case.pk)
        if dea_notified_at is not None and case.dea_notified_at is None:
            if dea_notified_at > now or dea_notified_at < case.discovered_at:
                raise LedgerRefusal(
                    "The notification time must be between the discovery and now.",
                    code=Refusal.INVALID_VALUE,
                    field="dea_notified_at",
                )
            case.dea_notified_at = dea_notified_at
            changed.append("dea_notified_at")
        if form_106_filed_on is not None and case.form_106_filed_on is None:
            if form_106_filed_on > clinic_today(actor.clinic):
                raise LedgerRefusal(
                    "The filing date cannot be in the future.",
                    code=Refusal.INVALID_VALUE,
                    field="form_106_filed_on",
                )
            case.form_106_filed_on = form_106_filed_on
            case.form_106_number = (form_106_number or "").strip()
            changed += ["form_106_filed_on", "form_106_number"]
        if close and case.closed_at is None:
            if case.dea_notified_at is None or case.form_106_filed_on is None:
                raise LedgerRefusal(
                    "A case closes once DEA has been notified and Form 106 filed.",
                    code=Refusal.INVALID_VALUE,
                    field="close",
                )
            case.closed_at = now
            changed.append("closed_at")
        if changed:
            case.save(update_fields=changed)
        record(
            actor=actor,
            action="update",
            obj=case,
            request=request,
            detail="loss case: " + (", ".join(changed) or "no change"),
        )
    return case


# --- set-up ------------------------------------------------------------------------------


def create_product(
    *,
    actor: User,
    name: str,
    form: str,
    concentration_mg_per_ml: Decimal | None = None,
    volume_ml: Decimal | None = None,
    strength_mg: Decimal | None = None,
    ndc: str = "",
    request: Any = None,
) -> Product:
    _require(actor, LEDGER_ADMINS)
    name = _required_text(name, "name", "product name")
    if form == ProductForm.VIAL:
        if not concentration_mg_per_ml or concentration_mg_per_ml <= 0:
            raise LedgerRefusal(
                "Enter the concentration in mg/mL.",
                code=Refusal.INVALID_VALUE,
                field="concentration_mg_per_ml",
            )
        if not volume_ml or volume_ml <= 0:
            raise LedgerRefusal(
                "Enter the vial volume in mL.", code=Refusal.INVALID_VALUE, field="volume_ml"
            )
        mg_per_unit, strength_mg = concentration_mg_per_ml, None
    elif form in (ProductForm.TROCHE, ProductForm.NASAL_DEVICE):
        if not strength_mg or strength_mg <= 0:
            raise LedgerRefusal(
                "Enter the strength in mg.", code=Refusal.INVALID_VALUE, field="strength_mg"
            )
        mg_per_unit, concentration_mg_per_ml, volume_ml = strength_mg, None, None
    else:
        raise LedgerRefusal("Choose the form.", code=Refusal.INVALID_VALUE, field="form")
    with transaction.atomic():
        dea = _dea(actor.clinic)
        if Product.objects.filter(clinic=actor.clinic, name__iexact=name).exists():
            raise LedgerRefusal(
                "A product with this name exists.", code=Refusal.INVALID_VALUE, field="name"
            )
        product = Product.objects.create(
            clinic=actor.clinic,
            dea_registration=dea,
            name=name,
            form=form,
            unit=UNIT_FOR_FORM[ProductForm(form)],
            mg_per_unit=mg_per_unit,
            concentration_mg_per_ml=concentration_mg_per_ml,
            volume_ml=volume_ml,
            strength_mg=strength_mg,
            ndc=(ndc or "").strip(),
        )
        record(actor=actor, action="create", obj=product, request=request, detail=name)
    return product


def create_location(*, actor: User, name: str, kind: str, request: Any = None) -> StorageLocation:
    _require(actor, LEDGER_ADMINS)
    name = _required_text(name, "name", "location name")
    with transaction.atomic():
        dea = _dea(actor.clinic)
        if StorageLocation.objects.filter(clinic=actor.clinic, name__iexact=name).exists():
            raise LedgerRefusal(
                "A location with this name exists.", code=Refusal.INVALID_VALUE, field="name"
            )
        location = StorageLocation.objects.create(
            clinic=actor.clinic, dea_registration=dea, name=name, kind=kind
        )
        record(actor=actor, action="create", obj=location, request=request, detail=name)
    return location


def update_ledger_settings(
    *, actor: User, dea_registration: str, require_opening_count: bool, request: Any = None
) -> LedgerSettings:
    """The clinic's DEA registration number and whether the opening count gates dosing."""
    _require(actor, LEDGER_ADMINS)
    number = _required_dea(
        dea_registration,
        "dea_registration",
        "Enter a valid DEA registration number: two letters and seven digits, the last a "
        "check digit (e.g. AB1234563).",
    )
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=actor.clinic_id)
        changed = []
        if clinic.dea_registration != number:
            changed.append(f"DEA registration {clinic.dea_registration or '(none)'} -> {number}")
            clinic.dea_registration = number
            clinic.save(update_fields=["dea_registration"])
        current, _ = LedgerSettings.objects.get_or_create(
            clinic=clinic,
            defaults={"require_opening_count": settings.LEDGER_REQUIRE_OPENING_COUNT},
        )
        if current.require_opening_count != require_opening_count:
            changed.append(f"opening count required: {require_opening_count}")
            current.require_opening_count = require_opening_count
            current.save()
        record(
            actor=actor,
            action="update",
            obj=current,
            request=request,
            detail="; ".join(changed) or "no change",
        )
    actor.clinic.dea_registration = number
    return current


def record_denied(*, request: Any, what: str, refusal: LedgerRefusal) -> None:
    """A refused ledger write leaves a trace in the audit trail (e.g. a wrong witness password)."""
    record(
        request=request,
        action="create",
        obj=("ledger.LedgerEntry", ""),
        outcome=AuditOutcome.DENIED,
        detail=f"{what} refused: {refusal.code}",
    )
