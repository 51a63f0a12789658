"""Flag and severity-label strings shared by the instruments, defined once.

These strings are stored with assessments and appear in the API: never rename one.
"""

from typing import Final

# Flags
SUICIDAL_IDEATION: Final = "suicidal_ideation"
SUICIDE_RISK_HIGH: Final = "suicide_risk_high"
POSITIVE_SCREEN: Final = "positive_screen"
PROBABLE_PTSD: Final = "probable_ptsd"
DSM5_CRITERIA_MET: Final = "dsm5_criteria_met"

ALL_FLAGS: Final = frozenset(
    {SUICIDAL_IDEATION, SUICIDE_RISK_HIGH, POSITIVE_SCREEN, PROBABLE_PTSD, DSM5_CRITERIA_MET}
)

# Severity labels (lower case, exactly as clinical-reference.md §1 writes them)
NONE: Final = "none"
MINIMAL: Final = "minimal"
NORMAL: Final = "normal"
SUBCLINICAL: Final = "subclinical"
LOW: Final = "low"
MILD: Final = "mild"
MODERATE: Final = "moderate"
MODERATELY_SEVERE: Final = "moderately severe"
SEVERE: Final = "severe"
VERY_SEVERE: Final = "very severe"
EXTREME: Final = "extreme"
HIGH: Final = "high"
