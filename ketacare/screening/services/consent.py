"""Consent documents: the clinic publishes versions (each one signed anew), the patient
signs the current version with their typed name; the signature keeps the text's hash."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from ketacare.accounts.models import User
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.context import current
from ketacare.core.errors import NotFound, Refusal
from ketacare.patients.models import Patient

from .. import selectors
from ..models import ConsentDocument, ConsentKind, ConsentSignature


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def publish_consent_document(*, actor: User, kind: str, title: str, body: str) -> ConsentDocument:
    """A new version of a consent document; patients must sign it again."""
    policy.require(actor, policy.MANAGE_CLINIC, what="Page not found.")
    if not actor.clinic_id:
        raise NotFound("Page not found.")
    if kind not in ConsentKind.values:
        raise Refusal("Choose a document.", field="kind", code="unknown_document")
    latest = (
        ConsentDocument.objects.filter(clinic_id=actor.clinic_id, kind=kind)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    document = ConsentDocument.objects.create(
        clinic_id=actor.clinic_id,
        kind=kind,
        version=(latest or 0) + 1,
        title=title.strip(),
        body=body,
        body_sha256=_sha256(body),
        published_at=timezone.now(),
        published_by=actor,
    )
    record(
        actor=actor,
        action="create",
        obj=document,
        detail=f"consent {kind} v{document.version} published",
    )
    return document


@transaction.atomic
def sign_consent(
    *,
    actor: User,
    patient: Patient,
    document: ConsentDocument,
    typed_name: str,
    agreed: bool,
    user_agent: str = "",
) -> ConsentSignature:
    """The patient signs the current version of `document`. The signature keeps the client's
    address (from the audit context) and `user_agent` (the browser, as the page saw it)."""
    policy.require(actor, policy.SELF_REPORT, patient, what="No such patient.")
    if document.clinic_id != patient.clinic_id:
        raise NotFound("No such document.")
    latest = selectors.current_consent_documents(patient.clinic_id).get(document.kind)
    if latest is None or latest.pk != document.pk:
        raise Refusal(
            "A newer version of this document has been published: read and sign that one.",
            code="superseded",
        )
    typed_name = " ".join(typed_name.split())
    if not agreed:
        raise Refusal("Tick the box to show that you agree.", field="agreed", code="not_agreed")
    if not typed_name:
        raise Refusal("Type your full name to sign.", field="typed_name", code="name_required")
    if ConsentSignature.objects.filter(document=document, patient=patient).exists():
        raise Refusal("You have already signed this version.", code="already_signed")
    signature = ConsentSignature.objects.create(
        document=document,
        patient=patient,
        signed_by=actor,
        kind=document.kind,
        version=document.version,
        body_sha256=document.body_sha256,
        typed_name=typed_name,
        agreed=True,
        signed_at=timezone.now(),
        ip=current().ip,
        user_agent=user_agent[:300],
    )
    record(
        actor=actor,
        action="create",
        obj=signature,
        patient=patient,
        detail=f"consent {document.kind} v{document.version} signed",
    )
    return signature
