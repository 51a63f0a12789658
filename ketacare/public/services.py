"""Writes for the public site: contact messages (stored, emailed to the clinic, acknowledged
to the sender) and their status in the staff inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from ketacare.accounts.models import STAFF_ROLES, Role, User
from ketacare.accounts.permissions import has_role
from ketacare.audit.log import record
from ketacare.core import outbox
from ketacare.core.urls import absolute_url
from ketacare.waitlist.services import public_clinic

from .models import ContactMessage, ContactStatus

if TYPE_CHECKING:
    from django.http import HttpRequest


class ContactClosed(ValueError):
    pass


def clinic_recipients(clinic_id: int) -> list[str]:
    if settings.CLINIC_CONTACT_EMAIL:
        return [settings.CLINIC_CONTACT_EMAIL]
    return list(
        User.objects.filter(clinic_id=clinic_id, role=Role.ADMIN, is_active=True)
        .order_by("id")
        .values_list("email", flat=True)
    )


@transaction.atomic
def send_contact_message(
    *, data: dict[str, Any], request: HttpRequest | None = None
) -> ContactMessage:
    clinic = public_clinic()
    if clinic is None:
        raise ContactClosed("The clinic is not taking messages yet. Please try again later.")
    message = ContactMessage.objects.create(
        clinic=clinic,
        name=data["name"],
        email=data["email"],
        phone=data.get("phone", ""),
        message=data["message"],
        consent_at=timezone.now(),
    )
    record(
        action="create", obj=message, request=request, clinic_id=clinic.pk, detail="contact form"
    )
    inbox_url = absolute_url("public:inbox_message", message.pk, request=request)
    outbox.queue(
        "public/email/contact_to_clinic",
        {"message": message, "clinic": clinic, "inbox_url": inbox_url},
        clinic_recipients(clinic.pk),
    )
    outbox.queue("public/email/contact_ack", {"message": message, "clinic": clinic}, message.email)
    return message


@transaction.atomic
def set_contact_status(
    *, actor: User, message: ContactMessage, status: str, request: HttpRequest | None = None
) -> None:
    if not has_role(actor, *STAFF_ROLES) or message.clinic_id != actor.clinic_id:
        raise Http404("No such message.")
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
        request=request,
        detail=f"status {old} → {status}",
    )
