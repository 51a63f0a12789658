"""The screening workflow's rules (ketacare.clinical.screening): crisis flags, overrides,
re-assessment schedule and the re-evaluation gate on scheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.clinical.instruments import InvalidAnswers, UnknownInstrument, score
from ketacare.clinical.screening import (
    BEFORE_SESSION,
    CONSENT_MISSING,
    DUE,
    NO_APPROVED_ROUTE,
    OVERDUE,
    PERIODIC,
    REEVALUATION_DUE_GAP,
    REEVALUATION_DUE_SESSIONS,
    TREATMENT_STOPPED,
    ReassessmentSchedule,
    ReevaluationPolicy,
    can_schedule_session,
    crisis_flags,
    crisis_flags_so_far,
    due_assessments,
    is_override,
    urgent_follow_up,
    urgent_follow_up_so_far,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


# --- crisis flags


def test_phq9_item_9_answered_1_calls_for_the_crisis_response():
    assert crisis_flags(score("phq9", [0] * 8 + [1])) == {"suicidal_ideation"}


def test_phq9_item_9_answered_0_does_not():
    assert crisis_flags(score("phq9", [3] * 8 + [0])) == frozenset()


def test_cssrs_high_risk_calls_for_the_crisis_response():
    assert crisis_flags(score("cssrs_screen", [1, 1, 1, 1, 0, 0, 0])) == {"suicide_risk_high"}


def test_cssrs_recent_behaviour_alone_is_high_risk():
    assert crisis_flags(score("cssrs_screen", [0, 0, 0, 0, 0, 1, 1])) == {"suicide_risk_high"}


def test_cssrs_wish_to_be_dead_alone_is_followed_up_in_review_not_as_a_crisis():
    result = score("cssrs_screen", [1, 0, 0, 0, 0, 0, 0])
    assert "suicidal_ideation" in result.flags
    assert crisis_flags(result) == frozenset()


def test_qids_item_12_counts_like_phq9_item_9():
    answers = [0] * 16
    answers[11] = 1
    assert crisis_flags(score("qids_sr16", answers)) == {"suicidal_ideation"}


def test_instruments_without_crisis_flags_never_call_for_it():
    assert crisis_flags(score("pcl5", [4] * 20)) == frozenset()


def test_a_half_answered_phq9_with_item_9_at_1_is_already_a_crisis():
    assert crisis_flags_so_far("phq9", {1: 2, 9: 1}) == {"suicidal_ideation"}


def test_a_half_answered_phq9_without_item_9_is_not_yet():
    assert crisis_flags_so_far("phq9", {1: 3, 2: 3, 3: 3}) == frozenset()


def test_a_half_answered_cssrs_with_intent_is_already_high_risk():
    assert crisis_flags_so_far("cssrs_screen", {4: 1}) == {"suicide_risk_high"}


def test_partial_answers_are_still_checked():
    with pytest.raises(InvalidAnswers) as exc:
        crisis_flags_so_far("phq9", {9: 7})
    assert exc.value.item == 9
    with pytest.raises(UnknownInstrument):
        crisis_flags_so_far("nope", {})


@given(
    st.dictionaries(st.integers(1, 9), st.integers(0, 3)),
    st.lists(st.integers(0, 3), min_size=9, max_size=9),
)
def test_a_flag_certain_so_far_stays_raised_whatever_the_other_answers(partial, rest):
    full = [partial.get(n, rest[n - 1]) for n in range(1, 10)]
    assert crisis_flags_so_far("phq9", partial) <= crisis_flags(score("phq9", full))


@given(
    st.dictionaries(st.integers(1, 7), st.integers(0, 1)),
    st.lists(st.integers(0, 1), min_size=7, max_size=7),
)
def test_cssrs_partial_flags_are_monotone(partial, rest):
    full = [partial.get(n, rest[n - 1]) for n in range(1, 8)]
    assert crisis_flags_so_far("cssrs_screen", partial) <= crisis_flags(score("cssrs_screen", full))


# --- urgent follow-up: which results open an urgent task, and how urgent


@pytest.mark.parametrize(
    "answers", [[0] * 7, [1, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0]], ids=["none", "wish", "both"]
)
def test_cssrs_none_or_low_opens_no_task(answers):
    result = score("cssrs_screen", answers)
    assert result.severity in {"none", "low"}
    assert urgent_follow_up(result) is None


def test_cssrs_thoughts_of_a_method_open_a_same_day_review():
    result = score("cssrs_screen", [1, 1, 1, 0, 0, 0, 0])
    assert result.severity == "moderate"
    follow_up = urgent_follow_up(result)
    assert follow_up.urgency == "same_day" and follow_up.flags == {"suicidal_ideation"}


def test_cssrs_lifetime_behaviour_alone_opens_a_same_day_review_without_flags():
    follow_up = urgent_follow_up(score("cssrs_screen", [0, 0, 0, 0, 0, 1, 0]))
    assert follow_up.urgency == "same_day" and follow_up.flags == frozenset()


def test_cssrs_high_risk_is_the_crisis_path_with_the_same_flags_as_before():
    result = score("cssrs_screen", [1, 1, 1, 1, 0, 0, 0])
    follow_up = urgent_follow_up(result)
    assert follow_up.urgency == "crisis" and follow_up.flags == crisis_flags(result)


def test_phq9_item_9_stays_the_crisis_path():
    follow_up = urgent_follow_up(score("phq9", [0] * 8 + [1]))
    assert follow_up.urgency == "crisis" and follow_up.flags == {"suicidal_ideation"}


def test_a_moderate_phq9_total_opens_no_task():
    assert urgent_follow_up(score("phq9", [2] * 6 + [0] * 3)) is None


def test_a_half_answered_cssrs_with_a_method_is_already_a_same_day_review():
    assert urgent_follow_up_so_far("cssrs_screen", {3: 1}).urgency == "same_day"
    assert urgent_follow_up_so_far("cssrs_screen", {1: 1, 2: 1}) is None


@given(
    st.dictionaries(st.integers(1, 7), st.integers(0, 1)),
    st.lists(st.integers(0, 1), min_size=7, max_size=7),
)
def test_cssrs_partial_urgency_only_rises(partial, rest):
    full = [partial.get(n, rest[n - 1]) for n in range(1, 8)]
    so_far = urgent_follow_up_so_far("cssrs_screen", partial)
    final = urgent_follow_up(score("cssrs_screen", full))
    levels = [None, "same_day", "crisis"]
    rank = levels.index(so_far.urgency if so_far else None)
    assert rank <= levels.index(final.urgency if final else None)


# --- overrides


@pytest.mark.parametrize(
    ("status", "decision", "expected"),
    [
        ("ineligible", "approve", True),
        ("needs_review", "approve", False),
        ("eligible", "approve", False),
        ("eligible", "decline", True),
        ("needs_review", "decline", False),
        ("ineligible", "decline", False),
        ("eligible", "in_person", False),
        ("ineligible", "in_person", False),
    ],
)
def test_an_override_contradicts_the_rule_based_result(status, decision, expected):
    assert is_override(status, decision) is expected


def test_unknown_status_or_decision_is_refused():
    with pytest.raises(ValueError, match="status"):
        is_override("maybe", "approve")
    with pytest.raises(ValueError, match="decision"):
        is_override("eligible", "perhaps")


# --- re-assessment schedule

SCHEDULE = ReassessmentSchedule()


def test_nothing_is_due_three_weeks_after_the_bundle():
    done = dict.fromkeys(SCHEDULE.full_bundle, T0)
    assert due_assessments(SCHEDULE, last_completed=done, since=T0, at=T0 + 21 * DAY) == []


def test_the_full_bundle_is_due_every_4_weeks():
    done = dict.fromkeys(SCHEDULE.full_bundle, T0)
    due = due_assessments(SCHEDULE, last_completed=done, since=T0, at=T0 + 28 * DAY)
    assert [d.instrument for d in due] == list(SCHEDULE.full_bundle)
    assert {(d.status, d.reason, d.due_at) for d in due} == {(DUE, PERIODIC, T0 + 28 * DAY)}


def test_a_week_after_it_fell_due_an_assessment_is_overdue():
    done = dict.fromkeys(SCHEDULE.full_bundle, T0)
    due = due_assessments(SCHEDULE, last_completed=done, since=T0, at=T0 + 35 * DAY)
    assert {d.status for d in due} == {OVERDUE}
    almost = due_assessments(
        SCHEDULE, last_completed=done, since=T0, at=T0 + 35 * DAY - timedelta(seconds=1)
    )
    assert {d.status for d in almost} == {DUE}


def test_a_never_completed_instrument_is_due_from_the_start():
    due = due_assessments(SCHEDULE, last_completed={}, since=T0, at=T0)
    assert len(due) == len(SCHEDULE.full_bundle) and due[0].due_at == T0


def test_phq9_is_due_after_a_session_until_completed_again():
    done = dict.fromkeys(SCHEDULE.full_bundle, T0)
    due = due_assessments(
        SCHEDULE, last_completed=done, since=T0, at=T0 + 3 * DAY, last_session_at=T0 + 2 * DAY
    )
    assert [(d.instrument, d.status, d.reason) for d in due] == [("phq9", DUE, BEFORE_SESSION)]
    done["phq9"] = T0 + 3 * DAY
    assert (
        due_assessments(
            SCHEDULE, last_completed=done, since=T0, at=T0 + 4 * DAY, last_session_at=T0 + 2 * DAY
        )
        == []
    )


def test_phq9_before_a_booked_session_is_overdue_once_the_session_time_passes():
    done = dict.fromkeys(SCHEDULE.full_bundle, T0)
    nxt = T0 + 14 * DAY
    due = due_assessments(
        SCHEDULE, last_completed=done, since=T0, at=nxt - DAY, next_session_at=nxt
    )
    assert [(d.instrument, d.status, d.due_at) for d in due] == [("phq9", DUE, nxt)]
    due = due_assessments(SCHEDULE, last_completed=done, since=T0, at=nxt, next_session_at=nxt)
    assert due[0].status == OVERDUE


def test_a_phq9_within_the_week_before_the_session_counts_for_it():
    done = dict.fromkeys(SCHEDULE.full_bundle, T0)
    nxt = T0 + 14 * DAY
    done["phq9"] = nxt - 7 * DAY
    assert (
        due_assessments(SCHEDULE, last_completed=done, since=T0, at=nxt - DAY, next_session_at=nxt)
        == []
    )


def test_when_both_rules_apply_the_more_urgent_one_is_kept():
    done = dict.fromkeys(SCHEDULE.full_bundle, T0)
    nxt = T0 + 29 * DAY
    due = due_assessments(SCHEDULE, last_completed=done, since=T0, at=nxt, next_session_at=nxt)
    phq9 = [d for d in due if d.instrument == "phq9"]
    assert len(phq9) == 1 and phq9[0].status == OVERDUE and phq9[0].reason == BEFORE_SESSION


def test_a_schedule_is_clinic_configurable_and_checked():
    custom = ReassessmentSchedule(
        before_each_session=("gad7",), full_bundle=("phq9",), full_bundle_every_days=14
    )
    due = due_assessments(custom, last_completed={"phq9": T0}, since=T0, at=T0 + 14 * DAY)
    assert [d.instrument for d in due] == ["phq9"]
    with pytest.raises(ValueError, match="full_bundle_every_days"):
        ReassessmentSchedule(full_bundle_every_days=0)
    with pytest.raises(UnknownInstrument):
        ReassessmentSchedule(full_bundle=("nope",))


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_assessments(SCHEDULE, last_completed={}, since=T0, at=datetime(2025, 1, 1))  # noqa: DTZ001


# --- re-evaluation gate

POLICY = ReevaluationPolicy()


def _sessions(n, start=T0 + DAY, every=2 * DAY):
    return [start + i * every for i in range(n)]


def test_an_approved_patient_may_be_scheduled():
    decision = can_schedule_session(
        POLICY,
        approved_routes={"iv"},
        last_evaluation_at=T0,
        session_times=_sessions(5),
        at=T0 + 12 * DAY,
    )
    assert decision.allowed and decision.reasons == () and decision.sessions_since_evaluation == 5


def test_after_6_sessions_a_reevaluation_is_required():
    decision = can_schedule_session(
        POLICY,
        approved_routes={"iv"},
        last_evaluation_at=T0,
        session_times=_sessions(6),
        at=T0 + 14 * DAY,
    )
    assert not decision.allowed
    assert decision.reasons == (REEVALUATION_DUE_SESSIONS,)
    assert decision.reason_texts[0].startswith("A prescriber re-evaluation")


def test_a_reevaluation_resets_the_session_count():
    sessions = _sessions(6)
    decision = can_schedule_session(
        POLICY,
        approved_routes={"iv"},
        last_evaluation_at=sessions[-1] + DAY,
        session_times=sessions,
        at=sessions[-1] + 2 * DAY,
    )
    assert decision.allowed and decision.sessions_since_evaluation == 0


def test_a_gap_of_more_than_90_days_requires_a_reevaluation():
    sessions = _sessions(2)
    last = sessions[-1]
    ok = can_schedule_session(
        POLICY,
        approved_routes={"iv"},
        last_evaluation_at=T0,
        session_times=sessions,
        at=last + 90 * DAY,
    )
    assert ok.allowed
    late = can_schedule_session(
        POLICY,
        approved_routes={"iv"},
        last_evaluation_at=T0,
        session_times=sessions,
        at=last + 90 * DAY + timedelta(seconds=1),
    )
    assert late.reasons == (REEVALUATION_DUE_GAP,)


def test_an_approval_never_followed_by_a_session_also_lapses_after_90_days():
    decision = can_schedule_session(
        POLICY, approved_routes={"iv"}, last_evaluation_at=T0, session_times=[], at=T0 + 91 * DAY
    )
    assert decision.reasons == (REEVALUATION_DUE_GAP,)


def test_the_thresholds_are_configurable():
    policy = ReevaluationPolicy(every_sessions=3, max_gap_days=30)
    decision = can_schedule_session(
        policy,
        approved_routes={"iv"},
        last_evaluation_at=T0,
        session_times=_sessions(3),
        at=T0 + 40 * DAY,
    )
    assert decision.reasons == (REEVALUATION_DUE_SESSIONS, REEVALUATION_DUE_GAP)
    with pytest.raises(ValueError, match="every_sessions"):
        ReevaluationPolicy(every_sessions=0)


def test_sessions_after_the_planned_time_do_not_count():
    decision = can_schedule_session(
        POLICY,
        approved_routes={"iv"},
        last_evaluation_at=T0,
        session_times=_sessions(8),
        at=T0 + 4 * DAY,
    )
    assert decision.allowed and decision.sessions_since_evaluation == 2


def test_without_an_approved_route_nothing_can_be_scheduled():
    decision = can_schedule_session(
        POLICY, approved_routes=(), last_evaluation_at=None, session_times=[], at=T0
    )
    assert decision.reasons == (NO_APPROVED_ROUTE,)


def test_a_stopped_treatment_or_a_missing_consent_blocks_scheduling():
    decision = can_schedule_session(
        POLICY,
        approved_routes={"iv"},
        last_evaluation_at=T0,
        session_times=[],
        at=T0 + DAY,
        stopped=True,
        consent_missing=True,
    )
    assert decision.reasons == (TREATMENT_STOPPED, CONSENT_MISSING)
