"""Appending to the controlled-substance ledger: what every write shares. An entry is appended
inside the caller's transaction, which locks the clinic's chain head (select_for_update on
PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers), checks the (lot,
location) balance in that same transaction, writes the hash-chained entry, updates the balance
row, and is audited before it commits. A refused write raises `Refusal` with one of the stable
codes of `Code`, the form field it concerns and a message a person can act on; nothing is saved."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketacare.accounts.models import Clinic, User
from ketacare.audit.hashchain import GENESIS_HASH
from ketacare.audit.log import AuditOutcome, record
from ketacare.core import policy
from ketacare.core.errors import Refusal

from ..chain import entry_hash
from ..dea import is_valid_dea_number
from ..models import (
    GATE_COUNT_KINDS,
    THOUSANDTH,
    ChainHead,
    InventoryCount,
    LedgerEntry,
    Lot,
    Product,
    ProductForm,
    StockBalance,
    StorageLocation,
)
from ..selectors import actor_clinic, clinic_today, ledger_settings

if TYPE_CHECKING:
    from ketacare.patients.models import Patient


class Code:
    """Stable reason codes of a refused ledger write (`Refusal.code`)."""

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
    PATIENT_ADDRESS_REQUIRED = "patient_address_required"


# --- checks a write makes before it appends ------------------------------------------------


def dea_registration(clinic: Clinic) -> str:
    """The clinic's DEA number, printed on every row; nothing is recorded without one."""
    if not clinic.dea_registration:
        raise Refusal(
            "This clinic has no DEA registration number on file: an administrator must enter "
            "it in the ledger settings before anything can be recorded.",
            code=Code.NO_DEA_REGISTRATION,
        )
    return clinic.dea_registration


def to_quantity(value: Any, *, field: str = "quantity", product: Product | None = None) -> Decimal:
    """A positive amount in the product's unit, to the thousandth; whole devices only."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise Refusal("Enter a number.", code=Code.INVALID_QUANTITY, field=field) from None
    if not quantity.is_finite() or quantity <= 0:
        raise Refusal("Enter an amount greater than zero.", code=Code.INVALID_QUANTITY, field=field)
    if quantity != quantity.quantize(THOUSANDTH):
        raise Refusal("Use at most three decimal places.", code=Code.INVALID_QUANTITY, field=field)
    if quantity >= Decimal("1e9"):
        raise Refusal("That amount is too large.", code=Code.INVALID_QUANTITY, field=field)
    if product is not None and product.form == ProductForm.NASAL_DEVICE and quantity % 1:
        raise Refusal(
            "Nasal spray devices are counted whole: enter a whole number of devices.",
            code=Code.INVALID_QUANTITY,
            field=field,
        )
    return quantity.quantize(THOUSANDTH)


def required_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Refusal(f"Enter the {label}.", code=Code.INVALID_VALUE, field=field)
    return value


def required_dea(value: str, field: str, message: str) -> str:
    """The DEA registration number, upper-cased, or a refusal with `message` on `field`."""
    number = (value or "").strip().upper()
    if not is_valid_dea_number(number):
        raise Refusal(message, code=Code.INVALID_VALUE, field=field)
    return number


def check_in_use(*locations: StorageLocation) -> None:
    for location in locations:
        if not location.active:
            raise Refusal(
                f"{location.name} is no longer in use.", code=Code.INACTIVE, field="location"
            )


def chosen_patient(actor: User, patient: Patient | None) -> Patient:
    """The patient a dose or dispensing is for: chosen, and one of the actor's clinic."""
    if patient is None:
        raise Refusal("Choose the patient.", code=Code.INVALID_VALUE, field="patient")
    policy.require(actor, policy.VIEW_PATIENT, patient, what="No such patient.")
    return patient


def check_not_expired(lot: Lot, clinic: Clinic, what: str) -> None:
    today = clinic_today(clinic)
    if lot.expires_on < today:
        raise Refusal(
            f"Lot {lot.lot_number} expired on {lot.expires_on:%Y-%m-%d}: it cannot be {what}. "
            "Waste it with a witness or return it for disposal.",
            code=Code.LOT_EXPIRED,
            field="lot",
        )


def check_opening_count(clinic: Clinic, location: StorageLocation) -> None:
    """When the clinic gates dosing on it: today's opening count of `location` is done."""
    if not ledger_settings(clinic).require_opening_count:
        return
    tz = ZoneInfo(clinic.timezone)
    start = dt.datetime.combine(clinic_today(clinic), dt.time.min, tzinfo=tz)
    done = InventoryCount.objects.filter(
        location=location, kind__in=list(GATE_COUNT_KINDS), counted_at__gte=start
    ).exists()
    if not done:
        raise Refusal(
            f"Today's opening count of {location.name} has not been done: two staff members "
            "must count it before anything is administered or dispensed from it.",
            code=Code.OPENING_COUNT_REQUIRED,
            field="location",
        )


# --- the chain ----------------------------------------------------------------------------


def mg(quantity: Decimal, product: Product) -> Decimal:
    return (quantity * product.mg_per_unit).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def describe(quantity: Decimal, product: Product) -> str:
    return f"{quantity.normalize():f} {product.unit} ({mg(quantity, product).normalize():f} mg)"


def lock_head(clinic: Clinic) -> ChainHead:
    """Lock the clinic's chain head (creating it on the first write): writers queue here."""
    head = ChainHead.objects.select_for_update().filter(clinic=clinic).first()
    if head is None:
        try:
            with transaction.atomic():
                ChainHead.objects.create(clinic=clinic, entry_count=0, last_hash=GENESIS_HASH)
        except IntegrityError:
            pass  # another writer created it first; lock theirs
        head = ChainHead.objects.select_for_update().get(clinic=clinic)
    return head


def append(
    *,
    actor: User,
    kind: str,
    lot: Lot,
    location: StorageLocation,
    quantity: Decimal,
    **fields: Any,
) -> LedgerEntry:
    """Append one entry: must run inside the caller's transaction. `quantity` is signed."""
    clinic = actor_clinic(actor)
    dea = dea_registration(clinic)
    head = lock_head(clinic)
    balance = StockBalance.objects.select_for_update().filter(lot=lot, location=location).first()
    if balance is None:
        balance = StockBalance(
            clinic=clinic, dea_registration=dea, lot=lot, location=location, quantity=Decimal(0)
        )
    new_balance = (balance.quantity + quantity).quantize(THOUSANDTH)
    if new_balance < 0:
        product = lot.product
        raise Refusal(
            f"Insufficient stock: {location.name} holds {describe(balance.quantity, product)} of "
            f"lot {lot.lot_number}, less than the {describe(-quantity, product)} requested. "
            "Nothing was recorded.",
            code=Code.INSUFFICIENT_STOCK,
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
        "quantity_mg": mg(quantity, lot.product),
        "balance_after": new_balance,
        "recorded_at": timezone.now(),
        "actor_id": actor.pk,
        "witness_id": None,
        "patient_id": None,
        "patient_name": "",
        "patient_address": "",
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
        "patient_name",
        "patient_address",
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


def audit_entry(entry: LedgerEntry, *, actor: User, detail: str = "") -> None:
    product = entry.lot.product
    text = (
        f"{entry.get_kind_display()} #{entry.seq}: {describe(entry.amount, product)} "
        f"lot {entry.lot.lot_number}"
    )
    record(
        actor=actor,
        action="create",
        obj=entry,
        patient=entry.patient_id,
        detail=(text + (f"; {detail}" if detail else ""))[:500],
    )


def record_denied(*, what: str, refusal: Refusal, actor: Any = None) -> None:
    """A refused ledger write leaves a trace in the audit trail (e.g. a wrong witness password).
    The actor, IP and path come from the audit context when not given."""
    record(
        actor=actor,
        action="create",
        obj=("ledger.LedgerEntry", ""),
        outcome=AuditOutcome.DENIED,
        detail=f"{what} refused: {refusal.code}",
    )
