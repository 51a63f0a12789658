"""The personas every test starts from (as healthchecks' alice, bob and charlie)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    # Imported lazily (in the fixtures) so that tests/clinical runs without Django at all.
    from ketacare.accounts.models import Clinic, User
    from ketacare.patients.models import Patient


@dataclass
class World:
    clinic: Clinic
    other_clinic: Clinic
    admin: User  # runs the clinic: users, settings, audit log; sees all its patients
    prescriber: User  # orders and overrides doses; sees the clinic's patients
    clinician: User  # nurse/therapist; sees the clinic's patients
    monitor: User  # at-home sitter; sees only `patient`, whom they monitor
    patient_user: User  # the login of `patient`; sees only their own record
    patient: Patient
    other_patient: Patient  # same clinic, not monitored, no login
    outsider: User  # a clinician of `other_clinic`: sees nothing of `clinic`
    outsider_patient_user: User  # a patient of `other_clinic`
    outsider_patient: Patient

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else getattr(self, persona)


@pytest.fixture
def world(db) -> World:
    from ketacare.accounts.models import Role
    from tests.factories import ClinicFactory, PatientFactory, UserFactory

    clinic = ClinicFactory(name="Riverside Ketamine Clinic", slug="riverside")
    other = ClinicFactory(name="Hilltop Clinic", slug="hilltop")
    admin = UserFactory(clinic=clinic, role=Role.ADMIN, email="admin@example.org", is_staff=True)
    prescriber = UserFactory(clinic=clinic, role=Role.PRESCRIBER, email="prescriber@example.org")
    clinician = UserFactory(clinic=clinic, role=Role.CLINICIAN, email="clinician@example.org")
    monitor = UserFactory(clinic=clinic, role=Role.MONITOR, email="monitor@example.org")
    patient_user = UserFactory(clinic=clinic, role=Role.PATIENT, email="pat@example.org")
    patient = PatientFactory(
        clinic=clinic, user=patient_user, first_name="Ada", last_name="Lovelace"
    )
    patient.monitors.add(monitor)
    other_patient = PatientFactory(clinic=clinic, first_name="Grace", last_name="Hopper")
    outsider = UserFactory(clinic=other, role=Role.CLINICIAN, email="outsider@example.org")
    outsider_patient_user = UserFactory(clinic=other, role=Role.PATIENT, email="opat@example.org")
    outsider_patient = PatientFactory(clinic=other, user=outsider_patient_user)
    return World(
        clinic, other, admin, prescriber, clinician, monitor, patient_user, patient,
        other_patient, outsider, outsider_patient_user, outsider_patient,
    )  # fmt: skip


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client signed in as that user (or anonymous for None)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _test_settings(request):
    if not request.config.pluginmanager.hasplugin("django"):
        # tests/clinical also runs with `-p no:django`: the pure core needs none of this.
        yield
        return
    settings = request.getfixturevalue("settings")
    # Argon2 is deliberately slow; tests hash thousands of passwords. One test
    # (tests/accounts/test_login.py) checks that production settings store argon2 hashes.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    # Tests speak plain HTTP to the test client; production redirects to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    # No collectstatic in tests: serve static names as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Rate limits (the public forms) count in the cache: every test starts from an empty one
    # of its own, never the file cache in var/ that would carry counts across tests and runs.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    from django.core.cache import cache

    cache.clear()
    # Tasks run inline unless a test starts a real consumer (tests/test_worker.py).
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests (tests/e2e) start Chromium and a live server: they are `slow` too."""
    for item in items:
        if "e2e" in Path(str(item.path)).parts:
            item.add_marker(pytest.mark.slow)
