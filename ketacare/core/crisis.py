"""The crisis line shown on every page and in every message to a patient or a person on the
waiting list (988, the US Suicide & Crisis Lifeline)."""

CRISIS_LINE = "988"
