"""Programs in the Django admin (audited). Entries are not here: every look at a person's
entry goes through the staff board, which audits it."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ketacare.audit.admin import AuditedModelAdmin

from . import services
from .models import Program


@admin.register(Program)
class ProgramAdmin(AuditedModelAdmin):
    list_display = ["name", "clinic", "weekly_capacity", "regions_served", "accepting_signups"]
    list_filter = ["clinic"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # New weights or regions re-rank the list, as the in-app settings page does.
        services.rerank(obj)
