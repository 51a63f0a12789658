"""The second person of a waste or a count: another staff member of the clinic, proven present
by typing their own password into the same form."""

from __future__ import annotations

from django.core.cache import cache

from ketacare.accounts.models import User
from ketacare.core import policy
from ketacare.core.errors import Refusal

from .base import Code

# A witness's password may be tried this many times in WITNESS_LOCK_SECONDS, then the
# witness form refuses them for the rest of that window (no guessing a colleague's password).
WITNESS_MAX_FAILURES = 5
WITNESS_LOCK_SECONDS = 15 * 60


def verify_second_person(
    *,
    actor: User,
    person: User | None,
    password: str,
    field: str = "witness",
    what: str = "witness",
) -> User:
    """The second staff member of a waste or count, proven by their own password. Runs before
    the write transaction (password hashing is slow; the write lock is not held meanwhile)."""
    password_field = f"{field}_password"
    if person is None:
        raise Refusal(
            f"A {what} is required: a second staff member must be chosen and enter their password.",
            code=Code.WITNESS_REQUIRED,
            field=field,
        )
    if person.pk == actor.pk:
        raise Refusal(
            f"You cannot be your own {what}: choose another staff member.",
            code=Code.WITNESS_IS_ACTOR,
            field=field,
        )
    if not policy.can(person, policy.WITNESS_LEDGER, actor.clinic):
        raise Refusal(
            f"The {what} must be an active staff member of this clinic.",
            code=Code.WITNESS_NOT_STAFF,
            field=field,
        )
    key = f"ledger:witness-failures:{person.pk}"
    if (cache.get(key) or 0) >= WITNESS_MAX_FAILURES:
        raise Refusal(
            f"Too many wrong passwords for {person.full_name}: they can act as {what} again in "
            "15 minutes.",
            code=Code.WITNESS_LOCKED,
            field=password_field,
        )
    if not password or not person.check_password(password):
        try:
            cache.add(key, 0, WITNESS_LOCK_SECONDS)
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WITNESS_LOCK_SECONDS)
        raise Refusal(
            f"That is not {person.full_name}'s password: the {what} must type their own password. "
            "Nothing was saved.",
            code=Code.WITNESS_PASSWORD_WRONG,
            field=password_field,
        )
    cache.delete(key)
    return person
