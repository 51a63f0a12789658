"""The waiting-list and contact objects the permission matrix (tests/test_permission_matrix.py)
puts in its paths, all of the admin's clinic, built once per test."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from ketacare.public.models import ContactMessage
from tests.factories import WaitlistEntryFactory, WaitlistProgramFactory


def objects(t: Any) -> SimpleNamespace:
    if not hasattr(t, "_waitlist_objects"):
        program = WaitlistProgramFactory(clinic=t.clinic)
        t._waitlist_objects = SimpleNamespace(
            program=program,
            entry=WaitlistEntryFactory(program=program),
            message=ContactMessage.objects.create(
                clinic=t.clinic,
                name="Sam",
                email="sam@example.org",
                message="Hello",
                consent_at=timezone.now(),
            ),  # fmt: skip
        )
    return t._waitlist_objects


def entry_id(t: Any) -> dict[str, Any]:
    return {"entry_id": objects(t).entry.pk}


def program_id(t: Any) -> dict[str, Any]:
    return {"program_id": objects(t).program.pk}


def message_id(t: Any) -> dict[str, Any]:
    return {"message_id": objects(t).message.pk}


def built(t: Any) -> dict[str, Any]:
    """No path parameters; builds the objects before the first request (as kwargs are)."""
    objects(t)
    return {}


def program_form(t: Any) -> dict[str, Any]:
    return {"program": objects(t).program.pk}


# A link token that was never issued: every link page must say 404, whoever asks.
BOGUS_TOKEN = {"token": "bogus.token:AbCdEf0123456789"}


def signup(t: Any) -> dict[str, Any]:
    """A valid JSON sign-up (the issue's body)."""
    return {
        "first_name": "Alex", "last_name": "Rivera", "email": "alex@example.org",
        "phone": "+1 555 010 0199", "date_of_birth": dt.date(1990, 4, 12).isoformat(),
        "region": "NY", "conditions": ["depression"], "preferred_route": "home-troche",
        "phq2": [2, 1], "gad2": [1, 1], "consent": True,
    }  # fmt: skip
