"""The clinician's review and the prescriber's decision per route: scores with severity and
flags, contraindications, eligibility per route with reasons, notes (staff only), requests
(the patient sees them), findings, clinician-rated instruments, corrections, decisions and
highlighted overrides."""

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.screening.models import Assessment, PatientRequest, ReviewNote, RouteDecision
from tests.screening.conftest import instrument_form

MADRS = [3, 3, 3, 3, 3, 3, 3, 3, 3, 1]  # 28: moderate


@pytest.fixture
def submitted(world, do_intake, consents):
    do_intake(world)
    return world.patient.screenings.get()


def _summary(client, world):
    return client.get(f"/screening/patients/{world.patient.pk}/")


def _decide(client, world, route, decision, reason="Reviewed.", override_reason=""):
    return client.post(
        f"/screening/patients/{world.patient.pk}/decisions/",
        {
            "route": route,
            f"{route}-route": route,
            f"{route}-decision": decision,
            f"{route}-reason": reason,
            f"{route}-override_reason": override_reason,
        },
    )


def test_the_summary_shows_scores_eligibility_and_reasons(world, client_for, submitted):
    response = _summary(client_for(world.clinician), world)
    assert response.status_code == 200
    page = response.content.decode()
    assert "PHQ-9" in page and "moderately severe" in page and "16" in page
    assert "Eligibility per route" in page
    # No screening BP yet: every route needs review, with the reason.
    assert "No screening blood pressure recorded." in page
    assert (
        "At-home sublingual troche" in page and "No named adult monitor for at-home dosing." in page
    )
    assert "sertraline 100 mg" in page  # the intake answers
    assert AuditEvent.objects.filter(
        detail="screening summary", patient_id=world.patient.pk
    ).exists()


def test_findings_recompute_eligibility(world, client_for, submitted):
    client = client_for(world.clinician)
    response = client.post(
        f"/screening/patients/{world.patient.pk}/findings/",
        {"screening_systolic": "160", "screening_diastolic": "95"},
    )
    assert response.status_code == 302
    page = _summary(client, world).content.decode()
    assert "Uncontrolled hypertension: screening BP at or above 160/100. (160/95)" in page
    response = client.post(
        f"/screening/patients/{world.patient.pk}/findings/",
        {"screening_systolic": "120", "screening_diastolic": ""},
    )
    assert response.status_code == 400
    assert "Enter both blood-pressure values, or neither." in response.content.decode()


def test_clinician_notes_are_for_staff_only(world, client_for, submitted):
    client = client_for(world.clinician)
    response = client.post(
        f"/screening/patients/{world.patient.pk}/notes/",
        {"body": "Flat affect; discuss bipolar screen."},
    )
    assert response.status_code == 302
    assert ReviewNote.objects.get().author == world.clinician
    assert "Flat affect" in _summary(client_for(world.prescriber), world).content.decode()
    patient = client_for(world.patient_user)
    for url in (
        "/screening/me/",
        "/",
        "/screening/intake/",
        f"/screening/patients/{world.patient.pk}/",
    ):
        assert b"Flat affect" not in patient.get(url).content, url
    assert (
        client_for(world.patient_user)
        .post(f"/screening/patients/{world.patient.pk}/notes/", {"body": "x"})
        .status_code
        == 404
    )


def test_an_empty_note_shows_the_error_on_the_summary(world, client_for, submitted):
    response = client_for(world.clinician).post(
        f"/screening/patients/{world.patient.pk}/notes/", {"body": ""}
    )
    assert response.status_code == 400
    assert "Please correct the following" in response.content.decode()


def test_a_request_reaches_the_patient_who_answers_it(world, client_for, submitted):
    response = client_for(world.clinician).post(
        f"/screening/patients/{world.patient.pk}/requests/",
        {"kind": "information", "message": "Please send your last ECG."},
    )
    assert response.status_code == 302
    patient = client_for(world.patient_user)
    assert b"Please send your last ECG." in patient.get("/").content
    assert b"Please send your last ECG." in patient.get("/screening/me/").content
    patient_request = PatientRequest.objects.get()
    response = patient.post(
        f"/screening/me/requests/{patient_request.pk}/respond/",
        {"response": "Uploaded to the portal."},
    )
    assert response.status_code == 302
    assert b"Uploaded to the portal." in _summary(client_for(world.clinician), world).content
    # Another patient cannot answer it.
    other = client_for(world.outsider_patient_user)
    assert (
        other.post(
            f"/screening/me/requests/{patient_request.pk}/respond/", {"response": "x"}
        ).status_code
        == 404
    )
    client_for(world.clinician).post(f"/screening/requests/{patient_request.pk}/close/")
    patient_request.refresh_from_db()
    assert not patient_request.is_open


def test_staff_enter_clinician_rated_instruments_in_the_review(world, client_for, submitted):
    client = client_for(world.clinician)
    page = _summary(client, world).content.decode()
    assert f"/screening/patients/{world.patient.pk}/instruments/madrs/" in page
    response = client.post(
        f"/screening/patients/{world.patient.pk}/instruments/madrs/", instrument_form(MADRS)
    )
    assert response.status_code == 302
    madrs = Assessment.objects.get(instrument="madrs")
    assert (
        madrs.total == 28 and madrs.severity == "moderate" and madrs.completed_by == world.clinician
    )
    assert madrs.context == "review"
    # Patients cannot enter a clinician-rated instrument.
    response = client_for(world.patient_user).post(
        "/api/v1/assessments",
        {"patient_id": world.patient.pk, "instrument": "madrs", "answers": MADRS},
        content_type="application/json",
    )
    assert response.status_code == 422 and "clinician" in response.json()["detail"]


def test_a_correction_is_a_new_record_linked_to_the_old(world, client_for, submitted):
    original = Assessment.objects.get(instrument="gad7")
    client = client_for(world.clinician)
    page = client.get(f"/screening/assessments/{original.pk}/correct/").content.decode()
    assert 'value="1" checked' in page or "checked" in page
    response = client.post(
        f"/screening/assessments/{original.pk}/correct/",
        instrument_form([2] * 7, correction_reason="Item order transcribed wrongly."),
    )
    assert response.status_code == 302
    original.refresh_from_db()
    correction = Assessment.objects.get(corrects=original)
    assert original.total == 7 and correction.total == 14
    assert (
        correction.completed_at == original.completed_at
        and correction.completed_by == world.clinician
    )
    assert correction.correction_reason == "Item order transcribed wrongly."
    # A correction needs a reason, and a corrected record cannot be corrected again.
    assert (
        client.post(
            f"/screening/assessments/{correction.pk}/correct/", instrument_form([3] * 7)
        ).status_code
        == 400
    )
    response = client.post(
        f"/screening/assessments/{original.pk}/correct/",
        instrument_form([3] * 7, correction_reason="again"),
    )
    assert response.status_code == 400 and "already been corrected" in response.content.decode()
    page = _summary(client, world).content.decode()
    assert 'class="superseded"' in page and "Item order transcribed wrongly." in page


def test_the_prescriber_approves_iv_with_a_reason(world, client_for, submitted):
    client_for(world.clinician).post(
        f"/screening/patients/{world.patient.pk}/findings/",
        {"screening_systolic": "124", "screening_diastolic": "78"},
    )
    client = client_for(world.prescriber)
    page = _summary(client, world).content.decode()
    assert 'id="route-iv"' in page and "Record the IV infusion decision" in page
    response = _decide(
        client, world, "iv", "approve", "Moderately severe TRD, no contraindication."
    )
    assert response.status_code == 302
    decision = RouteDecision.objects.get()
    assert (decision.route, decision.decision, decision.rule_status) == (
        "iv",
        "approve",
        "eligible",
    )
    assert not decision.is_override and decision.decided_by == world.prescriber
    assert world.patient.screenings.get().status == "decided"
    assert (
        b"IV infusion</strong>: Approve"
        in client_for(world.patient_user).get("/screening/me/").content
    )


def test_a_decision_needs_a_reason(world, client_for, submitted):
    response = _decide(client_for(world.prescriber), world, "iv", "approve", reason="")
    assert response.status_code == 400
    assert not RouteDecision.objects.exists()


def test_overriding_the_rules_needs_a_reason_and_is_highlighted(world, client_for, submitted):
    client_for(world.clinician).post(
        f"/screening/patients/{world.patient.pk}/findings/",
        {"screening_systolic": "172", "screening_diastolic": "104"},
    )
    client = client_for(world.prescriber)
    response = _decide(client, world, "iv", "approve", "Reviewed with cardiology.")
    assert response.status_code == 400
    assert "overriding that needs a reason" in response.content.decode()
    assert not RouteDecision.objects.exists()
    response = _decide(
        client,
        world,
        "iv",
        "approve",
        "Reviewed with cardiology.",
        override_reason="BP controlled on repeat, cardiology agrees.",
    )
    assert response.status_code == 302
    decision = RouteDecision.objects.get()
    assert decision.is_override and decision.rule_status == "ineligible"
    assert decision.rule_reasons[0]["code"] == "uncontrolled_hypertension"
    page = _summary(client, world).content.decode()
    assert "Override of the rules" in page and "route-override" in page
    assert "BP controlled on repeat, cardiology agrees." in page


def test_declining_an_eligible_route_is_also_an_override(world, client_for, submitted):
    client_for(world.clinician).post(
        f"/screening/patients/{world.patient.pk}/findings/",
        {"screening_systolic": "120", "screening_diastolic": "80"},
    )
    client = client_for(world.prescriber)
    assert _decide(client, world, "im", "decline", "Prefers IV.").status_code == 400
    assert (
        _decide(client, world, "im", "decline", "Prefers IV.", "Patient preference.").status_code
        == 302
    )
    assert RouteDecision.objects.get().is_override
    # Needs in-person evaluation never overrides.
    assert _decide(client, world, "nasal", "in_person", "See in clinic first.").status_code == 302


def test_approval_requires_the_signed_treatment_consent(world, client_for, do_intake):
    do_intake(world)  # no consent documents published
    response = _decide(client_for(world.prescriber), world, "iv", "approve", "ok", "ok")
    assert response.status_code == 400
    assert "has not signed the current treatment consent" in response.content.decode()


def test_the_at_home_route_also_needs_the_home_program_consent(world, client_for, submitted):
    response = _decide(client_for(world.prescriber), world, "home-troche", "approve", "ok", "ok")
    assert response.status_code == 400
    assert "at-home program consent" in response.content.decode()


def test_only_a_prescriber_decides(world, client_for, submitted):
    for persona in ("clinician", "admin", "patient_user", "monitor", "outsider"):
        response = _decide(client_for(world.user(persona)), world, "iv", "approve", "x", "x")
        assert response.status_code == 404, persona
    assert not RouteDecision.objects.exists()


def test_no_decision_before_the_intake_is_submitted(world, client_for, do_intake, consents):
    do_intake(world, submit=False)
    response = _decide(client_for(world.prescriber), world, "iv", "approve", "x", "x")
    assert response.status_code == 400
    assert "has not submitted the intake yet" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["outsider", "monitor", "patient_user", "outsider_patient_user"]
)
def test_the_summary_is_404_for_anyone_outside_the_clinic_staff(
    world, client_for, submitted, persona
):
    client = client_for(world.user(persona))
    base = f"/screening/patients/{world.patient.pk}"
    assert client.get(f"{base}/").status_code == 404
    for path in ("notes/", "requests/", "findings/", "decisions/", "reevaluations/", "start/"):
        assert client.post(f"{base}/{path}", {"body": "x"}).status_code == 404, path
    assert client.get(f"{base}/instruments/madrs/").status_code == 404
    assessment = Assessment.objects.filter(patient=world.patient).first()
    expected = 200 if persona == "patient_user" else 404  # a patient may read their own answers
    assert client.get(f"/screening/assessments/{assessment.pk}/").status_code == expected
    assert client.get(f"/screening/assessments/{assessment.pk}/correct/").status_code == 404


def test_the_admin_reads_the_summary_but_does_not_review(world, client_for, submitted):
    client = client_for(world.admin)
    page = _summary(client, world).content.decode()
    assert "Eligibility per route" in page and "Add note" not in page
    assert (
        client.post(f"/screening/patients/{world.patient.pk}/notes/", {"body": "x"}).status_code
        == 404
    )


def test_the_worklist_lists_intakes_awaiting_review(world, client_for, submitted):
    page = client_for(world.clinician).get("/screening/").content.decode()
    assert "Intakes awaiting review" in page and "Ada Lovelace" in page
    assert "Ada Lovelace" not in client_for(world.outsider).get("/screening/").content.decode()
    assert "Ada Lovelace" in client_for(world.clinician).get("/").content.decode()


def test_staff_start_a_new_screening_once_the_last_is_decided(world, client_for, submitted):
    client = client_for(world.clinician)
    response = client.post(f"/screening/patients/{world.patient.pk}/start/")
    assert response.status_code == 302
    assert world.patient.screenings.count() == 1  # one is still open (awaiting review)
    _decide(client_for(world.prescriber), world, "nasal", "in_person", "See in clinic first.")
    client_for(world.clinician).post(f"/screening/patients/{world.patient.pk}/start/")
    assert world.patient.screenings.count() == 2


def test_the_patients_answers_become_the_contraindication_checklist(world, client_for, do_intake):
    medical = {
        "aneurysmal_vascular_disease": "no", "arteriovenous_malformation": "no",
        "intracerebral_hemorrhage": "no", "cardiovascular_disease": "yes",
        "high_blood_pressure": "no", "raised_intracranial_pressure": "no",
        "raised_intraocular_pressure": "no", "liver_disease": "none",
        "interstitial_cystitis": "no", "pregnancy": "unsure",
    }  # fmt: skip
    treatments = {"antidepressant_trials": "1", "psychotherapy": "no", "ect_or_tms": "no",
                  "prior_ketamine": "no"}  # fmt: skip
    do_intake(world, steps={"medical": medical, "treatments": treatments})
    page = _summary(client_for(world.clinician), world).content.decode()
    # not sure is a test before the first dose, not a contraindication
    assert "Not sure whether pregnant: a negative pregnancy test is needed" in page
    assert "Pregnancy." not in page
    assert "Significant cardiovascular disease." in page
    assert "Esketamine requires treatment-resistant depression" in page and "(1 recorded)" in page
