"""The public site: pages admins may override (the defaults are Markdown files in
`ketacare/public/content/`) and messages sent through the contact form."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Page(models.Model):
    """A public page written in Markdown. A published page replaces the file of the same
    slug (or adds a page); unpublish or delete it to go back to the file."""

    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Its address: /pages/<slug>/ (“home” is the front page).",
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(
        max_length=300, blank=True, default="", help_text="One line for menus and search engines."
    )
    body = models.TextField(help_text="Markdown. Raw HTML is limited to safe tags.")
    nav_order = models.PositiveSmallIntegerField(
        default=100, help_text="Position in the menu; 0 hides it from the menu."
    )
    published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["nav_order", "slug"]

    def __str__(self) -> str:
        return self.title


class ContactStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class ContactMessage(models.Model):
    """A message from the public contact form, to the clinic's staff inbox."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="contact_messages"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True, default="")
    message = models.TextField(max_length=5000)
    consent_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ContactStatus.choices, default=ContactStatus.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ContactStatus]),
                name="contact_status_valid",
            )
        ]
        indexes = [models.Index(fields=["clinic", "status", "-created_at"], name="contact_inbox")]

    def __str__(self) -> str:
        return f"Message #{self.pk} from {self.name}"
