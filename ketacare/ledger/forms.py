"""Ledger forms: validated at the edge (types, required fields, ranges); the rules that need
the database (stock, expiry, witness password, opening count) are the services' and come back
as errors on the field they concern."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ketacare.core.forms import form_field
from ketacare.patients.selectors import patients_visible_to

from . import selectors
from .models import CountKind, EntryKind, LocationKind, LossKind, Lot, ProductForm


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lot) -> str:
        return (
            f"{obj.product.name} — lot {obj.lot_number} (expires {obj.expires_on:%Y-%m-%d}), "
            f"counted in {obj.product.unit}"
        )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"


def quantity_field(label: str = "Quantity", **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text=kwargs.pop(
            "help_text", "In the product's unit: mL for vials, troches, or devices."
        ),
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
        **kwargs,
    )


class LedgerForm(forms.Form):
    """Choices scoped to the user's clinic."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            if name in ("lot",):
                field.queryset = selectors.lots(user).order_by("product__name", "expires_on")
            elif name in ("location", "from_location", "to_location"):
                field.queryset = selectors.locations(user, active_only=True)
            elif name == "product":
                field.queryset = selectors.products(user, active_only=True)
            elif name == "patient":
                field.queryset = patients_visible_to(user)
            elif name in ("witness", "second_counter"):
                field.queryset = selectors.witnesses(user)
            elif name == "staff":
                field.queryset = selectors.staff(user)


def _lot() -> LotChoiceField:
    return LotChoiceField(queryset=Lot.objects.none(), label="Lot")


def _location(label: str = "Storage location") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=Lot.objects.none(), label=label)


def _patient(required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=Lot.objects.none(), label="Patient", required=required)


def _dea(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=9, help_text="Two letters and seven digits, e.g. AB1234563."
    )


class ReceiptForm(LedgerForm):
    product = forms.ModelChoiceField(queryset=Lot.objects.none())
    lot_number = forms.CharField(max_length=40)
    expires_on = forms.DateField(label="Expiry date", widget=DateInput())
    location = _location("Stored in")
    quantity = quantity_field("Quantity received")
    received_on = forms.DateField(label="Date received", widget=DateInput())
    supplier_name = forms.CharField(label="Supplier", max_length=200)
    supplier_dea = _dea("Supplier's DEA registration number")
    supplier_address = forms.CharField(label="Supplier's address", max_length=300)
    invoice_number = forms.CharField(label="Invoice number", max_length=60)


class TransferForm(LedgerForm):
    lot = _lot()
    from_location = _location("From")
    to_location = _location("To")
    quantity = quantity_field()
    reason = forms.CharField(max_length=1000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_location") and data.get("from_location") == data.get("to_location"):
            self.add_error("to_location", "Choose a location other than the one it leaves.")
        return data


class AdministrationForm(LedgerForm):
    patient = _patient()
    lot = _lot()
    location = _location("Taken from")
    quantity = quantity_field("Quantity administered")
    treatment_session_id = forms.IntegerField(
        label="Treatment session number",
        required=False,
        min_value=1,
        help_text="Optional: the treatment session this dose belongs to.",
    )
    note = forms.CharField(max_length=1000, required=False, label="Note")


class DispensingForm(LedgerForm):
    patient = _patient()
    lot = _lot()
    location = _location("Taken from")
    quantity = quantity_field("Quantity dispensed")
    directions = forms.CharField(
        label="Directions for use", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class WitnessMixin(forms.Form):
    witness = PersonChoiceField(
        queryset=Lot.objects.none(),
        label="Witness",
        required=False,
        help_text="A second staff member who saw the waste. They type their own password below.",
    )
    witness_password = forms.CharField(
        label="Witness's password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class WasteForm(LedgerForm, WitnessMixin):
    lot = _lot()
    location = _location("Taken from")
    quantity = quantity_field("Quantity wasted")
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. remainder of a vial after a dose, broken vial, expired.",
    )
    patient = _patient(required=False)
    field_order = [
        "lot",
        "location",
        "quantity",
        "reason",
        "patient",
        "witness",
        "witness_password",
    ]


class ReturnForm(LedgerForm):
    lot = _lot()
    location = _location("Taken from")
    quantity = quantity_field("Quantity returned")
    supplier_name = forms.CharField(label="Supplier", max_length=200)
    supplier_dea = _dea("Supplier's DEA registration number")
    supplier_address = forms.CharField(label="Supplier's address", max_length=300, required=False)
    document_number = forms.CharField(label="Invoice or return authorisation number", max_length=60)
    reason = forms.CharField(max_length=1000, required=False)


class DisposalForm(LedgerForm):
    lot = _lot()
    location = _location("Taken from")
    quantity = quantity_field("Quantity handed over")
    distributor_name = forms.CharField(label="Reverse distributor", max_length=200)
    distributor_dea = _dea("Reverse distributor's DEA registration number")
    distributor_address = forms.CharField(
        label="Reverse distributor's address", max_length=300, required=False
    )
    document_number = forms.CharField(label="Invoice or DEA Form 41 number", max_length=60)
    reason = forms.CharField(max_length=1000, required=False)


class LossForm(LedgerForm):
    kind = forms.ChoiceField(choices=LossKind.choices, label="What happened")
    lot = _lot()
    location = _location("Missing from")
    quantity = quantity_field("Quantity missing")
    discovered_at = forms.DateTimeField(
        label="Discovered at", widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    description = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    police_report = forms.CharField(label="Police report number", max_length=100, required=False)


class CorrectionForm(forms.Form):
    quantity_change = forms.DecimalField(
        label="Change to the balance",
        max_digits=12,
        decimal_places=3,
        help_text="Positive puts stock back (e.g. 0.5 if 0.5 mL too much was recorded as given); "
        "negative takes it out.",
        widget=forms.NumberInput(attrs={"step": "0.001"}),
    )
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_quantity_change(self) -> Decimal:
        value: Decimal = self.cleaned_data["quantity_change"]
        if value == 0:
            raise forms.ValidationError("Enter a change other than zero.")
        return value


class CountStartForm(LedgerForm):
    location = _location("Location to count")
    kind = forms.ChoiceField(choices=CountKind.choices, label="Kind of count")


class CountForm(LedgerForm):
    """One field per lot held at the location, then the second counter and their password."""

    second_counter = PersonChoiceField(
        queryset=Lot.objects.none(),
        label="Second counter",
        required=False,
        help_text="The staff member counting with you. They type their own password below.",
    )
    second_counter_password = forms.CharField(
        label="Second counter's password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    notes = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, balances: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        lot_fields = {}
        for balance in balances:
            lot = balance.lot
            lot_fields[f"lot_{lot.pk}"] = forms.DecimalField(
                label=f"{lot.product.name}, lot {lot.lot_number} ({lot.product.unit})",
                max_digits=12,
                decimal_places=3,
                min_value=Decimal(0),
                help_text=f"Expires {lot.expires_on:%Y-%m-%d}. Count what is physically there.",
                widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
            )
        self.fields = {**lot_fields, **self.fields}
        self.lot_field_names = list(lot_fields)

    def counted(self) -> dict[int, Decimal]:
        return {int(name[4:]): self.cleaned_data[name] for name in self.lot_field_names}


class ResolveForm(forms.Form):
    explanation = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What caused the difference. The book is adjusted to what was counted.",
    )


class LossCaseForm(forms.Form):
    dea_notified_at = forms.DateTimeField(
        label="DEA notified at",
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    form_106_filed_on = forms.DateField(
        label="DEA Form 106 filed on", required=False, widget=DateInput()
    )
    form_106_number = forms.CharField(label="Form 106 reference", max_length=60, required=False)
    close = forms.BooleanField(label="Close the case", required=False)


class ProductCreateForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="E.g. Ketamine HCl 50 mg/mL, 10 mL vial.")
    form = forms.ChoiceField(choices=ProductForm.choices)
    concentration_mg_per_ml = forms.DecimalField(
        label="Concentration (mg/mL)",
        required=False,
        max_digits=10,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="Vials only.",
    )
    volume_ml = forms.DecimalField(
        label="Vial volume (mL)",
        required=False,
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="Vials only.",
    )
    strength_mg = forms.DecimalField(
        label="Strength (mg per troche or device)",
        required=False,
        max_digits=10,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="Troches and nasal devices.",
    )
    ndc = forms.CharField(label="NDC", max_length=20, required=False)


class LocationForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=LocationKind.choices)


class SettingsForm(forms.Form):
    dea_registration = forms.CharField(
        label="Clinic's DEA registration number",
        max_length=9,
        help_text="Printed on every ledger record and report.",
    )
    require_opening_count = forms.BooleanField(
        label="Require the day's opening count before administering or dispensing from a location",
        required=False,
    )


class EntryFilterForm(LedgerForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Lot, product, patient, supplier, document, reason or entry number.",
    )
    kind = forms.ChoiceField(choices=[("", "Any entry")] + list(EntryKind.choices), required=False)
    product = forms.ModelChoiceField(
        queryset=Lot.objects.none(), required=False, empty_label="Any product"
    )
    lot = LotChoiceField(queryset=Lot.objects.none(), required=False, empty_label="Any lot")
    location = forms.ModelChoiceField(
        queryset=Lot.objects.none(), required=False, empty_label="Any location"
    )
    staff = PersonChoiceField(queryset=Lot.objects.none(), required=False, empty_label="Anyone")
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "product", forms.ModelChoiceField).queryset = selectors.products(user)
        form_field(self, "location", forms.ModelChoiceField).queryset = selectors.locations(user)


class PeriodForm(LedgerForm):
    date_from = forms.DateField(label="From", widget=DateInput())
    date_to = forms.DateField(label="To", widget=DateInput())
    product = forms.ModelChoiceField(
        queryset=Lot.objects.none(), required=False, empty_label="All products"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "product", forms.ModelChoiceField).queryset = selectors.products(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        if start and end and (end - start).days > 3 * 366:
            self.add_error("date_to", "Choose a period of at most three years.")
        return data


class StaffPeriodForm(forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())


class LotPickForm(LedgerForm):
    lot = _lot()


class PatientPickForm(LedgerForm):
    patient = _patient()
