"""Urgent safety tasks: raised by crisis answers (in a draft or a finished sheet), emailed
to the clinic's clinicians and prescribers, resolved by staff with a note of what was done."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.patients.models import Patient

from ..models import Assessment, UrgentTask


def raise_urgent_task(
    *,
    actor: User,
    patient: Patient,
    code: str,
    flags: Iterable[str],
    assessment: Assessment | None,
) -> UrgentTask:
    """Open an urgent task (or return the one already open for the same answers) and email
    the clinic's clinicians once it is committed. Called inside the caller's transaction,
    which has checked the actor's permission."""
    flags = sorted(flags)
    open_tasks = UrgentTask.objects.filter(
        patient=patient, instrument=code, resolved_at__isnull=True
    ).order_by("-created_at", "-id")
    from_draft = open_tasks.filter(assessment__isnull=True).first()
    if assessment is None and (from_draft or open_tasks.exists()):
        # Already raised from these answers (or from an earlier finished sheet still open).
        return from_draft or open_tasks[0]
    if assessment is not None and from_draft is not None:
        from_draft.assessment = assessment
        from_draft.flags = flags
        from_draft.save(update_fields=["assessment", "flags"])
        record(
            actor=actor,
            action="update",
            obj=from_draft,
            patient=patient,
            detail=f"urgent task linked to assessment #{assessment.pk}",
        )
        return from_draft
    task = UrgentTask.objects.create(
        patient=patient,
        instrument=code,
        assessment=assessment,
        flags=flags,
        created_at=timezone.now(),
    )
    record(
        actor=actor,
        action="create",
        obj=task,
        patient=patient,
        detail=f"urgent safety task: {code} {', '.join(flags)}",
    )
    link = settings.SITE_URL.rstrip("/") + reverse("screening:worklist")
    clinic_id = patient.clinic_id
    transaction.on_commit(lambda: notify_clinicians_of_urgent_task(clinic_id=clinic_id, link=link))
    return task


def notify_clinicians_of_urgent_task(*, clinic_id: int, link: str) -> int:
    """Email every active clinician and prescriber of the clinic (through the Huey worker).
    The email names no patient: it asks the reader to sign in."""
    from ketacare.accounts.tasks import send_email

    recipients = list(
        User.objects.filter(
            clinic_id=clinic_id, role__in=policy.roles_for(policy.CLINICAL_CARE), is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    context = {"link": link}
    subject = " ".join(render_to_string("screening/email/urgent_task_subject.txt", context).split())
    body = render_to_string("screening/email/urgent_task.txt", context)
    html = render_to_string("screening/email/urgent_task.html", context)
    for email in recipients:
        send_email(subject, body, [email], html=html)
    return len(recipients)


@transaction.atomic
def resolve_urgent_task(*, actor: User, task: UrgentTask, note: str) -> UrgentTask:
    policy.require(actor, policy.CLINICAL_CARE, task.patient, what="No such patient.")
    if task.resolved_at is not None:
        raise Refusal("This task has already been resolved.", code="already_resolved")
    note = note.strip()
    if not note:
        raise Refusal("Write what was done.", field="resolution_note", code="note_required")
    task.resolved_at = timezone.now()
    task.resolved_by = actor
    task.resolution_note = note
    task.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    record(
        actor=actor, action="update", obj=task, patient=task.patient, detail="urgent task resolved"
    )
    return task
