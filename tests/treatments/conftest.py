"""Treatment fixtures on top of the `world` personas: `world.patient` (Ada) weighs 70 kg, has
signed the treatment consent and has the IV and esketamine routes approved by the prescriber;
the clinic has two rooms of chairs; the prescriber has signed an IV course. Time is frozen at
09:00 on a Tuesday in the clinic's time zone (`clock.shift(...)` moves it). Set-up goes through
the services, as the pages do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import PASSWORD

ZONE = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZONE)
GOOD = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98}
CADSS_ZERO = [0] * 23


def approve_routes(world: Any, patient: Any, *routes: str, at: dt.datetime | None = None) -> None:
    """What screening records before a course: a decided screening, the signed treatment
    consent, and the prescriber's approval of each route."""
    import hashlib

    from ketacare.screening.models import (
        ConsentDocument,
        ConsentSignature,
        RouteDecision,
        Screening,
    )

    at = at or dt.datetime.now(dt.UTC)
    screening = Screening.objects.create(
        patient=patient, status="decided", started_at=at, submitted_at=at, decided_at=at
    )
    body = "I consent to ketamine treatment."
    digest = hashlib.sha256(body.encode()).hexdigest()
    document = ConsentDocument.objects.filter(clinic=patient.clinic, kind="treatment").first()
    if document is None:
        document = ConsentDocument.objects.create(
            clinic=patient.clinic,
            kind="treatment",
            version=1,
            title="Treatment consent",
            body=body,
            body_sha256=digest,
            published_at=at,
            published_by=world.admin,
        )
    ConsentSignature.objects.create(
        document=document,
        patient=patient,
        signed_by=world.clinician,
        kind="treatment",
        version=document.version,
        body_sha256=digest,
        typed_name=patient.full_name,
        agreed=True,
        signed_at=at,
    )
    for route in routes:
        RouteDecision.objects.create(
            screening=screening,
            route=route,
            decision="approve",
            reason="Meets the criteria.",
            rule_status="eligible",
            decided_by=world.prescriber,
            decided_at=at,
        )


def add_weight(world: Any, patient: Any, kg: str = "70.0") -> None:
    from ketacare.patients.models import WeightMeasurement

    WeightMeasurement.objects.create(
        patient=patient, weight_kg=Decimal(kg), measured_on=NOW.date(), recorded_by=world.clinician
    )


def sign_order(
    world: Any,
    patient: Any,
    code: str = "iv-depression",
    dose: str = "0.5",
    sessions: int = 6,
    **extra: Any,
) -> Any:
    from ketacare.protocols.selectors import current_version
    from ketacare.treatments import services

    return services.create_order(
        actor=world.prescriber,
        patient=patient,
        protocol=current_version(world.clinic.pk, code),
        starting_dose=Decimal(dose),
        titration_plan="Stay at the starting dose; review after 3.",
        sessions_planned=sessions,
        start_date=NOW.date(),
        password=PASSWORD,
        **extra,
    )


@dataclass
class Course:
    world: Any
    clock: Any
    chair: Any  # Room A · Chair 1
    chair2: Any  # Room A · Chair 2
    chair3: Any  # Room B · Chair 1
    order: Any  # IV depression, 0.5 mg/kg, 6 sessions

    def book(
        self,
        *,
        order: Any = None,
        chair: Any = None,
        start: dt.datetime | None = None,
        minutes: int = 130,
        by: Any = None,
    ) -> Any:
        from ketacare.treatments import services

        return services.schedule_session(
            actor=by or self.world.clinician,
            order=order or self.order,
            chair=chair or self.chair,
            clinician=self.world.clinician,
            start=start or NOW + dt.timedelta(minutes=5),
            duration_minutes=minutes,
        )

    def check_in(self, session: Any) -> Any:
        from ketacare.treatments import services

        return services.check_in(
            actor=self.world.clinician,
            session=session,
            identity_confirmed=True,
            fasting_confirmed=True,
            escort_arranged=True,
            escort_name="Charles Babbage",
            medications_reviewed=True,
            pregnancy="negative_test",
            assessments_completed=True,
        )

    def vitals(self, session: Any, by: Any = None, **readings: Any) -> Any:
        from ketacare.treatments import services

        return services.record_vitals(
            actor=by or self.world.clinician, session=session, **(readings or GOOD)
        )

    def time_point(self, session: Any, point: str, *, moaas: int = 5, **readings: Any) -> Any:
        return self.vitals(
            session, **{**GOOD, **readings}, moaas=moaas, cadss_answers=CADSS_ZERO, time_point=point
        )

    def dosed(self, session: Any, *, mg: str | None = None) -> Any:
        """Checked in, pre-dose time point, planned, started and ended (the plan's dose)."""
        from ketacare.treatments import services

        if session.checked_in_at is None:
            session = self.check_in(session)
        self.time_point(session, "pre_dose")
        plan = services.plan_session_dose(actor=self.world.clinician, session=session)
        assert plan.allowed, plan.reasons
        session = services.start_administration(actor=self.world.clinician, session=session)
        return services.end_administration(
            actor=self.world.clinician,
            session=session,
            dose_mg=mg or plan.dose_mg,
            lot_number="LOT-42",
        )

    def reload(self, session: Any) -> Any:
        from ketacare.treatments.models import TreatmentSession

        return TreatmentSession.objects.select_related("protocol", "patient", "order").get(
            pk=session.pk
        )


@pytest.fixture(autouse=True)
def _long_idle_timeout(settings):
    # Tests move the clock through a whole session (hours); the 15-minute idle log-off would
    # sign the staff out between two steps, which a tablet in use never sees.
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 24 * 60


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def course(world, clock) -> Course:
    from ketacare.treatments import services

    for patient in (world.patient, world.other_patient):
        add_weight(world, patient)
        approve_routes(world, patient, "iv", "nasal", at=NOW - dt.timedelta(days=2))
    chairs = [
        services.add_chair(actor=world.admin, room=room, name=name)
        for room, name in (("Room A", "Chair 1"), ("Room A", "Chair 2"), ("Room B", "Chair 1"))
    ]
    order = sign_order(world, world.patient)
    return Course(world, clock, *chairs, order)
