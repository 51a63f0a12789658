import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone

from .models import Diagnosis, Patient, WeightMeasurement


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "first_name", "last_name", "date_of_birth", "sex", "email", "phone", "address",
            "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relationship",
        ]  # fmt: skip
        widgets = {"date_of_birth": DateInput(), "address": forms.Textarea(attrs={"rows": 3})}

    def clean_date_of_birth(self) -> dt.date:
        dob: dt.date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if dob.year < today.year - 120:
            raise forms.ValidationError("Please check the year: that is more than 120 years ago.")
        return dob


class WeightForm(forms.ModelForm):
    class Meta:
        model = WeightMeasurement
        fields = ["weight_kg", "measured_on"]
        labels = {"weight_kg": "Weight (kg)"}
        widgets = {"measured_on": DateInput()}

    def clean_weight_kg(self) -> Decimal:
        weight = self.cleaned_data["weight_kg"]
        if not 20 <= weight <= 400:
            raise forms.ValidationError("Enter a weight between 20 and 400 kg.")
        return weight

    def clean_measured_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["measured_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The measurement date cannot be in the future.")
        return day


class DiagnosisForm(forms.ModelForm):
    class Meta:
        model = Diagnosis
        fields = ["description", "code", "diagnosed_on"]
        widgets = {"diagnosed_on": DateInput()}
