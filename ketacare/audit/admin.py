"""Django admin: the audit trail, read-only, and the base class that audits admin edits.

The Django admin is for the people who run the installation; what they see of patients and
what they change is written to the same trail as the application's own reads and writes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from .log import record
from .models import AuditAction, AuditEvent

ADMIN_DETAIL = "Django admin"


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose views, additions, changes and deletions are audited. Subclasses
    name the patient an object belongs to (`patient_of`), if any."""

    # Set on admins whose list pages show patients' data: the listing is audited too.
    audit_changelist = False

    def patient_of(self, obj: Model) -> Any:
        return None

    def _record(self, request: HttpRequest, action: str, obj: Model, detail: str) -> None:
        patient = self.patient_of(obj)
        clinic_id = getattr(obj, "clinic_id", None) or getattr(patient, "clinic_id", None)
        record(actor=request.user, action=action, obj=obj, patient=patient, clinic_id=clinic_id,
               detail=detail)  # fmt: skip

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:  # fmt: skip
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None and self.has_view_or_change_permission(request, obj):
                self._record(request, AuditAction.VIEW, obj, ADMIN_DETAIL)
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if self.audit_changelist and self.has_view_or_change_permission(request):
            record(actor=request.user, action=AuditAction.LIST, obj=(self.opts.label, ""),
                   detail=ADMIN_DETAIL)  # fmt: skip
        return super().changelist_view(request, extra_context)

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._record(request, AuditAction.CREATE, obj, ADMIN_DETAIL)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._record(request, AuditAction.UPDATE, obj, f"{ADMIN_DETAIL}: {message}"[:500])
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            self._record(request, AuditAction.DELETE, obj, ADMIN_DETAIL)
        return super().log_deletions(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, so nobody may add, change or delete a row here."""

    list_display = ("id", "at", "actor_email", "action", "model", "object_id", "patient_id",
                    "outcome", "clinic_id")  # fmt: skip
    list_filter = ("action", "outcome")
    search_fields = ("actor_email", "=object_id", "detail")
    date_hierarchy = "at"
    list_per_page = 50
    show_full_result_count = False
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return super().get_queryset(request).order_by("-id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
