"""Writes for the public site: contact messages (stored, emailed to the clinic, acknowledged
to the sender) and their status in the staff inbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import Role, User
from ketacare.audit.log import record
from ketacare.core import outbox, policy
from ketacare.core.context import current
from ketacare.core.errors import Refusal
from ketacare.core.urls import absolute_url
from ketacare.waitlist.selectors import public_clinic

from .models import ContactMessage, ContactStatus

CONTACT_CLOSED = "contact_closed"


def clinic_recipients(clinic_id: int) -> list[str]:
    if settings.CLINIC_CONTACT_EMAIL:
        return [settings.CLINIC_CONTACT_EMAIL]
    return list(
        User.objects.filter(clinic_id=clinic_id, role=Role.ADMIN, is_active=True)
        .order_by("id")
        .values_list("email", flat=True)
    )


@transaction.atomic
def send_contact_message(*, data: dict[str, Any]) -> ContactMessage:
    """Store a visitor's message, email it to the clinic and acknowledge it to the sender.
    Refusal (code "contact_closed") while there is no clinic yet."""
    clinic = public_clinic()
    if clinic is None:
        raise Refusal(
            "The clinic is not taking messages yet. Please try again later.", code=CONTACT_CLOSED
        )
    message = ContactMessage.objects.create(
        clinic=clinic,
        name=data["name"],
        email=data["email"],
        phone=data.get("phone", ""),
        message=data["message"],
        consent_at=timezone.now(),
    )
    record(action="create", obj=message, clinic_id=clinic.pk, detail="contact form")
    inbox_url = absolute_url("public:inbox_message", message.pk, origin=current().origin)
    outbox.queue(
        "public/email/contact_to_clinic",
        {"message": message, "clinic": clinic, "inbox_url": inbox_url},
        clinic_recipients(clinic.pk),
    )
    outbox.queue("public/email/contact_ack", {"message": message, "clinic": clinic}, message.email)
    return message


@transaction.atomic
def set_contact_status(*, actor: User, message: ContactMessage, status: str) -> None:
    policy.require(actor, policy.READ_INBOX, message, what="No such message.")
    if status not in ContactStatus.values:
        raise ValueError(f"unknown status {status!r}")
    if status == message.status:
        return
    old = message.status
    message.status = status
    message.handled_by = actor
    message.save(update_fields=["status", "handled_by", "updated_at"])
    record(
        actor=actor,
        action="update",
        obj=message,
        detail=f"status {old} → {status}",
    )
