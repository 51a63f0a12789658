"""The monitoring schedule of a supervised session: vitals due, REMS time points, MOAA/S,
the extra discharge criteria, the phase, the checklist and the REMS form deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.clinical import monitoring_schedule as ms
from ketacare.clinical.dosing import ALERT_AND_STEADY, ESCORT_CONFIRMED, OBSERVATION_TIME_MET
from ketacare.clinical.monitoring_schedule import (
    CHECK_ASSESSMENTS,
    CHECK_ESCORT,
    CHECK_IDENTITY,
    CHECK_PREGNANCY,
    CHECK_PREGNANCY_TEST,
    MOAAS_ALERT,
    PHASE_CHECKED_IN,
    PHASE_DISCHARGED,
    PHASE_DOSING,
    PHASE_OBSERVING,
    PHASE_READY,
    PHASE_SCHEDULED,
    POST_DOSE,
    PRE_DISCHARGE,
    PRE_DOSE,
    REMS_DUE,
    REMS_OVERDUE,
    REMS_SUBMITTED,
    TIME_POINTS_RECORDED,
    TP_DONE,
    TP_DUE,
    TP_NOT_YET,
    TP_OVERDUE,
    VITALS_DUE,
    VITALS_OK,
    VITALS_OVERDUE,
    checklist_problems,
    is_sedated,
    monitoring_discharge_check,
    observation_ends_at,
    preparation_instructions,
    rems_form_status,
    session_phase,
    suggest_time_point,
    time_point_problem,
    time_point_statuses,
    vitals_due,
    vitals_interval_problem,
)

DOSE = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
END = DOSE + timedelta(minutes=5)


def statuses(now, recorded=(), started=DOSE, ended=END, observation=120, discharged=False):
    return {
        tp.code: tp.status
        for tp in time_point_statuses(
            now=now,
            dose_started_at=started,
            dose_ended_at=ended,
            observation_minutes=observation,
            recorded=set(recorded),
            discharged=discharged,
        )
    }


# --- vitals interval and due times


@pytest.mark.parametrize("minutes", [5, 10, 15])
def test_a_vitals_interval_of_5_to_15_minutes_is_accepted(minutes):
    assert vitals_interval_problem(minutes) is None


@pytest.mark.parametrize("minutes", [4, 16, 0, -5, 5.5, True, "10"])
def test_a_vitals_interval_outside_5_to_15_whole_minutes_is_refused(minutes):
    assert vitals_interval_problem(minutes)


def test_vitals_are_due_one_interval_after_the_last_reading_and_overdue_after_two():
    last = DOSE + timedelta(minutes=10)

    def at(minutes):
        return vitals_due(
            now=DOSE + timedelta(minutes=minutes),
            since=DOSE,
            last_taken_at=last,
            interval_minutes=15,
        )

    assert at(24).status == VITALS_OK and at(24).due_at == last + timedelta(minutes=15)
    assert at(25).status == VITALS_DUE
    assert at(39).status == VITALS_DUE
    assert at(40).status == VITALS_OVERDUE


def test_a_reading_from_before_the_dose_does_not_count_for_the_interval():
    due = vitals_due(
        now=DOSE, since=DOSE, last_taken_at=DOSE - timedelta(minutes=30), interval_minutes=5
    )
    assert due.due_at == DOSE + timedelta(minutes=5) and due.status == VITALS_OK


def test_vitals_due_needs_aware_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        vitals_due(now=datetime(2026, 1, 1), since=DOSE, last_taken_at=None, interval_minutes=5)  # noqa: DTZ001


# --- MOAA/S


@pytest.mark.parametrize(("score", "sedated"), [(5, False), (4, True), (0, True), (None, False)])
def test_any_moaas_below_5_is_sedation(score, sedated):
    assert is_sedated(score) is sedated


# --- REMS time points


def test_before_the_dose_only_the_pre_dose_point_is_due():
    assert statuses(DOSE, started=None, ended=None) == {
        PRE_DOSE: TP_DUE,
        POST_DOSE: TP_NOT_YET,
        PRE_DISCHARGE: TP_NOT_YET,
    }


def test_a_missing_pre_dose_point_is_overdue_once_the_dose_has_started():
    assert statuses(DOSE + timedelta(minutes=1))[PRE_DOSE] == TP_OVERDUE


def test_the_post_dose_point_opens_10_minutes_before_40_and_is_overdue_15_after():
    assert statuses(DOSE + timedelta(minutes=29))[POST_DOSE] == TP_NOT_YET
    assert statuses(DOSE + timedelta(minutes=30))[POST_DOSE] == TP_DUE
    assert statuses(DOSE + timedelta(minutes=54, seconds=59))[POST_DOSE] == TP_DUE
    assert statuses(DOSE + timedelta(minutes=55))[POST_DOSE] == TP_OVERDUE
    assert statuses(DOSE + timedelta(minutes=55), recorded=[POST_DOSE])[POST_DOSE] == TP_DONE


def test_the_pre_discharge_point_is_due_in_the_last_15_minutes_of_observation():
    ends = END + timedelta(minutes=120)
    assert statuses(ends - timedelta(minutes=16))[PRE_DISCHARGE] == TP_NOT_YET
    assert statuses(ends - timedelta(minutes=15))[PRE_DISCHARGE] == TP_DUE
    assert statuses(ends + timedelta(minutes=15))[PRE_DISCHARGE] == TP_OVERDUE


def test_every_missing_point_is_overdue_once_the_patient_has_left():
    result = statuses(DOSE + timedelta(minutes=1), discharged=True, recorded=[PRE_DOSE])
    assert result == {PRE_DOSE: TP_DONE, POST_DOSE: TP_OVERDUE, PRE_DISCHARGE: TP_OVERDUE}


def test_observation_runs_from_the_end_of_the_dose():
    assert observation_ends_at(dose_ended_at=END, observation_minutes=60) == END + timedelta(
        hours=1
    )


@pytest.mark.parametrize(
    ("code", "minutes", "ok"),
    [
        (PRE_DOSE, -1, True),
        (PRE_DOSE, 0, False),
        (POST_DOSE, -1, False),
        (POST_DOSE, 29, False),
        (POST_DOSE, 30, True),
        (PRE_DISCHARGE, 109, False),
        (PRE_DISCHARGE, 110, True),
        (PRE_DISCHARGE, 300, True),
    ],
)
def test_a_reading_is_only_a_time_point_within_its_window(code, minutes, ok):
    problem = time_point_problem(
        code,
        taken_at=DOSE + timedelta(minutes=minutes),
        dose_started_at=DOSE,
        dose_ended_at=END,
        observation_minutes=120,
    )
    assert (problem is None) is ok


def test_post_dose_points_cannot_be_recorded_before_the_dose():
    assert "not started" in time_point_problem(POST_DOSE, taken_at=DOSE, dose_started_at=None)


def test_an_unknown_time_point_is_a_problem():
    assert time_point_problem("later", taken_at=DOSE, dose_started_at=None)


def test_the_suggested_time_point_follows_the_clock():
    def suggest(minutes, recorded=(), started=DOSE):
        return suggest_time_point(
            now=DOSE + timedelta(minutes=minutes),
            dose_started_at=started,
            dose_ended_at=END if started else None,
            observation_minutes=120,
            recorded=set(recorded),
        )

    assert suggest(-5, started=None) == PRE_DOSE
    assert suggest(-5, recorded=[PRE_DOSE], started=None) == ""
    assert suggest(5, recorded=[PRE_DOSE]) == ""
    assert suggest(38, recorded=[PRE_DOSE]) == POST_DOSE
    assert suggest(60, recorded=[PRE_DOSE, POST_DOSE]) == ""
    assert suggest(115, recorded=[PRE_DOSE, POST_DOSE]) == PRE_DISCHARGE
    assert suggest(130, recorded=[PRE_DOSE, POST_DOSE, PRE_DISCHARGE]) == PRE_DISCHARGE


# --- discharge


def test_discharge_needs_moaas_5_and_every_time_point():
    done = time_point_statuses(
        now=END + timedelta(hours=3),
        dose_started_at=DOSE,
        dose_ended_at=END,
        observation_minutes=120,
        recorded={PRE_DOSE, POST_DOSE, PRE_DISCHARGE},
    )
    assert monitoring_discharge_check(last_moaas=5, time_points=done) == []
    assert monitoring_discharge_check(last_moaas=4, time_points=done) == [MOAAS_ALERT]
    assert monitoring_discharge_check(last_moaas=None, time_points=done) == [MOAAS_ALERT]
    missing = time_point_statuses(
        now=END + timedelta(hours=3),
        dose_started_at=DOSE,
        dose_ended_at=END,
        observation_minutes=120,
        recorded={PRE_DOSE, POST_DOSE},
    )
    assert monitoring_discharge_check(last_moaas=5, time_points=missing) == [TIME_POINTS_RECORDED]


# --- phase


def phase(**kw):
    base = dict(
        cancelled=False,
        checked_in=False,
        dose_started=False,
        dose_ended=False,
        discharged=False,
        discharge_missing=[],
    )
    return session_phase(**{**base, **kw})


def test_the_phase_follows_the_session():
    assert phase() == PHASE_SCHEDULED
    assert phase(checked_in=True) == PHASE_CHECKED_IN
    assert phase(checked_in=True, dose_started=True) == PHASE_DOSING
    observing = dict(checked_in=True, dose_started=True, dose_ended=True)
    assert phase(**observing, discharge_missing=[OBSERVATION_TIME_MET]) == PHASE_OBSERVING
    assert phase(**observing, discharge_missing=[MOAAS_ALERT]) == PHASE_OBSERVING
    assert phase(**observing, discharged=True) == PHASE_DISCHARGED


def test_a_session_is_ready_for_discharge_when_only_the_attestations_remain():
    observing = dict(checked_in=True, dose_started=True, dose_ended=True)
    assert phase(**observing, discharge_missing=[ALERT_AND_STEADY, ESCORT_CONFIRMED]) == PHASE_READY
    assert phase(**observing) == PHASE_READY


# --- checklist


def test_a_complete_checklist_has_no_problem():
    ok = dict(
        identity_confirmed=True,
        fasting_confirmed=True,
        escort_arranged=True,
        medications_reviewed=True,
        pregnancy="negative_test",
        assessments_completed=True,
    )
    assert checklist_problems(**ok) == []
    assert checklist_problems(**{**ok, "identity_confirmed": False}) == [CHECK_IDENTITY]
    assert checklist_problems(**{**ok, "pregnancy": "possible"}) == [CHECK_PREGNANCY]
    assert checklist_problems(**{**ok, "pregnancy": ""}) == [CHECK_PREGNANCY]
    assert checklist_problems(**{**ok, "assessments_completed": False}) == [CHECK_ASSESSMENTS]
    assert checklist_problems(**{**ok, "escort_arranged": False}) == [CHECK_ESCORT]
    assert checklist_problems(**{**ok, "escort_arranged": False}, at_home=True) == []


def test_a_required_pregnancy_test_accepts_only_a_negative_test_today():
    ok = dict(
        identity_confirmed=True,
        fasting_confirmed=True,
        escort_arranged=True,
        medications_reviewed=True,
        assessments_completed=True,
        pregnancy_test_required=True,
    )
    assert checklist_problems(**ok, pregnancy="negative_test") == []
    for answer in ("reported_not_pregnant", "not_applicable"):
        assert checklist_problems(**ok, pregnancy=answer) == [CHECK_PREGNANCY_TEST]
    assert checklist_problems(**ok, pregnancy="possible") == [CHECK_PREGNANCY]


def test_preparation_advice_covers_fasting_and_a_driver_home():
    for route in ("iv", "im", "nasal"):
        text = " ".join(preparation_instructions(route)).lower()
        assert "eat" in text and "take you home" in text


# --- REMS form deadline


def test_the_rems_form_is_due_within_7_days_and_overdue_after():
    day = date(2026, 3, 10)
    assert rems_form_status(session_day=day, submitted_on=None, today=day).status == REMS_DUE
    seventh = rems_form_status(session_day=day, submitted_on=None, today=date(2026, 3, 17))
    assert seventh.status == REMS_DUE and seventh.days_left == 0
    late = rems_form_status(session_day=day, submitted_on=None, today=date(2026, 3, 18))
    assert late.status == REMS_OVERDUE and late.days_left == -1
    done = rems_form_status(session_day=day, submitted_on=day, today=date(2026, 4, 1))
    assert done.status == REMS_SUBMITTED


@given(st.integers(min_value=0, max_value=600), st.integers(min_value=60, max_value=240))
def test_a_recorded_time_point_is_always_done(minutes, observation):
    result = statuses(
        DOSE + timedelta(minutes=minutes),
        recorded=[PRE_DOSE, POST_DOSE, PRE_DISCHARGE],
        observation=observation,
    )
    assert set(result.values()) == {TP_DONE}


@given(st.integers(min_value=0, max_value=600))
def test_time_point_statuses_only_ever_worsen_as_time_passes(minutes):
    order = [TP_NOT_YET, TP_DUE, TP_OVERDUE]
    before = statuses(DOSE + timedelta(minutes=minutes))
    after = statuses(DOSE + timedelta(minutes=minutes + 1))
    for code in before:
        assert order.index(after[code]) >= order.index(before[code])


_ACCEPTABLE_END = dict(
    systolic=130, diastolic=84, heart_rate=72, spo2=97, respiratory_rate=16, moaas=5
)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"systolic": 160}, ms.DISCHARGE_VITAL_BP),
        ({"diastolic": None}, ms.DISCHARGE_VITAL_BP),
        ({"heart_rate": 49}, ms.DISCHARGE_VITAL_HEART_RATE),
        ({"heart_rate": 111}, ms.DISCHARGE_VITAL_HEART_RATE),
        ({"spo2": 91}, ms.DISCHARGE_VITAL_SPO2),
        ({"respiratory_rate": 8}, ms.DISCHARGE_VITAL_RESPIRATORY_RATE),
        ({"respiratory_rate": 25}, ms.DISCHARGE_VITAL_RESPIRATORY_RATE),
        ({"respiratory_rate": None}, ms.DISCHARGE_VITAL_RESPIRATORY_RATE),
        ({"moaas": 4}, ms.DISCHARGE_VITAL_SEDATION),
        ({"moaas": None}, ms.DISCHARGE_VITAL_SEDATION),
    ],
)
def test_each_vital_at_the_end_of_a_session_is_checked_against_discharge(change, problem):
    assert ms.discharge_vitals_problems(**_ACCEPTABLE_END) == []
    assert ms.discharge_vitals_problems(**{**_ACCEPTABLE_END, **change}) == [problem]


def test_dissociation_is_any_cadss_above_0_or_a_logged_event():
    assert ms.experienced_dissociation([0, Decimal("28"), None], event_logged=False)
    assert ms.experienced_dissociation([0, None], event_logged=True)
    assert not ms.experienced_dissociation([0, 0, None], event_logged=False)
