from ketacare.audit.models import AuditEvent


def test_clinician_sees_patient_of_own_clinic_and_it_is_audited(world, client_for):
    client = client_for(world.clinician)
    response = client.get(f"/patients/{world.patient.pk}/")
    assert response.status_code == 200
    assert b"Lovelace" in response.content
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "view" and event.patient_id == world.patient.pk
    assert event.actor_email == world.clinician.email


def test_outsider_gets_404_and_the_denial_is_audited(world, client_for):
    client = client_for(world.outsider)
    response = client.get(f"/patients/{world.patient.pk}/")
    assert response.status_code == 404
    assert b"Lovelace" not in response.content
    assert AuditEvent.objects.filter(outcome="denied", actor_email=world.outsider.email).exists()


def test_patient_sees_only_their_own_record(world, client_for):
    client = client_for(world.patient_user)
    assert client.get("/patients/me/").status_code == 200
    assert client.get(f"/patients/{world.other_patient.pk}/").status_code == 404


def test_clinician_creates_a_patient(world, client_for):
    client = client_for(world.clinician)
    response = client.post(
        "/patients/new/",
        {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "1990-01-02", "sex": "male"},
    )
    assert response.status_code == 302
    from ketacare.patients.models import Patient

    created = Patient.objects.get(last_name="Turing")
    assert created.clinic == world.clinic
    assert AuditEvent.objects.filter(action="create", patient_id=created.pk).exists()


def test_staff_with_no_clinic_cannot_create_a_patient(db, client_for):
    from ketacare.accounts.models import Role
    from ketacare.patients.models import Patient
    from tests.factories import UserFactory

    clinicless = UserFactory(clinic=None, role=Role.CLINICIAN)
    response = client_for(clinicless).post(
        "/patients/new/",
        {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "1990-01-02", "sex": "male"},
    )
    assert response.status_code == 404
    assert not Patient.objects.filter(last_name="Turing").exists()


def test_future_date_of_birth_is_refused_and_nothing_is_saved(world, client_for):
    client = client_for(world.clinician)
    response = client.post(
        "/patients/new/",
        {"first_name": "Alan", "last_name": "Turing", "date_of_birth": "2999-01-02", "sex": "male"},
    )
    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
