"""The links a person on the list receives: a one-time, expiring confirmation link (double
opt-in) and a private status link. Both are signed with the site's SECRET_KEY and carry a
random value stored on the entry, so a used or revoked link stops working; invitation
links are random tokens of which only the hash is stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from ketacare.core.context import current
from ketacare.core.urls import absolute_url

_CONFIRM_SALT = "ketacare.waitlist.confirm"
_STATUS_SALT = "ketacare.waitlist.status"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _payload(public_id: uuid.UUID, nonce: str) -> str:
    return f"{public_id.hex}.{nonce}"


@dataclass(frozen=True)
class Unsigned:
    public_id: uuid.UUID
    nonce: str


def _unpack(value: str) -> Unsigned | None:
    hex_id, _, nonce = value.partition(".")
    try:
        return Unsigned(uuid.UUID(hex=hex_id), nonce)
    except ValueError:
        return None


def confirm_token(public_id: uuid.UUID, nonce: str) -> str:
    return signing.TimestampSigner(salt=_CONFIRM_SALT).sign(_payload(public_id, nonce))


class LinkExpired(Exception):
    """A correctly signed link that is too old."""


def read_confirm_token(token: str) -> Unsigned | None:
    """The entry a confirmation link names; LinkExpired when it is older than allowed;
    None when it was never ours."""
    max_age = settings.WAITLIST_CONFIRM_HOURS * 3600
    signer = signing.TimestampSigner(salt=_CONFIRM_SALT)
    try:
        return _unpack(signer.unsign(token[:200], max_age=max_age))
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        return None


def status_token(public_id: uuid.UUID, nonce: str) -> str:
    return signing.Signer(salt=_STATUS_SALT).sign(_payload(public_id, nonce))


def read_status_token(token: str) -> Unsigned | None:
    try:
        return _unpack(signing.Signer(salt=_STATUS_SALT).unsign(token[:200]))
    except signing.BadSignature:
        return None


def new_invitation_token() -> tuple[str, str]:
    """(token for the link, its hash for the database)."""
    raw = secrets.token_urlsafe(32)
    return raw, invitation_hash(raw)


def invitation_hash(raw: str) -> str:
    return hashlib.sha256(raw[:100].encode()).hexdigest()


# Full links for the emails a service renders: on the address the request came in on (the
# audit context's origin), else SITE_URL (the worker, the CLI).


def confirm_url(entry: object) -> str:
    token = confirm_token(entry.public_id, entry.confirm_nonce)  # type: ignore[attr-defined]
    return absolute_url("waitlist:confirm", token, origin=current().origin)


def status_url(entry: object) -> str:
    token = status_token(entry.public_id, entry.status_nonce)  # type: ignore[attr-defined]
    return absolute_url("waitlist:status", token, origin=current().origin)


def invitation_url(raw: str) -> str:
    return absolute_url("waitlist:invitation", raw, origin=current().origin)
