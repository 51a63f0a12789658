"""The clinic's screening settings (its administrator's page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit

from .. import selectors, services
from ..forms import ScreeningSettingsForm


@action_required(policy.MANAGE_CLINIC)
def clinic_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = selectors.settings_for(request.user.clinic_id)
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    form = ScreeningSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = submit(
            form, lambda data: services.update_screening_settings(actor=request.user, **data)
        )
        if done.ok:
            messages.success(request, "Screening settings saved.")
            return redirect("screening:settings")
    return render(
        request, "screening/settings.html", {"form": form}, status=400 if form.errors else 200
    )
