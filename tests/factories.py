"""factory-boy factories: the one place tests build rows."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from ketacare.accounts.models import Clinic, Role, User
from ketacare.patients.models import Patient

PASSWORD = "correct-horse-battery-9"


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
    password = factory.django.Password(PASSWORD)


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Sequence(lambda n: f"Ient{n}")
    date_of_birth = dt.date(1985, 6, 15)
    sex = "female"
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
