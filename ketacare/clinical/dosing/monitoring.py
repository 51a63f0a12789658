"""Monitoring during and after a dose: vital-sign alerts and the discharge check."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .codes import (
    ALERT_AND_STEADY,
    BP_BELOW_HOLD,
    DIASTOLIC_HIGH,
    ESCORT_CONFIRMED,
    HEART_RATE_HIGH,
    HEART_RATE_LOW,
    OBSERVATION_TIME_MET,
    RESPIRATORY_RATE_HIGH,
    RESPIRATORY_RATE_LOW,
    SEDATION_DEEP,
    SPO2_LOW,
    SYSTOLIC_HIGH,
)
from .errors import DosingError
from .protocols import Protocol, get_protocol
from .thresholds import (
    ALERT_DIASTOLIC_ABOVE,
    ALERT_HEART_RATE_ABOVE,
    ALERT_HEART_RATE_BELOW,
    ALERT_MOAAS_AT_OR_BELOW,
    ALERT_RESPIRATORY_RATE_AT_OR_ABOVE,
    ALERT_RESPIRATORY_RATE_AT_OR_BELOW,
    ALERT_SPO2_BELOW,
    ALERT_SYSTOLIC_ABOVE,
    BP_HOLD_DIASTOLIC,
    BP_HOLD_SYSTOLIC,
)
from .vitals import read_moaas, read_respiratory_rate, read_vitals


def vitals_alerts(vitals: Mapping[str, Any]) -> list[str]:
    """Alert codes for a reading taken during or after a dose. Readings may be partial
    (e.g. SpO2 alone); absent ones raise no alert. Besides the pre-dose names the mapping
    may hold "respiratory_rate" (breaths per minute) and "moaas" (sedation, 0-5)."""
    readings = read_vitals(vitals)
    alerts: list[str] = []
    if readings.get("systolic", 0) > ALERT_SYSTOLIC_ABOVE:
        alerts.append(SYSTOLIC_HIGH)
    if readings.get("diastolic", 0) > ALERT_DIASTOLIC_ABOVE:
        alerts.append(DIASTOLIC_HIGH)
    heart_rate = readings.get("heart_rate")
    if heart_rate is not None and heart_rate > ALERT_HEART_RATE_ABOVE:
        alerts.append(HEART_RATE_HIGH)
    if heart_rate is not None and heart_rate < ALERT_HEART_RATE_BELOW:
        alerts.append(HEART_RATE_LOW)
    spo2 = readings.get("spo2")
    if spo2 is not None and spo2 < ALERT_SPO2_BELOW:
        alerts.append(SPO2_LOW)
    respiratory_rate = read_respiratory_rate(vitals)
    if respiratory_rate is not None and respiratory_rate <= ALERT_RESPIRATORY_RATE_AT_OR_BELOW:
        alerts.append(RESPIRATORY_RATE_LOW)
    if respiratory_rate is not None and respiratory_rate >= ALERT_RESPIRATORY_RATE_AT_OR_ABOVE:
        alerts.append(RESPIRATORY_RATE_HIGH)
    moaas = read_moaas(vitals)
    if moaas is not None and moaas <= ALERT_MOAAS_AT_OR_BELOW:
        alerts.append(SEDATION_DEEP)
    return alerts


def discharge_check(
    protocol: Protocol | str,
    *,
    dosed_at: datetime,
    now: datetime,
    last_vitals: Mapping[str, Any] | None,
    alert_and_steady: bool,
    escort_confirmed: bool,
) -> list[str]:
    """The discharge criteria not yet met (empty = the patient may leave).

    Criteria: the protocol's observation time has passed since `dosed_at`; the last BP is
    below the hold threshold (< 160/100); a clinician attests the patient is alert and
    steady; an escort is confirmed (in-clinic protocols only: at home the named monitor
    stays instead).
    """
    if isinstance(protocol, str):
        protocol = get_protocol(protocol)
    for name, value in (("dosed_at", dosed_at), ("now", now)):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise DosingError(f"{name} must be a timezone-aware datetime, not {value!r}")
    readings = read_vitals(last_vitals)
    missing: list[str] = []
    if now - dosed_at < timedelta(minutes=protocol.observation_minutes):
        missing.append(OBSERVATION_TIME_MET)
    systolic = readings.get("systolic")
    diastolic = readings.get("diastolic")
    if (
        systolic is None
        or diastolic is None
        or systolic >= BP_HOLD_SYSTOLIC
        or diastolic >= BP_HOLD_DIASTOLIC
    ):
        missing.append(BP_BELOW_HOLD)
    if alert_and_steady is not True:
        missing.append(ALERT_AND_STEADY)
    if not protocol.at_home and escort_confirmed is not True:
        missing.append(ESCORT_CONFIRMED)
    return missing
