"""Automatic log-off (HIPAA §164.312(a)(2)(iii)): staff after 15 idle minutes, patients after 60."""

import datetime as dt

import pytest
import time_machine

START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_staff_idle_for_more_than_15_minutes_are_signed_out_with_a_clear_message(
    world, client_for, clock
):
    client = client_for(world.clinician)
    assert client.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=15, seconds=1))

    response = client.get(f"/patients/{world.patient.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/patients/{world.patient.pk}/"
    assert client.session.get("_auth_user_id") is None
    login_page = client.get(response["Location"])
    assert b"You were signed out after a period of inactivity" in login_page.content


def test_staff_active_within_15_minutes_stay_signed_in(world, client_for, clock):
    client = client_for(world.prescriber)
    for _ in range(4):  # each request restarts the idle clock
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=14))
    assert client.get("/").status_code == 200


def test_a_patient_is_not_signed_out_at_16_minutes_but_is_after_an_hour(world, client_for, clock):
    client = client_for(world.patient_user)
    assert client.get("/patients/me/").status_code == 200
    clock.shift(dt.timedelta(minutes=16))
    assert client.get("/patients/me/").status_code == 200
    clock.shift(dt.timedelta(minutes=61))
    assert client.get("/patients/me/").status_code == 302


def test_an_idle_api_session_gets_a_401_json(world, client_for, clock):
    client = client_for(world.clinician)
    assert client.get("/api/v1/patients").status_code == 200
    clock.shift(dt.timedelta(minutes=20))
    response = client.get("/api/v1/patients")
    assert response.status_code == 401
    assert "expired after inactivity" in response.json()["detail"]


def test_the_idle_limit_comes_from_settings(world, client_for, clock, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    client = client_for(world.clinician)
    client.get("/")
    clock.shift(dt.timedelta(minutes=6))
    assert client.get("/").status_code == 302


def test_page_views_within_30_seconds_do_not_rewrite_the_session(world, client_for, clock):
    from ketacare.accounts.middleware import LAST_SEEN_KEY

    client = client_for(world.clinician)
    client.get("/")
    first = client.session[LAST_SEEN_KEY]
    clock.shift(dt.timedelta(seconds=20))
    client.get("/")
    assert client.session[LAST_SEEN_KEY] == first
    clock.shift(dt.timedelta(seconds=15))
    client.get("/")
    assert client.session[LAST_SEEN_KEY] > first
