"""Consent documents: the current versions, and which of them a patient has signed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from ketacare.core.errors import NotFound
from ketacare.patients.models import Patient

from ..models import (
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A current document with the patient's signature time, from `documents_with_signature()`.
    SignedDocument = WithAnnotations[ConsentDocument, "_Signature"]

# Consents a patient signs before the intake goes to review; the at-home program consent is
# needed only to approve the at-home route.
INTAKE_CONSENTS = (ConsentKind.TREATMENT, ConsentKind.DATA_SHARING)


class _Signature(TypedDict):
    signed_at: dt.datetime | None


def current_consent_documents(clinic_id: int) -> dict[str, ConsentDocument]:
    """The newest version of each consent document of the clinic."""
    current: dict[str, ConsentDocument] = {}
    for document in ConsentDocument.objects.filter(clinic_id=clinic_id).order_by(
        "kind", "-version"
    ):
        current.setdefault(document.kind, document)
    return current


def documents_with_signature(patient: Patient) -> list[SignedDocument]:
    """The clinic's current documents, each annotated with this patient's signature time
    (`signed_at`, None when unsigned), in one query."""
    newer = ConsentDocument.objects.filter(
        clinic_id=OuterRef("clinic_id"), kind=OuterRef("kind"), version__gt=OuterRef("version")
    )
    signature = ConsentSignature.objects.filter(document=OuterRef("pk"), patient=patient)
    return list(
        ConsentDocument.objects.filter(clinic_id=patient.clinic_id)
        .annotate(is_current=~Exists(newer))
        .filter(is_current=True)
        .annotate(signed_at=Subquery(signature.values("signed_at")[:1]))
        .order_by("kind")
    )


def consents_signed(patient: Patient) -> dict[str, bool]:
    """For each consent document the clinic has published: has the patient signed its
    current version? (A kind with no document is absent.)"""
    return {d.kind: d.signed_at is not None for d in documents_with_signature(patient)}


@dataclass
class ConsentState:
    kind: str
    label: str
    document: ConsentDocument | None
    signed_at: dt.datetime | None

    @property
    def needs_signature(self) -> bool:
        return self.document is not None and self.signed_at is None


def consent_states_of(documents: list[SignedDocument]) -> list[ConsentState]:
    """One row per kind of consent, from `documents_with_signature()`."""
    by_kind = {d.kind: d for d in documents}
    return [
        ConsentState(
            kind.value,
            kind.label,
            by_kind.get(kind.value),
            getattr(by_kind.get(kind.value), "signed_at", None),
        )
        for kind in ConsentKind
    ]


def consent_states(patient: Patient) -> list[ConsentState]:
    return consent_states_of(documents_with_signature(patient))


def consent_page(patient: Patient, kind: str) -> dict[str, Any]:
    documents = current_consent_documents(patient.clinic_id)
    document = documents.get(kind)
    signatures = list(
        ConsentSignature.objects.filter(patient=patient, kind=kind).order_by("-signed_at")
    )
    signed = document is not None and any(s.document_id == document.pk for s in signatures)
    return {"document": document, "signatures": signatures, "signed": signed, "kind": kind}


def consent_documents_for_admin(clinic_id: int | None) -> QuerySet[ConsentDocument]:
    if clinic_id is None:
        return ConsentDocument.objects.none()
    return (
        ConsentDocument.objects.filter(clinic_id=clinic_id)
        .select_related("published_by")
        .order_by("kind", "-version")
    )


def consent_document_for_admin(
    *, clinic_id: int | None, document_id: int
) -> tuple[ConsentDocument, list[ConsentSignature]]:
    """One of the clinic's documents with its latest signatures, or `NotFound`."""
    document = (
        ConsentDocument.objects.filter(pk=document_id, clinic_id=clinic_id).first()
        if clinic_id is not None
        else None
    )
    if document is None:
        raise NotFound("No ConsentDocument matches the given query.")
    signatures = list(document.signatures.select_related("patient").order_by("-signed_at")[:200])
    return document, signatures
