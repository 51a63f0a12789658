"""What every ledger page shares: the page context (what the user may do here), the clinic's
time zone for dates typed into forms, the form page, the entry form step on `submit()`, and
reports as a page, CSV or PDF. Every page view is audited; a refused write shows the service's
reason next to its field and leaves a denied row in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import Submitted, submit

from .. import exports, reports, selectors, services
from ..forms import LedgerForm
from ..models import LedgerEntry, LossCase

PAGE_SIZE = 50
T = TypeVar("T")
# What an entry type's service gives back: its entry, a transfer's pair, or a loss's case.
Written = LedgerEntry | tuple[LedgerEntry, LedgerEntry] | LossCase


def page_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "is_ledger_admin": policy.can(user, policy.MANAGE_CLINIC),
        "can_dispense": policy.can(user, policy.PRESCRIBE),
        "can_report": policy.can(user, policy.READ_LEDGER_REPORTS),
        "clinic": user.clinic,
        **extra,
    }


def clinic_time(request: AuthenticatedHttpRequest) -> Any:
    """Dates and times typed into a form are the clinic's local time."""
    return timezone.override(ZoneInfo(selectors.actor_clinic(request.user).timezone))


def submit_in_clinic_time(
    request: AuthenticatedHttpRequest, form: forms.Form, action: Callable[[dict[str, Any]], T]
) -> Submitted[T]:
    """`submit()`, reading the form's dates and times in the clinic's time zone."""
    with clinic_time(request):
        return submit(form, action)


def initial_from_query(
    request: AuthenticatedHttpRequest, form_class: type[forms.Form]
) -> dict[str, str]:
    names = form_class.base_fields
    return {k: request.GET[k] for k in request.GET if k in names and "password" not in k}


def render_form(
    request: AuthenticatedHttpRequest,
    form: Any,
    *,
    title: str,
    button: str,
    lead: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "ledger/form.html",
        page_context(request, form=form, title=title, submit=button, lead=lead, **extra),
        status=status,
    )


def entry_form_page(
    request: AuthenticatedHttpRequest,
    *,
    form_class: type[LedgerForm],
    title: str,
    button: str,
    lead: str,
    what: str,
    write: Callable[[dict[str, Any]], Written],
) -> HttpResponse:
    """The page of one entry type: its form, and on POST `write(cleaned_data)` through
    `submit()`; then the new entry's page (or the loss case's), or the form with the refusal."""
    if request.method == "POST":
        form = form_class(request.POST, user=request.user)
        done = submit_in_clinic_time(request, form, write)
        if done.ok and done.result is not None:
            result = done.result
            if isinstance(result, tuple):
                result = result[-1]
            if isinstance(result, LedgerEntry):
                messages.success(
                    request, f"{result.get_kind_display()} recorded as entry {result.seq}."
                )
                return redirect("ledger:entry_detail", entry_id=result.pk)
            messages.success(request, f"{what.capitalize()} recorded; the DEA deadlines are below.")
            return redirect("ledger:loss_detail", case_id=result.pk)
        if done.refusal is not None:
            services.record_denied(what=what, refusal=done.refusal)
        return render_form(request, form, title=title, button=button, lead=lead, status=400)
    form = form_class(user=request.user, initial=initial_from_query(request, form_class))
    record(action="view", obj=("ledger.LedgerEntry", ""), detail=f"{what} form")
    return render_form(request, form, title=title, button=button, lead=lead)


def report_response(
    request: AuthenticatedHttpRequest,
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
    record(action="view", obj=obj, patient=patient, detail=f"{report.title}, {rows} rows")
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        template,
        page_context(request, report=report, querystring=query.urlencode(), **extra),
    )
