"""Who may be treated by which route: contraindications, indications and at-home criteria
(clinical-reference.md §4).

`assess_eligibility(history, scores)` gives, for each route, `eligible`, `needs_review` or
`ineligible` with the reasons. Absolute contraindications make every route ineligible;
relative ones need a prescriber's review. Decision support: a prescriber decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from .dosing.codes import ROUTE_HOME_TROCHE, ROUTE_IM, ROUTE_IV, ROUTE_NASAL, ROUTES
from .dosing.thresholds import BP_HOLD_DIASTOLIC, BP_HOLD_SYSTOLIC
from .instruments.base import ScoreResult
from .instruments.codes import LOW, NONE

ELIGIBLE: Final = "eligible"
NEEDS_REVIEW: Final = "needs_review"
INELIGIBLE: Final = "ineligible"
STATUSES: Final = (ELIGIBLE, NEEDS_REVIEW, INELIGIBLE)  # mildest first

# Indications
DEPRESSION: Final = "depression"
ANXIETY: Final = "anxiety"
PTSD: Final = "ptsd"
OCD: Final = "ocd"
PAIN: Final = "pain"
INDICATIONS: Final = (DEPRESSION, ANXIETY, PTSD, OCD, PAIN)

# Age limits (clinic-configurable defaults)
MIN_AGE: Final = 18
REVIEW_ABOVE_AGE: Final = 75
# Uncontrolled hypertension at screening: the dose hold's line, BP_HOLD_SYSTOLIC /
# BP_HOLD_DIASTOLIC (systolic >= 160 or diastolic >= 100), so that a patient screened
# eligible is not one every dose would be held for
# Treatment-resistant depression: at least two adequate antidepressant trials (Spravato
# label; the usual TRD definition)
TREATMENT_RESISTANT_TRIALS: Final = 2
# At-home program: C-SSRS screener risk levels that still allow it
HOME_CSSRS_ALLOWED: Final = frozenset({NONE, LOW})

# Baseline in range, per indication: (instrument code, lowest qualifying total). Any one
# instrument in range is enough.
BASELINE_THRESHOLDS: Final[Mapping[str, tuple[tuple[str, float], ...]]] = {
    # PHQ-9 >= 10 (Kroenke 2001, moderate); QIDS-SR16 >= 11 and MADRS >= 20 are the lower
    # bounds of their own moderate bands
    DEPRESSION: (("phq9", 10), ("qids_sr16", 11), ("madrs", 20)),
    # GAD-7 >= 10: the cut point for probable GAD (Spitzer et al. 2006)
    ANXIETY: (("gad7", 10),),
    # PCL-5 >= 33: probable PTSD (Bovin et al. 2016)
    PTSD: (("pcl5", 33),),
    # Y-BOCS >= 16: moderate OCD, the usual entry criterion of OCD trials (Goodman 1989 bands)
    OCD: (("ybocs", 16),),
    # Pain >= 4/10, the lower bound of moderate pain on the NRS; BPI severity (mean of
    # items 1-4) on the same 0-10 scale (Boonstra et al. 2014)
    PAIN: (("nrs_pain", 4), ("bpi_sf", 4)),
}

# Reason codes
ANEURYSMAL_VASCULAR_DISEASE: Final = "aneurysmal_vascular_disease"
ARTERIOVENOUS_MALFORMATION: Final = "arteriovenous_malformation"
INTRACEREBRAL_HEMORRHAGE: Final = "intracerebral_hemorrhage"
KETAMINE_HYPERSENSITIVITY: Final = "ketamine_hypersensitivity"
ACTIVE_PSYCHOSIS: Final = "active_psychosis"
SCHIZOPHRENIA: Final = "schizophrenia"
PREGNANCY: Final = "pregnancy"
PREGNANCY_TEST_NEEDED: Final = "pregnancy_test_needed"
UNCONTROLLED_HYPERTENSION: Final = "uncontrolled_hypertension"
SCREENING_BP_MISSING: Final = "screening_bp_missing"
SUBSTANCE_USE_DISORDER: Final = "substance_use_disorder"
BIPOLAR_DISORDER: Final = "bipolar_disorder"
CARDIOVASCULAR_DISEASE: Final = "cardiovascular_disease"
RAISED_INTRACRANIAL_PRESSURE: Final = "raised_intracranial_pressure"
RAISED_INTRAOCULAR_PRESSURE: Final = "raised_intraocular_pressure"
SEVERE_LIVER_DISEASE: Final = "severe_liver_disease"
MODERATE_LIVER_DISEASE: Final = "moderate_liver_disease"
INTERSTITIAL_CYSTITIS: Final = "interstitial_cystitis"
BREASTFEEDING: Final = "breastfeeding"
AGE_UNDER_18: Final = "age_under_18"
AGE_OVER_75: Final = "age_over_75"
NO_INDICATION: Final = "no_indication"
BASELINE_MISSING: Final = "baseline_missing"
BASELINE_BELOW_THRESHOLD: Final = "baseline_below_threshold"
NOT_DEPRESSION: Final = "not_depression"
NOT_TREATMENT_RESISTANT: Final = "not_treatment_resistant"
CSSRS_MISSING: Final = "cssrs_missing"
CSSRS_RISK: Final = "cssrs_risk"
PHQ9_ITEM9_MISSING: Final = "phq9_item9_missing"
PHQ9_ITEM9_POSITIVE: Final = "phq9_item9_positive"
SUBSTANCE_USE_AT_HOME: Final = "substance_use_at_home"
NO_HOME_MONITOR: Final = "no_home_monitor"
NO_HOME_BP_CUFF: Final = "no_home_bp_cuff"
NO_SUPERVISED_FIRST_DOSE: Final = "no_supervised_first_dose"

REASON_TEXT: Final[Mapping[str, str]] = {
    ANEURYSMAL_VASCULAR_DISEASE: "Aneurysmal vascular disease (aortic, intracranial or "
    "peripheral arterial): ketamine raises blood pressure.",
    ARTERIOVENOUS_MALFORMATION: "Arteriovenous malformation: ketamine raises blood pressure.",
    INTRACEREBRAL_HEMORRHAGE: "History of intracerebral haemorrhage.",
    KETAMINE_HYPERSENSITIVITY: "Hypersensitivity to ketamine or esketamine.",
    ACTIVE_PSYCHOSIS: "Active psychosis.",
    SCHIZOPHRENIA: "Schizophrenia.",
    PREGNANCY: "Pregnancy.",
    PREGNANCY_TEST_NEEDED: "Not sure whether pregnant: a negative pregnancy test is needed "
    "before the first dose.",
    UNCONTROLLED_HYPERTENSION: "Uncontrolled hypertension: screening BP at or above 160/100.",
    SCREENING_BP_MISSING: "No screening blood pressure recorded.",
    SUBSTANCE_USE_DISORDER: "Current or recent substance-use disorder.",
    BIPOLAR_DISORDER: "Bipolar disorder: risk of mania.",
    CARDIOVASCULAR_DISEASE: "Significant cardiovascular disease.",
    RAISED_INTRACRANIAL_PRESSURE: "Raised intracranial pressure.",
    RAISED_INTRAOCULAR_PRESSURE: "Raised intraocular pressure.",
    SEVERE_LIVER_DISEASE: "Severe liver disease.",
    MODERATE_LIVER_DISEASE: "Moderate liver disease: check liver enzymes when doses are "
    "high and frequent.",
    INTERSTITIAL_CYSTITIS: "Interstitial cystitis.",
    BREASTFEEDING: "Breastfeeding.",
    AGE_UNDER_18: "Under 18 years old.",
    AGE_OVER_75: "Over 75 years old.",
    NO_INDICATION: "No depressive, anxiety, PTSD, OCD or pain indication recorded.",
    BASELINE_MISSING: "No baseline score for the indication.",
    BASELINE_BELOW_THRESHOLD: "Baseline score below the indication's threshold.",
    NOT_DEPRESSION: "Esketamine nasal spray is for depression only.",
    NOT_TREATMENT_RESISTANT: "Esketamine requires treatment-resistant depression (at least "
    "2 adequate antidepressant trials).",
    CSSRS_MISSING: "No C-SSRS screener result.",
    CSSRS_RISK: "C-SSRS screener risk is moderate or high.",
    PHQ9_ITEM9_MISSING: "No PHQ-9 item 9 answer.",
    PHQ9_ITEM9_POSITIVE: "PHQ-9 item 9 (thoughts of death or self-harm) is not 0.",
    SUBSTANCE_USE_AT_HOME: "Substance-use disorder: not eligible for at-home dosing.",
    NO_HOME_MONITOR: "No named adult monitor for at-home dosing.",
    NO_HOME_BP_CUFF: "No validated home blood-pressure cuff.",
    NO_SUPERVISED_FIRST_DOSE: "No supervised first dose without a serious adverse event.",
}


@dataclass(frozen=True, slots=True)
class MedicalHistory:
    """The screening checklist. Every contraindication defaults to absent (False)."""

    age: int
    indications: frozenset[str] = frozenset()
    # Screening blood pressure in mmHg (None = not measured)
    screening_systolic: int | None = None
    screening_diastolic: int | None = None
    antidepressant_trials: int = 0
    # Absolute contraindications
    aneurysmal_vascular_disease: bool = False
    arteriovenous_malformation: bool = False
    intracerebral_hemorrhage: bool = False
    ketamine_hypersensitivity: bool = False
    active_psychosis: bool = False
    schizophrenia: bool = False
    pregnant: bool = False
    # Not sure whether pregnant: not a contraindication, a test before the first dose (a hold
    # at check-in until a negative test is recorded)
    pregnancy_unsure: bool = False
    # Relative contraindications
    substance_use_disorder: bool = False
    bipolar_disorder: bool = False
    cardiovascular_disease: bool = False
    raised_intracranial_pressure: bool = False
    raised_intraocular_pressure: bool = False
    severe_liver_disease: bool = False
    moderate_liver_disease: bool = False
    interstitial_cystitis: bool = False
    breastfeeding: bool = False
    # At-home program
    named_adult_monitor: bool = False
    validated_home_bp_cuff: bool = False
    supervised_first_dose_without_sae: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool" and not isinstance(value, bool):
                raise ValueError(f"{f.name} must be True or False, not {value!r}")
        for name in ("age", "antidepressant_trials"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of 0 or more, not {value!r}")
        for name in ("screening_systolic", "screening_diastolic"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
            ):
                raise ValueError(f"{name} must be a positive number or None, not {value!r}")
        if isinstance(self.indications, str):
            raise ValueError("indications must be a collection of indication codes")
        unknown = set(self.indications) - set(INDICATIONS)
        if unknown:
            raise ValueError(
                f"unknown indication(s) {sorted(unknown)} (known: {', '.join(INDICATIONS)})"
            )
        object.__setattr__(self, "indications", frozenset(self.indications))


# Checklist fields -> reason codes
_ABSOLUTE = (
    ("aneurysmal_vascular_disease", ANEURYSMAL_VASCULAR_DISEASE),
    ("arteriovenous_malformation", ARTERIOVENOUS_MALFORMATION),
    ("intracerebral_hemorrhage", INTRACEREBRAL_HEMORRHAGE),
    ("ketamine_hypersensitivity", KETAMINE_HYPERSENSITIVITY),
    ("active_psychosis", ACTIVE_PSYCHOSIS),
    ("schizophrenia", SCHIZOPHRENIA),
    ("pregnant", PREGNANCY),
)
_RELATIVE = (
    ("substance_use_disorder", SUBSTANCE_USE_DISORDER),
    ("bipolar_disorder", BIPOLAR_DISORDER),
    ("cardiovascular_disease", CARDIOVASCULAR_DISEASE),
    ("raised_intracranial_pressure", RAISED_INTRACRANIAL_PRESSURE),
    ("raised_intraocular_pressure", RAISED_INTRAOCULAR_PRESSURE),
    ("severe_liver_disease", SEVERE_LIVER_DISEASE),
    # The pain guideline (Cohen et al. 2018) advises caution and liver enzymes here
    ("moderate_liver_disease", MODERATE_LIVER_DISEASE),
    ("interstitial_cystitis", INTERSTITIAL_CYSTITIS),
    ("breastfeeding", BREASTFEEDING),
)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    status: str  # NEEDS_REVIEW or INELIGIBLE
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "status": self.status, "text": self.text}


@dataclass(frozen=True, slots=True)
class RouteEligibility:
    route: str
    status: str
    reasons: tuple[Reason, ...]

    @property
    def reason_codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "status": self.status,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


ScoreInput = ScoreResult | int | float


def assess_eligibility(
    history: MedicalHistory,
    scores: Mapping[str, ScoreInput] | None = None,
    *,
    phq9_item9: int | None = None,
    cssrs_severity: str | None = None,
) -> dict[str, RouteEligibility]:
    """Eligibility for each route (`iv`, `im`, `nasal`, `home-troche`), in that order.

    `scores` maps instrument code -> the latest score result (or its total) at baseline.
    `phq9_item9` and `cssrs_severity` default to what the `phq9` and `cssrs_screen` score
    results in `scores` hold.
    """
    scores = scores or {}
    totals = {code: _total(code, value) for code, value in scores.items()}
    if phq9_item9 is None:
        phq9 = scores.get("phq9")
        if isinstance(phq9, ScoreResult) and phq9.code == "phq9":
            phq9_item9 = phq9.answers[8]
    if cssrs_severity is None:
        cssrs = scores.get("cssrs_screen")
        if isinstance(cssrs, ScoreResult):
            cssrs_severity = cssrs.severity

    common: list[Reason] = []

    def add(into: list[Reason], code: str, status: str, detail: str = "") -> None:
        text = REASON_TEXT[code] + (f" {detail}" if detail else "")
        into.append(Reason(code, status, text))

    for name, code in _ABSOLUTE:
        if getattr(history, name):
            add(common, code, INELIGIBLE)
    systolic, diastolic = history.screening_systolic, history.screening_diastolic
    if systolic is None or diastolic is None:
        add(common, SCREENING_BP_MISSING, NEEDS_REVIEW)
    elif systolic >= BP_HOLD_SYSTOLIC or diastolic >= BP_HOLD_DIASTOLIC:
        add(common, UNCONTROLLED_HYPERTENSION, INELIGIBLE, f"({systolic:g}/{diastolic:g})")
    for name, code in _RELATIVE:
        if getattr(history, name):
            add(common, code, NEEDS_REVIEW)
    if history.pregnancy_unsure and not history.pregnant:
        add(common, PREGNANCY_TEST_NEEDED, ELIGIBLE)
    if history.age < MIN_AGE:
        add(common, AGE_UNDER_18, INELIGIBLE)
    elif history.age > REVIEW_ABOVE_AGE:
        add(common, AGE_OVER_75, NEEDS_REVIEW)

    if not history.indications:
        add(common, NO_INDICATION, INELIGIBLE)
    baseline = _baseline_reasons(history.indications, totals)
    if len(baseline) == len(history.indications):
        # Not one indication has its baseline in range
        common.extend(baseline.values())

    nasal: list[Reason] = []
    if DEPRESSION not in history.indications:
        add(nasal, NOT_DEPRESSION, INELIGIBLE)
    elif history.antidepressant_trials < TREATMENT_RESISTANT_TRIALS:
        add(
            nasal,
            NOT_TREATMENT_RESISTANT,
            INELIGIBLE,
            f"({history.antidepressant_trials} recorded)",
        )
    elif DEPRESSION in baseline and len(baseline) < len(history.indications):
        # In range for another indication only: esketamine needs the depression baseline
        nasal.append(baseline[DEPRESSION])

    home: list[Reason] = []
    if cssrs_severity is None:
        add(home, CSSRS_MISSING, NEEDS_REVIEW)
    elif cssrs_severity not in HOME_CSSRS_ALLOWED:
        add(home, CSSRS_RISK, INELIGIBLE, f"({cssrs_severity})")
    if phq9_item9 is None:
        add(home, PHQ9_ITEM9_MISSING, NEEDS_REVIEW)
    elif phq9_item9 != 0:
        add(home, PHQ9_ITEM9_POSITIVE, INELIGIBLE, f"(answered {phq9_item9})")
    if history.substance_use_disorder:
        add(home, SUBSTANCE_USE_AT_HOME, INELIGIBLE)
    if not history.named_adult_monitor:
        add(home, NO_HOME_MONITOR, INELIGIBLE)
    if not history.validated_home_bp_cuff:
        add(home, NO_HOME_BP_CUFF, INELIGIBLE)
    if not history.supervised_first_dose_without_sae:
        add(home, NO_SUPERVISED_FIRST_DOSE, INELIGIBLE)

    extra = {ROUTE_IV: [], ROUTE_IM: [], ROUTE_NASAL: nasal, ROUTE_HOME_TROCHE: home}
    return {route: _decide(route, (*common, *extra[route])) for route in ROUTES}


def _decide(route: str, reasons: tuple[Reason, ...]) -> RouteEligibility:
    statuses = {reason.status for reason in reasons}
    if INELIGIBLE in statuses:
        status = INELIGIBLE
    elif NEEDS_REVIEW in statuses:
        status = NEEDS_REVIEW
    else:
        status = ELIGIBLE
    return RouteEligibility(route, status, reasons)


def _baseline_reasons(
    indications: frozenset[str], totals: Mapping[str, float]
) -> dict[str, Reason]:
    """For each indication whose baseline is not in range, why (missing or below)."""
    reasons: dict[str, Reason] = {}
    for indication in INDICATIONS:
        if indication not in indications:
            continue
        thresholds = BASELINE_THRESHOLDS[indication]
        recorded = [(code, minimum, totals[code]) for code, minimum in thresholds if code in totals]
        if any(total >= minimum for _, minimum, total in recorded):
            continue
        wanted = " or ".join(f"{code} >= {minimum:g}" for code, minimum in thresholds)
        if recorded:
            got = ", ".join(f"{code} {total:g}" for code, _, total in recorded)
            code, detail = BASELINE_BELOW_THRESHOLD, f"{indication}: {got}; needs {wanted}."
        else:
            code, detail = BASELINE_MISSING, f"{indication}: needs {wanted}."
        reasons[indication] = Reason(code, NEEDS_REVIEW, f"{REASON_TEXT[code]} {detail}")
    return reasons


def _total(code: str, value: ScoreInput) -> float:
    if isinstance(value, ScoreResult):
        return value.total
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"scores[{code!r}] must be a score result or a number, not {value!r}")
    return value
