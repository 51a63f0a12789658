"""Eligibility per route: contraindications, indication baselines, esketamine's TRD rule and
the at-home criteria."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ketacare.clinical import eligibility as e
from ketacare.clinical.dosing import BP_HOLD, plan_dose
from ketacare.clinical.eligibility import (
    ELIGIBLE,
    INELIGIBLE,
    NEEDS_REVIEW,
    MedicalHistory,
    assess_eligibility,
)
from ketacare.clinical.instruments import score

ROUTES = ["iv", "im", "nasal", "home-troche"]
READY = MedicalHistory(
    age=40,
    indications=frozenset({e.DEPRESSION}),
    screening_systolic=120,
    screening_diastolic=80,
    antidepressant_trials=2,
    named_adult_monitor=True,
    validated_home_bp_cuff=True,
    supervised_first_dose_without_sae=True,
)
PHQ9_16 = score("phq9", [2] * 8 + [0])
CSSRS_NONE = score("cssrs_screen", [0] * 7)
SCORES: dict[str, Any] = {"phq9": PHQ9_16, "cssrs_screen": CSSRS_NONE}


def assess(history: MedicalHistory = READY, scores: dict[str, Any] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    return assess_eligibility(history, SCORES if scores is None else scores, **kw)


def with_(**changes: Any) -> MedicalHistory:
    return dataclasses.replace(READY, **changes)


def statuses(result: dict[str, e.RouteEligibility]) -> dict[str, str]:
    return {route: decision.status for route, decision in result.items()}


def codes(result: dict[str, e.RouteEligibility], route: str) -> list[str]:
    return result[route].reason_codes


def test_a_patient_meeting_every_criterion_is_eligible_for_every_route() -> None:
    result = assess()
    assert list(result) == ROUTES
    assert statuses(result) == dict.fromkeys(ROUTES, ELIGIBLE)
    assert all(decision.reasons == () for decision in result.values())


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("aneurysmal_vascular_disease", e.ANEURYSMAL_VASCULAR_DISEASE),
        ("arteriovenous_malformation", e.ARTERIOVENOUS_MALFORMATION),
        ("intracerebral_hemorrhage", e.INTRACEREBRAL_HEMORRHAGE),
        ("ketamine_hypersensitivity", e.KETAMINE_HYPERSENSITIVITY),
        ("active_psychosis", e.ACTIVE_PSYCHOSIS),
        ("schizophrenia", e.SCHIZOPHRENIA),
        ("pregnant", e.PREGNANCY),
    ],
)
def test_an_absolute_contraindication_makes_every_route_ineligible(field: str, code: str) -> None:
    result = assess(with_(**{field: True}))
    assert statuses(result) == dict.fromkeys(ROUTES, INELIGIBLE)
    for route in ROUTES:
        assert codes(result, route) == [code]


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("bipolar_disorder", e.BIPOLAR_DISORDER),
        ("cardiovascular_disease", e.CARDIOVASCULAR_DISEASE),
        ("raised_intracranial_pressure", e.RAISED_INTRACRANIAL_PRESSURE),
        ("raised_intraocular_pressure", e.RAISED_INTRAOCULAR_PRESSURE),
        ("severe_liver_disease", e.SEVERE_LIVER_DISEASE),
        ("moderate_liver_disease", e.MODERATE_LIVER_DISEASE),
        ("interstitial_cystitis", e.INTERSTITIAL_CYSTITIS),
        ("breastfeeding", e.BREASTFEEDING),
    ],
)
def test_a_relative_contraindication_needs_review_on_every_route(field: str, code: str) -> None:
    result = assess(with_(**{field: True}))
    assert statuses(result) == dict.fromkeys(ROUTES, NEEDS_REVIEW)
    assert codes(result, "iv") == [code]


def test_substance_use_needs_review_in_clinic_and_rules_out_home_dosing() -> None:
    result = assess(with_(substance_use_disorder=True))
    assert statuses(result) == {
        "iv": NEEDS_REVIEW,
        "im": NEEDS_REVIEW,
        "nasal": NEEDS_REVIEW,
        "home-troche": INELIGIBLE,
    }
    assert codes(result, "home-troche") == [e.SUBSTANCE_USE_DISORDER, e.SUBSTANCE_USE_AT_HOME]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "status"),
    [
        (159, 99, ELIGIBLE),
        (160, 90, INELIGIBLE),
        (150, 100, INELIGIBLE),
    ],
)
def test_uncontrolled_hypertension_is_the_dose_hold_160_over_100(
    systolic: int, diastolic: int, status: str
) -> None:
    result = assess(with_(screening_systolic=systolic, screening_diastolic=diastolic))
    assert result["iv"].status == status
    if status == INELIGIBLE:
        assert codes(result, "iv") == [e.UNCONTROLLED_HYPERTENSION]
        assert f"({systolic}/{diastolic})" in result["iv"].reasons[0].text


def test_not_sure_about_pregnancy_is_a_test_before_the_first_dose_not_a_contraindication() -> None:
    result = assess(with_(pregnancy_unsure=True))
    assert statuses(result) == dict.fromkeys(ROUTES, ELIGIBLE)
    for route in ROUTES:
        assert codes(result, route) == [e.PREGNANCY_TEST_NEEDED]
    assert "negative pregnancy test" in result["iv"].reasons[0].text
    pregnant = assess(with_(pregnant=True, pregnancy_unsure=True))
    assert codes(pregnant, "iv") == [e.PREGNANCY]


@pytest.mark.parametrize(("systolic", "diastolic"), [(159, 99), (160, 90), (150, 100)])
def test_screening_ineligible_exactly_when_the_dose_would_be_held(
    systolic: int, diastolic: int
) -> None:
    """Clinical reference §4: the screening line is the dose hold's line (§3)."""
    vitals = {"systolic": systolic, "diastolic": diastolic, "heart_rate": 70, "spo2": 98}
    held = (
        BP_HOLD
        in plan_dose(
            "iv-depression", weight_kg=70, vitals=vitals, at=datetime(2026, 3, 10, tzinfo=UTC)
        ).reasons
    )
    result = assess(with_(screening_systolic=systolic, screening_diastolic=diastolic))
    assert (result["iv"].status == INELIGIBLE) == held


@pytest.mark.parametrize("missing", ["screening_systolic", "screening_diastolic"])
def test_a_missing_screening_bp_needs_review(missing: str) -> None:
    result = assess(with_(**{missing: None}))
    assert (result["iv"].status, codes(result, "iv")) == (NEEDS_REVIEW, [e.SCREENING_BP_MISSING])


@pytest.mark.parametrize(
    ("age", "status", "reasons"),
    [
        (17, INELIGIBLE, [e.AGE_UNDER_18]),
        (18, ELIGIBLE, []),
        (75, ELIGIBLE, []),
        (76, NEEDS_REVIEW, [e.AGE_OVER_75]),
    ],
)
def test_age_limits(age: int, status: str, reasons: list[str]) -> None:
    result = assess(with_(age=age))
    assert statuses(result) == dict.fromkeys(ROUTES, status)
    assert codes(result, "im") == reasons


def test_no_indication_is_ineligible() -> None:
    result = assess(with_(indications=frozenset()))
    assert result["iv"].status == INELIGIBLE
    assert codes(result, "iv") == [e.NO_INDICATION]


@pytest.mark.parametrize(
    ("indication", "code", "in_range", "below"),
    [
        (e.DEPRESSION, "phq9", 10, 9),
        (e.DEPRESSION, "qids_sr16", 11, 10),
        (e.DEPRESSION, "madrs", 20, 19),
        (e.ANXIETY, "gad7", 10, 9),
        (e.PTSD, "pcl5", 33, 32),
        (e.OCD, "ybocs", 16, 15),
        (e.PAIN, "nrs_pain", 4, 3),
        (e.PAIN, "bpi_sf", 4.0, 3.75),
    ],
)
def test_baseline_thresholds_per_indication(
    indication: str, code: str, in_range: float, below: float
) -> None:
    history = with_(indications=frozenset({indication}))
    base = {"cssrs_screen": CSSRS_NONE}
    assert assess(history, {**base, code: in_range})["iv"].status == ELIGIBLE
    result = assess(history, {**base, code: below})
    assert (result["iv"].status, codes(result, "iv")) == (
        NEEDS_REVIEW,
        [e.BASELINE_BELOW_THRESHOLD],
    )
    assert f"{code} {below:g}" in result["iv"].reasons[0].text


def test_a_missing_baseline_needs_review() -> None:
    result = assess(scores={"cssrs_screen": CSSRS_NONE}, phq9_item9=0)
    assert (result["iv"].status, codes(result, "iv")) == (NEEDS_REVIEW, [e.BASELINE_MISSING])
    assert "phq9 >= 10" in result["iv"].reasons[0].text


def test_a_score_result_and_a_bare_total_count_alike() -> None:
    assert statuses(assess(scores={"phq9": 16, "cssrs_screen": CSSRS_NONE}, phq9_item9=0)) == (
        statuses(assess())
    )


def test_one_indication_in_range_is_enough_in_clinic() -> None:
    history = with_(indications=frozenset({e.ANXIETY, e.PAIN}))
    result = assess(history, {"gad7": 12, "nrs_pain": 1, "cssrs_screen": CSSRS_NONE}, phq9_item9=0)
    assert result["iv"].status == ELIGIBLE


def test_esketamine_is_for_depression_only() -> None:
    result = assess(with_(indications=frozenset({e.ANXIETY})), {**SCORES, "gad7": 15})
    assert result["iv"].status == ELIGIBLE
    assert (result["nasal"].status, codes(result, "nasal")) == (INELIGIBLE, [e.NOT_DEPRESSION])


@pytest.mark.parametrize(("trials", "status"), [(0, INELIGIBLE), (1, INELIGIBLE), (2, ELIGIBLE)])
def test_esketamine_needs_two_adequate_antidepressant_trials(trials: int, status: str) -> None:
    result = assess(with_(antidepressant_trials=trials))
    assert result["nasal"].status == status
    assert result["iv"].status == ELIGIBLE
    if status == INELIGIBLE:
        assert codes(result, "nasal") == [e.NOT_TREATMENT_RESISTANT]


def test_esketamine_needs_the_depression_baseline_even_when_another_is_in_range() -> None:
    history = with_(indications=frozenset({e.DEPRESSION, e.ANXIETY}))
    phq9_low = score("phq9", [1] * 6 + [0] * 3)
    result = assess(history, {"phq9": phq9_low, "gad7": 15, "cssrs_screen": CSSRS_NONE})
    assert result["iv"].status == ELIGIBLE
    assert (result["nasal"].status, codes(result, "nasal")) == (
        NEEDS_REVIEW,
        [e.BASELINE_BELOW_THRESHOLD],
    )


@pytest.mark.parametrize(
    ("answers", "status", "reasons"),
    [
        ([0] * 7, ELIGIBLE, []),
        ([1, 0, 0, 0, 0, 0, 0], ELIGIBLE, []),  # low
        ([0, 0, 1, 0, 0, 0, 0], INELIGIBLE, [e.CSSRS_RISK]),  # moderate
        ([0, 0, 0, 1, 0, 0, 0], INELIGIBLE, [e.CSSRS_RISK]),  # high
    ],
)
def test_home_dosing_needs_a_cssrs_of_none_or_low(
    answers: list[int], status: str, reasons: list[str]
) -> None:
    result = assess(scores={**SCORES, "cssrs_screen": score("cssrs_screen", answers)})
    assert result["home-troche"].status == status
    assert codes(result, "home-troche") == reasons
    assert result["iv"].status == ELIGIBLE


def test_an_explicit_cssrs_severity_is_used() -> None:
    result = assess(scores={"phq9": PHQ9_16}, cssrs_severity="moderate")
    assert codes(result, "home-troche") == [e.CSSRS_RISK]


def test_a_missing_cssrs_needs_review_for_home_dosing() -> None:
    result = assess(scores={"phq9": PHQ9_16})
    assert (result["home-troche"].status, codes(result, "home-troche")) == (
        NEEDS_REVIEW,
        [e.CSSRS_MISSING],
    )


@pytest.mark.parametrize(("item9", "status"), [(0, ELIGIBLE), (1, INELIGIBLE), (3, INELIGIBLE)])
def test_home_dosing_needs_phq9_item9_of_0(item9: int, status: str) -> None:
    phq9 = score("phq9", [2] * 8 + [item9])
    result = assess(scores={**SCORES, "phq9": phq9})
    assert result["home-troche"].status == status
    assert result["iv"].status == ELIGIBLE


def test_an_explicit_phq9_item9_is_used() -> None:
    result = assess(phq9_item9=2)
    assert codes(result, "home-troche") == [e.PHQ9_ITEM9_POSITIVE]


def test_a_missing_phq9_item9_needs_review_for_home_dosing() -> None:
    result = assess(scores={"phq9": 16, "cssrs_screen": CSSRS_NONE})
    assert codes(result, "home-troche") == [e.PHQ9_ITEM9_MISSING]
    assert result["home-troche"].status == NEEDS_REVIEW


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("named_adult_monitor", e.NO_HOME_MONITOR),
        ("validated_home_bp_cuff", e.NO_HOME_BP_CUFF),
        ("supervised_first_dose_without_sae", e.NO_SUPERVISED_FIRST_DOSE),
    ],
)
def test_each_home_requirement(field: str, code: str) -> None:
    result = assess(with_(**{field: False}))
    assert (result["home-troche"].status, codes(result, "home-troche")) == (INELIGIBLE, [code])
    assert result["iv"].status == ELIGIBLE


def test_ineligible_outranks_needs_review() -> None:
    result = assess(with_(bipolar_disorder=True, pregnant=True))
    assert result["iv"].status == INELIGIBLE
    assert codes(result, "iv") == [e.PREGNANCY, e.BIPOLAR_DISORDER]


def test_every_reason_code_has_text_and_decisions_serialise() -> None:
    codes_defined = {
        value
        for name, value in vars(e).items()
        if name.isupper() and isinstance(value, str) and name not in _NOT_REASONS
    }
    assert codes_defined == set(e.REASON_TEXT)
    result = assess(with_(age=80, named_adult_monitor=False))
    data = {route: decision.as_dict() for route, decision in result.items()}
    assert json.loads(json.dumps(data)) == data
    assert data["home-troche"]["reasons"][1] == {
        "code": e.NO_HOME_MONITOR,
        "status": INELIGIBLE,
        "text": e.REASON_TEXT[e.NO_HOME_MONITOR],
    }


_NOT_REASONS = {
    "ELIGIBLE",
    "NEEDS_REVIEW",
    "INELIGIBLE",
    "DEPRESSION",
    "ANXIETY",
    "PTSD",
    "OCD",
    "PAIN",
    "ROUTE_IV",
    "ROUTE_IM",
    "ROUTE_NASAL",
    "ROUTE_HOME_TROCHE",
    "LOW",
    "NONE",
}


@pytest.mark.parametrize(
    "changes",
    [
        {"indications": frozenset({"insomnia"})},
        {"indications": "depression"},
        {"pregnant": 1},
        {"age": -1},
        {"age": 40.5},
        {"antidepressant_trials": True},
        {"screening_systolic": "120"},
    ],
)
def test_a_malformed_checklist_raises(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        with_(**changes)


def test_indications_may_be_any_collection() -> None:
    history = with_(indications=[e.DEPRESSION])
    assert history.indications == frozenset({e.DEPRESSION})


def test_a_score_that_is_not_a_number_raises() -> None:
    with pytest.raises(ValueError):
        assess(scores={"phq9": "16"})
