"""Reads for the public site's staff inbox: the clinic's contact messages, by status, and
one message; both scoped to the reader's own clinic (READ_INBOX)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ketacare.core import policy
from ketacare.core.errors import NotFound

from .content import get_page, menu
from .models import ContactMessage, ContactStatus

OPEN = "open"
STATUS_CHOICES = [(OPEN, "Open (new or in progress)"), *ContactStatus.choices, ("all", "All")]


def inbox(user: Any, status: str) -> tuple[QuerySet[ContactMessage], str]:
    """The messages shown for a status filter, newest first as the model orders them, and
    the filter as understood ("open", a status, or "all" for anything else)."""
    qs = policy.scope_clinic(user, ContactMessage.objects.all())
    if status == OPEN:
        qs = qs.filter(status__in=[ContactStatus.NEW, ContactStatus.IN_PROGRESS])
    elif status in ContactStatus.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    return qs.select_related("handled_by"), status


def message_for_staff(user: Any, message_id: Any) -> ContactMessage:
    message = policy.scope_clinic(user, ContactMessage.objects.all()).filter(pk=message_id).first()
    if message is None:
        raise NotFound("No such message.")
    return message


FRONT_PAGE_TEMPLATE = "public/home.html"


def front_page() -> dict[str, Any]:
    """What the visitors' front page shows (at `/`, which `ketacare.web` serves)."""
    return {"page": get_page("home"), "menu": menu()}
