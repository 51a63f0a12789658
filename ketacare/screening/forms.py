"""Screening forms: the intake screens, one form per instrument (built from the clinical
core's definition), consent signing, and the clinician's and prescriber's review forms.
Validation happens here, with messages a patient can act on."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms

from ketacare.clinical.eligibility import ANXIETY, DEPRESSION, OCD, PAIN, PTSD
from ketacare.clinical.instruments import INSTRUMENTS, Instrument
from ketacare.clinical.vitals_ranges import PLAUSIBLE
from ketacare.patients.models import Sex

from .models import (
    ConsentKind,
    Decision,
    ReevaluationOutcome,
    RequestKind,
    Route,
)

YES_NO = [("no", "No"), ("yes", "Yes")]
WEIGHT, HEIGHT = PLAUSIBLE["weight_kg"], PLAUSIBLE["height_cm"]
SKIP = "skip"


def yes_no(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": "Choose yes or no."},
    )


def is_yes(value: Any) -> bool:
    return value == "yes"


class AboutForm(forms.Form):
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices)
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    address = forms.CharField(
        label="Home address",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    emergency_contact_name = forms.CharField(label="Emergency contact: name", max_length=200)
    emergency_contact_phone = forms.CharField(
        label="Emergency contact: phone",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    emergency_contact_relationship = forms.CharField(
        label="Emergency contact: relationship to you", max_length=60
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        min_value=Decimal(WEIGHT.low),
        max_value=Decimal(WEIGHT.high),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
        error_messages={
            "min_value": f"Enter a weight between {WEIGHT.low} and {WEIGHT.high} kg.",
            "max_value": f"Enter a weight between {WEIGHT.low} and {WEIGHT.high} kg.",
        },
    )
    height_cm = forms.IntegerField(
        label="Height (cm)",
        min_value=HEIGHT.low,
        max_value=HEIGHT.high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": f"Enter a height between {HEIGHT.low} and {HEIGHT.high} cm.",
            "max_value": f"Enter a height between {HEIGHT.low} and {HEIGHT.high} cm.",
        },
    )


INDICATION_CHOICES = [
    (DEPRESSION, "Depression"),
    (ANXIETY, "Anxiety"),
    (PTSD, "Post-traumatic stress (PTSD)"),
    (OCD, "Obsessive-compulsive disorder (OCD)"),
    (PAIN, "Chronic pain"),
]


class ReasonsForm(forms.Form):
    indications = forms.MultipleChoiceField(
        label="What would you like treatment for?",
        choices=INDICATION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose all that apply.",
        error_messages={"required": "Choose at least one."},
    )
    goals = forms.CharField(
        label="In your own words, what would you like to change?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


ALCOHOL_CHOICES = [
    ("never", "Never"),
    ("monthly", "Monthly or less"),
    ("2-4_month", "2 to 4 times a month"),
    ("2-3_week", "2 to 3 times a week"),
    ("4plus_week", "4 or more times a week"),
]


class MedicationsForm(forms.Form):
    current_medications = forms.CharField(
        label="Medicines you take now",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, with the dose if you know it. Write “none” if you take none.",
    )
    allergies = forms.CharField(
        label="Allergies",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ketamine_hypersensitivity = yes_no(
        "Have you ever had an allergic or severe reaction to ketamine or esketamine (Spravato)?"
    )
    alcohol = forms.ChoiceField(
        label="How often do you have a drink containing alcohol?",
        choices=ALCOHOL_CHOICES,
        widget=forms.RadioSelect,
    )
    other_substances = forms.CharField(
        label="Other substances (cannabis, stimulants, opioids, others) and how often",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PsychiatricForm(forms.Form):
    active_psychosis = yes_no(
        "Are you now hearing or seeing things others do not, or holding beliefs others say are "
        "not real (psychosis)?"
    )
    schizophrenia = yes_no("Have you ever been diagnosed with schizophrenia?")
    bipolar_disorder = yes_no(
        "Have you been diagnosed with bipolar disorder, or had an episode of mania?"
    )
    substance_use_disorder = yes_no(
        "In the past 12 months, have you had a problem with alcohol or drugs, or been treated "
        "for one?"
    )
    hospitalizations = forms.CharField(
        label="Psychiatric hospital stays (when and why), if any",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


LIVER_CHOICES = [
    ("none", "No liver disease"),
    ("moderate", "Moderate liver disease"),
    ("severe", "Severe liver disease (for example cirrhosis)"),
]
PREGNANCY_CHOICES = [
    ("not_applicable", "Not applicable"),
    ("no", "Not pregnant and not breastfeeding"),
    ("pregnant", "Pregnant"),
    ("breastfeeding", "Breastfeeding"),
    ("unsure", "Not sure"),
]


class MedicalForm(forms.Form):
    """The contraindication checklist of clinical-reference.md §4, in a patient's words."""

    aneurysmal_vascular_disease = yes_no(
        "Have you ever had an aneurysm (a bulging blood vessel in the brain, chest, belly or "
        "limbs)?"
    )
    arteriovenous_malformation = yes_no(
        "Have you been told you have an arteriovenous malformation (AVM)?"
    )
    intracerebral_hemorrhage = yes_no("Have you ever had bleeding in the brain?")
    cardiovascular_disease = yes_no(
        "Do you have heart disease (heart attack, heart failure, angina, an irregular heartbeat)?"
    )
    high_blood_pressure = yes_no("Have you been told you have high blood pressure?")
    raised_intracranial_pressure = yes_no(
        "Have you been told you have raised pressure inside the skull?"
    )
    raised_intraocular_pressure = yes_no("Do you have glaucoma or raised pressure in the eye?")
    liver_disease = forms.ChoiceField(
        label="Liver disease", choices=LIVER_CHOICES, widget=forms.RadioSelect
    )
    interstitial_cystitis = yes_no("Do you have interstitial cystitis (painful bladder syndrome)?")
    pregnancy = forms.ChoiceField(
        label="Pregnancy", choices=PREGNANCY_CHOICES, widget=forms.RadioSelect
    )


class TreatmentsForm(forms.Form):
    antidepressant_trials = forms.IntegerField(
        label="How many antidepressants have you taken for at least 6 weeks at the prescribed "
        "dose?",
        min_value=0,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Enter a number from 0 to 30.",
            "max_value": "Enter a number from 0 to 30.",
        },
    )
    antidepressants_tried = forms.CharField(
        label="Which ones, if you remember",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    psychotherapy = yes_no("Have you had talking therapy (psychotherapy)?")
    ect_or_tms = yes_no("Have you had ECT or TMS?")
    prior_ketamine = yes_no("Have you been treated with ketamine or esketamine before?")


# The intake's fixed screens, in order; instrument screens follow, then consent.
INTAKE_FORMS: Mapping[str, tuple[str, type[forms.Form]]] = {
    "about": ("About you", AboutForm),
    "reasons": ("What brings you here", ReasonsForm),
    "medications": ("Medicines and substances", MedicationsForm),
    "psychiatric": ("Mental health history", PsychiatricForm),
    "medical": ("Medical history", MedicalForm),
    "treatments": ("Treatments you have tried", TreatmentsForm),
}


def raw_values(form_class: type[forms.Form], data: Mapping[str, Any]) -> dict[str, Any]:
    """A form's raw submitted values, as stored in an intake draft (lists for multi-valued
    fields, strings otherwise; unknown keys dropped)."""
    values: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            getter = getattr(data, "getlist", None)
            items = getter(name) if getter else data.get(name, [])
            values[name] = [str(v)[:200] for v in items][:20]
        elif name in data:
            value = data.get(name)
            values[name] = "" if value is None else str(value)[:5000]
    return values


# --- instruments


def item_field_name(number: int) -> str:
    return f"item_{number}"


class InstrumentForm(forms.Form):
    """One screen per instrument: every item answered, or explicitly skipped where the
    instrument lets it be left blank."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            choices = [
                (str(value), label)
                for value, label in zip(item.allowed_values, _labels(item), strict=True)
            ]
            if not item.required:
                choices.append((SKIP, "Skip this question"))
            self.fields[item_field_name(item.number)] = forms.ChoiceField(
                label=f"{item.number}. {item.text}",
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose an answer."
                    if item.required
                    else "Choose an answer, or “Skip this question”."
                },
            )

    def answers(self) -> dict[int, int | None]:
        """The answers by item number (None for a skipped item). Call after is_valid()."""
        result: dict[int, int | None] = {}
        for item in self.instrument.items:
            value = self.cleaned_data[item_field_name(item.number)]
            result[item.number] = None if value == SKIP else int(value)
        return result

    def add_item_error(self, item: int | None, message: str) -> None:
        name = item_field_name(item) if item is not None else None
        self.add_error(name if name in self.fields else None, message)


def _labels(item: Any) -> list[str]:
    if item.choices and len(item.choices) == len(item.allowed_values):
        return list(item.choices)
    return [str(value) for value in item.allowed_values]


def partial_answers(instrument: Instrument, data: Mapping[str, Any]) -> dict[int, int]:
    """The valid answers found in a draft (raw strings), by item number; the rest ignored."""
    answers: dict[int, int] = {}
    for item in instrument.items:
        raw = data.get(item_field_name(item.number))
        if isinstance(raw, str) and raw.isdigit() and int(raw) in item.allowed:
            answers[item.number] = int(raw)
    return answers


def instrument_raw_values(instrument: Instrument, data: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in instrument.items:
        name = item_field_name(item.number)
        value = data.get(name)
        if isinstance(value, str) and value:
            values[name] = value[:10]
    return values


def instrument_initial(answers: list[int | None] | None, instrument: Instrument) -> dict[str, str]:
    """Form values from stored answers (an assessment being corrected)."""
    if not answers:
        return {}
    return {
        item_field_name(item.number): SKIP if value is None else str(value)
        for item, value in zip(instrument.items, answers, strict=False)
    }


# --- consent


def normalise_name(name: str) -> str:
    return " ".join(name.split()).casefold()


class ConsentSignForm(forms.Form):
    agreed = forms.BooleanField(
        label="I have read this document and I agree to it.",
        error_messages={"required": "Tick the box to show that you agree."},
    )
    typed_name = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args: Any, expected_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_name = expected_name
        self.fields["typed_name"].help_text = f"As it appears on your record: {expected_name}."

    def clean_typed_name(self) -> str:
        name = " ".join(self.cleaned_data["typed_name"].split())
        if normalise_name(name) != normalise_name(self.expected_name):
            raise forms.ValidationError(
                f"Type your full name as it appears on your record: {self.expected_name}."
            )
        return name


class ConsentDocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Document", choices=ConsentKind.choices)
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(
        label="Text",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Markdown: blank lines between paragraphs, # for headings, - for lists.",
    )


# --- staff review


class ReviewNoteForm(forms.Form):
    body = forms.CharField(
        label="Note (staff only)", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PatientRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Request", choices=RequestKind.choices)
    message = forms.CharField(
        label="Message to the patient",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The patient sees this message.",
    )


class RequestResponseForm(forms.Form):
    response = forms.CharField(
        label="Your answer", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingsForm(forms.Form):
    screening_systolic = forms.IntegerField(
        label="Screening blood pressure: systolic (mmHg)",
        required=False,
        min_value=PLAUSIBLE["systolic"].low,
        max_value=PLAUSIBLE["systolic"].high,
    )
    screening_diastolic = forms.IntegerField(
        label="Screening blood pressure: diastolic (mmHg)",
        required=False,
        min_value=PLAUSIBLE["diastolic"].low,
        max_value=PLAUSIBLE["diastolic"].high,
    )
    named_adult_monitor = forms.BooleanField(
        label="A named adult monitor for at-home sessions", required=False
    )
    validated_home_bp_cuff = forms.BooleanField(
        label="A validated home blood-pressure cuff", required=False
    )
    supervised_first_dose_without_sae = forms.BooleanField(
        label="A supervised first dose without a serious adverse event", required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        systolic, diastolic = data.get("screening_systolic"), data.get("screening_diastolic")
        if (systolic is None) != (diastolic is None) and not self.errors:
            raise forms.ValidationError("Enter both blood-pressure values, or neither.")
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            self.add_error("screening_diastolic", "The diastolic value must be below the systolic.")
        return data


class RouteDecisionForm(forms.Form):
    route = forms.ChoiceField(label="Route", choices=Route.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Decision", choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label="Why you are overriding the rule-based result",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you approve a route the rules find ineligible, or decline one "
        "they find eligible.",
    )


class ReevaluationForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=ReevaluationOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Assessment and plan", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveTaskForm(forms.Form):
    resolution_note = forms.CharField(
        label="What was done",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: called the patient, safety plan reviewed, next contact.",
    )


class CorrectionForm(forms.Form):
    correction_reason = forms.CharField(
        label="Reason for the correction",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def instrument_choices(*, clinician_rated: bool | None = None) -> list[tuple[str, str]]:
    return [
        (code, instrument.title)
        for code, instrument in INSTRUMENTS.items()
        if clinician_rated is None or instrument.clinician_rated == clinician_rated
    ]


class ScreeningSettingsForm(forms.Form):
    intake_instruments = forms.MultipleChoiceField(
        label="Intake bundle (the patient completes these)",
        choices=instrument_choices(clinician_rated=False),
        widget=forms.CheckboxSelectMultiple,
    )
    ocd_instruments = forms.MultipleChoiceField(
        label="Added when the patient reports OCD",
        required=False,
        choices=instrument_choices(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Clinician-rated instruments are entered by staff in the review.",
    )
    pain_instruments = forms.MultipleChoiceField(
        label="Added when the patient reports chronic pain",
        required=False,
        choices=instrument_choices(),
        widget=forms.CheckboxSelectMultiple,
    )
    review_instruments = forms.MultipleChoiceField(
        label="Entered by staff in every review",
        required=False,
        choices=instrument_choices(clinician_rated=True),
        widget=forms.CheckboxSelectMultiple,
    )
    pre_session_instruments = forms.MultipleChoiceField(
        label="Due before each treatment session",
        required=False,
        choices=instrument_choices(clinician_rated=False),
        widget=forms.CheckboxSelectMultiple,
    )
    full_bundle_every_weeks = forms.IntegerField(
        label="Repeat the full intake bundle every (weeks)", min_value=1, max_value=52
    )
    overdue_after_days = forms.IntegerField(
        label="An assessment is overdue this many days after it falls due",
        min_value=1,
        max_value=60,
    )
    reevaluation_every_sessions = forms.IntegerField(
        label="Prescriber re-evaluation after every (sessions)", min_value=1, max_value=100
    )
    reevaluation_gap_days = forms.IntegerField(
        label="Prescriber re-evaluation after a gap of more than (days)",
        min_value=1,
        max_value=3650,
    )


def describe(form_class: type[forms.Form], cleaned: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A completed intake screen as (question, answer) pairs for the review page."""
    rows: list[tuple[str, str]] = []
    for name, field in form_class.base_fields.items():
        value = cleaned.get(name)
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, list):
            text = ", ".join(str(choices.get(v, v)) for v in value) or "—"
        elif value in (None, ""):
            text = "—"
        else:
            text = str(choices.get(value, value))
        rows.append((str(field.label), text))
    return rows
