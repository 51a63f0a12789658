"""The second person of a waste or a count: another staff member of the clinic, proven present
by typing their own password into the same form."""

from __future__ import annotations

from ketacare.accounts.models import User
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.core.reauth import ReentryLocked, check_password_reentry

from .base import Code


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
    # The lock-out (core.reauth) keeps anyone from guessing a colleague's password here.
    try:
        right = check_password_reentry(user=person, password=password, purpose="ledger-witness")
    except ReentryLocked:
        raise Refusal(
            f"Too many wrong passwords for {person.full_name}: they can act as {what} again in "
            "15 minutes.",
            code=Code.WITNESS_LOCKED,
            field=password_field,
        ) from None
    if not right:
        raise Refusal(
            f"That is not {person.full_name}'s password: the {what} must type their own password. "
            "Nothing was saved.",
            code=Code.WITNESS_PASSWORD_WRONG,
            field=password_field,
        )
    return person
