"""Properties plan_dose keeps for any well-formed request Hypothesis finds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.clinical.dosing import (
    DEFAULT_PROTOCOLS,
    DOSE_ABOVE_MAX,
    OVERRIDABLE,
    REASON_TEXT,
    WARNING_TEXT,
    plan_dose,
)

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

vitals = st.none() | st.fixed_dictionaries(
    {
        "systolic": st.integers(60, 240),
        "diastolic": st.integers(30, 140),
        "heart_rate": st.integers(30, 180),
        "spo2": st.integers(70, 100),
    }
)
history = st.lists(
    st.tuples(
        st.integers(-60 * 24 * 30, 60 * 24 * 2).map(lambda m: AT + timedelta(minutes=m)),
        st.floats(1, 500),
    ),
    max_size=8,
)
requests = st.fixed_dictionaries(
    {
        "protocol": st.sampled_from(list(DEFAULT_PROTOCOLS)),
        "weight_kg": st.none() | st.floats(20, 250),
        "dose_mg": st.none() | st.floats(-10, 600) | st.sampled_from([56, 84]),
        "vitals": vitals,
        "history": history,
        "override_reason": st.none() | st.sampled_from(["", "  ", "Prescriber reviewed"]),
    }
)


@settings(max_examples=200, deadline=None)
@given(request=requests)
def test_any_well_formed_request_gives_a_consistent_decision(request: dict[str, Any]) -> None:
    decision = plan_dose(**request, at=AT)
    assert decision.allowed is (not decision.reasons)
    assert set(decision.reasons) <= set(REASON_TEXT)
    assert set(decision.warnings) <= set(WARNING_TEXT)
    assert set(decision.overridden) <= OVERRIDABLE
    assert not set(decision.overridden) & set(decision.reasons)
    if not (request["override_reason"] or "").strip():
        assert decision.overridden == []
    if decision.dose_mg is not None:
        assert round(decision.dose_mg, 1) == decision.dose_mg
        if decision.allowed and decision.override_ceiling_mg is not None:
            assert decision.dose_mg <= decision.override_ceiling_mg
    if DOSE_ABOVE_MAX in decision.overridden:
        assert decision.dose_mg is not None and decision.override_ceiling_mg is not None
        assert decision.dose_mg <= decision.override_ceiling_mg


@settings(max_examples=100, deadline=None)
@given(request=requests)
def test_adding_an_override_reason_never_adds_a_reason(request: dict[str, Any]) -> None:
    without = plan_dose(**{**request, "override_reason": None}, at=AT)
    with_reason = plan_dose(**{**request, "override_reason": "Prescriber reviewed"}, at=AT)
    assert set(with_reason.reasons) <= set(without.reasons)
    assert set(with_reason.reasons) | set(with_reason.overridden) == set(without.reasons)
