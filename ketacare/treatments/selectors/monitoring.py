"""The monitoring state of a session (phase, REMS time points, discharge criteria, observation
clock, vitals due), worked out by the clinical core from the session's vitals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ketacare.clinical.dosing import OBSERVATION_TIME_MET, discharge_check
from ketacare.clinical.monitoring_schedule import (
    ATTESTED_AT_DISCHARGE,
    PHASE_TEXT,
    VITALS_DUE,
    TimePointStatus,
    VitalsDue,
    monitoring_discharge_check,
    observation_ends_at,
    session_phase,
    suggest_time_point,
    time_point_statuses,
    vitals_due,
)

from ..models import SessionStatus, TreatmentSession, VitalsAlert, VitalSigns


def effective_vitals(rows: Iterable[VitalSigns]) -> list[VitalSigns]:
    """The flowsheet without the rows a later correction replaced, oldest first."""
    rows = list(rows)
    corrected = {row.corrects_id for row in rows if row.corrects_id}
    return sorted(
        (row for row in rows if row.pk not in corrected), key=lambda r: (r.taken_at, r.pk)
    )


def pre_dose_vitals(session: TreatmentSession) -> VitalSigns | None:
    """The latest complete pre-dose reading (BP, heart rate, SpO2): what `plan_dose` gets."""
    qs = session.vitals.filter(
        systolic__isnull=False,
        diastolic__isnull=False,
        heart_rate__isnull=False,
        spo2__isnull=False,
        correction__isnull=True,
    )
    if session.dose_started_at is not None:
        qs = qs.filter(taken_at__lt=session.dose_started_at)
    return qs.order_by("-taken_at", "-id").first()


def _last(vitals: list[VitalSigns], test: Any) -> VitalSigns | None:
    for row in reversed(vitals):
        if test(row):
            return row
    return None


@dataclass
class Monitoring:
    phase: str
    time_points: list[TimePointStatus]
    # Criteria not met (the attestations made at discharge included: they are met only
    # when the clinician ticks them on the discharge form).
    discharge_missing: list[str]
    observation_ends_at: dt.datetime | None
    vitals_due: VitalsDue | None
    last_vitals: VitalSigns | None
    last_bp: VitalSigns | None
    last_moaas: int | None
    suggested_time_point: str
    open_alerts: list[VitalsAlert] = field(default_factory=list)

    @property
    def phase_label(self) -> str:
        return PHASE_TEXT[self.phase]

    @property
    def missing_before_attestation(self) -> list[str]:
        """The criteria still to be met, without those attested on the discharge form."""
        return [code for code in self.discharge_missing if code not in ATTESTED_AT_DISCHARGE]

    @property
    def overdue_points(self) -> list[TimePointStatus]:
        return [tp for tp in self.time_points if tp.status == "overdue"]


def discharge_missing(
    session: TreatmentSession,
    vitals: list[VitalSigns],
    now: dt.datetime,
    *,
    steady_on_feet: bool,
    escort_present: bool,
) -> list[str]:
    """Every discharge criterion not met (the clinical core's `discharge_check` and
    `monitoring_discharge_check`)."""
    if session.dose_ended_at is None:
        return [OBSERVATION_TIME_MET]
    protocol = session.protocol.as_protocol()
    last_bp = _last(vitals, lambda r: r.has_bp)
    missing = discharge_check(
        protocol,
        dosed_at=session.dose_ended_at,
        now=now,
        last_vitals=last_bp.readings if last_bp else None,
        alert_and_steady=steady_on_feet,
        escort_confirmed=escort_present,
    )
    last_moaas = _last(vitals, lambda r: r.moaas is not None)
    missing += monitoring_discharge_check(
        last_moaas=last_moaas.moaas if last_moaas else None,
        time_points=_time_points(session, vitals, now),
    )
    return missing


def _time_points(
    session: TreatmentSession, vitals: list[VitalSigns], now: dt.datetime
) -> list[TimePointStatus]:
    return time_point_statuses(
        now=now,
        dose_started_at=session.dose_started_at,
        dose_ended_at=session.dose_ended_at,
        observation_minutes=session.protocol.observation_minutes,
        recorded={row.time_point for row in vitals if row.time_point},
        discharged=session.discharged_at is not None,
    )


def monitoring(
    session: TreatmentSession,
    vitals: list[VitalSigns],
    now: dt.datetime,
    alerts: Iterable[VitalsAlert] = (),
) -> Monitoring:
    """Where the session stands now, from its (effective) vitals."""
    missing = (
        discharge_missing(session, vitals, now, steady_on_feet=False, escort_present=False)
        if session.dose_ended_at is not None and session.discharged_at is None
        else []
    )
    phase = session_phase(
        cancelled=session.status == SessionStatus.CANCELLED,
        checked_in=session.checked_in_at is not None,
        dose_started=session.dose_started_at is not None,
        dose_ended=session.dose_ended_at is not None,
        discharged=session.discharged_at is not None,
        discharge_missing=missing,
    )
    ends = (
        observation_ends_at(
            dose_ended_at=session.dose_ended_at,
            observation_minutes=session.protocol.observation_minutes,
        )
        if session.dose_ended_at is not None
        else None
    )
    last = vitals[-1] if vitals else None
    due: VitalsDue | None = None
    if session.status == SessionStatus.IN_PROGRESS:
        if session.dose_started_at is not None:
            due = vitals_due(
                now=now,
                since=session.dose_started_at,
                last_taken_at=last.taken_at if last else None,
                interval_minutes=session.protocol.vitals_interval_minutes,
            )
        elif not any(r.readings and len(r.readings) == 4 for r in vitals):
            due = VitalsDue(session.checked_in_at or now, VITALS_DUE)
    recorded = {row.time_point for row in vitals if row.time_point}
    last_moaas = _last(vitals, lambda r: r.moaas is not None)
    return Monitoring(
        phase=phase,
        time_points=_time_points(session, vitals, now),
        discharge_missing=missing,
        observation_ends_at=ends,
        vitals_due=due,
        last_vitals=last,
        last_bp=_last(vitals, lambda r: r.has_bp),
        last_moaas=last_moaas.moaas if last_moaas else None,
        suggested_time_point=suggest_time_point(
            now=now,
            dose_started_at=session.dose_started_at,
            dose_ended_at=session.dose_ended_at,
            observation_minutes=session.protocol.observation_minutes,
            recorded=recorded,
        )
        if session.status == SessionStatus.IN_PROGRESS
        else "",
        open_alerts=[a for a in alerts if a.acknowledged_at is None],
    )
