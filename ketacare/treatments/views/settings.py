"""The clinic's treatment settings and chairs (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketacare.core import policy
from ketacare.core.http import AuthenticatedHttpRequest
from ketacare.core.views import action_required, submit

from .. import selectors, services
from ..constants import SETTINGS_FIELDS
from ..forms import ChairForm, SettingsForm
from ..models import TreatmentSettings
from .common import in_clinic_time


@action_required(policy.MANAGE_CLINIC)
@in_clinic_time
def treatment_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    instance = selectors.treatment_settings_of(request.user.clinic_id)
    form = SettingsForm(
        request.POST if request.method == "POST" else None, instance=instance or TreatmentSettings()
    )
    status = 200
    if request.method == "POST":
        form.instance = TreatmentSettings()  # the service writes, not the form
        done = submit(
            form,
            lambda data: services.update_treatment_settings(
                actor=request.user, **{name: data[name] for name in SETTINGS_FIELDS}
            ),
        )
        if done.ok:
            messages.success(request, "Treatment settings saved.")
            return redirect("treatments:settings")
        status = 400
    return _settings_page(request, form, ChairForm(), status)


def _settings_page(
    request: AuthenticatedHttpRequest, form: Any, chair_form: Any, status: int
) -> HttpResponse:
    context = {
        "form": form,
        "chair_form": chair_form,
        "chairs": list(selectors.chairs_of(request.user)),
    }
    return render(request, "treatments/settings.html", context, status=status)


@action_required(policy.MANAGE_CLINIC)
@in_clinic_time
@require_POST
def chair_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ChairForm(request.POST)
    done = submit(form, lambda data: services.add_chair(actor=request.user, **data))
    if done.ok:
        messages.success(request, "Chair added.")
        return redirect("treatments:settings")
    instance = selectors.treatment_settings_of(request.user.clinic_id)
    return _settings_page(request, SettingsForm(instance=instance), form, 400)


@action_required(policy.MANAGE_CLINIC)
@require_POST
def chair_toggle(request: AuthenticatedHttpRequest, chair_id: int) -> HttpResponse:
    chair = selectors.chair_for(request.user, chair_id)
    services.set_chair_active(actor=request.user, chair=chair, active=not chair.active)
    messages.success(request, f"{chair} is {'in use' if chair.active else 'retired'}.")
    return redirect("treatments:settings")
