"""django-axes: five wrong passwords for one account from one address pause sign-in for 15
minutes, for that account from that address only."""

import datetime as dt

import time_machine

WRONG = "wrong-password-0"


def _fail_five_times(sign_in, user, **extra):
    return [sign_in(user, password=WRONG, **extra).status_code for _ in range(5)]


def test_the_sixth_attempt_is_refused_even_with_the_right_password(world, client, sign_in):
    statuses = _fail_five_times(sign_in, world.clinician)
    assert statuses[:4] == [200, 200, 200, 200]

    response = sign_in(world.clinician)  # the right password

    assert response.status_code == 429
    assert client.session.get("_auth_user_id") is None
    text = response.content.decode()
    assert "Too many failed sign-in attempts" in text
    assert "paused for 15 minutes" in text
    assert "reset your password" in text
    assert "PT15M" not in text  # axes' ISO duration is not for people


def test_the_lockout_page_uses_the_site_layout_and_names_the_account(world, sign_in):
    _fail_five_times(sign_in, world.clinician)
    response = sign_in(world.clinician)
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert b"Skip to content" in response.content  # web/base.html
    assert world.clinician.email.encode() in response.content


def test_the_lockout_is_per_account_and_address(world, client, sign_in):
    _fail_five_times(sign_in, world.clinician, REMOTE_ADDR="192.0.2.10")
    assert sign_in(world.clinician, REMOTE_ADDR="192.0.2.10").status_code == 429

    # Same account from another address: not paused.
    assert sign_in(world.clinician, REMOTE_ADDR="192.0.2.20").status_code == 302
    client.logout()
    # Another account from the paused address: not paused.
    assert sign_in(world.prescriber, REMOTE_ADDR="192.0.2.10").status_code == 302


def test_the_pause_ends_after_fifteen_minutes(world, client, sign_in):
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        _fail_five_times(sign_in, world.clinician)
        clock.shift(dt.timedelta(minutes=14))
        assert sign_in(world.clinician).status_code == 429
        clock.shift(dt.timedelta(minutes=16))
        assert sign_in(world.clinician).status_code == 302


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(
    world, client, sign_in
):
    for _ in range(4):
        sign_in(world.clinician, password=WRONG)
    assert sign_in(world.clinician).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(world.clinician, password=WRONG).status_code == 200
    assert sign_in(world.clinician).status_code == 302
