"""Protocol pages: staff read the clinic's protocols; administrators save new versions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketacare.accounts.models import STAFF_ROLES
from ketacare.accounts.permissions import MANAGE_CLINIC, action_required, role_required
from ketacare.clinical.dosing import DEFAULT_PROTOCOLS

from . import selectors, services
from .forms import ProtocolForm


@role_required(*STAFF_ROLES)
def protocol_list(request: HttpRequest) -> HttpResponse:
    protocols = list(selectors.current_protocols(request.user.clinic_id))
    return render(request, "protocols/list.html", {"protocols": protocols})


def _current(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    protocol = selectors.current_version(request.user.clinic_id, code)
    if protocol is None:
        raise Http404("No such protocol.")
    return protocol


@role_required(*STAFF_ROLES)
def protocol_detail(request: HttpRequest, code: str) -> HttpResponse:
    protocol = _current(request, code)
    context = {
        "protocol": protocol,
        "reference": DEFAULT_PROTOCOLS.get(code),
        "versions": list(selectors.versions(request.user.clinic_id, code)),
    }
    return render(request, "protocols/detail.html", context)


@action_required(MANAGE_CLINIC)
def protocol_edit(request: HttpRequest, code: str) -> HttpResponse:
    protocol = _current(request, code)
    form = ProtocolForm(request.POST if request.method == "POST" else None, protocol=protocol)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.save_protocol_version(
                    actor=request.user,
                    base=protocol,
                    changes=form.changes(),
                    vitals_interval_minutes=form.cleaned_data["vitals_interval_minutes"],
                    active=form.cleaned_data["active"],
                    change_note=form.cleaned_data["change_note"],
                    request=request,
                )
            except services.ProtocolRejected as rejected:
                for field, problems in rejected.problems.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, f"Version {version.version} of {version.title} saved.")
                return redirect("protocols:detail", code=code)
        status = 400
    context = {"form": form, "protocol": protocol, "reference": DEFAULT_PROTOCOLS.get(code)}
    return render(request, "protocols/edit.html", context, status=status)
