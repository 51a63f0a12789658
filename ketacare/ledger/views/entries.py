"""The ledger's home page, its entries (list, one entry, a correction) and the form of each
entry type: receive, transfer, administer, dispense, waste, return, dispose."""

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
from .base import (
    PAGE_SIZE,
    clinic_time,
    entry_form_page,
    page_context,
    render_form,
)


@action_required(policy.RECORD_LEDGER)
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = selectors.overview(request.user)
    record(
        action="view",
        obj=("ledger.StockBalance", ""),
        detail=f"ledger overview: {len(context['balances'])} balances",
    )
    return render(request, "ledger/overview.html", page_context(request, **context))


@action_required(policy.RECORD_LEDGER)
def entry_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.EntryFilterForm(request.GET or None, user=request.user)
    filters = selectors.EntryFilters()
    if request.GET:
        with clinic_time(request):
            valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            filters = selectors.EntryFilters(
                q=data["q"] or "",
                kind=data["kind"] or "",
                product=data["product"],
                lot=data["lot"],
                location=data["location"],
                staff=data["staff"],
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
    page = Paginator(selectors.filtered_entries(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    record(
        action="list",
        obj=("ledger.LedgerEntry", ""),
        detail=f"page {page.number}, {len(page.object_list)} shown; {filters.describe()}"[:500],
    )
    return render(
        request,
        "ledger/entry_list.html",
        page_context(request, form=form, page=page, querystring=query.urlencode()),
    )


@action_required(policy.RECORD_LEDGER)
def entry_detail(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_detail(request.user, entry_id)
    record(action="view", obj=entry, patient=entry.patient_id)
    can_correct = entry.actor_id == request.user.pk or policy.can(
        request.user, policy.MANAGE_CLINIC
    )
    loss_case = getattr(entry, "loss_case", None) if entry.kind == "loss" else None
    return render(
        request,
        "ledger/entry_detail.html",
        page_context(request, entry=entry, can_correct=can_correct, loss_case=loss_case),
    )


@action_required(policy.RECORD_LEDGER)
def correct_entry(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_detail(request.user, entry_id)
    form = forms.CorrectionForm(request.POST or None)
    title = f"Correct entry {entry.seq}"
    button = "Record the correction"
    lead = (
        f"{entry.get_kind_display()} of {reports.qty(entry.amount)} {entry.lot.product.unit}, "
        f"lot {entry.lot.lot_number}, {entry.location.name}. Entries are never changed: the "
        "correction is a new entry linked to this one."
    )
    if request.method == "POST":
        done = submit(
            form,
            lambda d: services.record_correction(
                actor=request.user,
                entry=entry,
                quantity_change=d["quantity_change"],
                reason=d["reason"],
            ),
        )
        if done.ok and done.result is not None:
            messages.success(request, f"Correction recorded as entry {done.result.seq}.")
            return redirect("ledger:entry_detail", entry_id=done.result.pk)
        if done.refusal is not None:
            services.record_denied(what="correction", refusal=done.refusal)
        return render_form(request, form, title=title, button=button, lead=lead, status=400)
    record(action="view", obj=entry, patient=entry.patient_id, detail="correction form")
    return render_form(request, form, title=title, button=button, lead=lead)


# --- entry types -------------------------------------------------------------------------


@action_required(policy.RECORD_LEDGER)
def receive(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.ReceiptForm,
        title="Receive stock",
        button="Record the receipt",
        what="receipt",
        lead="Record the supplier, invoice and date received, as 21 CFR 1304.22 requires. A new "
        "lot number creates the lot.",
        write=lambda d: services.record_receipt(actor=request.user, **d),
    )


@action_required(policy.RECORD_LEDGER)
def transfer(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.TransferForm,
        title="Transfer between locations",
        button="Record the transfer",
        what="transfer",
        lead="Moves stock from one storage location to another (two linked entries).",
        write=lambda d: services.record_transfer(actor=request.user, **d),
    )


@action_required(policy.RECORD_LEDGER)
def administer(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.AdministrationForm,
        title="Record an administration",
        button="Record the administration",
        what="administration",
        lead="A dose given in the clinic. Any remainder drawn but not given is recorded as "
        "waste, with a witness.",
        write=lambda d: services.record_administration(actor=request.user, **d),
    )


@action_required(policy.PRESCRIBE)
def dispense(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.DispensingForm,
        title="Dispense for home use",
        button="Record the dispensing",
        what="dispensing",
        lead="Prescribers only. Esketamine may not be dispensed for home use (REMS).",
        write=lambda d: services.record_dispensing(actor=request.user, **d),
    )


@action_required(policy.RECORD_LEDGER)
def waste(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.WasteForm,
        title="Record waste",
        button="Record the waste",
        what="waste",
        lead="A second staff member must witness the waste and type their own password here.",
        write=lambda d: services.record_waste(actor=request.user, **d),
    )


@action_required(policy.RECORD_LEDGER)
def return_to_supplier(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.ReturnForm,
        title="Return to supplier",
        button="Record the return",
        what="return to supplier",
        lead="Stock sent back to the supplier it came from.",
        write=lambda d: services.record_return_to_supplier(actor=request.user, **d),
    )


@action_required(policy.RECORD_LEDGER)
def dispose(request: AuthenticatedHttpRequest) -> HttpResponse:
    return entry_form_page(
        request,
        form_class=forms.DisposalForm,
        title="Disposal by reverse distributor",
        button="Record the disposal",
        what="disposal",
        lead="Stock handed to a DEA-registered reverse distributor for destruction.",
        write=lambda d: services.record_reverse_distribution(actor=request.user, **d),
    )
