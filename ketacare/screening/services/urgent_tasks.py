"""Urgent safety tasks: raised by crisis answers (in a draft or a finished sheet), emailed
to the clinic's clinicians and prescribers, resolved by staff with a note of what was done."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.clinical.screening import CRISIS, more_urgent
from ketacare.core import outbox, policy
from ketacare.core.errors import Refusal
from ketacare.core.urls import absolute_url
from ketacare.patients.models import Patient

from ..models import Assessment, UrgentTask


def raise_urgent_task(
    *,
    actor: User,
    patient: Patient,
    code: str,
    flags: Iterable[str],
    assessment: Assessment | None,
    urgency: str = CRISIS,
) -> UrgentTask:
    """Open an urgent task (or return the one already open for the same answers, raised to
    `urgency` if it was less urgent). A crisis task emails the clinic's clinicians through the
    outbox; a same-day review waits on their worklist. Called inside the caller's transaction
    (the email leaves only if it commits), which has checked the actor's permission."""
    flags = sorted(flags)
    open_tasks = UrgentTask.objects.filter(
        patient=patient, instrument=code, resolved_at__isnull=True
    ).order_by("-created_at", "-id")
    from_draft = open_tasks.filter(assessment__isnull=True).first()
    if assessment is None:
        # Already raised from these answers (or from an earlier finished sheet still open)?
        existing = from_draft or open_tasks.first()
        if existing is not None and more_urgent(existing.urgency, urgency) == existing.urgency:
            return existing
        if from_draft is not None:
            return _raise_to(actor=actor, task=from_draft, urgency=urgency, flags=flags)
    if assessment is not None and from_draft is not None:
        from_draft.assessment = assessment
        if more_urgent(from_draft.urgency, urgency) == urgency:
            # A draft's crisis flags stay when the finished sheet is less urgent.
            from_draft.flags = flags
        from_draft.save(update_fields=["assessment", "flags"])
        record(
            actor=actor,
            action="update",
            obj=from_draft,
            patient=patient,
            detail=f"urgent task linked to assessment #{assessment.pk}",
        )
        return _raise_to(actor=actor, task=from_draft, urgency=urgency, flags=flags)
    task = UrgentTask.objects.create(
        patient=patient,
        instrument=code,
        assessment=assessment,
        flags=flags,
        urgency=urgency,
        created_at=timezone.now(),
    )
    detail = f"urgent safety task: {code} {', '.join(flags)}"
    if urgency != CRISIS:
        detail = f"{detail.rstrip()} ({task.get_urgency_display().lower()})"
    record(actor=actor, action="create", obj=task, patient=patient, detail=detail)
    if task.is_crisis:
        notify_clinicians_of_urgent_task(
            clinic_id=patient.clinic_id, link=absolute_url("screening:worklist")
        )
    return task


def _raise_to(*, actor: User, task: UrgentTask, urgency: str, flags: list[str]) -> UrgentTask:
    """An open task raised to `urgency` (never lowered): a same-day review that becomes a
    crisis takes the crisis flags and emails the clinicians."""
    if more_urgent(task.urgency, urgency) == task.urgency:
        return task
    task.urgency = urgency
    task.flags = flags
    task.save(update_fields=["urgency", "flags"])
    record(
        actor=actor,
        action="update",
        obj=task,
        patient=task.patient,
        detail=f"urgent task raised to {task.get_urgency_display().lower()}: {', '.join(flags)}",
    )
    if task.is_crisis:
        notify_clinicians_of_urgent_task(
            clinic_id=task.patient.clinic_id, link=absolute_url("screening:worklist")
        )
    return task


def notify_clinicians_of_urgent_task(*, clinic_id: int, link: str) -> int:
    """Email every active clinician and prescriber of the clinic, one email each, through the
    outbox in the caller's transaction. The email names no patient: it asks the reader to
    sign in."""
    recipients = list(
        User.objects.filter(
            clinic_id=clinic_id, role__in=policy.roles_for(policy.CLINICAL_CARE), is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    subject, body, html = outbox.render("screening/email/urgent_task", {"link": link})
    for email in recipients:
        outbox.add(subject=subject, body=body, html=html, to=email)
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
