"""The audit trail: one append-only row per read or write of a patient's data, hash-chained
so that an edit, deletion or insertion behind the application's back is detectable."""

from typing import Any, NoReturn

from django.db import models

from .appendonly import AppendOnlyError


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Login failed"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    ERROR = "error", "Error"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Audit events are append-only; they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")

    # Refused before Django opens its transaction, so the caller's transaction stays usable.
    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise AppendOnlyError("Audit events are append-only; they cannot be updated.")

    # bulk_create would skip the hash chain.
    def bulk_create(self, *args: object, **kwargs: object) -> NoReturn:
        raise AppendOnlyError("Write audit events with ketacare.audit.log.record().")


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    # Plain ids and a copy of the email, not foreign keys: the trail must outlive the rows
    # it speaks of, and must never block the deletion of a user.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_email = models.CharField(max_length=254, blank=True, default="")
    actor_role = models.CharField(max_length=20, blank=True, default="")
    clinic_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    model = models.CharField(max_length=60, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True, default="")
    outcome = models.CharField(
        max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    detail = models.CharField(max_length=500, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["clinic_id", "-id"], name="audit_clinic_recent"),
            # "Who saw this patient's record?" (the audit log's patient filter, an accounting
            # of disclosures): newest first without walking the whole clinic's trail.
            models.Index(fields=["clinic_id", "patient_id", "-id"], name="audit_clinic_patient"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_email} {self.action} {self.model}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")
