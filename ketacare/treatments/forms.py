"""Forms for orders, scheduling and each step of a session. They check the shape of what was
typed; the services check the rules (and their errors come back onto these forms)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.monitoring_schedule import MOAAS_SCALE, PREGNANCY_ANSWERS
from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.core.forms import form_field

from .models import (
    Chair,
    EventCategory,
    EventKind,
    OrderStatus,
    Severity,
    TimePoint,
    TreatmentOrder,
    TreatmentSettings,
)

if TYPE_CHECKING:
    from ketacare.accounts.models import User
    from ketacare.ledger.models import Lot, StorageLocation
    from ketacare.protocols.models import ClinicProtocol


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _number(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", **attrs})


def _vital(measure: str, label: str) -> forms.IntegerField:
    """An optional reading, refused (in the service's words) outside its plausible range."""
    plausible = PLAUSIBLE[measure]

    def check(value: int) -> None:
        problem = plausible.problem(value)
        if problem is not None:
            raise forms.ValidationError(problem, code="implausible")

    return forms.IntegerField(label=label, required=False, widget=_number(), validators=[check])


YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class _ProtocolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ClinicProtocol) -> str:
        return (
            f"{obj.title} (v{obj.version}; {obj.standard_dose.normalize():f} {obj.dose_unit}"
            " standard)"
        )


class _OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TreatmentOrder) -> str:
        return f"{obj.patient.full_name} – {obj.protocol.title} (order #{obj.pk})"


class _LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lot) -> str:
        return f"{obj.product.name} – lot {obj.lot_number} (expires {obj.expires_on:%Y-%m-%d})"


class OrderForm(forms.Form):
    protocol = _ProtocolChoiceField(queryset=None, empty_label="Choose a protocol")
    starting_dose = forms.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="In the protocol's unit: mg/kg for weight-based protocols, else mg.",
    )
    titration_plan = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="How the dose should change over the course, and when to stop.",
    )
    sessions_planned = forms.IntegerField(
        label="Number of sessions", min_value=1, max_value=100, initial=6
    )
    start_date = forms.DateField(widget=DateInput())
    rems_patient_id = forms.CharField(
        label="REMS patient ID (esketamine)", max_length=40, required=False
    )
    password = forms.CharField(
        label="Your password (signature)",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text="Required when you use an authenticator app.",
    )

    def __init__(self, *args: Any, protocols: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "protocol", _ProtocolChoiceField).queryset = protocols


class OrderStatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label="Change to", choices=[(s.value, s.label) for s in OrderStatus]
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ScheduleForm(forms.Form):
    order = _OrderChoiceField(queryset=None, empty_label="Choose an order")
    chair: forms.ModelChoiceField[Chair] = forms.ModelChoiceField(
        queryset=None, empty_label="Choose a chair"
    )
    clinician: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, empty_label="Choose a clinician"
    )
    start = forms.DateTimeField(widget=DateTimeInput())
    duration = forms.IntegerField(
        label="Duration (minutes)",
        min_value=15,
        max_value=720,
        required=False,
        help_text="Leave empty for the protocol's dose and observation time plus 30 minutes.",
    )

    def __init__(self, *args: Any, orders: Any, chairs: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "order", _OrderChoiceField).queryset = orders
        form_field(self, "chair", forms.ModelChoiceField).queryset = chairs
        form_field(self, "clinician", forms.ModelChoiceField).queryset = staff

    def clean_start(self) -> dt.datetime:
        start: dt.datetime = self.cleaned_data["start"]
        if timezone.is_naive(start):
            start = timezone.make_aware(start)
        return start


class CheckInForm(forms.Form):
    identity_confirmed = forms.BooleanField(
        label="Identity confirmed (name and date of birth)", required=False
    )
    fasting_confirmed = forms.BooleanField(label="Fasting instructions followed", required=False)
    escort_arranged = forms.BooleanField(
        label="An adult escort will take them home", required=False
    )
    escort_name = forms.CharField(label="Escort's name", max_length=200, required=False)
    escort_phone = forms.CharField(label="Escort's phone", max_length=30, required=False)
    medication_changes = forms.CharField(
        label="Medication changes since the last session",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    medications_reviewed = forms.BooleanField(label="Medications reviewed", required=False)
    pregnancy = forms.ChoiceField(
        label="Pregnancy", choices=[("", "Choose"), *PREGNANCY_ANSWERS.items()], required=False
    )
    assessments_completed = forms.BooleanField(
        label="Assessments due before this session completed", required=False
    )
    first_treatment = forms.ChoiceField(
        label="First esketamine/ketamine treatment?", choices=YES_NO, required=False
    )
    takes_benzodiazepines = forms.ChoiceField(
        label="Benzodiazepines", choices=YES_NO, required=False
    )
    takes_sedative_hypnotics = forms.ChoiceField(
        label="Non-benzodiazepine sedative hypnotics", choices=YES_NO, required=False
    )
    takes_psychostimulants = forms.ChoiceField(
        label="Psychostimulants", choices=YES_NO, required=False
    )
    takes_maois = forms.ChoiceField(label="MAO inhibitors", choices=YES_NO, required=False)
    takes_opioids = forms.ChoiceField(label="Opioids", choices=YES_NO, required=False)

    CONCOMITANT = (
        "takes_benzodiazepines", "takes_sedative_hypnotics", "takes_psychostimulants",
        "takes_maois", "takes_opioids",
    )  # fmt: skip

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "identity_confirmed": data["identity_confirmed"],
            "fasting_confirmed": data["fasting_confirmed"],
            "escort_arranged": data["escort_arranged"],
            "escort_name": data["escort_name"],
            "escort_phone": data["escort_phone"],
            "medication_changes": data["medication_changes"],
            "medications_reviewed": data["medications_reviewed"],
            "pregnancy": data["pregnancy"],
            "assessments_completed": data["assessments_completed"],
            "first_treatment": yes_no(data["first_treatment"]),
            "concomitant": {name: yes_no(data[name]) for name in self.CONCOMITANT},
        }


CADSS = INSTRUMENTS["cadss"]


class VitalsForm(forms.Form):
    systolic = _vital("systolic", "Systolic (mmHg)")
    diastolic = _vital("diastolic", "Diastolic (mmHg)")
    heart_rate = _vital("heart_rate", "Heart rate (bpm)")
    spo2 = _vital("spo2", "SpO2 (%)")
    respiratory_rate = _vital("respiratory_rate", "Respiratory rate (/min)")
    moaas = forms.TypedChoiceField(
        label="Sedation (MOAA/S)",
        choices=[("", "Not assessed"), *MOAAS_SCALE.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )
    time_point = forms.ChoiceField(
        label="REMS time point", choices=TimePoint.choices, required=False
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((str(v), f"{v} {a}") for v, a in enumerate(CADSS.items[0].choices))]
        for item in CADSS.items:
            self.fields[f"cadss_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    @property
    def cadss_fields(self) -> list[Any]:
        return [self[f"cadss_{item.number}"] for item in CADSS.items]

    def cadss_html(self) -> str:
        """The 23 CADSS selects, written directly: the flowsheet is re-rendered with every
        reading, and 23 widget templates would be most of the time the tablet waits."""
        blocks = []
        for field in self.cadss_fields:
            chosen = "" if field.value() is None else str(field.value())
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((value, mark_safe(" selected") if value == chosen else "", text)  # noqa: S308
                 for value, text in field.field.choices),
            )  # fmt: skip
            blocks.append(
                format_html(
                    '<div class="field"><label for="{id}">{label}</label>'
                    '<select name="{name}" id="{id}">{options}</select></div>',
                    id=field.id_for_label,
                    label=field.label,
                    name=field.html_name,
                    options=options,
                )
            )
        return mark_safe("".join(blocks))  # noqa: S308 (every part escaped by format_html)

    @property
    def vital_fields(self) -> list[Any]:
        names = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate")
        return [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answers = [data.get(f"cadss_{item.number}") for item in CADSS.items]
        given = [a for a in answers if a is not None]
        if given and len(given) != len(answers):
            missing = [str(i) for i, a in enumerate(answers, start=1) if a is None]
            raise forms.ValidationError(
                f"Answer all {len(answers)} CADSS items, or none (missing: {', '.join(missing)})."
            )
        data["cadss_answers"] = answers if given else None
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "moaas")
        } | {
            "cadss_answers": data.get("cadss_answers"),
            "time_point": data.get("time_point") or "",
            "note": data.get("note") or "",
        }


class PlanForm(forms.Form):
    dose_mg = forms.DecimalField(
        label="Dose to give (mg)",
        max_digits=8,
        decimal_places=1,
        min_value=Decimal("0.1"),
        required=False,
        help_text="Empty: the order's dose.",
    )


class OverrideForm(forms.Form):
    dose_mg = forms.DecimalField(
        label="Dose to give (mg)", max_digits=8, decimal_places=1, min_value=Decimal("0.1"),
        required=False,
    )  # fmt: skip
    override_reason = forms.CharField(
        label="Reason for the override", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class EndDoseForm(forms.Form):
    dose_mg = forms.DecimalField(
        label="Dose actually given (mg)", max_digits=8, decimal_places=1, min_value=Decimal("0.1")
    )
    lot = _LotChoiceField(queryset=None, required=False, empty_label="Choose the lot")
    location: forms.ModelChoiceField[StorageLocation] = forms.ModelChoiceField(
        label="Drawn from",
        queryset=None,
        required=False,
        empty_label="Choose the location",
    )
    lot_number = forms.CharField(label="Lot number", max_length=40, required=False)

    def __init__(self, *args: Any, ledger: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ketacare.ledger.models import Lot, StorageLocation

        form_field(self, "lot", _LotChoiceField).queryset = Lot.objects.filter(
            pk__in=[lot.pk for lot in ledger["lots"]]
        )
        location = form_field(self, "location", forms.ModelChoiceField)
        location.queryset = StorageLocation.objects.filter(
            pk__in=[loc.pk for loc in ledger["locations"]]
        )
        if ledger["uses_ledger"]:
            del self.fields["lot_number"]
        else:
            del self.fields["lot"]
            del self.fields["location"]


class EventForm(forms.Form):
    category = forms.ChoiceField(choices=EventCategory.choices, initial=EventCategory.SIDE_EFFECT)
    kind = forms.ChoiceField(label="What happened", choices=EventKind.choices)
    severity = forms.ChoiceField(choices=Severity.choices)
    serious = forms.BooleanField(
        label="Serious adverse event (hospitalisation, life-threatening, disability, death)",
        required=False,
    )
    description = forms.CharField(max_length=500, required=False)
    actions_taken = forms.CharField(
        label="Actions taken", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class NoteForm(forms.Form):
    body = forms.CharField(label="Session note", widget=forms.Textarea(attrs={"rows": 3}))


class DischargeForm(forms.Form):
    steady_on_feet = forms.BooleanField(
        label="Alert, oriented and steady on their feet (I have checked)", required=False
    )
    escort_present = forms.BooleanField(
        label="The escort is here to take them home", required=False
    )
    ready_to_leave_minutes = forms.IntegerField(
        label="Without the minimum observation time, when would they have been ready to leave? "
        "(minutes from the start of the dose)",
        min_value=0,
        max_value=1440,
        required=False,
    )
    note = forms.CharField(
        label="Discharge note", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RemsForm(forms.Form):
    confirmation = forms.CharField(label="REMS confirmation number", max_length=60, required=False)


class AlertForm(forms.Form):
    response = forms.CharField(
        label="What you did or decided", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = TreatmentSettings
        fields = [
            "setting_name", "address_line1", "address_line2", "city", "state", "zip_code",
            "phone", "email", "rems_setting_id", "preparation_note",
        ]  # fmt: skip
        widgets = {"preparation_note": forms.Textarea(attrs={"rows": 3})}


class ChairForm(forms.ModelForm):
    class Meta:
        model = Chair
        fields = ["room", "name"]
        labels = {"name": "Chair"}


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(choices=[("day", "Day"), ("week", "Week")], required=False)
    date = forms.DateField(widget=DateInput(), required=False)
    room = forms.ChoiceField(required=False)
    clinician = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, rooms: list[str], staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "room", forms.ChoiceField).choices = [
            ("", "All rooms"),
            *((r, r) for r in rooms),
        ]
        form_field(self, "clinician", forms.ChoiceField).choices = [
            ("", "All clinicians"),
            *((str(u.pk), u.full_name) for u in staff),
        ]
