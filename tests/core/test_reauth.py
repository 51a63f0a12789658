"""Password re-entry: five wrong passwords lock one purpose for one user for 15 minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ketacare.core.reauth import ReentryLocked, check_password_reentry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _fail(user, purpose: str = "signing", times: int = 5) -> None:
    for _ in range(times):
        assert check_password_reentry(user=user, password="wrong", purpose=purpose) is False


def test_the_right_password_passes_and_a_wrong_or_empty_one_does_not():
    user = UserFactory()
    assert check_password_reentry(user=user, password=PASSWORD, purpose="signing") is True
    assert check_password_reentry(user=user, password="wrong", purpose="signing") is False
    assert check_password_reentry(user=user, password="", purpose="signing") is False


def test_the_fifth_wrong_password_locks_even_the_right_one_out():
    user = UserFactory()
    _fail(user, times=4)
    assert check_password_reentry(user=user, password=PASSWORD, purpose="signing") is True
    _fail(user, times=5)
    with pytest.raises(ReentryLocked):
        check_password_reentry(user=user, password=PASSWORD, purpose="signing")


def test_the_right_password_starts_the_count_again():
    user = UserFactory()
    _fail(user, times=4)
    assert check_password_reentry(user=user, password=PASSWORD, purpose="signing") is True
    _fail(user, times=4)
    assert check_password_reentry(user=user, password=PASSWORD, purpose="signing") is True


def test_the_lock_is_per_purpose_and_per_user():
    user, colleague = UserFactory(), UserFactory()
    _fail(user, purpose="signing")
    assert check_password_reentry(user=user, password=PASSWORD, purpose="witness") is True
    assert check_password_reentry(user=colleague, password=PASSWORD, purpose="signing") is True


def test_the_lock_lifts_15_minutes_after_the_first_wrong_password():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        _fail(user)
        clock.shift(dt.timedelta(minutes=14, seconds=59))
        with pytest.raises(ReentryLocked):
            check_password_reentry(user=user, password=PASSWORD, purpose="signing")
        clock.shift(dt.timedelta(seconds=2))
        assert check_password_reentry(user=user, password=PASSWORD, purpose="signing") is True
