from typing import Any

from django import template

from ketacare.protocols.selectors import format_caps

register = template.Library()


@register.filter
def caps(value: Any) -> str:
    """Frequency caps as words: "weeks 1-4: 2, weeks 5-8: 1, week 9 on: 1"."""
    return format_caps(value)
