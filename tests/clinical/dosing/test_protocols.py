"""The default protocols as data, and validate_protocol for a clinic's edited copy."""

from __future__ import annotations

import dataclasses

import pytest

from ketacare.clinical.dosing import (
    DEFAULT_PROTOCOLS,
    DosingError,
    FrequencyCap,
    Protocol,
    UnknownProtocol,
    get_protocol,
    validate_protocol,
)


@pytest.mark.parametrize(
    ("code", "route", "per_kg", "standard", "maximum", "ceiling", "hours", "infusion", "observe"),
    [
        ("iv-depression", "iv", True, 0.5, 1.0, 1.5, 24, 40, 60),
        ("im-depression", "im", True, 0.5, 1.0, 1.0, 24, None, 60),
        ("esketamine-nasal", "nasal", False, 56, 84, 84, 48, None, 120),
        ("troche-home", "home-troche", False, 100, 300, 400, 72, None, 120),
        ("iv-pain", "iv", True, 1.4, 2.0, 4.0, 20, 240, 60),
    ],
)
def test_default_protocols_match_the_reference_table(
    code: str,
    route: str,
    per_kg: bool,
    standard: float,
    maximum: float,
    ceiling: float,
    hours: int,
    infusion: int | None,
    observe: int,
) -> None:
    p = DEFAULT_PROTOCOLS[code]
    assert (p.code, p.route, p.per_kg) == (code, route, per_kg)
    assert (p.standard_dose, p.max_dose, p.override_ceiling) == (standard, maximum, ceiling)
    assert (p.min_interval_hours, p.infusion_minutes, p.observation_minutes) == (
        hours,
        infusion,
        observe,
    )
    assert p.dose_unit == ("mg/kg" if per_kg else "mg")


@pytest.mark.parametrize(
    ("code", "caps"),
    [
        ("iv-depression", {1: 3, 52: 3}),
        ("im-depression", {1: 3, 52: 3}),
        ("esketamine-nasal", {1: 2, 4: 2, 5: 1, 8: 1, 9: 1, 52: 1}),
        ("troche-home", {1: 2, 52: 2}),
        ("iv-pain", {1: 7, 52: 7}),
    ],
)
def test_frequency_caps_by_week(code: str, caps: dict[int, int]) -> None:
    protocol = DEFAULT_PROTOCOLS[code]
    assert {week: protocol.cap_for_week(week) for week in caps} == caps


def test_esketamine_allows_56_or_84_mg_and_starts_at_56() -> None:
    p = DEFAULT_PROTOCOLS["esketamine-nasal"]
    assert p.allowed_doses == frozenset({56.0, 84.0})
    assert p.first_session_dose == 56
    assert p.post_dose_bp_check_minutes == 40


def test_only_the_troche_protocol_is_at_home() -> None:
    assert [c for c, p in DEFAULT_PROTOCOLS.items() if p.at_home] == ["troche-home"]


def test_protocols_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_PROTOCOLS["iv-depression"].max_dose = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        DEFAULT_PROTOCOLS["x"] = DEFAULT_PROTOCOLS["iv-depression"]  # type: ignore[index]


def test_get_protocol_raises_for_an_unknown_code() -> None:
    with pytest.raises(UnknownProtocol):
        get_protocol("ketamine-iv")


@pytest.mark.parametrize(
    "caps",
    [
        (),
        (FrequencyCap(2, None, 1),),
        (FrequencyCap(1, 4, 2),),
        (FrequencyCap(1, 4, 2), FrequencyCap(6, None, 1)),
    ],
)
def test_frequency_caps_must_run_from_week_1_without_gaps(caps: tuple[FrequencyCap, ...]) -> None:
    with pytest.raises(DosingError):
        dataclasses.replace(DEFAULT_PROTOCOLS["iv-depression"], frequency_caps=caps)


def test_an_unknown_route_is_refused() -> None:
    with pytest.raises(DosingError):
        dataclasses.replace(DEFAULT_PROTOCOLS["iv-depression"], route="oral")


# --- validate_protocol ----------------------------------------------------------------


def edited(reference: str, **changes: object) -> Protocol:
    return dataclasses.replace(DEFAULT_PROTOCOLS[reference], **changes)  # type: ignore[arg-type]


def fields_of(protocol: Protocol, reference: Protocol | None = None) -> list[str]:
    return [problem.field for problem in validate_protocol(protocol, reference=reference)]


@pytest.mark.parametrize("code", list(DEFAULT_PROTOCOLS))
def test_every_default_protocol_is_valid(code: str) -> None:
    assert validate_protocol(DEFAULT_PROTOCOLS[code]) == []


def test_a_stricter_protocol_is_valid() -> None:
    stricter = edited(
        "iv-depression",
        max_dose=0.8,
        override_ceiling=1.0,
        min_interval_hours=48,
        frequency_caps=(FrequencyCap(1, None, 2),),
        infusion_minutes=60,
        observation_minutes=90,
    )
    assert validate_protocol(stricter) == []


def test_raising_the_maximum_up_to_the_reference_ceiling_is_allowed() -> None:
    assert validate_protocol(edited("iv-depression", max_dose=1.5)) == []


def test_a_maximum_above_the_reference_ceiling_is_a_problem() -> None:
    problems = validate_protocol(edited("iv-depression", max_dose=1.6, override_ceiling=1.6))
    assert [p.field for p in problems] == ["max_dose", "override_ceiling"]
    assert "1.6 mg/kg exceeds the reference ceiling of 1.5 mg/kg" in str(problems[0])


def test_an_override_ceiling_above_the_reference_is_a_problem() -> None:
    assert fields_of(edited("troche-home", override_ceiling=450)) == ["override_ceiling"]


def test_the_standard_dose_may_not_exceed_the_maximum() -> None:
    assert fields_of(edited("iv-depression", standard_dose=1.2)) == ["standard_dose"]


def test_the_standard_dose_must_be_positive() -> None:
    assert fields_of(edited("troche-home", standard_dose=0)) == ["standard_dose"]


def test_the_maximum_may_not_exceed_the_override_ceiling() -> None:
    assert fields_of(edited("troche-home", max_dose=350, override_ceiling=320)) == ["max_dose"]


def test_a_shorter_interval_is_a_problem() -> None:
    assert fields_of(edited("esketamine-nasal", min_interval_hours=24)) == ["min_interval_hours"]


def test_more_doses_per_week_in_any_phase_is_a_problem() -> None:
    looser = edited(
        "esketamine-nasal",
        frequency_caps=(FrequencyCap(1, 8, 2), FrequencyCap(9, None, 1)),
    )
    problems = validate_protocol(looser)
    assert [p.field for p in problems] == ["frequency_caps"]
    assert "week 5" in problems[0].message


def test_a_zero_frequency_cap_is_a_problem() -> None:
    assert fields_of(edited("iv-depression", frequency_caps=(FrequencyCap(1, None, 0),))) == [
        "frequency_caps"
    ]


def test_a_faster_infusion_is_a_problem() -> None:
    assert fields_of(edited("iv-depression", infusion_minutes=20)) == ["infusion_minutes"]
    assert fields_of(edited("iv-depression", infusion_minutes=None)) == ["infusion_minutes"]


def test_a_pain_infusion_that_would_run_above_2_mg_per_kg_per_hour_is_a_problem() -> None:
    problems = validate_protocol(edited("iv-pain", infusion_minutes=100))
    assert [p.field for p in problems] == ["infusion_minutes", "infusion_minutes"]
    assert "2.40 mg/kg/h" in problems[1].message


def test_a_shorter_observation_is_a_problem() -> None:
    assert fields_of(edited("esketamine-nasal", observation_minutes=60)) == ["observation_minutes"]


def test_esketamine_may_not_add_doses_or_start_higher() -> None:
    assert fields_of(edited("esketamine-nasal", allowed_doses=frozenset({56.0, 84.0, 112.0}))) == [
        "allowed_doses"
    ]
    assert fields_of(edited("esketamine-nasal", first_session_dose=84)) == ["first_session_dose"]
    assert fields_of(edited("esketamine-nasal", allowed_doses=frozenset({84.0}))) == [
        "first_session_dose"
    ]


@pytest.mark.parametrize(
    ("change", "field"), [({"route": "im"}, "route"), ({"per_kg": False}, "per_kg")]
)
def test_route_and_dose_unit_must_stay_those_of_the_reference(
    change: dict[str, object], field: str
) -> None:
    assert fields_of(edited("iv-depression", **change)) == [field]


def test_a_renamed_clinic_copy_is_checked_against_the_reference_given() -> None:
    copy = edited("iv-depression", code="iv-depression-north", max_dose=2.0)
    assert set(fields_of(copy, DEFAULT_PROTOCOLS["iv-depression"])) == {"max_dose"}
    with pytest.raises(UnknownProtocol):
        validate_protocol(copy)
