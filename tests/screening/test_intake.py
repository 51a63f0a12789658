"""The patient's intake: saved as they go, resumable, one screen per instrument, submitted for
review; only the patient's own."""

from ketacare.audit.models import AuditEvent
from ketacare.screening.models import Assessment, IntakeStep, Screening
from tests.screening.conftest import ABOUT, INSTRUMENT_ANSWERS, instrument_form


def test_a_new_patient_sees_every_screen_of_the_intake(world, client_for, consents):
    response = client_for(world.patient_user).get("/screening/intake/")
    assert response.status_code == 200
    page = response.content.decode()
    for title in (
        "About you",
        "Medical history",
        "PHQ-9",
        "GAD-7",
        "PCL-5",
        "C-SSRS",
        "QIDS-SR16",
        "Consent: Treatment",
        "Consent: Data sharing",
    ):
        assert title in page, title
    # Clinician-rated instruments are not the patient's to complete.
    assert "MADRS" not in page and "Y-BOCS" not in page
    assert "0 of 13" in page


def test_the_home_page_asks_the_patient_to_complete_the_intake(world, client_for):
    response = client_for(world.patient_user).get("/")
    assert b"Complete your intake" in response.content
    assert b'href="/screening/intake/steps/about/"' in response.content


def test_a_half_finished_screen_is_kept_on_the_server_and_shown_again(world, client_for):
    client = client_for(world.patient_user)
    response = client.post(
        "/screening/intake/steps/about/",
        {"phone": "555-0199", "weight_kg": "not a number", "action": "save"},
    )
    assert response.status_code == 302 and response["Location"] == "/screening/intake/"
    step = IntakeStep.objects.get(step="about")
    assert step.data["phone"] == "555-0199" and step.completed_at is None
    # A new browser (the old one was closed): the draft is still there.
    fresh = client_for(world.patient_user)
    page = fresh.get("/screening/intake/steps/about/").content.decode()
    assert 'value="555-0199"' in page
    assert "Started" in fresh.get("/screening/intake/").content.decode()


def test_each_change_is_saved_as_the_patient_goes_with_htmx(world, client_for):
    client = client_for(world.patient_user)
    response = client.post(
        "/screening/intake/steps/about/",
        {"phone": "555-0123", "action": "autosave"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Saved at" in response.content
    assert IntakeStep.objects.get(step="about").data["phone"] == "555-0123"


def test_an_invalid_screen_shows_errors_next_to_the_fields_and_keeps_the_draft(world, client_for):
    client = client_for(world.patient_user)
    response = client.post(
        "/screening/intake/steps/about/", {**ABOUT, "weight_kg": "7", "action": "continue"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the following" in page
    assert "Enter a weight between 20 and 400 kg." in page
    step = IntakeStep.objects.get(step="about")
    assert step.completed_at is None and step.data["weight_kg"] == "7"


def test_a_finished_screen_leads_to_the_next_one(world, client_for):
    client = client_for(world.patient_user)
    response = client.post("/screening/intake/steps/about/", {**ABOUT, "action": "continue"})
    assert response.status_code == 302
    assert response["Location"] == "/screening/intake/steps/reasons/"
    assert IntakeStep.objects.get(step="about").completed_at is not None
    assert AuditEvent.objects.filter(model="screening.IntakeStep", action="create").exists()


def test_every_item_must_be_answered_or_explicitly_skipped_where_allowed(world, client_for):
    client = client_for(world.patient_user)
    answers = INSTRUMENT_ANSWERS["phq9"][:9]  # item 10 neither answered nor skipped
    response = client.post("/screening/intake/questionnaires/phq9/", instrument_form(answers))
    assert response.status_code == 400
    assert "Choose an answer, or “Skip this question”." in response.content.decode()
    assert not Assessment.objects.exists()
    # A required item cannot be skipped.
    response = client.post(
        "/screening/intake/questionnaires/phq9/",
        instrument_form([None, *INSTRUMENT_ANSWERS["phq9"][1:]]),
    )
    assert response.status_code == 400
    assert not Assessment.objects.exists()
    # The optional item 10, explicitly skipped, is stored as skipped.
    response = client.post(
        "/screening/intake/questionnaires/phq9/",
        instrument_form([*INSTRUMENT_ANSWERS["phq9"][:9], None]),
    )
    assert response.status_code == 302
    stored = Assessment.objects.get()
    assert (
        stored.answers[9] is None and stored.total == 16 and stored.severity == "moderately severe"
    )
    assert stored.completed_by == world.patient_user and stored.instrument_version


def test_a_finished_instrument_is_stored_as_an_assessment_at_once(world, client_for):
    client = client_for(world.patient_user)
    response = client.post(
        "/screening/intake/questionnaires/gad7/", instrument_form(INSTRUMENT_ANSWERS["gad7"])
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(instrument="gad7")
    assert assessment.total == 7 and assessment.severity == "mild"
    assert assessment.context == "intake"
    assert assessment.screening == Screening.objects.get(patient=world.patient)


def test_changing_an_answered_instrument_stores_a_linked_correction(world, client_for):
    client = client_for(world.patient_user)
    client.post("/screening/intake/questionnaires/gad7/", instrument_form([1] * 7))
    client.post("/screening/intake/questionnaires/gad7/", instrument_form([2] * 7))
    first, second = Assessment.objects.order_by("id")
    assert second.corrects == first and first.total == 7 and second.total == 14
    assert second.correction_reason
    # Submitting the same answers again stores nothing new.
    client.post("/screening/intake/questionnaires/gad7/", instrument_form([2] * 7))
    assert Assessment.objects.count() == 2


def test_reporting_ocd_and_pain_adds_bpi_for_the_patient_and_ybocs_for_staff(world, client_for):
    client = client_for(world.patient_user)
    client.post(
        "/screening/intake/steps/reasons/",
        {"indications": ["depression", "ocd", "pain"], "action": "continue"},
    )
    page = client.get("/screening/intake/").content.decode()
    assert "BPI-SF" in page and "Y-BOCS" not in page
    assert client.get("/screening/intake/questionnaires/bpi_sf/").status_code == 200
    assert client.get("/screening/intake/questionnaires/ybocs/").status_code == 404
    assert client.get("/screening/intake/questionnaires/madrs/").status_code == 404


def test_the_intake_cannot_be_sent_until_every_screen_is_done(world, client_for, consents):
    client = client_for(world.patient_user)
    client.post("/screening/intake/steps/about/", {**ABOUT, "action": "continue"})
    response = client.post("/screening/intake/")
    assert response.status_code == 400
    assert "Some parts are not finished yet" in response.content.decode()
    assert Screening.objects.get().status == "intake"


def test_a_complete_intake_is_sent_for_review_and_then_locked(world, do_intake, consents):
    client = do_intake(world)
    screening = Screening.objects.get(patient=world.patient)
    assert screening.status == "submitted" and screening.submitted_at
    assert Assessment.objects.filter(patient=world.patient).count() == 5
    response = client.post("/screening/intake/steps/about/", {**ABOUT, "action": "continue"})
    assert response.status_code == 302 and response["Location"] == "/screening/me/"
    response = client.post(
        "/screening/intake/steps/about/",
        {"phone": "1", "action": "autosave"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert IntakeStep.objects.get(step="about").data["phone"] == ABOUT["phone"]
    assert b"Awaiting review" in client.get("/screening/me/").content


def test_the_intake_works_without_consent_documents_published(world, do_intake):
    do_intake(world, sign=False)
    assert Screening.objects.get().status == "submitted"


def test_intake_pages_are_for_patients_only(world, client_for):
    for persona in ("clinician", "prescriber", "admin", "monitor", "outsider"):
        client = client_for(world.user(persona))
        assert client.get("/screening/intake/").status_code == 404, persona
        assert client.get("/screening/intake/steps/about/").status_code == 404, persona
    response = client_for(None).get("/screening/intake/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_patient_cannot_read_another_patients_intake(world, client_for, do_intake):
    do_intake(world, submit=True)
    other = client_for(world.outsider_patient_user)
    # Their own (empty) intake, never world.patient's answers.
    page = other.get("/screening/intake/steps/about/").content.decode()
    assert ABOUT["phone"] not in page
    assessment = Assessment.objects.filter(patient=world.patient).first()
    assert other.get(f"/screening/assessments/{assessment.pk}/").status_code == 404
    assert other.get(f"/screening/patients/{world.patient.pk}/").status_code == 404
    assert other.get(f"/api/v1/assessments?patient_id={world.patient.pk}").status_code == 404
    assert other.get(f"/api/v1/assessments/{assessment.pk}").status_code == 404
    assert AuditEvent.objects.filter(
        outcome="denied", actor_email=world.outsider_patient_user.email
    ).exists()


def test_about_you_starts_from_what_the_clinic_has_on_record(world, client_for):
    world.patient.phone = "555-0142"
    world.patient.emergency_contact_name = "Charles Babbage"
    world.patient.save()
    page = client_for(world.patient_user).get("/screening/intake/steps/about/").content.decode()
    assert 'value="555-0142"' in page and 'value="Charles Babbage"' in page


def test_an_autosave_arriving_after_continue_keeps_the_step_finished(world, client_for):
    client = client_for(world.patient_user)
    client.post("/screening/intake/steps/about/", {**ABOUT, "action": "continue"})
    # The change event of the last field races the click on "Save and continue".
    client.post(
        "/screening/intake/steps/about/", {**ABOUT, "action": "autosave"}, HTTP_HX_REQUEST="true"
    )
    assert IntakeStep.objects.get(step="about").completed_at is not None
    # Valid answers saved as the patient goes never finish a step on their own...
    client.post("/screening/intake/steps/reasons/", {"indications": ["pain"], "action": "autosave"})
    assert IntakeStep.objects.get(step="reasons").completed_at is None
    # ...and an answer made invalid reopens a finished one.
    client.post("/screening/intake/steps/about/", {**ABOUT, "height_cm": "2", "action": "autosave"})
    assert IntakeStep.objects.get(step="about").completed_at is None
