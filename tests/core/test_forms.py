"""`form_field`: a form reaches its own copy of a field, of the kind it expects."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from ketacare.core.forms import form_field


class _RoomForm(forms.Form):
    room = forms.ChoiceField(required=False)
    note = forms.CharField(required=False)

    def __init__(self, *args: Any, rooms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "room", forms.ChoiceField).choices = [(r, r) for r in rooms]


def test_a_form_sets_its_own_copy_of_the_field():
    first = _RoomForm(rooms=["A", "B"])
    second = _RoomForm(rooms=["C"], data={"room": "A"})
    assert first.fields["room"].choices == [("A", "A"), ("B", "B")]
    assert _RoomForm.base_fields["room"].choices == []
    assert not second.is_valid()  # "A" is the first form's room, not this one's
    assert "room" in second.errors


def test_a_field_of_another_kind_is_a_type_error():
    form = _RoomForm(rooms=[])
    with pytest.raises(TypeError, match=r"_RoomForm\.note is a CharField, not a ChoiceField"):
        form_field(form, "note", forms.ChoiceField)
