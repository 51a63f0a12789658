"""Informed consent: versioned documents written by admins, signed by typed name + checkbox,
stored immutably with version, time and address; a new version requires re-consent."""

import pytest
from django.db import DatabaseError, connection, transaction

from ketacare.core.errors import Refusal
from ketacare.screening import services
from ketacare.screening.models import AppendOnlyError, ConsentDocument, ConsentSignature

SIGN = {"agreed": "on", "typed_name": "Ada Lovelace"}


def test_an_admin_publishes_a_consent_document(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        "/screening/consent-documents/",
        {
            "kind": "treatment",
            "title": "Consent to treatment",
            "body": "# Risks\n\n<script>x()</script>Nausea.",
        },
    )
    assert response.status_code == 302
    document = ConsentDocument.objects.get()
    assert (document.kind, document.version, document.published_by) == ("treatment", 1, world.admin)
    page = client.get(f"/screening/consent-documents/{document.pk}/").content.decode()
    assert "<h1>Risks</h1>" in page or "Risks" in page
    assert "<script>x()" not in page  # the Markdown is cleaned


def test_only_admins_write_consent_documents(world, client_for):
    for persona in ("clinician", "prescriber", "patient_user", "monitor", "outsider"):
        response = client_for(world.user(persona)).post(
            "/screening/consent-documents/", {"kind": "treatment", "title": "x", "body": "y"}
        )
        assert response.status_code == 404, persona
    assert not ConsentDocument.objects.exists()


def test_the_patient_signs_with_typed_name_and_checkbox(world, client_for, consents):
    client = client_for(world.patient_user)
    page = client.get("/screening/consent/treatment/").content.decode()
    assert "dissociation" in page and "Version 1" in page
    response = client.post(
        "/screening/consent/treatment/",
        SIGN,
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="PhoneBrowser/1.0",
    )
    assert response.status_code == 302
    signature = ConsentSignature.objects.get()
    assert signature.document == consents["treatment"] and signature.version == 1
    assert signature.typed_name == "Ada Lovelace" and signature.agreed
    assert signature.ip == "203.0.113.9" and signature.user_agent == "PhoneBrowser/1.0"
    assert signature.body_sha256 == consents["treatment"].body_sha256
    assert signature.signed_at is not None and signature.signed_by == world.patient_user


def test_signing_needs_the_box_ticked_and_the_name_on_record(world, client_for, consents):
    client = client_for(world.patient_user)
    response = client.post("/screening/consent/treatment/", {"typed_name": "Ada Lovelace"})
    assert response.status_code == 400
    assert "Tick the box to show that you agree." in response.content.decode()
    response = client.post("/screening/consent/treatment/", {"agreed": "on", "typed_name": "A. L."})
    assert response.status_code == 400
    assert (
        "Type your full name as it appears on your record: Ada Lovelace."
        in response.content.decode()
    )
    assert not ConsentSignature.objects.exists()


def test_a_new_version_requires_consent_again(world, client_for, consents):
    client = client_for(world.patient_user)
    client.post("/screening/consent/treatment/", SIGN)
    from ketacare.screening import selectors

    assert selectors.consents_signed(world.patient)["treatment"] is True
    v2 = services.publish_consent_document(
        actor=world.admin, kind="treatment", title="Consent to treatment", body="Updated risks."
    )
    assert v2.version == 2
    assert selectors.consents_signed(world.patient)["treatment"] is False
    page = client.get("/screening/consent/treatment/").content.decode()
    assert "Updated risks." in page and "This document has changed since you last signed it" in page
    # The old version can no longer be signed; the new one can.
    with pytest.raises(Refusal, match="newer version"):
        services.sign_consent(
            actor=world.patient_user,
            patient=world.patient,
            document=consents["treatment"],
            typed_name="Ada Lovelace",
            agreed=True,
        )
    assert client.post("/screening/consent/treatment/", SIGN).status_code == 302
    assert list(ConsentSignature.objects.order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]


def test_after_the_intake_a_new_version_is_asked_for_on_the_home_page(
    world, do_intake, consents, client_for
):
    do_intake(world)
    services.publish_consent_document(
        actor=world.admin, kind="data_sharing", title="Sharing your data (2026)", body="New text."
    )
    page = client_for(world.patient_user).get("/").content.decode()
    assert "Please review and sign" in page and "Sharing your data (2026)" in page


def test_signing_the_same_version_twice_is_refused(world, client_for, consents):
    client = client_for(world.patient_user)
    client.post("/screening/consent/treatment/", SIGN)
    with pytest.raises(Refusal, match="already signed"):
        services.sign_consent(
            actor=world.patient_user,
            patient=world.patient,
            document=consents["treatment"],
            typed_name="Ada Lovelace",
            agreed=True,
        )


def test_signatures_and_documents_cannot_be_changed(world, client_for, consents):
    client_for(world.patient_user).post("/screening/consent/treatment/", SIGN)
    signature = ConsentSignature.objects.get()
    signature.typed_name = "Someone Else"
    with pytest.raises(AppendOnlyError):
        signature.save()
    with pytest.raises(AppendOnlyError):
        signature.delete()
    with pytest.raises(AppendOnlyError):
        ConsentSignature.objects.update(typed_name="x")
    with pytest.raises(AppendOnlyError):
        ConsentDocument.objects.filter(pk=consents["treatment"].pk).update(body="changed")
    # Nor behind the application's back.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE screening_consentsignature SET typed_name = 'x'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE screening_consentdocument SET body = 'x'")
    assert ConsentSignature.objects.get().typed_name == "Ada Lovelace"


def test_a_patient_signs_only_for_themselves(world, client_for, consents):
    # The other clinic's patient sees their own clinic's documents (none), never these.
    assert (
        client_for(world.outsider_patient_user).get("/screening/consent/treatment/").status_code
        == 404
    )
    for persona in ("clinician", "admin", "monitor"):
        assert (
            client_for(world.user(persona)).post("/screening/consent/treatment/", SIGN).status_code
            == 404
        )
    assert not ConsentSignature.objects.exists()
