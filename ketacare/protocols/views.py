"""Protocol pages: staff read the clinic's protocols; administrators save new versions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ketacare.clinical.dosing import DEFAULT_PROTOCOLS
from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit

from . import selectors, services
from .forms import ProtocolForm


@action_required(policy.READ_PROTOCOLS)
def protocol_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    protocols = list(selectors.current_protocols(request.user.clinic_id))
    return render(request, "protocols/list.html", {"protocols": protocols})


@action_required(policy.READ_PROTOCOLS)
def protocol_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    protocol = selectors.protocol_for(request.user.clinic_id, code)
    context = {
        "protocol": protocol,
        "reference": DEFAULT_PROTOCOLS.get(code),
        "versions": list(selectors.versions(request.user.clinic_id, code)),
    }
    return render(request, "protocols/detail.html", context)


@action_required(policy.MANAGE_CLINIC)
def protocol_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    protocol = selectors.protocol_for(request.user.clinic_id, code)
    form = ProtocolForm(request.POST if request.method == "POST" else None, protocol=protocol)
    status = 200
    if request.method == "POST":
        done = submit(
            form,
            lambda data: services.save_protocol_version(
                actor=request.user,
                base=protocol,
                changes=form.changes(),
                vitals_interval_minutes=data["vitals_interval_minutes"],
                active=data["active"],
                change_note=data["change_note"],
            ),
        )
        if done.ok and done.result is not None:
            version = done.result
            messages.success(request, f"Version {version.version} of {version.title} saved.")
            return redirect("protocols:detail", code=code)
        status = 400
    context = {"form": form, "protocol": protocol, "reference": DEFAULT_PROTOCOLS.get(code)}
    return render(request, "protocols/edit.html", context, status=status)
