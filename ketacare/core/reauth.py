"""Re-entering a password to confirm an act (a prescriber signing an order, a witness to a
waste), with one lock-out: after MAX_FAILURES wrong passwords for the same purpose and user,
that purpose is refused for that user until LOCK_SECONDS after the first wrong one.

The count lives in the shared cache, so every worker sees it. The caller words the refusal:
it knows who is confirming what, and which form field to point at.
"""

from __future__ import annotations

from typing import Any, Final

from django.core.cache import cache

MAX_FAILURES: Final = 5
LOCK_SECONDS: Final = 15 * 60


class ReentryLocked(Exception):
    """Too many wrong passwords for this purpose and user: nothing was checked."""


def _key(purpose: str, user: Any) -> str:
    return f"reauth:{purpose}:{user.pk}"


def check_password_reentry(*, user: Any, password: str, purpose: str) -> bool:
    """True when `password` is `user`'s (their count for `purpose` starts again); False when
    it is wrong or empty (counted). Raises ReentryLocked, without looking at the password,
    once the count for `purpose` has reached MAX_FAILURES."""
    key = _key(purpose, user)
    if (cache.get(key) or 0) >= MAX_FAILURES:
        raise ReentryLocked(purpose)
    if not password or not user.check_password(password):
        cache.add(key, 0, LOCK_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, LOCK_SECONDS)
        return False
    cache.delete(key)
    return True
