"""Demo data for a first look and for the browser tests: one clinic, one login per role (all
with the same well-known password and no MFA) and a handful of patients. Loading it twice
converges on the same data; it never duplicates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import Clinic, Role, User
from ketacare.audit.log import record
from ketacare.patients.models import Diagnosis, Patient, WeightMeasurement

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - published on purpose: demo logins only
DEMO_CLINIC_NAME = "Demo Ketamine Clinic"
DEMO_CLINIC_SLUG = "demo"
AUDIT_DETAIL = "demo data"


def demo_email(local_part: str) -> str:
    return f"{local_part}@{settings.DEMO_EMAIL_DOMAIN}"


# (local part of the email, full name, role). The local part is the role, so a visitor can
# guess every login from one.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "Morgan Ellis", Role.ADMIN),
    ("prescriber", "Dr. Priya Raman", Role.PRESCRIBER),
    ("clinician", "Sam Lee, RN", Role.CLINICIAN),
    ("monitor", "Chris Rivera", Role.MONITOR),
    ("patient", "Jordan Rivera", Role.PATIENT),
)


@dataclass(frozen=True)
class DemoPatient:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    email: str
    phone: str
    # Oldest first, as (days before today, kg).
    weights: tuple[tuple[int, str], ...]
    # (description, ICD-10-CM code, days before today)
    diagnoses: tuple[tuple[str, str, int], ...]
    emergency_contact: tuple[str, str, str] = ("", "", "")
    # The login that is this patient (local part), and who monitors them at home.
    login: str = ""
    monitors: tuple[str, ...] = ()


DEMO_PATIENTS: tuple[DemoPatient, ...] = (
    DemoPatient(
        "Jordan", "Rivera", dt.date(1986, 3, 14), "female", "patient@demo.ketacare",
        "555-0101", ((90, "69.2"), (30, "68.4")),
        (("Major depressive disorder, recurrent, severe without psychotic features", "F33.2",
          400),),
        emergency_contact=("Chris Rivera", "555-0102", "Spouse"),
        login="patient", monitors=("monitor",),
    ),
    DemoPatient(
        "Samuel", "Okafor", dt.date(1979, 11, 2), "male", "samuel.okafor@demo.ketacare",
        "555-0111", ((60, "83.1"), (14, "82.0")),
        (("Post-traumatic stress disorder, chronic", "F43.12", 900),),
        emergency_contact=("Ngozi Okafor", "555-0112", "Sister"),
    ),
    DemoPatient(
        "Mei", "Chen", dt.date(1992, 7, 21), "female", "mei.chen@demo.ketacare",
        "555-0121", ((45, "55.3"),),
        (("Major depressive disorder, recurrent, moderate", "F33.1", 700),
         ("Generalized anxiety disorder", "F41.1", 700)),
    ),
    DemoPatient(
        "Daniel", "Brooks", dt.date(1968, 1, 30), "male", "daniel.brooks@demo.ketacare",
        "555-0131", ((120, "93.0"), (20, "91.7")),
        (("Complex regional pain syndrome I of right lower limb", "G90.521", 1500),),
    ),
    DemoPatient(
        "Aisha", "Hassan", dt.date(2001, 5, 9), "female", "aisha.hassan@demo.ketacare",
        "555-0141", ((10, "60.2"),),
        (("Obsessive-compulsive disorder, mixed obsessional thoughts and acts", "F42.2", 300),),
    ),
)  # fmt: skip


@dataclass
class DemoResult:
    clinic: Clinic
    users: dict[str, User] = field(default_factory=dict)
    patients: list[Patient] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # Hashed once for all the logins: the password is public, so a shared salt hides nothing,
    # and each Argon2 hash costs a noticeable fraction of a second.
    password_hash: str = field(default_factory=lambda: make_password(DEMO_PASSWORD))


def _audit(clinic: Clinic, action: str, obj: object, patient: Patient | None = None) -> None:
    record(actor=None, action=action, obj=obj, patient=patient, clinic_id=clinic.pk,
           detail=AUDIT_DETAIL)  # fmt: skip


def _ensure_clinic(result: DemoResult) -> None:
    clinic = result.clinic
    if clinic.name != DEMO_CLINIC_NAME:
        clinic.name = DEMO_CLINIC_NAME
        clinic.save(update_fields=["name"])
        _audit(clinic, "update", clinic)
        result.updated.append(f"clinic {clinic.name}")


def _ensure_user(result: DemoResult, local_part: str, full_name: str, role: str) -> User:
    clinic = result.clinic
    email = demo_email(local_part)
    wanted = {
        "full_name": full_name,
        "clinic": clinic,
        "role": role,
        "mfa_exempt": True,
        "is_active": True,
        # The demo admin may also use Django's admin site.
        "is_staff": role == Role.ADMIN,
        "is_superuser": role == Role.ADMIN,
    }
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, password=result.password_hash, **wanted)
        user.save()
        _audit(clinic, "create", user)
        result.created.append(f"user {email}")
        return user
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        user.save()
        _audit(clinic, "update", user)
        result.updated.append(f"user {email} ({', '.join(changed)})")
    return user


def _ensure_patient(result: DemoResult, spec: DemoPatient, recorder: User) -> Patient:
    clinic = result.clinic
    login = result.users[spec.login] if spec.login else None
    patient = Patient.objects.filter(
        clinic=clinic, first_name=spec.first_name, last_name=spec.last_name
    ).first()
    new = patient is None
    if patient is None:
        name, phone, relationship = spec.emergency_contact
        patient = Patient.objects.create(
            clinic=clinic, user=login, first_name=spec.first_name, last_name=spec.last_name,
            date_of_birth=spec.date_of_birth, sex=spec.sex, email=spec.email, phone=spec.phone,
            emergency_contact_name=name, emergency_contact_phone=phone,
            emergency_contact_relationship=relationship,
        )  # fmt: skip
        _audit(clinic, "create", patient, patient)
        result.created.append(f"patient {patient.full_name}")
        today = timezone.localdate()
        for days_ago, kg in spec.weights:
            weight = WeightMeasurement.objects.create(
                patient=patient, weight_kg=Decimal(kg),
                measured_on=today - dt.timedelta(days=days_ago), recorded_by=recorder,
            )  # fmt: skip
            _audit(clinic, "create", weight, patient)
        for description, code, days_ago in spec.diagnoses:
            diagnosis = Diagnosis.objects.create(
                patient=patient, description=description, code=code,
                diagnosed_on=today - dt.timedelta(days=days_ago), recorded_by=recorder,
            )  # fmt: skip
            _audit(clinic, "create", diagnosis, patient)
    elif login is not None and patient.user_id != login.pk:
        patient.user = login
        patient.save(update_fields=["user", "updated_at"])
        _audit(clinic, "update", patient, patient)
        result.updated.append(f"patient {patient.full_name} (login)")
    monitors = [result.users[local_part] for local_part in spec.monitors]
    missing = [m for m in monitors if not patient.monitors.filter(pk=m.pk).exists()]
    if missing:
        patient.monitors.add(*missing)
        _audit(clinic, "update", patient, patient)
        if not new:
            result.updated.append(f"patient {patient.full_name} (monitors)")
    return patient


@transaction.atomic
def load_demo() -> DemoResult:
    """Create (or bring back to its published state) the demo clinic, logins and patients."""
    clinic, created = Clinic.objects.get_or_create(
        slug=DEMO_CLINIC_SLUG, defaults={"name": DEMO_CLINIC_NAME}
    )
    result = DemoResult(clinic=clinic)
    if created:
        _audit(clinic, "create", clinic)
        result.created.append(f"clinic {clinic.name}")
    else:
        _ensure_clinic(result)
    for local_part, full_name, role in DEMO_USERS:
        result.users[local_part] = _ensure_user(result, local_part, full_name, role)
    recorder = result.users["clinician"]
    result.patients = [_ensure_patient(result, spec, recorder) for spec in DEMO_PATIENTS]
    return result
