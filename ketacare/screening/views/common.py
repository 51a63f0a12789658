"""What the screening pages share: form steps go through `ketacare.core.views.submit()`, and
so do buttons with no form of their own (`press`). Scoring errors of the clinical core
become a refusal on the instrument's item (`scored`), so that one path shows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms

from ketacare.clinical.instruments import InvalidAnswers
from ketacare.core.errors import Refusal
from ketacare.core.views import Submitted, submit

from ..forms import item_field_name

T = TypeVar("T")
INVALID_ANSWERS = "invalid_answers"


class _Button(forms.Form):
    """No fields: a button, or an intake screen that is saved valid or not (its own form is
    checked separately)."""


def press(call: Callable[[], T]) -> Submitted[T]:
    """A step with no form of its own, through the same `submit()` as every form step."""
    return submit(_Button({}), lambda _data: call())


def scored(call: Callable[[], T]) -> T:
    """Call a service that scores answers; answers the instrument cannot score are refused
    on the item at fault (`code="invalid_answers"`)."""
    try:
        return call()
    except InvalidAnswers as exc:
        field = item_field_name(exc.item) if exc.item is not None else None
        raise Refusal(str(exc), field=field, code=INVALID_ANSWERS) from None
