"""Losses and thefts: the report that opens a case, the cases with their DEA deadlines, and
an administrator's follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required

from .. import forms, selectors, services
from .base import PAGE_SIZE, entry_form_page, page_context, submit_in_clinic_time


@action_required(policy.RECORD_LEDGER)
def report_loss(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.LossForm,
        title="Report a loss or theft",
        button="Report it and open a case",
        what="loss report",
        lead="DEA must be notified in writing within one business day of discovery, and DEA "
        "Form 106 filed within 45 days. The case page tracks both.",
        write=lambda d: services.report_loss(actor=request.user, **d),
    )


@action_required(policy.RECORD_LEDGER)
def loss_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.loss_cases(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    overdue = {case.pk for case in selectors.overdue_loss_cases(request.user)}
    record(action="list", obj=("ledger.LossCase", ""), detail=f"page {page.number}")
    return render(
        request,
        "ledger/loss_list.html",
        page_context(request, page=page, overdue=overdue, now=timezone.now()),
    )


@action_required(policy.RECORD_LEDGER)
def loss_detail(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = selectors.loss_case_detail(request.user, case_id)
    form = forms.LossCaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        policy.require(request.user, policy.MANAGE_CLINIC, what="Page not found.")
        done = submit_in_clinic_time(
            request, form, lambda d: services.update_loss_case(actor=request.user, case=case, **d)
        )
        if done.ok:
            messages.success(request, "The case was updated.")
            return redirect("ledger:loss_detail", case_id=case.pk)
        status = 400
    else:
        record(action="view", obj=case)
    overdue = case.pk in {c.pk for c in selectors.overdue_loss_cases(request.user)}
    return render(
        request,
        "ledger/loss_detail.html",
        page_context(request, case=case, form=form, overdue=overdue),
        status=status,
    )
