"""The contact form: stored, emailed to the clinic, acknowledged to the sender; a staff
inbox with a status per message."""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.public.models import ContactMessage

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Sam Carter", "email": "sam@example.org", "phone": "",
    "message": "Do you take Medicare for esketamine?", "consent": "on",
}  # fmt: skip


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    def _send(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/contact/", {**VALID, **overrides})

    return _send


def test_a_message_is_stored_sent_to_the_clinic_and_acknowledged(world, send, mailoutbox):
    response = send()
    assert response.status_code == 302 and response["Location"] == "/contact/thanks/"
    message = ContactMessage.objects.get()
    assert (message.clinic, message.status, message.name) == (world.clinic, "new", "Sam Carter")
    to_clinic, ack = mailoutbox
    assert to_clinic.to == [world.admin.email]
    assert to_clinic.subject == "New contact message from Sam Carter"
    assert "Do you take Medicare for esketamine?" in to_clinic.body
    assert f"/contact/inbox/{message.pk}/" in to_clinic.body
    assert ack.to == ["sam@example.org"]
    assert ack.subject == "We received your message: Riverside Ketamine Clinic"
    assert "Do you take Medicare" in ack.body and "988" in ack.body
    assert ack.alternatives[0][1] == "text/html"


def test_the_clinic_address_can_be_configured(world, send, mailoutbox, settings):
    settings.CLINIC_CONTACT_EMAIL = "hello@clinic.example"
    send()
    assert mailoutbox[0].to == ["hello@clinic.example"]


def test_invalid_messages_show_errors_and_store_nothing(world, send, mailoutbox):
    response = send(email="nope", message="", consent="", phone="12")
    assert response.status_code == 400
    page = response.content.decode()
    for text in (
        "Enter a valid email address.",
        "Write your message.",
        "You need to agree so that we may contact you.",
        "Enter a phone number of 7 to 15 digits",
    ):
        assert text in page
    assert not ContactMessage.objects.exists() and mailoutbox == []


def test_overlong_messages_are_refused(world, send):
    assert send(message="x" * 5001).status_code == 400
    assert not ContactMessage.objects.exists()


def test_the_honeypot_stores_and_sends_nothing(world, send, mailoutbox):
    assert send(website="spam").status_code == 302
    assert not ContactMessage.objects.exists() and mailoutbox == []


def test_the_contact_form_is_rate_limited(world, send, settings):
    settings.CONTACT_RATE_LIMIT = "2/h"
    send()
    send()
    response = send()
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert ContactMessage.objects.count() == 2


def test_staff_see_the_inbox_and_set_a_status(world, send, client_for):
    send()
    message = ContactMessage.objects.get()
    staff = client_for(world.clinician)
    assert "Sam Carter" in staff.get("/contact/inbox/").content.decode()
    assert "Do you take Medicare" in staff.get(f"/contact/inbox/{message.pk}/").content.decode()
    staff.post(f"/contact/inbox/{message.pk}/status/", {"status": "answered"})
    message.refresh_from_db()
    assert message.status == "answered" and message.handled_by == world.clinician
    assert "Sam Carter" not in staff.get("/contact/inbox/").content.decode()  # open ones by default
    assert "Sam Carter" in staff.get("/contact/inbox/", {"status": "answered"}).content.decode()
    assert AuditEvent.objects.filter(model="public.ContactMessage", action="update",
                                     detail="status new → answered").exists()  # fmt: skip
    assert AuditEvent.objects.filter(model="public.ContactMessage", action="view").exists()


@pytest.mark.parametrize("persona", ["patient_user", "monitor", "outsider"])
def test_others_cannot_read_the_clinics_messages(world, send, client_for, persona):
    send()
    message = ContactMessage.objects.get()
    user = client_for(world.user(persona))
    assert user.get(f"/contact/inbox/{message.pk}/").status_code == 404
    assert (
        user.post(f"/contact/inbox/{message.pk}/status/", {"status": "closed"}).status_code == 404
    )
    assert "Sam Carter" not in user.get("/contact/inbox/").content.decode()
