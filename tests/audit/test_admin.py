"""Django admin: the audit trail is read-only there, and what an operator sees of patients or
changes through it is audited like the application's own reads and writes."""

import pytest

from ketacare.accounts.models import Role, User
from ketacare.audit.log import record
from ketacare.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

ADMIN = "/django-admin/"


@pytest.fixture
def operator(world):
    """Runs the installation: a Django superuser (in the clinic, as the demo admin is)."""
    return UserFactory(clinic=world.clinic, role=Role.ADMIN, email="operator@example.org",
                       is_staff=True, is_superuser=True)  # fmt: skip


@pytest.fixture
def event(world):
    return record(actor=world.clinician, action="view", obj=world.patient, patient=world.patient)


def test_operator_can_list_and_read_audit_events(operator, event, client_for):
    client = client_for(operator)
    listing = client.get(f"{ADMIN}audit/auditevent/")
    assert listing.status_code == 200
    assert b"clinician@example.org" in listing.content
    detail = client.get(f"{ADMIN}audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b"clinician@example.org" in detail.content
    assert b'name="_save"' not in detail.content  # nothing to save: read-only


def test_nobody_can_add_change_or_delete_audit_events_in_the_admin(operator, event, client_for):
    client = client_for(operator)
    assert client.get(f"{ADMIN}audit/auditevent/add/").status_code == 403
    changed = client.post(f"{ADMIN}audit/auditevent/{event.pk}/change/", {"detail": "forged"})
    assert changed.status_code == 403
    assert client.get(f"{ADMIN}audit/auditevent/{event.pk}/delete/").status_code == 403
    assert (
        client.post(f"{ADMIN}audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = client.post(f"{ADMIN}audit/auditevent/",
                       {"action": "delete_selected", "_selected_action": [event.pk]})  # fmt: skip
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_clinic_staff_without_django_admin_access_are_kept_out(world, client_for):
    response = client_for(world.clinician).get(f"{ADMIN}audit/auditevent/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]


def test_operator_creates_a_user_by_email_and_it_is_audited(operator, world, client_for):
    response = client_for(operator).post(
        f"{ADMIN}accounts/user/add/",
        {"email": "New.Nurse@Example.org", "full_name": "New Nurse", "clinic": world.clinic.pk,
         "role": Role.CLINICIAN, "usable_password": "true",
         "password1": PASSWORD, "password2": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.nurse@example.org")
    assert user.check_password(PASSWORD) and user.role == Role.CLINICIAN
    event = AuditEvent.objects.filter(model="accounts.User", object_id=str(user.pk)).get()
    assert event.action == "create" and event.actor_email == operator.email


def test_a_duplicate_email_differing_in_case_is_refused_in_the_admin(operator, world, client_for):
    response = client_for(operator).post(
        f"{ADMIN}accounts/user/add/",
        {"email": "CLINICIAN@example.org", "full_name": "Twin", "clinic": world.clinic.pk,
         "role": Role.CLINICIAN, "usable_password": "false"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["email"])


def test_the_user_admin_pages_render(operator, world, client_for):
    client = client_for(operator)
    assert client.get(f"{ADMIN}accounts/user/").status_code == 200
    assert client.get(f"{ADMIN}accounts/user/add/").status_code == 200
    page = client.get(f"{ADMIN}accounts/user/{world.clinician.pk}/change/")
    assert page.status_code == 200
    assert b"username" not in page.content.lower().replace(b'autocomplete="username"', b"")
    assert client.get(f"{ADMIN}accounts/clinic/").status_code == 200
    assert client.get(f"{ADMIN}accounts/apitoken/").status_code == 200


def test_reading_and_listing_patients_in_the_admin_is_audited(operator, world, client_for):
    client = client_for(operator)
    assert client.get(f"{ADMIN}patients/patient/").status_code == 200
    assert AuditEvent.objects.filter(action="list", model="patients.Patient",
                                     actor_email=operator.email).exists()  # fmt: skip
    page = client.get(f"{ADMIN}patients/patient/{world.patient.pk}/change/")
    assert page.status_code == 200
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.patient_id, event.clinic_id) == (
        "view", world.patient.pk, world.clinic.pk,
    )  # fmt: skip


def test_changing_a_patient_in_the_admin_is_audited(operator, world, client_for):
    client = client_for(operator)
    page = client.get(f"{ADMIN}patients/patient/{world.other_patient.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({
        "clinic": world.clinic.pk, "date_of_birth": "1985-06-15", "phone": "555-0199",
        "monitors": [], "user": "",
        "weights-TOTAL_FORMS": 0, "weights-INITIAL_FORMS": 0,
        "diagnoses-TOTAL_FORMS": 0, "diagnoses-INITIAL_FORMS": 0,
    })  # fmt: skip
    response = client.post(f"{ADMIN}patients/patient/{world.other_patient.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.other_patient.refresh_from_db()
    assert world.other_patient.phone == "555-0199"
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.patient_id) == ("update", world.other_patient.pk)
    assert "phone" in event.detail.lower()
