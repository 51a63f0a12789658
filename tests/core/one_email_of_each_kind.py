"""Run inside `ketacare shell` against a migrated var/ database (tests/core/test_outbox.py):
one email of each kind KetaCare sends, each through its real service entry point, with no
worker running. Prints the outbox as JSON: [[subject, [to, ...]], ...]."""

from __future__ import annotations

import datetime as dt
import json
import sys
from types import SimpleNamespace

import time_machine


def main() -> None:
    from tests.treatments.conftest import NOW

    with time_machine.travel(NOW, tick=True) as clock:
        _queue_every_kind(clock)
    from ketacare.core.models import OutgoingEmail

    rows = [[e.subject, e.to] for e in OutgoingEmail.objects.order_by("id")]
    sys.stdout.write(json.dumps(rows) + "\n")


def _queue_every_kind(clock) -> None:
    from ketacare.accounts import services as accounts
    from ketacare.accounts.forms import PasswordResetForm
    from ketacare.accounts.models import Role
    from ketacare.screening import services as screening
    from ketacare.screening.models import AssessmentContext
    from ketacare.treatments import services as treatments
    from ketacare.waitlist import services as waitlist
    from ketacare.waitlist.forms import SignupForm
    from tests.factories import ClinicFactory, PatientFactory, UserFactory
    from tests.treatments.conftest import (
        NOW,
        Course,
        add_weight,
        approve_routes,
        sign_order,
    )
    from tests.waitlist.conftest import form_data

    clinic = ClinicFactory(name="Riverside Ketamine Clinic", slug="riverside")
    world = SimpleNamespace(
        clinic=clinic,
        admin=UserFactory(clinic=clinic, role=Role.ADMIN, email="admin@example.org"),
        prescriber=UserFactory(clinic=clinic, role=Role.PRESCRIBER, email="rx@example.org"),
        clinician=UserFactory(clinic=clinic, role=Role.CLINICIAN, email="nurse@example.org"),
    )
    patient = PatientFactory(clinic=clinic, email="ada@example.org", last_name="Lovelace")

    # An account invitation.
    accounts.invite_user(
        actor=world.admin, email="new@example.org", full_name="New Nurse", role=Role.CLINICIAN
    )
    # A password reset.
    form = PasswordResetForm({"email": world.clinician.email})
    assert form.is_valid(), form.errors
    form.save(domain_override="clinic.example", use_https=True)
    # A crisis alert (PHQ-9 item 9 above 0): one email to each clinician and prescriber
    # (the invited one too: three).
    screening.record_assessment(
        actor=world.clinician, patient=patient, instrument="phq9",
        answers=[1] * 9 + [0], context=AssessmentContext.REVIEW,
    )  # fmt: skip
    # A vitals alert to the prescribers, during a session.
    add_weight(world, patient)
    approve_routes(world, patient, "iv", at=NOW - dt.timedelta(days=2))
    chair, chair2 = (
        treatments.add_chair(actor=world.admin, room="Room A", name=name)
        for name in ("Chair 1", "Chair 2")
    )
    course = Course(world, clock, chair, chair2, None, sign_order(world, patient))
    session = course.check_in(course.book())
    course.time_point(session, "pre_dose")
    treatments.plan_session_dose(actor=world.clinician, session=session)
    session = treatments.start_administration(actor=world.clinician, session=session)
    course.vitals(session, systolic=192, diastolic=104, heart_rate=135, spo2=97)
    # A session reminder, the day before.
    course.book(chair=chair2, start=NOW + dt.timedelta(days=1))
    clock.move_to(NOW.replace(hour=10))
    assert treatments.send_reminders() == 1
    # A waiting-list confirmation.
    signup = SignupForm(form_data(email="alex@example.org"))
    assert signup.is_valid(), signup.errors
    waitlist.signup(data=signup.cleaned_data, source="form")
