"""Dosing protocols as data: the five defaults of clinical-reference.md §3, and the check a
clinic's edited copy must pass before it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .codes import ROUTE_HOME_TROCHE, ROUTE_IM, ROUTE_IV, ROUTE_NASAL, ROUTES
from .errors import DosingError, UnknownProtocol


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    """At most `max_per_7_days` doses in any trailing 7 days during course weeks
    `first_week`..`last_week` (inclusive; `last_week` None = from then on)."""

    first_week: int
    last_week: int | None
    max_per_7_days: int

    def covers(self, week: int) -> bool:
        return self.first_week <= week and (self.last_week is None or week <= self.last_week)


@dataclass(frozen=True, slots=True)
class Protocol:
    """A dosing protocol. Doses (`standard_dose`, `max_dose`, `override_ceiling`,
    `first_session_dose`, `allowed_doses`) are in mg/kg when `per_kg`, else in mg."""

    code: str
    title: str
    route: str
    per_kg: bool
    standard_dose: float
    # Per-session maximum; a prescriber's override may go up to `override_ceiling`.
    max_dose: float
    override_ceiling: float
    min_interval_hours: float
    frequency_caps: tuple[FrequencyCap, ...]
    observation_minutes: int
    infusion_minutes: int | None = None
    # When set, the only doses allowed (esketamine: 56 or 84 mg, 28 mg devices)
    allowed_doses: frozenset[float] | None = None
    # When set, the only dose allowed at the first session of a course
    first_session_dose: float | None = None
    max_rate_mg_per_kg_per_hour: float | None = None
    post_dose_bp_check_minutes: int | None = None
    at_home: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise DosingError(f"protocol {self.code!r}: unknown route {self.route!r}")
        caps = self.frequency_caps
        if not caps or caps[0].first_week != 1 or caps[-1].last_week is not None:
            raise DosingError(
                f"protocol {self.code!r}: frequency caps must start at week 1 and end open"
            )
        for before, after in zip(caps, caps[1:], strict=False):
            if before.last_week is None or after.first_week != before.last_week + 1:
                raise DosingError(f"protocol {self.code!r}: frequency caps must be contiguous")

    @property
    def dose_unit(self) -> str:
        return "mg/kg" if self.per_kg else "mg"

    def cap_for_week(self, week: int) -> int:
        """Doses allowed per trailing 7 days in course week `week` (1-based)."""
        for cap in self.frequency_caps:
            if cap.covers(week):
                return cap.max_per_7_days
        return self.frequency_caps[0].max_per_7_days  # week < 1 cannot happen via plan_dose


def _every_week(max_per_7_days: int) -> tuple[FrequencyCap, ...]:
    return (FrequencyCap(1, None, max_per_7_days),)


IV_DEPRESSION = Protocol(
    code="iv-depression",
    title="IV ketamine infusion for depression",
    route=ROUTE_IV,
    per_kg=True,
    # 0.5 mg/kg over 40 minutes (Berman et al. 2000; Zarate et al. 2006)
    standard_dose=0.5,
    max_dose=1.0,
    override_ceiling=1.5,
    min_interval_hours=24,
    frequency_caps=_every_week(3),
    infusion_minutes=40,
    observation_minutes=60,
    source="Berman RM et al. Biol Psychiatry 2000;47:351-4; Zarate CA et al. "
    "Arch Gen Psychiatry 2006;63:856-64",
)

IM_DEPRESSION = Protocol(
    code="im-depression",
    title="IM ketamine injection for depression",
    route=ROUTE_IM,
    per_kg=True,
    standard_dose=0.5,
    max_dose=1.0,
    # No override above the maximum for IM: the ceiling equals the maximum
    override_ceiling=1.0,
    min_interval_hours=24,
    frequency_caps=_every_week(3),
    observation_minutes=60,
)

ESKETAMINE_NASAL = Protocol(
    code="esketamine-nasal",
    title="Esketamine nasal spray (Spravato)",
    route=ROUTE_NASAL,
    per_kg=False,
    # Spravato label: 56 mg on day 1, then 56 or 84 mg; 28 mg per device
    standard_dose=56,
    max_dose=84,
    override_ceiling=84,
    allowed_doses=frozenset({56.0, 84.0}),
    first_session_dose=56,
    min_interval_hours=48,
    # Spravato label: twice weekly in weeks 1-4, weekly in weeks 5-8, then weekly or every
    # two weeks
    frequency_caps=(
        FrequencyCap(1, 4, 2),
        FrequencyCap(5, 8, 1),
        FrequencyCap(9, None, 1),
    ),
    # Spravato label: observe at least 2 hours; check BP about 40 minutes after dosing
    observation_minutes=120,
    post_dose_bp_check_minutes=40,
    source="SPRAVATO (esketamine) prescribing information, Janssen",
)

TROCHE_HOME = Protocol(
    code="troche-home",
    title="Sublingual ketamine troche at home",
    route=ROUTE_HOME_TROCHE,
    per_kg=False,
    # "As prescribed, e.g. 100 mg": 100 mg is the standard used when no dose is given
    standard_dose=100,
    max_dose=300,
    override_ceiling=400,
    min_interval_hours=72,
    frequency_caps=_every_week(2),
    # A named adult monitor stays with the patient for 120 minutes
    observation_minutes=120,
    at_home=True,
)

IV_PAIN = Protocol(
    code="iv-pain",
    title="IV ketamine infusion for chronic pain",
    route=ROUTE_IV,
    per_kg=True,
    # 0.35 mg/kg/h over 4 h = 1.4 mg/kg: the outpatient CRPS regimen of Schwartzman et al.
    # 2009, reviewed in the Cohen et al. 2018 consensus guideline
    standard_dose=1.4,
    # 2.0 mg/kg over 240 min is 0.5 mg/kg/h and the 4.0 mg/kg ceiling is 1.0 mg/kg/h, so a
    # full-length infusion stays within the guideline's 2 mg/kg/h outside intensive care
    max_dose=2.0,
    override_ceiling=4.0,
    max_rate_mg_per_kg_per_hour=2.0,
    min_interval_hours=20,
    # A daily series
    frequency_caps=_every_week(7),
    infusion_minutes=240,
    observation_minutes=60,
    source="Cohen SP et al. Reg Anesth Pain Med 2018;43:521-46; Schwartzman RJ et al. "
    "Pain 2009;147:107-15",
)

DEFAULT_PROTOCOLS: Mapping[str, Protocol] = MappingProxyType(
    {p.code: p for p in (IV_DEPRESSION, IM_DEPRESSION, ESKETAMINE_NASAL, TROCHE_HOME, IV_PAIN)}
)


def get_protocol(code: str) -> Protocol:
    try:
        return DEFAULT_PROTOCOLS[code]
    except KeyError:
        known = ", ".join(DEFAULT_PROTOCOLS)
        raise UnknownProtocol(f"unknown protocol {code!r} (known: {known})") from None


@dataclass(frozen=True, slots=True)
class ProtocolProblem:
    """One reason a clinic's protocol is unsafe to use, for the field `field`."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def validate_protocol(
    protocol: Protocol, *, reference: Protocol | None = None
) -> list[ProtocolProblem]:
    """Problems with a clinic's edited protocol, compared with the default it was copied
    from (`reference`, by default the default protocol with the same code). Empty = usable.

    A clinic may be stricter than the reference, never looser: no dose limit above the
    reference's override ceiling, no shorter interval or infusion, no more doses per week,
    no shorter observation.
    """
    ref = reference if reference is not None else get_protocol(protocol.code)
    problems: list[ProtocolProblem] = []

    def problem(field: str, message: str) -> None:
        problems.append(ProtocolProblem(field, message))

    unit = ref.dose_unit
    for field in ("route", "per_kg", "at_home"):
        if getattr(protocol, field) != getattr(ref, field):
            problem(field, f"must stay {getattr(ref, field)!r} as in {ref.code}")
    if problems:
        return problems  # doses in other units cannot be compared

    if protocol.standard_dose <= 0:
        problem("standard_dose", "must be above 0")
    if protocol.standard_dose > protocol.max_dose:
        problem("standard_dose", "must not exceed the per-session maximum")
    if protocol.max_dose > protocol.override_ceiling:
        problem("max_dose", "must not exceed the override ceiling")
    for field in ("standard_dose", "max_dose", "override_ceiling"):
        value = getattr(protocol, field)
        if value > ref.override_ceiling:
            problem(
                field,
                f"{value:g} {unit} exceeds the reference ceiling of "
                f"{ref.override_ceiling:g} {unit}",
            )
    if ref.allowed_doses is not None:
        allowed = protocol.allowed_doses
        if not allowed or not allowed <= ref.allowed_doses:
            problem(
                "allowed_doses",
                f"must be a non-empty subset of {sorted(ref.allowed_doses)} {unit}",
            )
    if ref.first_session_dose is not None and (
        protocol.first_session_dose is None
        or protocol.first_session_dose > ref.first_session_dose
        or (protocol.allowed_doses and protocol.first_session_dose not in protocol.allowed_doses)
    ):
        problem(
            "first_session_dose",
            f"must be an allowed dose of at most {ref.first_session_dose:g} {unit}",
        )
    if protocol.min_interval_hours < ref.min_interval_hours:
        problem(
            "min_interval_hours",
            f"must be at least {ref.min_interval_hours:g} hours (reference)",
        )
    last_boundary = max([cap.first_week for cap in (*protocol.frequency_caps, *ref.frequency_caps)])
    for week in range(1, last_boundary + 1):
        mine, theirs = protocol.cap_for_week(week), ref.cap_for_week(week)
        if mine < 1 or mine > theirs:
            problem(
                "frequency_caps",
                f"week {week}: {mine} doses per 7 days; allowed 1 to {theirs} (reference)",
            )
            break
    if ref.infusion_minutes is not None and (
        protocol.infusion_minutes is None or protocol.infusion_minutes < ref.infusion_minutes
    ):
        problem(
            "infusion_minutes",
            f"must be at least {ref.infusion_minutes} minutes (reference)",
        )
    max_rate = ref.max_rate_mg_per_kg_per_hour
    if max_rate is not None and protocol.infusion_minutes:
        rate = protocol.override_ceiling / (protocol.infusion_minutes / 60)
        if rate > max_rate:
            problem(
                "infusion_minutes",
                f"the override ceiling would run at {rate:.2f} mg/kg/h, above {max_rate:g}",
            )
    if protocol.observation_minutes < ref.observation_minutes:
        problem(
            "observation_minutes",
            f"must be at least {ref.observation_minutes} minutes (reference)",
        )
    return problems
