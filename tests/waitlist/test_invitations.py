"""Capacity and invitations: the next people in line are invited within the week's places;
an invitation is a one-time, expiring link that creates the patient account; an expired one
puts the person back where they were. Every state change is audited."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.models import AuditEvent
from ketacare.patients.models import Patient
from ketacare.waitlist.models import Invitation, WaitlistEntry
from tests.factories import WaitlistEntryFactory, WaitlistProgramFactory

from .conftest import html_of, link_in

pytestmark = pytest.mark.django_db
BOARD = "/waitlist/board/"


@pytest.fixture
def program(world):
    return WaitlistProgramFactory(clinic=world.clinic, weekly_capacity=2, regions_served="NY")


@pytest.fixture
def line(program):
    """Four people waiting, highest priority first: Ada, Ben, Cal, Dee."""
    now = timezone.now()
    return [
        WaitlistEntryFactory(program=program, first_name="Ada", phq2_total=6, gad2_total=6),
        WaitlistEntryFactory(program=program, first_name="Ben", phq2_total=4, gad2_total=4),
        WaitlistEntryFactory(program=program, first_name="Cal", phq2_total=2, gad2_total=2,
                             waiting_since=now - dt.timedelta(days=1)),
        WaitlistEntryFactory(program=program, first_name="Dee", phq2_total=2, gad2_total=2),
    ]  # fmt: skip


def _invited() -> list[str]:
    return sorted(
        WaitlistEntry.objects.filter(status="invited").values_list("first_name", flat=True)
    )


def test_staff_invite_the_next_in_priority_order_up_to_the_weekly_capacity(
    world, site, program, line, mailoutbox
):
    site.client.force_login(world.clinician)
    response = site.post(f"{BOARD}invite-next/", {"program": program.pk})
    assert response.status_code == 302
    assert _invited() == ["Ada", "Ben"]
    assert Invitation.objects.filter(status="pending").count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([line[0].email, line[1].email])
    again = site.post(f"{BOARD}invite-next/", {"program": program.pk}, follow=True)
    assert "no places left this week" in again.content.decode()
    assert _invited() == ["Ada", "Ben"]


def test_equal_priority_goes_to_whoever_waited_longer(world, site, program, line):
    program.weekly_capacity = 3
    program.save()
    site.client.force_login(world.clinician)
    site.post(f"{BOARD}invite-next/", {"program": program.pk})
    assert _invited() == ["Ada", "Ben", "Cal"]  # Cal and Dee score alike; Cal confirmed first


def test_choosing_more_people_than_places_left_invites_nobody(world, site, program, line):
    site.client.force_login(world.clinician)
    response = site.post(
        f"{BOARD}bulk/", {"entry": [e.pk for e in line[:3]], "action": "invite"}, follow=True
    )
    assert "has 2 places left this week; 3 selected" in response.content.decode()
    assert _invited() == []
    site.post(f"{BOARD}bulk/", {"entry": [line[3].pk], "action": "invite"})
    assert _invited() == ["Dee"]


def test_capacity_is_a_rolling_week_and_a_withdrawn_invitation_gives_its_place_back(
    world, site, program, line
):
    program.invitation_valid_days = 30  # so that only the week's window is at play here
    program.save()
    site.client.force_login(world.clinician)
    site.post(f"{BOARD}invite-next/", {"program": program.pk})
    assert _invited() == ["Ada", "Ben"]
    site.post(f"{BOARD}{line[0].pk}/action/", {"action": "remove"})  # withdraws Ada's invitation
    site.post(f"{BOARD}invite-next/", {"program": program.pk})
    assert _invited() == ["Ben", "Cal"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        site.client.force_login(world.clinician)
        site.post(f"{BOARD}invite-next/", {"program": program.pk})
    assert _invited() == ["Ben", "Cal", "Dee"]


def test_the_invitation_email_holds_a_one_time_link_and_its_expiry(
    world, site, program, line, mailoutbox
):
    site.client.force_login(world.clinician)
    site.post(f"{BOARD}{line[0].pk}/action/", {"action": "invite"})
    (mail,) = mailoutbox
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    assert (
        mail.subject == "Riverside Ketamine Clinic: your place in the home-based treatment program"
    )
    assert "Hello Ada" in mail.body
    assert f"expires on {timezone.localtime(invitation.expires_at):%B %-d, %Y}" in mail.body
    assert link_in(mail, "/waitlist/invitation/") in html_of(mail)
    token = link_in(mail, "/waitlist/invitation/").split("/")[3]
    assert token not in Invitation.objects.values_list("token_hash", flat=True)[0]


def test_the_validity_is_configurable_per_program(world, site, program, line):
    program.invitation_valid_days = 3
    program.save()
    site.client.force_login(world.clinician)
    site.post(f"{BOARD}{line[0].pk}/action/", {"action": "invite"})
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=3)


def _invite(site, world, entry, mailoutbox) -> str:
    site.client.force_login(world.clinician)
    site.post(f"{BOARD}{entry.pk}/action/", {"action": "invite"})
    site.client.logout()
    return link_in(mailoutbox[-1], "/waitlist/invitation/")


def test_accepting_creates_the_patient_account_and_record_and_starts_screening(
    world, site, program, line, mailoutbox
):
    link = _invite(site, world, line[0], mailoutbox)
    page = site.get(link).content.decode()
    assert "Welcome, Ada" in page and line[0].email in page
    response = site.post(
        link,
        {
            "password1": "a long and unusual passphrase 7",
            "password2": "a long and unusual passphrase 7",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/screening/intake/"
    user = User.objects.get(email=line[0].email)
    assert user.role == "patient" and user.clinic == world.clinic
    assert user.check_password("a long and unusual passphrase 7")
    patient = Patient.objects.get(user=user)
    assert (patient.first_name, patient.clinic, patient.date_of_birth) == (
        "Ada",
        world.clinic,
        line[0].date_of_birth,
    )
    entry = WaitlistEntry.objects.get(pk=line[0].pk)
    assert entry.status == "enrolled" and entry.patient == patient
    assert site.get(response["Location"]).status_code == 200  # screening starts, signed in
    assert AuditEvent.objects.filter(
        model="patients.Patient", action="create", patient_id=patient.pk
    ).exists()


def test_accepting_is_audited_with_the_path_without_the_token(
    world, site, program, line, mailoutbox
):
    link = _invite(site, world, line[0], mailoutbox)
    password = "a long and unusual passphrase 7"
    site.post(link, {"password1": password, "password2": password}, REMOTE_ADDR="198.51.100.4")
    rows = AuditEvent.objects.filter(detail__contains="from a waiting-list invitation")
    assert rows.count() == 2
    for row in rows:
        assert (row.path, row.ip) == ("/waitlist/invitation/[token]/", "198.51.100.4")
    assert not AuditEvent.objects.filter(path__contains=link.split("/")[3]).exists()


def test_an_invitation_link_works_once(world, site, program, line, mailoutbox):
    link = _invite(site, world, line[0], mailoutbox)
    password = {
        "password1": "a long and unusual passphrase 7",
        "password2": "a long and unusual passphrase 7",
    }
    site.post(link, password)
    site.client.logout()
    again = site.get(link)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.content.decode()
    assert site.post(link, password).status_code == 410
    assert User.objects.filter(email=line[0].email).count() == 1


def test_a_weak_password_is_refused_next_to_the_field(world, site, program, line, mailoutbox):
    link = _invite(site, world, line[0], mailoutbox)
    response = site.post(link, {"password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert "This password is too short" in response.content.decode()
    assert not User.objects.filter(email=line[0].email).exists()


def test_an_unknown_invitation_link_is_a_404(world, site):
    assert site.get("/waitlist/invitation/not-a-real-token/").status_code == 404


def test_an_expired_invitation_returns_the_person_to_their_original_place(
    world, site, program, line, mailoutbox, django_capture_on_commit_callbacks
):
    ada = line[0]
    link = _invite(site, world, ada, mailoutbox)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("waitlist", "expire", stdout=out)
        assert "1 expired invitation" in out.getvalue()
        response = site.get(link)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    back = WaitlistEntry.objects.get(pk=ada.pk)
    assert back.status == "waiting"
    assert (back.waiting_since, back.priority_key) == (ada.waiting_since, ada.priority_key)
    from ketacare.waitlist.selectors import queue_position

    assert queue_position(back) == 1  # first in line again
    expired_mail = mailoutbox[-1]
    assert (
        expired_mail.subject
        == "Your Riverside Ketamine Clinic invitation has expired: you are back on the list"
    )
    assert "at the place you had" in expired_mail.body
    assert AuditEvent.objects.filter(
        object_id=str(ada.pk), detail__contains="invited → waiting"
    ).exists()


def test_opening_a_link_past_its_date_expires_it_on_the_spot(
    world, site, program, line, mailoutbox
):
    link = _invite(site, world, line[0], mailoutbox)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert site.get(link).status_code == 410
    assert WaitlistEntry.objects.get(pk=line[0].pk).status == "waiting"
    assert Invitation.objects.get().status == "expired"


def test_the_command_dry_run_shows_who_would_be_invited_and_changes_nothing(program, line):
    out = io.StringIO()
    call_command("waitlist", "invite", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Would invite 2; 2 places left this week" in text
    assert re.findall(r"entry #(\d+)", text) == [str(line[0].pk), str(line[1].pk)]
    assert "Ada" not in text  # no names in a terminal that may be logged
    assert _invited() == [] and not Invitation.objects.exists()


def test_the_command_invites_as_the_scheduled_job(
    program, line, django_capture_on_commit_callbacks, mailoutbox
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("waitlist", "invite", "--count", "1", stdout=out)
    assert "Invited 1; 1 place left this week." in out.getvalue()
    assert _invited() == ["Ada"]
    assert Invitation.objects.get().created_by is None
    assert AuditEvent.objects.filter(detail__contains="sent by the scheduled job").exists()
    assert len(mailoutbox) == 1


def test_the_weekly_job_invites_only_when_switched_on(program, line, settings):
    from ketacare.waitlist.tasks import invite_weekly

    settings.WAITLIST_AUTO_INVITE = False
    invite_weekly.call_local()
    assert _invited() == []
    settings.WAITLIST_AUTO_INVITE = True
    assert invite_weekly.call_local() == 2
    assert _invited() == ["Ada", "Ben"]


def test_every_state_change_from_signup_to_enrolment_is_audited(world, site, mailoutbox):
    site.api_signup()
    site.get(link_in(mailoutbox[-1], "/waitlist/confirm/"))
    entry = WaitlistEntry.objects.get()
    link = _invite(site, world, entry, mailoutbox)
    site.post(
        link,
        {
            "password1": "a long and unusual passphrase 7",
            "password2": "a long and unusual passphrase 7",
        },
    )
    details = list(
        AuditEvent.objects.filter(model="waitlist.WaitlistEntry", object_id=str(entry.pk))
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details[0] == "signed up (api)"
    changes = [d.split(":")[0] for d in details if d.startswith("status")]
    assert changes == [
        "status pending_confirmation → waiting",
        "status waiting → invited",
        "status invited → enrolled",
    ]


def test_admins_set_capacity_regions_and_weights_and_the_list_is_re_ranked(
    world, client_for, program, line
):
    tx = WaitlistEntryFactory(
        program=program, first_name="Tex", region="TX", phq2_total=6, gad2_total=6
    )
    admin = client_for(world.admin)
    url = f"/waitlist/programs/{program.pk}/"
    assert admin.get(url).status_code == 200
    response = admin.post(url, {
        "name": program.name, "weekly_capacity": "8", "regions_served": "tx, nj",
        "weight_severity": "2", "weight_waiting": "1", "weight_region": "50",
        "invitation_valid_days": "7", "accepting_signups": "on",
    })  # fmt: skip
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.weekly_capacity, program.regions_served) == (8, "TX, NJ")
    first = client_for(world.clinician).get(BOARD).context["page"].rows[0].entry
    assert first == tx  # 24 + 50 for the region now served
    assert AuditEvent.objects.filter(model="waitlist.Program", action="update").exists()


def test_an_unknown_state_code_in_the_regions_is_refused(world, client_for, program):
    response = client_for(world.admin).post(f"/waitlist/programs/{program.pk}/", {
        "name": "Home", "weekly_capacity": "5", "regions_served": "NY, ZZ", "weight_severity": "2",
        "weight_waiting": "1", "weight_region": "10", "invitation_valid_days": "7",
    })  # fmt: skip
    assert response.status_code == 400
    assert "Unknown state code: ZZ." in response.content.decode()


@pytest.mark.parametrize("persona", ["clinician", "prescriber", "outsider"])
def test_only_the_clinics_admins_change_program_settings(world, client_for, program, persona):
    assert (
        client_for(world.user(persona)).get(f"/waitlist/programs/{program.pk}/").status_code == 404
    )


def test_links_are_on_the_address_the_request_came_in_on_and_on_site_url_from_the_cli(
    world, site, program, line, mailoutbox, django_capture_on_commit_callbacks
):
    site.client.force_login(world.clinician)
    site.post(f"{BOARD}{line[0].pk}/action/", {"action": "invite"}, HTTP_HOST="localhost")
    assert "http://localhost/waitlist/invitation/" in mailoutbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("waitlist", "invite", "--count", "1", stdout=io.StringIO())
    assert "https://clinic.example/waitlist/invitation/" in mailoutbox[-1].body
