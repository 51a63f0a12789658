"""Safety first: PHQ-9 item 9 above 0 or a high-risk C-SSRS shows the patient crisis
resources at once and raises an urgent task for the clinic's clinicians (home page and
email), whether or not the intake is finished."""

from django.core import mail

from ketacare.screening.models import Assessment, UrgentTask
from tests.factories import UserFactory
from tests.screening.conftest import INSTRUMENT_ANSWERS, instrument_form

PHQ9_ITEM9_1 = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
CSSRS_HIGH = [1, 1, 1, 1, 0, 0, 0]  # intent: high risk


def _post(client, code, answers, **extra):
    return client.post(
        f"/screening/intake/questionnaires/{code}/", instrument_form(answers, **extra)
    )


def test_phq9_item_9_at_1_shows_crisis_resources_at_once(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.patient_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "phq9", PHQ9_ITEM9_1)
    assert response.status_code == 302
    assert response["Location"].startswith("/screening/crisis/?next=")
    page = client.get(response["Location"]).content.decode()
    assert 'href="tel:988"' in page and 'href="tel:911"' in page
    assert "Your clinic has been told" in page
    task = UrgentTask.objects.get(patient=world.patient)
    assert task.instrument == "phq9" and task.flags == ["suicidal_ideation"]
    assert task.assessment == Assessment.objects.get(instrument="phq9")
    # The rest of the intake is untouched: it is far from finished.
    assert world.patient.screenings.get().status == "intake"


def test_the_clinic_clinicians_are_emailed_without_naming_the_patient(
    world, client_for, django_capture_on_commit_callbacks
):
    UserFactory(clinic=world.clinic, role="clinician", email="gone@example.org", is_active=False)
    client = client_for(world.patient_user)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "phq9", PHQ9_ITEM9_1)
    recipients = sorted(r for message in mail.outbox for r in message.to)
    assert recipients == sorted([world.clinician.email, world.prescriber.email])
    for message in mail.outbox:
        assert "urgent safety follow-up" in message.subject.lower()
        assert "/screening/" in message.body
        assert world.patient.last_name not in message.body + message.subject
        assert world.patient.last_name not in message.alternatives[0][0]


def test_the_urgent_task_is_on_the_clinicians_home_page(world, client_for):
    _post(client_for(world.patient_user), "phq9", PHQ9_ITEM9_1)
    for persona in ("clinician", "prescriber"):
        page = client_for(world.user(persona)).get("/").content.decode()
        assert "Urgent safety tasks" in page and "Ada Lovelace" in page, persona
        assert f"/screening/tasks/{UrgentTask.objects.get().pk}/" in page
    # Another clinic does not see it.
    assert "Ada Lovelace" not in client_for(world.outsider).get("/").content.decode()


def test_a_high_risk_cssrs_shows_crisis_resources_and_raises_a_task(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.patient_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "cssrs_screen", CSSRS_HIGH)
    assert response["Location"].startswith("/screening/crisis/")
    task = UrgentTask.objects.get()
    assert task.instrument == "cssrs_screen" and "suicide_risk_high" in task.flags
    assert len(mail.outbox) == 2


def test_a_low_risk_cssrs_is_reviewed_but_is_not_a_crisis(world, client_for):
    response = _post(client_for(world.patient_user), "cssrs_screen", [1, 0, 0, 0, 0, 0, 0])
    assert not response["Location"].startswith("/screening/crisis/")
    assert not UrgentTask.objects.exists()
    assert Assessment.objects.get().flags == ["suicidal_ideation"]


def test_no_crisis_for_item_9_at_0(world, client_for):
    response = _post(client_for(world.patient_user), "phq9", INSTRUMENT_ANSWERS["phq9"])
    assert response["Location"] == "/screening/intake/questionnaires/gad7/"
    assert not UrgentTask.objects.exists()


def test_item_9_answered_on_a_half_finished_screen_already_raises_the_task(
    world, client_for, django_capture_on_commit_callbacks
):
    """The patient answers item 9 and closes the browser: the autosaved draft is enough."""
    client = client_for(world.patient_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/screening/intake/questionnaires/phq9/",
            {"item_9": "2", "action": "autosave"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert b"tel:988" in response.content and b'hx-swap-oob="true"' in response.content
    task = UrgentTask.objects.get()
    assert task.assessment is None and not Assessment.objects.exists()
    assert len(mail.outbox) == 2
    # Finishing the sheet links the same task to the assessment: no second task, no new email.
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2, 0])
    task.refresh_from_db()
    assert UrgentTask.objects.count() == 1 and task.assessment.instrument == "phq9"
    assert len(mail.outbox) == 2


def test_without_javascript_an_incomplete_screen_with_item_9_shows_the_crisis_panel(
    world, client_for
):
    response = _post(client_for(world.patient_user), "phq9", [None] * 8 + [1])
    assert response.status_code == 400
    assert b"tel:988" in response.content
    assert UrgentTask.objects.filter(assessment__isnull=True).exists()


def test_the_intake_page_keeps_showing_crisis_resources_while_the_task_is_open(world, client_for):
    client = client_for(world.patient_user)
    _post(client, "phq9", PHQ9_ITEM9_1)
    assert b"tel:988" in client.get("/screening/intake/").content
    assert b"tel:988" in client.get("/").content


def test_a_clinician_records_the_follow_up(world, client_for):
    _post(client_for(world.patient_user), "phq9", PHQ9_ITEM9_1)
    task = UrgentTask.objects.get()
    url = f"/screening/tasks/{task.pk}/"
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.admin).get(url).status_code == 404
    client = client_for(world.clinician)
    assert client.post(url, {"resolution_note": ""}).status_code == 400
    response = client.post(url, {"resolution_note": "Called; safety plan reviewed; seen tomorrow."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.resolved_by == world.clinician and not task.is_open
    assert (
        "Ada Lovelace"
        not in client.get("/")
        .content.decode()
        .split("Urgent safety tasks")[1]
        .split("</article>")[0]
    )


def test_a_reassessment_with_item_9_also_raises_the_crisis_path(world, client_for):
    response = client_for(world.patient_user).post(
        "/screening/me/questionnaires/phq9/", instrument_form(PHQ9_ITEM9_1)
    )
    assert response["Location"].startswith("/screening/crisis/")
    assert UrgentTask.objects.get().assessment.context == "reassessment"


def test_an_assessment_created_over_the_api_also_raises_the_crisis_path(world, client_for):
    response = client_for(world.patient_user).post(
        "/api/v1/assessments",
        {"patient_id": world.patient.pk, "instrument": "cssrs_screen", "answers": CSSRS_HIGH},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["crisis"] is True and body["urgent_task_id"] == UrgentTask.objects.get().pk


# --- C-SSRS moderate: an urgent task for same-day review, not the crisis path

CSSRS_METHOD = [1, 1, 1, 0, 0, 0, 0]  # thoughts of a method: moderate


def test_a_moderate_cssrs_opens_a_same_day_review_task(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.patient_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "cssrs_screen", CSSRS_METHOD)
    assert response.status_code == 302
    assert not response["Location"].startswith("/screening/crisis/")
    task = UrgentTask.objects.get()
    assert task.urgency == "same_day" and task.flags == ["suicidal_ideation"]
    assert task.assessment == Assessment.objects.get(instrument="cssrs_screen")
    # Not the crisis path: no email, no crisis resources kept on the patient's pages.
    assert mail.outbox == []
    assert b"crisis-panel" not in client.get("/screening/intake/").content
    page = client_for(world.clinician).get("/").content.decode()
    assert "Ada Lovelace" in page and "Same-day review" in page
    assert f"/screening/tasks/{task.pk}/" in page
    summary = client_for(world.clinician).get(f"/screening/patients/{world.patient.pk}/")
    assert "Same-day review" in summary.content.decode()


def test_lifetime_behaviour_alone_opens_a_same_day_review_over_the_api(world, client_for):
    response = client_for(world.patient_user).post(
        "/api/v1/assessments",
        {"patient_id": world.patient.pk, "instrument": "cssrs_screen", "answers": [0] * 5 + [1, 0]},
        content_type="application/json",
    )
    assert response.status_code == 201
    task = UrgentTask.objects.get()
    assert task.urgency == "same_day" and task.flags == []
    assert response.json()["crisis"] is False and response.json()["urgent_task_id"] == task.pk


def test_a_draft_same_day_review_becomes_a_crisis_when_intent_is_answered(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.patient_user)

    def autosave(**items):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/screening/intake/questionnaires/cssrs_screen/",
                {**{f"item_{n}": v for n, v in items.items()}, "action": "autosave"},
                HTTP_HX_REQUEST="true",
            )

    response = autosave(**{"3": "1"})
    assert b"crisis-panel" not in response.content
    task = UrgentTask.objects.get()
    assert task.urgency == "same_day" and task.assessment is None and mail.outbox == []
    response = autosave(**{"3": "1", "4": "1"})
    assert b"tel:988" in response.content
    task.refresh_from_db()
    assert UrgentTask.objects.count() == 1
    assert task.urgency == "crisis" and task.flags == ["suicide_risk_high"]
    assert len(mail.outbox) == 2
    # Finishing the sheet links the same crisis task; no second email.
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "cssrs_screen", CSSRS_HIGH)
    assert response["Location"].startswith("/screening/crisis/")
    task.refresh_from_db()
    assert UrgentTask.objects.count() == 1 and task.assessment is not None
    assert task.urgency == "crisis" and len(mail.outbox) == 2
