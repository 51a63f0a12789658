"""The controlled-substance ledger (ketamine, DEA Schedule III): products, lots, storage
locations, the append-only hash-chained entries, per-(lot, location) balances, counts,
discrepancy investigations and loss/theft cases. Every record carries the clinic's DEA
registration number as it was when the record was made."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketacare.audit.appendonly import AppendOnlyError  # noqa: F401  (ledger callers import it here)

# Product units (mL, troches, devices).
QUANTITY: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}
MG: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
THOUSANDTH = Decimal("0.001")


class ProductForm(models.TextChoices):
    VIAL = "vial", "Ketamine HCl vial (injectable)"
    TROCHE = "troche", "Sublingual troche"
    NASAL_DEVICE = "nasal_device", "Esketamine nasal spray device"


# The unit each form is counted in: vials by the mL (doses are drawn from them), troches and
# nasal devices one by one.
UNIT_FOR_FORM = {
    ProductForm.VIAL: "mL",
    ProductForm.TROCHE: "troche",
    ProductForm.NASAL_DEVICE: "device",
}


class Product(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    name = models.CharField(max_length=120)
    form = models.CharField(max_length=20, choices=ProductForm.choices)
    unit = models.CharField(max_length=10)
    mg_per_unit = models.DecimalField(max_digits=10, decimal_places=3)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True
    )
    volume_ml = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    strength_mg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    ndc = models.CharField("NDC", max_length=20, blank=True, default="")
    schedule = models.CharField(max_length=5, default="CIII")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="ledger_product_name_unique"),
            models.CheckConstraint(
                condition=Q(mg_per_unit__gt=0), name="ledger_product_mg_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_esketamine(self) -> bool:
        return self.form == ProductForm.NASAL_DEVICE


class LocationKind(models.TextChoices):
    SAFE = "safe", "Safe / locked cabinet"
    CART = "cart", "Treatment cart"
    OTHER = "other", "Other secure storage"


class StorageLocation(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=LocationKind.choices, default=LocationKind.SAFE)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="ledger_location_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_on", "lot_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="ledger_lot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number}"


class EntryKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    ADMINISTRATION = "administration", "Administration"
    DISPENSING = "dispensing", "Dispensing (home use)"
    WASTE = "waste", "Waste"
    RETURN_TO_SUPPLIER = "return_to_supplier", "Return to supplier"
    REVERSE_DISTRIBUTOR = "reverse_distributor", "Disposal by reverse distributor"
    LOSS = "loss", "Loss or theft"
    ADJUSTMENT = "adjustment", "Count adjustment"
    CORRECTION = "correction", "Correction"


INBOUND_KINDS = frozenset({EntryKind.RECEIPT, EntryKind.TRANSFER_IN})
OUTBOUND_KINDS = frozenset(
    {
        EntryKind.TRANSFER_OUT,
        EntryKind.ADMINISTRATION,
        EntryKind.DISPENSING,
        EntryKind.WASTE,
        EntryKind.RETURN_TO_SUPPLIER,
        EntryKind.REVERSE_DISTRIBUTOR,
        EntryKind.LOSS,
    }
)
# Adjustments and corrections carry their own sign.


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Ledger entries are append-only; record a correction instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Ledger entries are append-only; they cannot be deleted.")

    def bulk_create(self, *args: object, **kwargs: object) -> NoReturn:
        raise AppendOnlyError("Write ledger entries through ketacare.ledger.services.")


class LedgerEntry(models.Model):
    """One movement of stock at one (lot, location). `quantity` is the signed change in the
    product's unit (+ into stock, - out of it); `quantity_mg` the same in mg; `balance_after`
    the (lot, location) balance once this entry is applied, as a paper log's last column.
    `seq` numbers the clinic's entries 1, 2, 3... and `hash` chains each to the one before."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="entries")
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="entries")
    quantity = models.DecimalField(**QUANTITY)
    quantity_mg = models.DecimalField(**MG)
    balance_after = models.DecimalField(**QUANTITY)
    recorded_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The patient's name and address as they were when the dose was given or dispensed
    # (21 CFR 1304.22(c)); blank on entries written before the ledger kept them.
    patient_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    patient_address = models.TextField(blank=True, default="", db_default="")
    # Hook for treatment sessions (ketacare.treatments), which do not exist yet: the id of the
    # TreatmentSession an administration belongs to. A later migration can turn this into
    # `treatment_session = ForeignKey(...)`, whose column has this very name.
    treatment_session_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Supplier (receipt, return), reverse distributor (disposal): who, their DEA number and
    # address, and the invoice / DEA Form 41 or other document number.
    counterparty_name = models.CharField(max_length=200, blank=True, default="")
    counterparty_dea = models.CharField(max_length=20, blank=True, default="")
    counterparty_address = models.CharField(max_length=300, blank=True, default="")
    document_number = models.CharField(max_length=60, blank=True, default="")
    received_on = models.DateField(null=True, blank=True)
    directions = models.CharField(max_length=500, blank=True, default="")
    reason = models.CharField(max_length=1000, blank=True, default="")
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    related_entry = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    investigation = models.ForeignKey(
        "Investigation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["clinic", "seq"], name="ledger_entry_seq_unique"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_entry_balance_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(EntryKind.values)), name="ledger_entry_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(INBOUND_KINDS)) | Q(quantity__gt=0),
                name="ledger_entry_inbound_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(OUTBOUND_KINDS)) | Q(quantity__lt=0),
                name="ledger_entry_outbound_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.WASTE)
                | (Q(witness__isnull=False) & ~Q(witness=models.F("actor"))),
                name="ledger_waste_witnessed",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[EntryKind.ADMINISTRATION, EntryKind.DISPENSING])
                | Q(patient__isnull=False),
                name="ledger_patient_required",
            ),
        ]
        indexes = [
            models.Index(fields=["lot", "seq"], name="ledger_entry_lot_seq"),
            models.Index(fields=["patient", "seq"], name="ledger_entry_patient_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.quantity} {self.lot_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Ledger entries are append-only; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Ledger entries are append-only; they cannot be deleted.")

    @property
    def amount(self) -> Decimal:
        return abs(self.quantity)

    @property
    def amount_mg(self) -> Decimal:
        return abs(self.quantity_mg)


class StockBalance(models.Model):
    """What the entries add up to at one (lot, location), kept in step with them in the same
    transaction; it is the row an administration checks (and locks) before taking stock."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="balances")
    quantity = models.DecimalField(**QUANTITY, default=Decimal("0"))
    last_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["lot__product__name", "lot__expires_on", "location__name"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "location"], name="ledger_balance_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="ledger_balance_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.lot} at {self.location}: {self.quantity}"

    @property
    def quantity_mg(self) -> Decimal:
        return (self.quantity * self.lot.product.mg_per_unit).quantize(THOUSANDTH)


class ChainHead(models.Model):
    """The end of a clinic's chain (last hash, entry count). Every append locks this row first,
    which serialises a clinic's ledger writes on PostgreSQL (SQLite's IMMEDIATE transactions
    already do), and it lets verify notice entries removed from the end of the chain."""

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="ledger_head"
    )
    entry_count = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.entry_count} entries"


class LedgerSettings(models.Model):
    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="ledger_settings"
    )
    require_opening_count = models.BooleanField(
        default=True,
        help_text="Refuse administration and dispensing from a location until that day's "
        "opening count there is done.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Ledger settings of clinic {self.clinic_id}"


class CountKind(models.TextChoices):
    OPENING = "opening", "Opening (start of day)"
    SHIFT = "shift", "Shift change"
    CLOSING = "closing", "Closing (end of day)"
    BIENNIAL = "biennial", "Biennial inventory"
    ON_DEMAND = "on_demand", "On-demand inventory"


# Counts that open the day's gate for administration at their location.
GATE_COUNT_KINDS = frozenset(
    {CountKind.OPENING, CountKind.SHIFT, CountKind.BIENNIAL, CountKind.ON_DEMAND}
)


class InventoryCount(models.Model):
    """A physical count of one location by two staff members. Never changed once written."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="counts")
    kind = models.CharField(max_length=12, choices=CountKind.choices)
    counted_at = models.DateTimeField(db_index=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    second_counter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["-counted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(second_counter=models.F("counted_by")), name="ledger_count_two_people"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} count of {self.location} at {self.counted_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Counts are never changed once recorded.")
        super().save(*args, **kwargs)


class InventoryCountLine(models.Model):
    count = models.ForeignKey(InventoryCount, on_delete=models.PROTECT, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    expected = models.DecimalField(**QUANTITY)
    counted = models.DecimalField(**QUANTITY)

    class Meta:
        ordering = ["lot__product__name", "lot__lot_number"]
        constraints = [
            models.UniqueConstraint(fields=["count", "lot"], name="ledger_count_line_unique"),
            models.CheckConstraint(condition=Q(counted__gte=0), name="ledger_count_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.lot}: counted {self.counted}, book {self.expected}"

    @property
    def difference(self) -> Decimal:
        return self.counted - self.expected

    @property
    def difference_mg(self) -> Decimal:
        return (self.difference * self.lot.product.mg_per_unit).quantize(THOUSANDTH)


class InvestigationStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Investigation(models.Model):
    """Opened by a count that did not match the book; an admin resolves it with an
    explanation and an adjustment entry that brings the book to what was counted."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    count_line = models.OneToOneField(
        InventoryCountLine, on_delete=models.PROTECT, related_name="investigation"
    )
    opened_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=InvestigationStatus.choices, default=InvestigationStatus.OPEN
    )
    explanation = models.CharField(max_length=2000, blank=True, default="")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    adjustment = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=InvestigationStatus.OPEN)
                | (
                    Q(resolved_by__isnull=False) & Q(resolved_at__isnull=False) & ~Q(explanation="")
                ),
                name="ledger_investigation_resolution_complete",
            )
        ]

    def __str__(self) -> str:
        return f"Investigation {self.pk} ({self.get_status_display()})"


class LossKind(models.TextChoices):
    LOSS = "loss", "Loss"
    THEFT = "theft", "Theft"
    IN_TRANSIT = "in_transit", "Lost in transit"


class LossCase(models.Model):
    """A loss or theft: DEA must be told in writing within one business day of discovery
    (21 CFR 1301.76(b)) and DEA Form 106 filed within 45 days."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_registration = models.CharField("DEA registration number", max_length=20)
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="loss_case")
    kind = models.CharField(max_length=12, choices=LossKind.choices)
    discovered_at = models.DateTimeField()
    description = models.CharField(max_length=2000)
    police_report = models.CharField(max_length=100, blank=True, default="")
    dea_notify_due = models.DateTimeField()
    form_106_due = models.DateField()
    dea_notified_at = models.DateTimeField(null=True, blank=True)
    form_106_filed_on = models.DateField(null=True, blank=True)
    form_106_number = models.CharField(max_length=60, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-discovered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} case {self.pk}"
