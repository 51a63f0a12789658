"""The treatment objects the permission matrix (tests/test_permission_matrix.py) puts in its
paths, all of the admin's clinic, built once per test through the services: `world.patient`
with the IV route approved, a signed IV order, a chair, and a session booked for now, checked
in, with full pre-dose vitals and one out-of-range reading (so an open alert) but no plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from tests.factories import PASSWORD

BOGUS_FEED = {"token": "bogus-feed-token-0123456789"}
NEW_EVENT = {"category": "side_effect", "kind": "nausea", "severity": "mild"}


def objects(t: Any) -> SimpleNamespace:
    if not hasattr(t, "_treatment_objects"):
        from ketacare.protocols.selectors import current_version
        from ketacare.treatments import services
        from tests.treatments.conftest import add_weight, approve_routes

        add_weight(t, t.patient)
        approve_routes(t, t.patient, "iv")
        chair = services.add_chair(actor=t.admin, room="Room A", name="Chair 1")
        order = services.create_order(
            actor=t.prescriber,
            patient=t.patient,
            protocol=current_version(t.clinic.pk, "iv-depression"),
            starting_dose=Decimal("0.5"),
            titration_plan="Stay at 0.5 mg/kg.",
            sessions_planned=6,
            start_date=timezone.localdate(),
            password=PASSWORD,
        )
        session = services.schedule_session(
            actor=t.clinician,
            order=order,
            chair=chair,
            clinician=t.clinician,
            start=timezone.now() + dt.timedelta(minutes=5),
            duration_minutes=130,
        )
        session = services.check_in(
            actor=t.clinician,
            session=session,
            identity_confirmed=True,
            fasting_confirmed=True,
            escort_arranged=True,
            escort_name="Escort",
            medications_reviewed=True,
            pregnancy="negative_test",
            assessments_completed=True,
        )
        services.record_vitals(
            actor=t.clinician, session=session, systolic=190, diastolic=95, heart_rate=80, spo2=97
        )
        services.record_vitals(
            actor=t.clinician, session=session, systolic=130, diastolic=85, heart_rate=80, spo2=97
        )
        t._treatment_objects = SimpleNamespace(
            chair=chair, order=order, session=session, alert=session.alerts.get()
        )
    return t._treatment_objects


def session_id(t: Any) -> dict[str, Any]:
    return {"session_id": objects(t).session.pk}


def order_id(t: Any) -> dict[str, Any]:
    return {"order_id": objects(t).order.pk}


def alert_id(t: Any) -> dict[str, Any]:
    return {"alert_id": objects(t).alert.pk}


def chair_id(t: Any) -> dict[str, Any]:
    return {"chair_id": objects(t).chair.pk}


def patient_id(t: Any) -> dict[str, Any]:
    objects(t)
    return {"patient_id": t.patient.pk}
