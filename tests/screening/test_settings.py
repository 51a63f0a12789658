"""The clinic's screening settings: the intake bundle, what is re-asked and when, and the
re-evaluation thresholds; only the clinic's admin changes them."""

from ketacare.screening.models import ScreeningSettings

VALID = {
    "intake_instruments": ["phq9", "cssrs_screen"],
    "ocd_instruments": ["ybocs"],
    "pain_instruments": ["bpi_sf", "nrs_pain"],
    "review_instruments": ["madrs"],
    "pre_session_instruments": ["phq9"],
    "full_bundle_every_weeks": "4",
    "overdue_after_days": "7",
    "reevaluation_every_sessions": "6",
    "reevaluation_gap_days": "90",
}


def test_the_admin_sees_the_defaults(world, client_for):
    page = client_for(world.admin).get("/screening/settings/").content.decode()
    assert 'value="4"' in page and 'value="90"' in page
    assert 'value="phq9" id="id_intake_instruments_0" checked' in page


def test_the_intake_bundle_is_the_clinics_choice(world, client_for):
    assert client_for(world.admin).post("/screening/settings/", VALID).status_code == 302
    settings = ScreeningSettings.objects.get(clinic=world.clinic)
    assert settings.intake_instruments == ["phq9", "cssrs_screen"]
    page = client_for(world.patient_user).get("/screening/intake/").content.decode()
    assert "PHQ-9" in page and "C-SSRS" in page and "GAD-7" not in page and "PCL-5" not in page
    # Another clinic keeps its own (default) bundle.
    other = client_for(world.outsider_patient_user).get("/screening/intake/").content.decode()
    assert "GAD-7" in other


def test_invalid_settings_are_refused_with_messages(world, client_for):
    response = client_for(world.admin).post(
        "/screening/settings/", {**VALID, "full_bundle_every_weeks": "0", "intake_instruments": []}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the following" in page and "This field is required." in page
    assert not ScreeningSettings.objects.exists()


def test_only_the_admin_changes_them(world, client_for):
    for persona in ("clinician", "prescriber", "patient_user", "monitor", "outsider"):
        client = client_for(world.user(persona))
        assert client.get("/screening/settings/").status_code == 404, persona
        assert client.post("/screening/settings/", VALID).status_code == 404, persona
    assert not ScreeningSettings.objects.exists()
