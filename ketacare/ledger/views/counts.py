"""Counts (the list, a two-person count, its report) and the investigations their
differences open; administrators resolve them."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit

from .. import forms, reports, selectors, services
from ..models import CountKind, StorageLocation
from .base import (
    PAGE_SIZE,
    initial_from_query,
    page_context,
    report_response,
    submit_in_clinic_time,
)


@action_required(policy.RECORD_LEDGER)
def count_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.counts(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    record(action="list", obj=("ledger.InventoryCount", ""), detail=f"page {page.number}")
    return render(
        request,
        "ledger/count_list.html",
        page_context(request, page=page, status=selectors.count_status_today(request.user)),
    )


@action_required(policy.RECORD_LEDGER)
def count_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.GET.get("location"):
        start = forms.CountStartForm(
            user=request.user, initial=initial_from_query(request, forms.CountStartForm)
        )
        record(action="view", obj=("ledger.InventoryCount", ""), detail="count form")
        return render(request, "ledger/count_start.html", page_context(request, form=start))
    start = forms.CountStartForm(request.GET, user=request.user)
    if not start.is_valid():
        return render(
            request, "ledger/count_start.html", page_context(request, form=start), status=400
        )
    location: StorageLocation = start.cleaned_data["location"]
    kind = start.cleaned_data["kind"]
    balances = list(selectors.balances(request.user, location=location))
    form = forms.CountForm(request.POST or None, user=request.user, balances=balances)
    extra = {
        "location": location,
        "kind_label": CountKind(kind).label,
        "balances": balances,
    }
    if request.method == "POST":
        done = submit_in_clinic_time(
            request,
            form,
            lambda d: services.record_count(
                actor=request.user,
                location=location,
                kind=kind,
                counted=form.counted(),
                second_counter=d["second_counter"],
                second_counter_password=d["second_counter_password"],
                notes=d["notes"],
            ),
        )
        if done.ok and done.result is not None:
            count = done.result
            opened = sum(1 for line in count.lines.all() if line.counted != line.expected)
            if opened:
                messages.error(
                    request,
                    f"The count did not match the book for {opened} lot(s): "
                    "an investigation is open for each.",
                )
            else:
                messages.success(request, "Count recorded: it matches the book.")
            return redirect("ledger:count_detail", count_id=count.pk)
        if done.refusal is not None:
            services.record_denied(what="count", refusal=done.refusal)
        return render(
            request, "ledger/count_form.html", page_context(request, form=form, **extra), status=400
        )
    record(
        action="view",
        obj=("ledger.InventoryCount", ""),
        detail=f"count form for {location.name}",
    )
    return render(request, "ledger/count_form.html", page_context(request, form=form, **extra))


@action_required(policy.RECORD_LEDGER)
def count_detail(request: AuthenticatedHttpRequest, count_id: int) -> HttpResponse:
    count = selectors.count_detail(request.user, count_id)
    return report_response(
        request,
        reports.count_report(count),
        obj=count,
        template="ledger/count_detail.html",
        count=count,
    )


@action_required(policy.RECORD_LEDGER)
def investigation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    chosen = status if status in ("open", "resolved") else ""
    qs = selectors.investigations(request.user, status=chosen)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record(action="list", obj=("ledger.Investigation", ""), detail=f"status {status}")
    return render(
        request, "ledger/investigation_list.html", page_context(request, page=page, status=status)
    )


@action_required(policy.RECORD_LEDGER)
def investigation_detail(request: AuthenticatedHttpRequest, investigation_id: int) -> HttpResponse:
    investigation = selectors.investigation_detail(request.user, investigation_id)
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, policy.MANAGE_CLINIC, what="Page not found.")
        done = submit(
            form,
            lambda d: services.resolve_investigation(
                actor=request.user, investigation=investigation, explanation=d["explanation"]
            ),
        )
        if done.ok:
            messages.success(request, "Investigation resolved; the adjustment is in the ledger.")
            return redirect("ledger:investigation_detail", investigation_id=investigation.pk)
        if done.refusal is not None:
            services.record_denied(what="investigation", refusal=done.refusal)
        status = 400
    else:
        status = 200
        record(action="view", obj=investigation)
    return render(
        request,
        "ledger/investigation_detail.html",
        page_context(
            request, investigation=investigation, line=investigation.count_line, form=form
        ),
        status=status,
    )
