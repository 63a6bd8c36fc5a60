from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext as _

from dangjian.core.admin import TrackedAdmin

from .models import Role, RoleGrant, User


class DangjianUserChangeForm(UserChangeForm):
    def clean_is_active(self):
        """A discipline officer's account is not disabled here: his sealed copies of the unit keys would
        stay, and only revoking the role (a supervision event) removes them and rotates the unit key."""
        active = self.cleaned_data.get("is_active")
        user = self.instance
        if user.pk and user.is_active and not active and user.role_grants.filter(role=Role.DISCIPLINE).exists():
            raise forms.ValidationError(
                _(
                    "This account is a discipline officer. An officer of the unit above must first revoke the "
                    "discipline role (supervision console), so that the unit's report keys are changed."
                )
            )
        return active


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = DangjianUserChangeForm
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Dangjian", {"fields": ("full_name", "personal_name", "mobile")}))
    list_display = ["username", "full_name", "mobile", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "mobile"]


@admin.register(RoleGrant)
class RoleGrantAdmin(TrackedAdmin):
    """The discipline role is a supervision event (audited, told to the unit above): not editable here."""

    list_display = ["user", "role", "organization", "granted_at"]
    raw_id_fields = ["user", "organization", "granted_by"]

    def history_organization(self, obj):
        return obj.organization

    def save_model(self, request, obj, form, change):
        if not change and obj.granted_by_id is None:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)

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


# django-otp's own admin shows each device's secret (the key field and a QR code page), so the system
# administrator could hold every officer's second factor. Ours only lists devices and removes a lost one.
import django_otp.plugins.otp_totp.admin  # noqa: E402,F401 - registers django-otp's admin first, to replace it
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

admin.site.unregister(TOTPDevice)


TOTP_DEVICE_FIELDS = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Authenticator apps of officers: who has one, since when; delete to let someone enrol again."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__full_name"]
    fields = TOTP_DEVICE_FIELDS
    readonly_fields = TOTP_DEVICE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
