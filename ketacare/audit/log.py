"""The one audit writer. Every service and view that reads or writes a patient's data calls
`record()`; state-changing services call it inside their own transaction, so the audit row and
the change commit together or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from ketacare.core.context import current

from .hashchain import GENESIS_HASH, canonical_json, chain_hash
from .models import AuditAction, AuditEvent, AuditOutcome

# Fields that the hash covers, in order. Changing this list breaks every existing chain.
HASHED_FIELDS = (
    "at", "actor_id", "actor_email", "actor_role", "clinic_id", "action", "model",
    "object_id", "patient_id", "ip", "path", "outcome", "detail",
)  # fmt: skip
_PG_LOCK_KEY = 0x4B43_4155  # "KCAU": serialises chain appends across app servers


def compute_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload: dict[str, Any] = {name: fields.get(name) for name in HASHED_FIELDS}
    at = payload["at"]
    payload["at"] = at.isoformat() if hasattr(at, "isoformat") else at
    for key in ("actor_id", "clinic_id", "patient_id"):
        payload[key] = None if payload[key] is None else int(payload[key])
    return chain_hash(prev_hash, canonical_json(payload))


def _normalise_ip(ip: str | None) -> str | None:
    # Stored as the database will give it back, so the hash recomputes from the stored row.
    if ip and ":" in ip:
        try:
            return clean_ipv6_address(ip)
        except ValidationError:
            return None
    return ip or None


def _label(obj: Any) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    return obj._meta.label, str(obj.pk)


def record(
    *,
    actor: Any = None,
    action: str,
    obj: Any = None,
    patient: Any = None,
    outcome: str = AuditOutcome.SUCCESS,
    detail: str = "",
    clinic_id: int | None = None,
) -> AuditEvent:
    """Append one audit row. `obj` is a model instance or a `(model_label, id)` pair;
    `patient` is the Patient the data belongs to (instance or id), when there is one. The
    actor (when not given), client IP and path come from the audit context
    (`ketacare.core.context`), set by middleware for requests and by `audit_context()` for
    the CLI and the worker."""
    context = current()
    if actor is None:
        actor = context.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    model, object_id = _label(obj)
    patient_id = getattr(patient, "pk", patient)
    if clinic_id is None:
        clinic_id = getattr(actor, "clinic_id", None) or getattr(patient, "clinic_id", None)
    fields: dict[str, Any] = {
        "at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_email": getattr(actor, "email", "") or "",
        "actor_role": getattr(actor, "role", "") or "",
        "clinic_id": clinic_id,
        "action": str(action),
        "model": model,
        "object_id": object_id,
        "patient_id": patient_id,
        "ip": _normalise_ip(context.ip),
        "path": context.path[:300],
        "outcome": str(outcome),
        "detail": detail[:500],
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        # On SQLite the IMMEDIATE transaction already holds the write lock here.
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        prev_hash = last or GENESIS_HASH
        fields["at"] = timezone.now()
        event = AuditEvent(prev_hash=prev_hash, hash=compute_hash(prev_hash, fields), **fields)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def iter_breaks(batch_size: int = 2000) -> Iterator[ChainBreak]:
    """Walk the chain oldest first, streaming, and yield each row whose link or hash is wrong."""
    prev_hash = GENESIS_HASH
    columns = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    qs = AuditEvent.objects.order_by("id").values_list(*columns)
    for row in qs.iterator(chunk_size=batch_size):
        values = dict(zip(columns, row, strict=True))
        if values["prev_hash"] != prev_hash:
            yield ChainBreak(values["id"], "does not link to the row before it")
        elif compute_hash(values["prev_hash"], values) != values["hash"]:
            yield ChainBreak(values["id"], "its content does not match its hash")
        prev_hash = values["hash"]


__all__ = [
    "AuditAction", "AuditOutcome", "record", "iter_breaks", "ChainBreak",
]  # fmt: skip
