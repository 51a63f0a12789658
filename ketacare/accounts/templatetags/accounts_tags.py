"""Template helpers for the account pages."""

import datetime as dt

from django import template

register = template.Library()


@register.filter
def duration(value: object) -> str:
    """A timedelta as people say it: "15 minutes", "1 hour 30 minutes"."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
