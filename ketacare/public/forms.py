from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from .models import ContactStatus

_PHONE = re.compile(r"^\+?[0-9 ().\-]{7,30}$")


class ContactForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Your name", error_messages={"required": "Tell us your name."}
    )
    email = forms.EmailField(
        max_length=254,
        label="Email",
        help_text="We reply here.",
        error_messages={"required": "Enter your email address so we can reply."},
    )
    phone = forms.CharField(max_length=30, required=False, label="Phone (optional)")
    message = forms.CharField(
        max_length=5000,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Up to 5,000 characters. Please do not include detailed medical history.",
        error_messages={"required": "Write your message."},
    )
    consent = forms.BooleanField(
        label="I agree that the clinic stores this message and contacts me about it.",
        error_messages={"required": "You need to agree so that we may contact you."},
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and (not _PHONE.match(phone) or not 7 <= sum(c.isdigit() for c in phone) <= 15):
            raise ValidationError("Enter a phone number of 7 to 15 digits, or leave it empty.")
        return phone

    def clean_message(self) -> str:
        return self.cleaned_data["message"].strip()


class ContactStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ContactStatus.choices, label="Status")
