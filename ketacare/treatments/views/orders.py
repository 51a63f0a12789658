"""The patients in treatment and their orders: a prescriber signs an order, and pauses,
resumes or stops it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit
from ketacare.patients.selectors import get_patient_for
from ketacare.protocols.selectors import current_protocols
from ketacare.screening.selectors import approved_routes

from .. import selectors, services
from ..forms import OrderForm, OrderStatusForm
from .common import in_clinic_time


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def patients_in_treatment(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's patients with a route approved in screening, and their orders."""
    rows = selectors.patients_in_treatment(request.user)
    record(actor=request.user, action="list", obj=("patients.Patient", ""),
           detail=f"patients in treatment: {len(rows)}")  # fmt: skip
    return render(request, "treatments/patients.html", {"rows": rows})


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def patient_orders(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id)
    record(actor=request.user, action="view", obj=patient, patient=patient,
           detail="treatment orders")  # fmt: skip
    context = {
        "patient": patient,
        "orders": selectors.orders_for_patient(patient),
        "approved_routes": sorted(approved_routes(patient)),
        "sessions": selectors.patient_sessions(patient),
    }
    return render(request, "treatments/patient_orders.html", context)


@action_required(policy.PRESCRIBE)
@in_clinic_time
def order_create(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id)
    form = OrderForm(
        request.POST if request.method == "POST" else None,
        protocols=current_protocols(request.user.clinic_id, active_only=True),
        initial={"start_date": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        done = submit(
            form,
            lambda data: services.create_order(actor=request.user, patient=patient, **data),
        )
        if done.ok and done.result is not None:
            messages.success(request, "Order signed.")
            return redirect("treatments:order", order_id=done.result.pk)
        status = 400
        record(actor=request.user, action="view", obj=patient, patient=patient,
               detail="order form refused")  # fmt: skip
    else:
        record(actor=request.user, action="view", obj=patient, patient=patient,
               detail="order form")  # fmt: skip
    context = {
        "form": form,
        "patient": patient,
        "approved_routes": sorted(approved_routes(patient)),
        "weight": selectors.latest_weight(patient),
    }
    return render(request, "treatments/order_form.html", context, status=status)


def _order_page(
    request: AuthenticatedHttpRequest, order: Any, form: Any = None, status: int = 200
) -> HttpResponse:
    context = selectors.order_page(order)
    context["status_form"] = form or OrderStatusForm()
    return render(request, "treatments/order.html", context, status=status)


@action_required(policy.VIEW_SCHEDULE)
@in_clinic_time
@require_GET
def order_detail(request: AuthenticatedHttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for(request.user, order_id)
    record(actor=request.user, action="view", obj=order, patient=order.patient)
    return _order_page(request, order)


@action_required(policy.PRESCRIBE)
@in_clinic_time
@require_POST
def order_status(request: AuthenticatedHttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for(request.user, order_id)
    form = OrderStatusForm(request.POST)
    done = submit(
        form, lambda data: services.change_order_status(actor=request.user, order=order, **data)
    )
    if done.ok:
        messages.success(request, f"Order {order.pk} is now {form.cleaned_data['to_status']}.")
        return redirect("treatments:order", order_id=order.pk)
    record(actor=request.user, action="view", obj=order, patient=order.patient,
           detail="order status change refused")  # fmt: skip
    return _order_page(request, order, form, status=400)
