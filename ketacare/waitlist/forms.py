"""The one validation path for a waiting-list sign-up: the page's form (`POST /waitlist/`)
and the JSON API (`POST /api/v1/waitlist`) both validate through `SignupForm`, so a rule and
its message exist once. The PHQ-2 and GAD-2 answers are checked and scored by the clinical
core; this module only turns what was posted into the list of answers it expects."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.clinical.instruments import INSTRUMENTS, InvalidAnswers, ScoreResult, score
from ketacare.core.forms import form_field

from .choices import REGION_NAMES, REGIONS, Condition, HeardFrom, Route
from .models import Program, WaitlistEntry
from .services import PROGRAM_FIELDS

MIN_AGE_YEARS = 18
MAX_AGE_YEARS = 120
_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-]+$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_REGION_BY_NAME = {name.casefold(): code for code, name in REGIONS}


def age_on(day: dt.date, date_of_birth: dt.date) -> int:
    """Completed years on `day` (a birthday counts from the day itself)."""
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PrescreenWidget(forms.MultiWidget):
    """One radio group per item (`phq2_0`, `phq2_1`), or a JSON list under the field name."""

    def __init__(self, code: str) -> None:
        items = INSTRUMENTS[code].items
        widgets = [
            forms.RadioSelect(choices=list(zip(item.allowed, item.choices, strict=True)))
            for item in items
        ]
        super().__init__(widgets)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, ScoreResult):
            return list(value.answers)
        return list(value) if isinstance(value, list | tuple) else [None] * len(self.widgets)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        raw = data.get(name)
        if isinstance(raw, list | tuple):
            return list(raw)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


class PrescreenField(forms.Field):
    """A short questionnaire scored by `ketacare.clinical.instruments.score`; the cleaned
    value is its `ScoreResult`."""

    def __init__(self, code: str, **kwargs: Any) -> None:
        self.code = code
        self.instrument = INSTRUMENTS[code]
        kwargs.setdefault("label", self.instrument.title)
        super().__init__(widget=PrescreenWidget(code), **kwargs)

    def clean(self, value: Any) -> ScoreResult:
        count = len(self.instrument.items)
        if not isinstance(value, list) or not any(v not in (None, "") for v in value):
            raise ValidationError(f"Answer all {count} questions.", code="required")
        answers: list[Any] = []
        for raw in value:
            if raw in (None, ""):
                answers.append(None)
            elif isinstance(raw, str) and raw.strip().isdigit():
                answers.append(int(raw.strip()))
            else:
                answers.append(raw)
        try:
            return score(self.code, answers)
        except InvalidAnswers as exc:
            if exc.item is not None:
                low, high = self.instrument.items[exc.item - 1].allowed_text.split("–")
                message = f"Question {exc.item}: choose one of the answers ({low} to {high})."
            else:
                message = f"Answer all {count} questions, each with a number from 0 to 3."
            raise ValidationError(message, code="invalid") from None

    def questions(self, bound_value: Any) -> list[dict[str, Any]]:
        """What the page shows: each item with its choices and which one is picked."""
        picked = bound_value if isinstance(bound_value, list) else []
        result = []
        for index, item in enumerate(self.instrument.items):
            current = (
                str(picked[index]) if index < len(picked) and picked[index] is not None else ""
            )
            result.append(
                {
                    "name": f"{self.code}_{index}",
                    "number": item.number,
                    "text": item.text,
                    "choices": [
                        {"value": str(v), "label": label, "checked": str(v) == current}
                        for v, label in zip(item.allowed, item.choices, strict=True)
                    ],
                }
            )
        return result


def _clean_text(value: str, label: str) -> str:
    value = " ".join(value.split())
    if _CONTROL_CHARS.search(value):
        raise ValidationError(f"{label} contains characters we cannot store.")
    return value


class SignupForm(forms.Form):
    """A waiting-list sign-up: contact details, the pre-screen and consent."""

    first_name = forms.CharField(
        max_length=100, label="First name", error_messages={"required": "Enter your first name."}
    )
    last_name = forms.CharField(
        max_length=100, label="Last name", error_messages={"required": "Enter your last name."}
    )
    email = forms.EmailField(
        max_length=254,
        label="Email",
        help_text="We send a link here to confirm your place.",
        error_messages={"required": "Enter your email address."},
    )
    phone = forms.CharField(
        max_length=30,
        label="Phone",
        help_text="Digits, spaces, + ( ) - and . only.",
        error_messages={"required": "Enter a phone number the clinic can call you on."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        help_text="You must be 18 or older. Format: YYYY-MM-DD.",
        error_messages={
            "invalid": "Enter a date as YYYY-MM-DD.",
            "required": "Enter your date of birth.",
        },
    )
    region = forms.CharField(
        max_length=40,
        label="State",
        widget=forms.Select(choices=[("", "Choose your state")] + list(REGIONS)),
        help_text="Where you live: the clinic can only treat people in the states it serves.",
        error_messages={"required": "Choose your state."},
    )
    conditions = forms.MultipleChoiceField(
        choices=Condition.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What would you like help with?",
        error_messages={"required": "Choose at least one condition."},
    )
    preferred_route = forms.ChoiceField(
        choices=Route.choices,
        widget=forms.RadioSelect,
        label="Preferred form of treatment",
        error_messages={"required": "Choose a form of treatment, or “No preference”."},
    )
    heard_from = forms.ChoiceField(
        choices=[("", "Prefer not to say"), *HeardFrom.choices],
        required=False,
        label="How did you hear about us?",
    )
    phq2 = PrescreenField("phq2")
    gad2 = PrescreenField("gad2")
    consent = forms.BooleanField(
        label="I have read the privacy notice and agree that the clinic keeps these answers to "
        "manage the waiting list and contact me about it.",
        error_messages={"required": "You need to agree to the privacy notice to join the list."},
    )

    # Fields a person may change later from their private status page.
    DETAIL_FIELDS = (
        "first_name", "last_name", "phone", "date_of_birth", "region", "conditions",
        "preferred_route", "heard_from",
    )  # fmt: skip

    def __init__(self, *args: Any, fields: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in list(self.fields):
                if name not in fields:
                    del self.fields[name]

    def clean_first_name(self) -> str:
        return _clean_text(self.cleaned_data["first_name"], "First name")

    def clean_last_name(self) -> str:
        return _clean_text(self.cleaned_data["last_name"], "Last name")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE_CHARS.match(phone) or not 7 <= digits <= 15:
            raise ValidationError("Enter a phone number of 7 to 15 digits, e.g. +1 555 010 0199.")
        return phone

    def clean_date_of_birth(self) -> dt.date:
        dob: dt.date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise ValidationError("The date of birth cannot be in the future.")
        if age_on(today, dob) > MAX_AGE_YEARS:
            raise ValidationError("Please check the year: that is more than 120 years ago.")
        if age_on(today, dob) < MIN_AGE_YEARS:
            raise ValidationError(
                "The home program is for adults: you must be 18 or older to join the list."
            )
        return dob

    def clean_region(self) -> str:
        raw = self.cleaned_data["region"].strip()
        code = raw.upper() if raw.upper() in REGION_NAMES else _REGION_BY_NAME.get(raw.casefold())
        if code is None:
            raise ValidationError("Choose your state (a two-letter code such as NY).")
        return code

    def clean_conditions(self) -> list[str]:
        return list(dict.fromkeys(self.cleaned_data["conditions"]))

    def prescreens(self) -> list[dict[str, Any]]:
        """The pre-screen questionnaires, as the page shows them."""
        result = []
        for name in ("phq2", "gad2"):
            if name not in self.fields:
                continue
            bound = self[name]
            field = form_field(self, name, PrescreenField)
            value = bound.value() if self.is_bound else None
            result.append(
                {
                    "name": name,
                    "title": field.instrument.title,
                    "instructions": field.instrument.instructions,
                    "questions": field.questions(value),
                    "errors": bound.errors,
                    "id": f"id_{name}_0",
                }
            )
        return result


class ChoosePasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text="At least 12 characters; not a common password, not only digits.",
    )
    password2 = forms.CharField(
        label="The same password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args: Any, entry: WaitlistEntry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords are not the same.")
        elif one:
            probe = User(email=self.entry.email, full_name=self.entry.full_name)
            try:
                validate_password(one, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = list(PROGRAM_FIELDS)

    def clean_regions_served(self) -> str:
        codes = [
            c.strip().upper() for c in self.cleaned_data["regions_served"].split(",") if c.strip()
        ]
        unknown = [c for c in codes if c not in REGION_NAMES]
        if unknown:
            raise ValidationError(
                f"Unknown state code{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}."
            )
        return ", ".join(dict.fromkeys(codes))
