"""Public pages in the Django admin: a published page replaces the Markdown file of the same
slug. Edits are audited like every admin change."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ketacare.audit.admin import AuditedModelAdmin

from .models import Page


@admin.register(Page)
class PageAdmin(AuditedModelAdmin):
    list_display = ["title", "slug", "nav_order", "published", "updated_at"]
    list_editable = ["nav_order", "published"]
    search_fields = ["title", "slug"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
