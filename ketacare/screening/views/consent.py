"""Consent: the patient reads and signs the current version of a document (typed name and a
checkbox); the clinic's administrator publishes versions and sees who signed them."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit
from ketacare.patients.selectors import own_patient

from .. import selectors, services
from ..forms import ConsentDocumentForm, ConsentSignForm
from ..models import ConsentKind
from .intake import step_neighbours


@action_required(policy.SELF_REPORT)
def consent(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Read and sign the current version of a consent document (typed name + checkbox)."""
    if kind not in ConsentKind.values:
        raise Http404("No such document.")
    patient = own_patient(request.user)
    context = selectors.consent_page(patient, kind)
    document = context["document"]
    if document is None:
        raise Http404("Your clinic has not published this document.")
    form = ConsentSignForm(request.POST or None, expected_name=patient.full_name)
    if request.method == "POST":
        done = submit(
            form,
            lambda data: services.sign_consent(
                actor=request.user,
                patient=patient,
                document=document,
                typed_name=data["typed_name"],
                agreed=data["agreed"],
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ),
        )
        if done.ok:
            messages.success(request, f"Signed: {document.title} (version {document.version}).")
            overview = selectors.intake_overview(patient)
            if overview.is_editable and overview.screening is not None:
                return redirect(step_neighbours(overview, kind)[1])
            return redirect("screening:mine")
    else:
        record(
            action="view",
            obj=document,
            patient=patient,
            detail=f"consent {kind} v{document.version}",
        )
    context.update(form=form, patient=patient)
    return render(request, "screening/consent.html", context, status=400 if form.errors else 200)


@action_required(policy.MANAGE_CLINIC)
def consent_documents(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ConsentDocumentForm(request.POST or None)
    if request.method == "POST":
        done = submit(
            form, lambda data: services.publish_consent_document(actor=request.user, **data)
        )
        if done.ok:
            messages.success(
                request, f"{done.result} published. Patients will be asked to sign it."
            )
            return redirect("screening:consent_documents")
    documents = selectors.consent_documents_for_admin(request.user.clinic_id)
    return render(
        request,
        "screening/consent_documents.html",
        {"form": form, "documents": documents},
        status=400 if form.errors else 200,
    )


@action_required(policy.MANAGE_CLINIC)
def consent_document(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document, signatures = selectors.consent_document_for_admin(
        clinic_id=request.user.clinic_id, document_id=document_id
    )
    record(action="view", obj=document, detail="consent document and signatures")
    return render(
        request, "screening/consent_document.html", {"document": document, "signatures": signatures}
    )
