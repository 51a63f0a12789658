"""The ledger's reports as pages (and CSV / PDF): the index, a period, a lot's running
balance, a patient's history and the per-staff summary."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required
from ketacare.patients.selectors import get_patient_for

from .. import forms, reports, selectors
from .base import page_context, report_response


@action_required(policy.READ_LEDGER_REPORTS)
def reports_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = selectors.clinic_today(selectors.actor_clinic(request.user))
    record(action="view", obj=("ledger.Report", ""), detail="reports index")
    context = selectors.biennial_status(request.user)
    inventories = selectors.inventories(request.user)
    return render(
        request,
        "ledger/reports_index.html",
        page_context(
            request,
            today=today,
            month_start=today.replace(day=1),
            inventories=inventories,
            **context,
        ),
    )


def _pick_form(
    request: AuthenticatedHttpRequest, form: object, *, name: str, title: str
) -> HttpResponse:
    """The report's form page, before (or instead of) the report."""
    record(action="view", obj=("ledger.Report", name), detail=f"{name} form")
    return render(
        request,
        "ledger/report.html",
        page_context(request, form=form, report=None, title=title),
        status=400 if request.GET else 200,
    )


@action_required(policy.READ_LEDGER_REPORTS)
def period_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = selectors.clinic_today(selectors.actor_clinic(request.user))
    form = forms.PeriodForm(
        request.GET or None,
        user=request.user,
        initial={"date_from": today.replace(day=1), "date_to": today},
    )
    if not request.GET or not form.is_valid():
        return _pick_form(request, form, name="period", title="Period report")
    data = form.cleaned_data
    report = reports.period_report(
        selectors.actor_clinic(request.user),
        data["date_from"],
        data["date_to"],
        product=data["product"],
    )
    return report_response(request, report, obj=("ledger.Report", "period"), form=form)


@action_required(policy.RECORD_LEDGER)
def lot_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.LotPickForm(request.GET or None, user=request.user)
    if not request.GET or not form.is_valid():
        return _pick_form(request, form, name="lot", title="Running balance per lot")
    lot = form.cleaned_data["lot"]
    report = reports.lot_running_balance(selectors.actor_clinic(request.user), lot)
    return report_response(request, report, obj=lot, form=form)


@action_required(policy.READ_LEDGER_REPORTS)
def patient_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.PatientPickForm(request.GET or None, user=request.user)
    if not request.GET or not form.is_valid():
        return _pick_form(request, form, name="patient", title="Per-patient history")
    patient = get_patient_for(request.user, form.cleaned_data["patient"].pk)
    report = reports.patient_history(selectors.actor_clinic(request.user), patient)
    return report_response(request, report, obj=patient, patient=patient, form=form)


@action_required(policy.READ_LEDGER_REPORTS)
def staff_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.StaffPeriodForm(request.GET or None)
    start = end = None
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    report = reports.staff_summary(selectors.actor_clinic(request.user), start, end)
    return report_response(request, report, obj=("ledger.Report", "staff"), form=form)
