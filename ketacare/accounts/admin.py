"""Django admin for clinics, users (email logins, no username) and API tokens. Every change
made here is audited (ketacare.audit.admin.AuditedModelAdmin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest

from ketacare.audit.admin import AuditedModelAdmin

from .models import ApiToken, Clinic, User


@admin.register(Clinic)
class ClinicAdmin(AuditedModelAdmin):
    list_display = ("name", "slug", "timezone", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "clinic", "role")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "clinic", "role")}),
        ("Security", {"fields": ("mfa_exempt", "login_count", "is_active")}),
        (
            "Django admin access",
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "clinic", "role", "usable_password",
                           "password1", "password2"),
            },
        ),
    )  # fmt: skip
    readonly_fields = ("login_count", "last_login", "date_joined")
    list_display = ("email", "full_name", "clinic", "role", "is_active", "is_staff")
    list_filter = ("role", "clinic", "is_active", "is_staff", "mfa_exempt")
    list_select_related = ("clinic",)
    search_fields = ("email", "full_name")
    ordering = ("email",)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are created by their owner in the app (the secret is shown once); here they can
    only be looked at and revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__email", "prefix")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
