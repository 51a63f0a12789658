"""Ledger pages: thin views that parse a form, call one service or selector, and render.
Every page view is audited; a refused write shows the service's reason next to its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ketacare.accounts.permissions import get_patient_for, has_role, role_required
from ketacare.audit.log import record

from . import exports, forms, reports, selectors, services
from .models import LedgerEntry, StorageLocation
from .roles import DISPENSERS, LEDGER_ADMINS, LEDGER_READERS, LEDGER_STAFF
from .services import LedgerRefusal

PAGE_SIZE = 50


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "is_ledger_admin": has_role(user, *LEDGER_ADMINS),
        "can_dispense": has_role(user, *DISPENSERS),
        "can_report": has_role(user, *LEDGER_READERS),
        "clinic": user.clinic,
        **extra,
    }


def _tz(request: HttpRequest) -> Any:
    return timezone.override(ZoneInfo(request.user.clinic.timezone))


def _valid(request: HttpRequest, form: Any) -> bool:
    # Dates and times typed into a form are the clinic's local time.
    with _tz(request):
        return bool(form.is_valid())


def _add_refusal(form: Any, refusal: LedgerRefusal) -> None:
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)


def _initial(request: HttpRequest, form_class: type) -> dict[str, str]:
    names = form_class.base_fields
    return {k: v for k, v in request.GET.items() if k in names and "password" not in k}


def _render_form(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    submit: str,
    lead: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "ledger/form.html",
        _context(request, form=form, title=title, submit=submit, lead=lead, **extra),
        status=status,
    )


def _entry_view(
    request: HttpRequest,
    *,
    form_class: type,
    title: str,
    submit: str,
    lead: str,
    what: str,
    write: Callable[[dict[str, Any]], Any],
) -> HttpResponse:
    if request.method == "POST":
        form = form_class(request.POST, user=request.user)
        if _valid(request, form):
            try:
                result = write(form.cleaned_data)
            except LedgerRefusal as refusal:
                _add_refusal(form, refusal)
                services.record_denied(request=request, what=what, refusal=refusal)
            else:
                if isinstance(result, tuple):
                    result = result[-1]
                if isinstance(result, LedgerEntry):
                    messages.success(
                        request, f"{result.get_kind_display()} recorded as entry {result.seq}."
                    )
                    return redirect("ledger:entry_detail", entry_id=result.pk)
                messages.success(
                    request, f"{what.capitalize()} recorded; the DEA deadlines are below."
                )
                return redirect("ledger:loss_detail", case_id=result.pk)
        return _render_form(request, form, title=title, submit=submit, lead=lead, status=400)
    form = form_class(user=request.user, initial=_initial(request, form_class))
    record(request=request, action="view", obj=("ledger.LedgerEntry", ""), detail=f"{what} form")
    return _render_form(request, form, title=title, submit=submit, lead=lead)


# --- overview and entries ----------------------------------------------------------------


@role_required(*LEDGER_STAFF)
def overview(request: HttpRequest) -> HttpResponse:
    context = selectors.overview(request.user)
    record(
        request=request,
        action="view",
        obj=("ledger.StockBalance", ""),
        detail=f"ledger overview: {len(context['balances'])} balances",
    )
    return render(request, "ledger/overview.html", _context(request, **context))


@role_required(*LEDGER_STAFF)
def entry_list(request: HttpRequest) -> HttpResponse:
    form = forms.EntryFilterForm(request.GET or None, user=request.user)
    filters = selectors.EntryFilters()
    if request.GET and _valid(request, form):
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
        request=request,
        action="list",
        obj=("ledger.LedgerEntry", ""),
        detail=f"page {page.number}, {len(page.object_list)} shown; {filters.describe()}"[:500],
    )
    return render(
        request,
        "ledger/entry_list.html",
        _context(request, form=form, page=page, querystring=query.urlencode()),
    )


@role_required(*LEDGER_STAFF)
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_detail(request.user, entry_id)
    if entry is None:
        raise Http404("No such entry.")
    record(request=request, action="view", obj=entry, patient=entry.patient_id)
    can_correct = entry.actor_id == request.user.pk or has_role(request.user, *LEDGER_ADMINS)
    loss_case = getattr(entry, "loss_case", None) if entry.kind == "loss" else None
    return render(
        request,
        "ledger/entry_detail.html",
        _context(request, entry=entry, can_correct=can_correct, loss_case=loss_case),
    )


@role_required(*LEDGER_STAFF)
def correct_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_detail(request.user, entry_id)
    if entry is None:
        raise Http404("No such entry.")
    form = forms.CorrectionForm(request.POST or None)
    title = f"Correct entry {entry.seq}"
    lead = (
        f"{entry.get_kind_display()} of {reports.qty(entry.amount)} {entry.lot.product.unit}, "
        f"lot {entry.lot.lot_number}, {entry.location.name}. Entries are never changed: the "
        "correction is a new entry linked to this one."
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                correction = services.record_correction(
                    actor=request.user,
                    entry=entry,
                    request=request,
                    quantity_change=form.cleaned_data["quantity_change"],
                    reason=form.cleaned_data["reason"],
                )
            except LedgerRefusal as refusal:
                _add_refusal(form, refusal)
                services.record_denied(request=request, what="correction", refusal=refusal)
            else:
                messages.success(request, f"Correction recorded as entry {correction.seq}.")
                return redirect("ledger:entry_detail", entry_id=correction.pk)
        return _render_form(
            request, form, title=title, submit="Record the correction", lead=lead, status=400
        )
    record(
        request=request,
        action="view",
        obj=entry,
        patient=entry.patient_id,
        detail="correction form",
    )
    return _render_form(request, form, title=title, submit="Record the correction", lead=lead)


# --- entry types -------------------------------------------------------------------------


@role_required(*LEDGER_STAFF)
def receive(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.ReceiptForm,
        title="Receive stock",
        submit="Record the receipt",
        what="receipt",
        lead="Record the supplier, invoice and date received, as 21 CFR 1304.22 requires. A new "
        "lot number creates the lot.",
        write=lambda d: services.record_receipt(actor=request.user, request=request, **d),
    )


@role_required(*LEDGER_STAFF)
def transfer(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.TransferForm,
        title="Transfer between locations",
        submit="Record the transfer",
        what="transfer",
        lead="Moves stock from one storage location to another (two linked entries).",
        write=lambda d: services.record_transfer(actor=request.user, request=request, **d),
    )


@role_required(*LEDGER_STAFF)
def administer(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.AdministrationForm,
        title="Record an administration",
        submit="Record the administration",
        what="administration",
        lead="A dose given in the clinic. Any remainder drawn but not given is recorded as "
        "waste, with a witness.",
        write=lambda d: services.record_administration(actor=request.user, request=request, **d),
    )


@role_required(*DISPENSERS)
def dispense(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.DispensingForm,
        title="Dispense for home use",
        submit="Record the dispensing",
        what="dispensing",
        lead="Prescribers only. Esketamine may not be dispensed for home use (REMS).",
        write=lambda d: services.record_dispensing(actor=request.user, request=request, **d),
    )


@role_required(*LEDGER_STAFF)
def waste(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.WasteForm,
        title="Record waste",
        submit="Record the waste",
        what="waste",
        lead="A second staff member must witness the waste and type their own password here.",
        write=lambda d: services.record_waste(actor=request.user, request=request, **d),
    )


@role_required(*LEDGER_STAFF)
def return_to_supplier(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.ReturnForm,
        title="Return to supplier",
        submit="Record the return",
        what="return to supplier",
        lead="Stock sent back to the supplier it came from.",
        write=lambda d: services.record_return_to_supplier(
            actor=request.user, request=request, **d
        ),
    )


@role_required(*LEDGER_STAFF)
def dispose(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.DisposalForm,
        title="Disposal by reverse distributor",
        submit="Record the disposal",
        what="disposal",
        lead="Stock handed to a DEA-registered reverse distributor for destruction.",
        write=lambda d: services.record_reverse_distribution(
            actor=request.user, request=request, **d
        ),
    )


@role_required(*LEDGER_STAFF)
def report_loss(request: HttpRequest) -> HttpResponse:
    return _entry_view(
        request,
        form_class=forms.LossForm,
        title="Report a loss or theft",
        submit="Report it and open a case",
        what="loss report",
        lead="DEA must be notified in writing within one business day of discovery, and DEA "
        "Form 106 filed within 45 days. The case page tracks both.",
        write=lambda d: services.report_loss(actor=request.user, request=request, **d),
    )


# --- counts and investigations ------------------------------------------------------------


@role_required(*LEDGER_STAFF)
def count_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.counts(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    record(
        request=request,
        action="list",
        obj=("ledger.InventoryCount", ""),
        detail=f"page {page.number}",
    )
    return render(
        request,
        "ledger/count_list.html",
        _context(request, page=page, status=selectors.count_status_today(request.user)),
    )


@role_required(*LEDGER_STAFF)
def count_create(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("location"):
        start = forms.CountStartForm(
            user=request.user, initial=_initial(request, forms.CountStartForm)
        )
        record(
            request=request, action="view", obj=("ledger.InventoryCount", ""), detail="count form"
        )
        return render(request, "ledger/count_start.html", _context(request, form=start))
    start = forms.CountStartForm(request.GET, user=request.user)
    if not start.is_valid():
        return render(request, "ledger/count_start.html", _context(request, form=start), status=400)
    location: StorageLocation = start.cleaned_data["location"]
    kind = start.cleaned_data["kind"]
    balances = list(selectors.balances(request.user, location=location))
    form = forms.CountForm(request.POST or None, user=request.user, balances=balances)
    extra = {
        "location": location,
        "kind_label": dict(start.fields["kind"].choices)[kind],
        "balances": balances,
    }
    if request.method == "POST":
        if _valid(request, form):
            try:
                count = services.record_count(
                    actor=request.user,
                    location=location,
                    kind=kind,
                    request=request,
                    counted=form.counted(),
                    second_counter=form.cleaned_data["second_counter"],
                    second_counter_password=form.cleaned_data["second_counter_password"],
                    notes=form.cleaned_data["notes"],
                )
            except LedgerRefusal as refusal:
                _add_refusal(form, refusal)
                services.record_denied(request=request, what="count", refusal=refusal)
            else:
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
        return render(
            request, "ledger/count_form.html", _context(request, form=form, **extra), status=400
        )
    record(
        request=request,
        action="view",
        obj=("ledger.InventoryCount", ""),
        detail=f"count form for {location.name}",
    )
    return render(request, "ledger/count_form.html", _context(request, form=form, **extra))


def _report_response(
    request: HttpRequest,
    report: reports.Report,
    *,
    obj: Any,
    patient: Any = None,
    template: str = "ledger/report.html",
    **extra: Any,
) -> HttpResponse:
    """The report as a page, or as CSV / PDF with ?format=csv|pdf; audited either way."""
    fmt = request.GET.get("format", "")
    rows = reports.rows_of(report.sections)
    if fmt in ("csv", "pdf"):
        record(
            request=request,
            action="export",
            obj=obj,
            patient=patient,
            detail=f"{report.title} as {fmt.upper()}, {rows} rows",
        )
        if fmt == "csv":
            response = HttpResponse(exports.to_csv(report), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(exports.to_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report.filename}.{fmt}"'
        response["Cache-Control"] = "no-store"
        return response
    record(
        request=request,
        action="view",
        obj=obj,
        patient=patient,
        detail=f"{report.title}, {rows} rows",
    )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request, template, _context(request, report=report, querystring=query.urlencode(), **extra)
    )


@role_required(*LEDGER_STAFF)
def count_detail(request: HttpRequest, count_id: int) -> HttpResponse:
    count = selectors.count_detail(request.user, count_id)
    if count is None:
        raise Http404("No such count.")
    return _report_response(
        request,
        reports.count_report(count),
        obj=count,
        template="ledger/count_detail.html",
        count=count,
    )


@role_required(*LEDGER_STAFF)
def investigation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = selectors.investigations(request.user)
    if status in ("open", "resolved"):
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record(
        request=request, action="list", obj=("ledger.Investigation", ""), detail=f"status {status}"
    )
    return render(
        request, "ledger/investigation_list.html", _context(request, page=page, status=status)
    )


@role_required(*LEDGER_STAFF)
def investigation_detail(request: HttpRequest, investigation_id: int) -> HttpResponse:
    investigation = selectors.investigations(request.user).filter(pk=investigation_id).first()
    if investigation is None:
        raise Http404("No such investigation.")
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, *LEDGER_ADMINS):
            raise Http404("Page not found.")
        if form.is_valid():
            try:
                services.resolve_investigation(
                    actor=request.user,
                    investigation=investigation,
                    request=request,
                    explanation=form.cleaned_data["explanation"],
                )
            except LedgerRefusal as refusal:
                _add_refusal(form, refusal)
                services.record_denied(request=request, what="investigation", refusal=refusal)
            else:
                messages.success(
                    request, "Investigation resolved; the adjustment is in the ledger."
                )
                return redirect("ledger:investigation_detail", investigation_id=investigation.pk)
        status = 400
    else:
        status = 200
        record(request=request, action="view", obj=investigation)
    return render(
        request,
        "ledger/investigation_detail.html",
        _context(request, investigation=investigation, line=investigation.count_line, form=form),
        status=status,
    )


@role_required(*LEDGER_STAFF)
def loss_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.loss_cases(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    overdue = {case.pk for case in selectors.overdue_loss_cases(request.user)}
    record(
        request=request, action="list", obj=("ledger.LossCase", ""), detail=f"page {page.number}"
    )
    return render(
        request,
        "ledger/loss_list.html",
        _context(request, page=page, overdue=overdue, now=timezone.now()),
    )


@role_required(*LEDGER_STAFF)
def loss_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.loss_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case.")
    form = forms.LossCaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not has_role(request.user, *LEDGER_ADMINS):
            raise Http404("Page not found.")
        if _valid(request, form):
            try:
                services.update_loss_case(
                    actor=request.user, case=case, request=request, **form.cleaned_data
                )
            except LedgerRefusal as refusal:
                _add_refusal(form, refusal)
            else:
                messages.success(request, "The case was updated.")
                return redirect("ledger:loss_detail", case_id=case.pk)
        status = 400
    else:
        record(request=request, action="view", obj=case)
    overdue = case.pk in {c.pk for c in selectors.overdue_loss_cases(request.user)}
    return render(
        request,
        "ledger/loss_detail.html",
        _context(request, case=case, form=form, overdue=overdue),
        status=status,
    )


# --- set-up (administrators) --------------------------------------------------------------


def _setup_view(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    items: Any,
    template: str,
    create: Callable[[dict[str, Any]], Any],
    what: str,
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                create(form.cleaned_data)
            except LedgerRefusal as refusal:
                _add_refusal(form, refusal)
            else:
                messages.success(request, f"{what} added.")
                return redirect(request.path)
        status = 400
    else:
        record(request=request, action="list", obj=(f"ledger.{what}", ""))
    return render(
        request, template, _context(request, form=form, title=title, items=items), status=status
    )


@role_required(*LEDGER_ADMINS)
def products(request: HttpRequest) -> HttpResponse:
    return _setup_view(
        request,
        form=forms.ProductCreateForm(request.POST or None),
        title="Products",
        items=selectors.products(request.user),
        template="ledger/products.html",
        what="Product",
        create=lambda d: services.create_product(actor=request.user, request=request, **d),
    )


@role_required(*LEDGER_ADMINS)
def locations(request: HttpRequest) -> HttpResponse:
    return _setup_view(
        request,
        form=forms.LocationForm(request.POST or None),
        title="Storage locations",
        items=selectors.locations(request.user),
        template="ledger/locations.html",
        what="Location",
        create=lambda d: services.create_location(actor=request.user, request=request, **d),
    )


@role_required(*LEDGER_ADMINS)
def ledger_settings(request: HttpRequest) -> HttpResponse:
    clinic = request.user.clinic
    current = services.ledger_settings(clinic)
    initial = {
        "dea_registration": clinic.dea_registration,
        "require_opening_count": current.require_opening_count,
    }
    form = forms.SettingsForm(request.POST or None, initial=initial)
    title = "Ledger settings"
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_ledger_settings(
                    actor=request.user, request=request, **form.cleaned_data
                )
            except LedgerRefusal as refusal:
                _add_refusal(form, refusal)
            else:
                messages.success(request, "Ledger settings saved.")
                return redirect("ledger:settings")
        return _render_form(request, form, title=title, submit="Save", status=400)
    record(request=request, action="view", obj=("ledger.LedgerSettings", clinic.pk))
    return _render_form(
        request,
        form,
        title=title,
        submit="Save",
        lead="The DEA registration number is printed on every record and report.",
    )


# --- reports ------------------------------------------------------------------------------


@role_required(*LEDGER_READERS)
def reports_index(request: HttpRequest) -> HttpResponse:
    today = services.clinic_today(request.user.clinic)
    record(request=request, action="view", obj=("ledger.Report", ""), detail="reports index")
    context = selectors.biennial_status(request.user)
    inventories = selectors.counts(request.user).filter(kind__in=["biennial", "on_demand"])[:20]
    return render(
        request,
        "ledger/reports_index.html",
        _context(
            request,
            today=today,
            month_start=today.replace(day=1),
            inventories=inventories,
            **context,
        ),
    )


@role_required(*LEDGER_READERS)
def period_report(request: HttpRequest) -> HttpResponse:
    today = services.clinic_today(request.user.clinic)
    form = forms.PeriodForm(
        request.GET or None,
        user=request.user,
        initial={"date_from": today.replace(day=1), "date_to": today},
    )
    if not request.GET or not form.is_valid():
        record(
            request=request, action="view", obj=("ledger.Report", "period"), detail="period form"
        )
        return render(
            request,
            "ledger/report.html",
            _context(request, form=form, report=None, title="Period report"),
            status=400 if request.GET else 200,
        )
    data = form.cleaned_data
    report = reports.period_report(
        request.user.clinic, data["date_from"], data["date_to"], product=data["product"]
    )
    return _report_response(request, report, obj=("ledger.Report", "period"), form=form)


@role_required(*LEDGER_STAFF)
def lot_report(request: HttpRequest) -> HttpResponse:
    form = forms.LotPickForm(request.GET or None, user=request.user)
    if not request.GET or not form.is_valid():
        record(request=request, action="view", obj=("ledger.Report", "lot"), detail="lot form")
        return render(
            request,
            "ledger/report.html",
            _context(request, form=form, report=None, title="Running balance per lot"),
            status=400 if request.GET else 200,
        )
    lot = form.cleaned_data["lot"]
    report = reports.lot_running_balance(request.user.clinic, lot)
    return _report_response(request, report, obj=lot, form=form)


@role_required(*LEDGER_READERS)
def patient_report(request: HttpRequest) -> HttpResponse:
    form = forms.PatientPickForm(request.GET or None, user=request.user)
    if not request.GET or not form.is_valid():
        record(
            request=request, action="view", obj=("ledger.Report", "patient"), detail="patient form"
        )
        return render(
            request,
            "ledger/report.html",
            _context(request, form=form, report=None, title="Per-patient history"),
            status=400 if request.GET else 200,
        )
    patient = get_patient_for(request.user, form.cleaned_data["patient"].pk, request=request)
    report = reports.patient_history(request.user.clinic, patient)
    return _report_response(request, report, obj=patient, patient=patient, form=form)


@role_required(*LEDGER_READERS)
def staff_report(request: HttpRequest) -> HttpResponse:
    form = forms.StaffPeriodForm(request.GET or None)
    start = end = None
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    report = reports.staff_summary(request.user.clinic, start, end)
    return _report_response(request, report, obj=("ledger.Report", "staff"), form=form)
