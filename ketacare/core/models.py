"""Shared tables: the email outbox."""

from __future__ import annotations

from django.db import models


class OutgoingEmail(models.Model):
    """The outbox: an email written in the same transaction as the change that causes it
    (so a crash cannot lose it or send it for a change that never happened), sent by the
    worker and then deleted. Every email KetaCare sends passes through here
    (ketacare.core.outbox)."""

    to = models.JSONField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker sending it holds it until then; after that, another may try.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="")
    last_error = models.CharField(max_length=500, blank=True, default="")
    failed = models.BooleanField(default=False, help_text="Given up after repeated failures.")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["failed", "next_attempt_at"], name="core_outbox_due")]

    def __str__(self) -> str:
        return f"Email #{self.pk}: {self.subject}"
