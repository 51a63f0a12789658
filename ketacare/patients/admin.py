"""Django admin for patient records. Viewing or changing a record here is audited like in the
app. Weights and diagnoses are shown, not edited: clinical entries are made in the app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from ketacare.audit.admin import AuditedModelAdmin

from .models import Diagnosis, Patient, WeightMeasurement


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WeightInline(ReadOnlyInline):
    model = WeightMeasurement
    fields = ("weight_kg", "measured_on", "recorded_by", "recorded_at")
    readonly_fields = fields


class DiagnosisInline(ReadOnlyInline):
    model = Diagnosis
    fields = ("description", "code", "diagnosed_on", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(Patient)
class PatientAdmin(AuditedModelAdmin):
    list_display = ("last_name", "first_name", "date_of_birth", "clinic", "user")
    list_filter = ("clinic",)
    list_select_related = ("clinic", "user")
    search_fields = ("last_name", "first_name", "email")
    autocomplete_fields = ("user",)
    filter_horizontal = ("monitors",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (WeightInline, DiagnosisInline)
    audit_changelist = True

    def patient_of(self, obj: Model) -> Any:
        return obj
