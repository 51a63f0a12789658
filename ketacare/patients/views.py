"""Patient record pages: staff list/create/edit within their clinic; a patient sees their own."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketacare.accounts.models import Role
from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.errors import Refusal
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.policy import CREATE_PATIENT, EDIT_PATIENT, VIEW_PATIENT
from ketacare.core.views import action_required, role_required, submit
from ketacare.patients.selectors import get_patient_for, own_patient

from . import selectors, services
from .forms import DiagnosisForm, PatientForm, WeightForm

PAGE_SIZE = 50


@action_required(CREATE_PATIENT)
def patient_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.patient_list(user=request.user, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    detail = f"page {page.number}, {len(page.object_list)} shown"
    if query:
        detail += f", search {query!r}"
    record(action="list", obj=("patients.Patient", ""), detail=detail)
    return render(request, "patients/list.html", {"page": page, "query": query})


@action_required(CREATE_PATIENT)
def patient_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST":
        done = submit(form, lambda data: services.create_patient(actor=request.user, **data))
        if done.ok and done.result is not None:
            messages.success(request, f"{done.result.full_name} was added.")
            return redirect("patients:detail", patient_id=done.result.pk)
    return render(request, "patients/form.html", {"form": form, "title": "Add a patient"})


@action_required(VIEW_PATIENT)
def patient_detail(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, action=VIEW_PATIENT)
    if not policy.can(request.user, policy.EDIT_PATIENT):
        # Patients have their own page; monitors see no record pages.
        if request.user.role == Role.PATIENT:
            return redirect("patients:me")
        raise Http404("Page not found.")
    record(action="view", obj=patient, patient=patient)
    context = selectors.patient_detail(patient=patient)
    context.update(weight_form=WeightForm(), diagnosis_form=DiagnosisForm(), can_edit=True)
    return render(request, "patients/detail.html", context)


@action_required(EDIT_PATIENT)
def patient_edit(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, action=EDIT_PATIENT)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST":
        # The form must not write the instance itself: the service does, audited.
        form.instance = PatientForm.Meta.model.objects.get(pk=patient.pk)
        done = submit(
            form,
            lambda data: services.update_patient(actor=request.user, patient=patient, **data),
        )
        if done.ok:
            messages.success(request, "The record was saved.")
            return redirect("patients:detail", patient_id=patient.pk)
    else:
        record(action="view", obj=patient, patient=patient, detail="edit form")
    return render(
        request,
        "patients/form.html",
        {"form": form, "title": f"Edit {patient.full_name}", "patient": patient},
    )


@action_required(EDIT_PATIENT)
def add_weight(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, action=EDIT_PATIENT)
    if request.method != "POST":
        return redirect("patients:detail", patient_id=patient.pk)
    form = WeightForm(request.POST)
    done = submit(
        form, lambda data: services.record_weight(actor=request.user, patient=patient, **data)
    )
    if done.ok:
        messages.success(request, "Weight recorded.")
        return redirect("patients:detail", patient_id=patient.pk)
    record(action="view", obj=patient, patient=patient, detail="weight form error")
    context = selectors.patient_detail(patient=patient)
    context.update(weight_form=form, diagnosis_form=DiagnosisForm(), can_edit=True)
    return render(request, "patients/detail.html", context, status=400)


@action_required(EDIT_PATIENT)
def add_diagnosis(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, action=EDIT_PATIENT)
    if request.method != "POST":
        return redirect("patients:detail", patient_id=patient.pk)
    form = DiagnosisForm(request.POST)
    done = submit(
        form, lambda data: services.add_diagnosis(actor=request.user, patient=patient, **data)
    )
    if done.ok:
        messages.success(request, "Diagnosis added.")
        return redirect("patients:detail", patient_id=patient.pk)
    record(action="view", obj=patient, patient=patient, detail="diagnosis form error")
    context = selectors.patient_detail(patient=patient)
    context.update(weight_form=WeightForm(), diagnosis_form=form, can_edit=True)
    return render(request, "patients/detail.html", context, status=400)


@role_required(Role.PATIENT)
def my_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = own_patient(request.user)
    record(action="view", obj=patient, patient=patient, detail="own record")
    context = selectors.patient_detail(patient=patient)
    context["can_edit"] = False
    return render(request, "patients/detail.html", context)


@action_required(EDIT_PATIENT)
@require_POST
def invite_to_portal(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Give a patient a portal login: they choose a password from the emailed link. Its address
    stays /accounts/patients/<id>/invite/ (`accounts:invite_patient`, see ketacare/urls.py)."""
    patient = get_patient_for(request.user, patient_id, action=EDIT_PATIENT)
    try:
        services.invite_to_portal(actor=request.user, patient=patient)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Portal invitation sent to {patient.email}.")
    return redirect("patients:detail", patient_id=patient.pk)
