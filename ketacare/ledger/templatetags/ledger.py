"""`{{ value|qty }}`: a ledger quantity without trailing zeros and never in exponent form."""

from decimal import Decimal

from django import template

from ketacare.ledger.reports import qty as format_quantity

register = template.Library()


@register.filter
def qty(value: Decimal | None) -> str:
    return format_quantity(value) if value is not None else ""
