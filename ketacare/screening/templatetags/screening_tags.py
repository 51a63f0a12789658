"""Template helpers for the screening pages: labels for codes, never a rule or threshold."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.screening import CRISIS_FLAGS, SCHEDULING_REASON_TEXT
from ketacare.core.markdown import render_markdown

register = template.Library()

FLAG_TEXT = {
    "suicidal_ideation": "Suicidal ideation",
    "suicide_risk_high": "High suicide risk",
    "positive_screen": "Positive screen",
    "probable_ptsd": "Probable PTSD",
    "dsm5_criteria_met": "DSM-5 criteria met",
}


@register.filter
def instrument_title(code: str) -> str:
    instrument = INSTRUMENTS.get(code)
    return instrument.title if instrument is not None else code


@register.filter
def flag_text(flag: str) -> str:
    return FLAG_TEXT.get(flag, flag.replace("_", " "))


@register.filter
def is_crisis_flag(flag: str) -> bool:
    return flag in CRISIS_FLAGS


@register.filter
def scheduling_reason(code: str) -> str:
    return SCHEDULING_REASON_TEXT.get(code, code)


@register.filter
def consent_html(body: str) -> str:
    # render_markdown cleans the HTML with nh3: an admin's document cannot carry a script.
    return mark_safe(render_markdown(body))  # noqa: S308


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def status_label(status: str) -> str:
    return status.replace("_", " ").capitalize()
