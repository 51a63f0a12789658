"""The roles a user can hold. A user belongs to one clinic; data never crosses clinics."""

from django.db import models


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"
    PRESCRIBER = "prescriber", "Prescriber"
    MONITOR = "monitor", "At-home monitor"
    ADMIN = "admin", "Clinic administrator"


# Roles that work for the clinic and see its patients' records.
STAFF_ROLES = frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN})
# Roles that must use MFA (everyone but patients, who are offered it).
MFA_ROLES = frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.ADMIN, Role.MONITOR})
