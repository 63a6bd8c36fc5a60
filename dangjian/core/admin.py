"""What the admin sites of the apps share: changes made there leave the same history as the actions."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from .history import delete_tracked, save_tracked
from .models import SensitiveWord


class TrackedAdmin(admin.ModelAdmin):
    """A model admin whose saves and deletions write a ChangeRecord (core.history) in the same transaction,
    so a change made by the system administrator shows in the record's history like any other."""

    def history_organization(self, obj):
        """The organization the change is recorded under (for scoping who may read the history)."""
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if save_tracked(request.user, obj, self.history_organization(obj)) is None:
                obj.save()  # no tracked field changed; other fields may have

    def delete_model(self, request, obj):
        delete_tracked(request.user, obj, self.history_organization(obj))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(SensitiveWord)
class SensitiveWordAdmin(admin.ModelAdmin):
    """The shared sensitive-word list (core/sensitive.py); every process picks up a change at its next check."""

    list_display = ["word", "level", "category", "updated_at"]
    list_filter = ["level", "category"]
    search_fields = ["word"]
