"""Helpers for the screening tests: a clinic with published consent documents, and a patient
who goes through the intake over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.screening import services

# Valid answers for each fixed intake screen (a depressed adult with no contraindication).
ABOUT = {
    "sex": "female",
    "phone": "555-0100",
    "address": "1 Analytical Way",
    "emergency_contact_name": "Mary Somerville",
    "emergency_contact_phone": "555-0101",
    "emergency_contact_relationship": "friend",
    "weight_kg": "64.5",
    "height_cm": "168",
}
REASONS = {"indications": ["depression"], "goals": "Feel like myself again"}
MEDICATIONS = {
    "current_medications": "sertraline 100 mg",
    "allergies": "",
    "ketamine_hypersensitivity": "no",
    "alcohol": "monthly",
    "other_substances": "",
}
PSYCHIATRIC = {
    "active_psychosis": "no",
    "schizophrenia": "no",
    "bipolar_disorder": "no",
    "substance_use_disorder": "no",
    "hospitalizations": "",
}
MEDICAL = {
    "aneurysmal_vascular_disease": "no",
    "arteriovenous_malformation": "no",
    "intracerebral_hemorrhage": "no",
    "cardiovascular_disease": "no",
    "high_blood_pressure": "no",
    "raised_intracranial_pressure": "no",
    "raised_intraocular_pressure": "no",
    "liver_disease": "none",
    "interstitial_cystitis": "no",
    "pregnancy": "no",
}
TREATMENTS = {
    "antidepressant_trials": "3",
    "antidepressants_tried": "sertraline, escitalopram, bupropion",
    "psychotherapy": "yes",
    "ect_or_tms": "no",
    "prior_ketamine": "no",
}
STEPS = {
    "about": ABOUT,
    "reasons": REASONS,
    "medications": MEDICATIONS,
    "psychiatric": PSYCHIATRIC,
    "medical": MEDICAL,
    "treatments": TREATMENTS,
}
# Answers per instrument: moderately severe depression, no suicidal ideation.
INSTRUMENT_ANSWERS: dict[str, list[int | None]] = {
    "phq9": [2, 2, 2, 2, 2, 2, 2, 2, 0, 1],
    "gad7": [1, 1, 1, 1, 1, 1, 1],
    "pcl5": [1] * 20,
    "cssrs_screen": [0, 0, 0, 0, 0, 0, 0],
    "qids_sr16": [2] * 11 + [0] + [2] * 4,
    "bpi_sf": [6, 3, 5, 5, None, None, None, None, None, None, None],
}


def instrument_form(answers: list[int | None], **extra: Any) -> dict[str, Any]:
    data = {f"item_{n}": ("skip" if v is None else str(v)) for n, v in enumerate(answers, 1)}
    return {**data, **extra}


@pytest.fixture
def consents(world):
    """The clinic's treatment and data-sharing consent documents, version 1."""
    treatment = services.publish_consent_document(
        actor=world.admin,
        kind="treatment",
        title="Consent to ketamine treatment",
        body="# Ketamine treatment\n\nKetamine can cause **dissociation** and raises blood "
        "pressure.",
    )
    data = services.publish_consent_document(
        actor=world.admin,
        kind="data_sharing",
        title="Sharing your data",
        body="We share your data only as the law allows.",
    )
    return {"treatment": treatment, "data_sharing": data}


@pytest.fixture
def do_intake(client_for):
    """`do_intake(world, answers={...}, steps={...}, submit=True)`: the patient completes the
    intake over HTTP (every screen, both consents) and, by default, submits it."""

    def _do(world, *, answers=None, steps=None, submit=True, sign=True):
        client = client_for(world.patient_user)
        for step, data in {**STEPS, **(steps or {})}.items():
            response = client.post(
                f"/screening/intake/steps/{step}/", {**data, "action": "continue"}
            )
            assert response.status_code == 302, (step, response.content[:2000])
        bundle = {**INSTRUMENT_ANSWERS, **(answers or {})}
        from ketacare.screening import selectors

        overview = selectors.intake_overview(world.patient)
        for code in overview.bundle.patient:
            response = client.post(
                f"/screening/intake/questionnaires/{code}/", instrument_form(bundle[code])
            )
            assert response.status_code == 302, (code, response.content[:2000])
        if sign:
            published = selectors.current_consent_documents(world.clinic.pk)
            for kind in [k for k in ("treatment", "data_sharing") if k in published]:
                response = client.post(
                    f"/screening/consent/{kind}/",
                    {"agreed": "on", "typed_name": world.patient.full_name},
                )
                assert response.status_code == 302, (kind, response.content[:2000])
        if submit:
            response = client.post("/screening/intake/")
            assert response.status_code == 302, response.content[:3000]
        return client

    return _do
