"""Setting the ledger up (administrators): products, storage locations, ledger settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ketacare.audit.log import record
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit

from .. import forms, selectors, services
from .base import page_context, render_form


def _list_and_add(
    request: AuthenticatedHttpRequest,
    *,
    form: Any,
    title: str,
    items: Any,
    template: str,
    create: Callable[[dict[str, Any]], Any],
    what: str,
) -> HttpResponse:
    """A set-up list with its "add one" form below."""
    status = 200
    if request.method == "POST":
        if submit(form, create).ok:
            messages.success(request, f"{what} added.")
            return redirect(request.path)
        status = 400
    else:
        record(action="list", obj=(f"ledger.{what}", ""))
    return render(
        request, template, page_context(request, form=form, title=title, items=items), status=status
    )


@action_required(policy.MANAGE_CLINIC)
def products(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _list_and_add(
        request,
        form=forms.ProductCreateForm(request.POST or None),
        title="Products",
        items=selectors.products(request.user),
        template="ledger/products.html",
        what="Product",
        create=lambda d: services.create_product(actor=request.user, **d),
    )


@action_required(policy.MANAGE_CLINIC)
def locations(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _list_and_add(
        request,
        form=forms.LocationForm(request.POST or None),
        title="Storage locations",
        items=selectors.locations(request.user),
        template="ledger/locations.html",
        what="Location",
        create=lambda d: services.create_location(actor=request.user, **d),
    )


@action_required(policy.MANAGE_CLINIC)
def ledger_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    clinic = selectors.actor_clinic(request.user)
    current = selectors.ledger_settings(clinic)
    initial = {
        "dea_registration": clinic.dea_registration,
        "require_opening_count": current.require_opening_count,
    }
    form = forms.SettingsForm(request.POST or None, initial=initial)
    title = "Ledger settings"
    if request.method == "POST":
        done = submit(form, lambda d: services.update_ledger_settings(actor=request.user, **d))
        if done.ok:
            messages.success(request, "Ledger settings saved.")
            return redirect("ledger:settings")
        return render_form(request, form, title=title, button="Save", status=400)
    record(action="view", obj=("ledger.LedgerSettings", clinic.pk))
    return render_form(
        request,
        form,
        title=title,
        button="Save",
        lead="The DEA registration number is printed on every record and report.",
    )
