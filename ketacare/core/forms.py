"""Forms' share of the shared infrastructure: one typed way to reach a bound form's field."""

from __future__ import annotations

from typing import TypeVar

from django import forms

F = TypeVar("F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's own copy of its field `name` (what `__init__` may change: a queryset, the
    choices), checked to be a `kind`. `form.fields` is typed as plain `Field`s, so this is
    how a form sets a `ModelChoiceField`'s queryset with the type checker's help.

    Raises TypeError when the field is of another kind: a form's fields are fixed by its
    class, so that is a programming error, never a user's."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(
            f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}"
        )
    return field
