"""Rule codes as sentences, from the clinical core's text tables (one place for each)."""

from django import template

from ketacare.clinical.dosing import ALERT_TEXT, DISCHARGE_TEXT, REASON_TEXT, WARNING_TEXT
from ketacare.clinical.monitoring_schedule import MONITORING_DISCHARGE_TEXT

register = template.Library()


@register.filter
def reason_text(code: str) -> str:
    return REASON_TEXT.get(code, code)


@register.filter
def warning_text(code: str) -> str:
    return WARNING_TEXT.get(code, code)


@register.filter
def alert_text(code: str) -> str:
    return ALERT_TEXT.get(code, code)


@register.filter
def discharge_text(code: str) -> str:
    return {**DISCHARGE_TEXT, **MONITORING_DISCHARGE_TEXT}.get(code, code)
