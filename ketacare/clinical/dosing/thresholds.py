"""Vital-sign thresholds for dosing and monitoring (clinical-reference.md §3), defined once.

Clinic-configurable defaults. A reading is a plain number; SpO2 in %, pressures in mmHg,
heart rate in beats per minute.
"""

from typing import Final

# Pre-dose hold: systolic >= 160 or diastolic >= 100 blocks the dose
BP_HOLD_SYSTOLIC: Final = 160
BP_HOLD_DIASTOLIC: Final = 100
# Pre-dose caution (a warning): systolic >= 140 or diastolic >= 90, below the hold
BP_CAUTION_SYSTOLIC: Final = 140
BP_CAUTION_DIASTOLIC: Final = 90
# Pre-dose hold: heart rate < 50 or > 110
HEART_RATE_HOLD_BELOW: Final = 50
HEART_RATE_HOLD_ABOVE: Final = 110
# Pre-dose hold: SpO2 < 92
SPO2_HOLD_BELOW: Final = 92

# Pre-dose inputs must be current: a weight more than 30 days old (weight_stale) or pre-dose
# vitals more than 60 minutes old (vitals_stale) blocks the dose; exactly 30 days / 60 minutes
# is still current ("older than")
WEIGHT_MAX_AGE_DAYS: Final = 30
VITALS_MAX_AGE_MINUTES: Final = 60

# Monitoring alerts during and after a dose
ALERT_SYSTOLIC_ABOVE: Final = 180
ALERT_DIASTOLIC_ABOVE: Final = 110
ALERT_HEART_RATE_ABOVE: Final = 130
ALERT_HEART_RATE_BELOW: Final = 50
ALERT_SPO2_BELOW: Final = 90
# Breathing: respiratory rate <= 8 or >= 25 (NEWS2's highest band), breaths per minute
ALERT_RESPIRATORY_RATE_AT_OR_BELOW: Final = 8
ALERT_RESPIRATORY_RATE_AT_OR_ABOVE: Final = 25
# Deep sedation: MOAA/S <= 2 (0 no response ... 5 fully alert)
ALERT_MOAAS_AT_OR_BELOW: Final = 2

# Spravato label: check BP about 40 minutes after dosing, observe at least 2 hours, and no
# driving until the next day after a restful sleep
ESKETAMINE_BP_RECHECK_MINUTES: Final = 40
ESKETAMINE_DRIVING_ADVICE: Final = (
    "Do not drive or operate machinery until the next day, after a restful sleep."
)

# Trailing window for frequency caps
FREQUENCY_WINDOW_DAYS: Final = 7
