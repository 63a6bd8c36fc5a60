from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Role, RoleGrant, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Dangjian", {"fields": ("full_name", "personal_name", "mobile")}),)
    list_display = ["username", "full_name", "mobile", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "mobile"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """The discipline role is a supervision event (audited, told to the unit above): not editable here."""

    list_display = ["user", "role", "organization", "granted_at"]
    raw_id_fields = ["user", "organization", "granted_by"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = [c for c in Role.choices if c[0] != Role.DISCIPLINE]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.role == Role.DISCIPLINE:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.role == Role.DISCIPLINE:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.exclude(role=Role.DISCIPLINE))
