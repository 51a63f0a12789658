"""Reason, warning, alert and discharge-criterion codes for dosing, defined once.

Codes are stored with dose decisions and shown in the API: never rename one. Each has a
sentence for staff in the matching *_TEXT mapping.
"""

from typing import Final

# Routes (the eligibility decision is made per route; each protocol names its route)
ROUTE_IV: Final = "iv"
ROUTE_IM: Final = "im"
ROUTE_NASAL: Final = "nasal"
ROUTE_HOME_TROCHE: Final = "home-troche"
ROUTES: Final = (ROUTE_IV, ROUTE_IM, ROUTE_NASAL, ROUTE_HOME_TROCHE)

# Blocking reasons, in the order the reference lists them (and decisions report them)
VITALS_MISSING: Final = "vitals_missing"
VITALS_STALE: Final = "vitals_stale"
BP_HOLD: Final = "bp_hold"
HEART_RATE_HOLD: Final = "heart_rate_hold"
SPO2_HOLD: Final = "spo2_hold"
WEIGHT_MISSING: Final = "weight_missing"
WEIGHT_STALE: Final = "weight_stale"
DOSE_NOT_ALLOWED: Final = "dose_not_allowed"
DOSE_ABOVE_MAX: Final = "dose_above_max"
INTERVAL_TOO_SHORT: Final = "interval_too_short"
FREQUENCY_CAP: Final = "frequency_cap"

REASON_TEXT: Final = {
    VITALS_MISSING: "Pre-dose vitals (BP, heart rate, SpO2) are not all recorded.",
    VITALS_STALE: "The pre-dose vitals are more than 60 minutes old: measure them again.",
    BP_HOLD: "Blood pressure is at or above the hold threshold (160/100).",
    HEART_RATE_HOLD: "Heart rate is outside 50–110 bpm.",
    SPO2_HOLD: "SpO2 is below 92%.",
    WEIGHT_MISSING: "This protocol is dosed per kg and no weight is recorded.",
    WEIGHT_STALE: "The weight is more than 30 days old: weigh the patient again.",
    DOSE_NOT_ALLOWED: "This dose is not one the protocol allows.",
    DOSE_ABOVE_MAX: "The dose is above the protocol's per-session maximum.",
    INTERVAL_TOO_SHORT: "Too little time has passed since the last administration.",
    FREQUENCY_CAP: "This dose would exceed the protocol's doses per 7 days.",
}
# Staff re-measure or correct these instead; an override never clears them.
OVERRIDABLE: Final = frozenset({DOSE_ABOVE_MAX, INTERVAL_TOO_SHORT, FREQUENCY_CAP})

# Warnings (never block)
BP_CAUTION: Final = "bp_caution"
DOSE_BELOW_STANDARD: Final = "dose_below_standard"

WARNING_TEXT: Final = {
    BP_CAUTION: "Blood pressure is raised (140/90 or more) but below the hold threshold.",
    DOSE_BELOW_STANDARD: "The dose is below the protocol's standard dose.",
}

# Monitoring alerts during and after a dose
SYSTOLIC_HIGH: Final = "systolic_high"
DIASTOLIC_HIGH: Final = "diastolic_high"
HEART_RATE_HIGH: Final = "heart_rate_high"
HEART_RATE_LOW: Final = "heart_rate_low"
SPO2_LOW: Final = "spo2_low"
RESPIRATORY_RATE_LOW: Final = "respiratory_rate_low"
RESPIRATORY_RATE_HIGH: Final = "respiratory_rate_high"
SEDATION_DEEP: Final = "sedation_deep"

ALERT_TEXT: Final = {
    SYSTOLIC_HIGH: "Systolic BP above 180.",
    DIASTOLIC_HIGH: "Diastolic BP above 110.",
    HEART_RATE_HIGH: "Heart rate above 130.",
    HEART_RATE_LOW: "Heart rate below 50.",
    SPO2_LOW: "SpO2 below 90%.",
    RESPIRATORY_RATE_LOW: "Respiratory rate 8 or below.",
    RESPIRATORY_RATE_HIGH: "Respiratory rate 25 or above.",
    SEDATION_DEEP: "Deep sedation: MOAA/S 2 or below.",
}

# Discharge criteria (discharge_check returns the ones not met)
OBSERVATION_TIME_MET: Final = "observation_time_met"
BP_BELOW_HOLD: Final = "bp_below_hold"
ALERT_AND_STEADY: Final = "alert_and_steady"
ESCORT_CONFIRMED: Final = "escort_confirmed"

DISCHARGE_TEXT: Final = {
    OBSERVATION_TIME_MET: "The protocol's observation time has not yet passed.",
    BP_BELOW_HOLD: "The last blood pressure is missing or not below 160/100.",
    ALERT_AND_STEADY: "A clinician has not attested that the patient is alert and steady.",
    ESCORT_CONFIRMED: "No escort home has been confirmed.",
}
