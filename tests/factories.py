"""factory-boy factories: the one place tests build rows."""

import datetime as dt
import functools

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from ketacare.accounts.models import Clinic, Role, User
from ketacare.patients.models import Patient

PASSWORD = "correct-horse-battery-9"


@functools.lru_cache(maxsize=64)
def _hash_once(password: str | None) -> str:
    # Argon2 is slow on purpose (~0.3 s a hash here); each test would pay it per user.
    return make_password(password)


class ClinicFactory(DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.CLINICIAN
    # Most tests are about something other than MFA enrolment.
    mfa_exempt = True
    password = factory.django.Password(PASSWORD, transform=_hash_once)


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Sequence(lambda n: f"Ient{n}")
    date_of_birth = dt.date(1985, 6, 15)
    sex = "female"
    email = factory.Sequence(lambda n: f"patient{n}@example.org")


# --- Waiting list


class WaitlistProgramFactory(DjangoModelFactory):
    class Meta:
        model = "waitlist.Program"
        django_get_or_create = ("clinic", "slug")

    clinic = factory.SubFactory(ClinicFactory)
    slug = "home"
    name = "Home-based treatment"


def _waitlist_priority_key(entry):  # type: ignore[no-untyped-def]
    from ketacare.clinical.waitlist_priority import priority_key

    return priority_key(
        prescreen_total=entry.prescreen_total,
        in_region=entry.in_region,
        waiting_since=entry.waiting_since or entry.consent_at,
        weights=entry.program.weights,
    )


class WaitlistEntryFactory(DjangoModelFactory):
    """A person confirmed and waiting on the list, unless told otherwise."""

    class Meta:
        model = "waitlist.WaitlistEntry"

    program = factory.SubFactory(WaitlistProgramFactory)
    clinic = factory.SelfAttribute("program.clinic")
    status = "waiting"
    first_name = factory.Sequence(lambda n: f"Wait{n}")
    last_name = "Lister"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    email_key = factory.LazyAttribute(lambda o: o.email.lower())
    phone = "+1 555 010 0199"
    date_of_birth = dt.date(1990, 1, 1)
    region = "NY"
    conditions = factory.LazyFunction(lambda: ["depression"])
    preferred_route = "home-troche"
    phq2_total = 2
    gad2_total = 2
    phq2_answers = factory.LazyAttribute(lambda o: [min(3, o.phq2_total), max(0, o.phq2_total - 3)])
    gad2_answers = factory.LazyAttribute(lambda o: [min(3, o.gad2_total), max(0, o.gad2_total - 3)])
    prescreen_total = factory.LazyAttribute(lambda o: o.phq2_total + o.gad2_total)
    positive_screen = factory.LazyAttribute(lambda o: o.phq2_total >= 3 or o.gad2_total >= 3)
    consent_at = factory.LazyFunction(timezone.now)
    waiting_since = factory.LazyFunction(timezone.now)
    status_nonce = factory.Sequence(lambda n: f"nonce{n}")
    in_region = factory.LazyAttribute(lambda o: o.region in o.program.region_codes)
    priority_key = factory.LazyAttribute(_waitlist_priority_key)


# --- Screening


class AssessmentFactory(DjangoModelFactory):
    """A stored PHQ-9 (score as the clinical core gives it for `answers`)."""

    class Meta:
        model = "screening.Assessment"

    patient = factory.SubFactory(PatientFactory)
    instrument = "phq9"
    instrument_version = "test"
    answers = factory.LazyFunction(lambda: [1, 1, 1, 1, 1, 1, 1, 1, 0, None])
    total = 8
    severity = "mild"
    flags = factory.LazyFunction(list)
    subscales = factory.LazyFunction(dict)
    context = "reassessment"
    completed_by = factory.LazyAttribute(
        lambda o: o.patient.user or UserFactory(clinic=o.patient.clinic)
    )
    completed_at = factory.LazyFunction(timezone.now)
    recorded_at = factory.LazyAttribute(lambda o: o.completed_at)
