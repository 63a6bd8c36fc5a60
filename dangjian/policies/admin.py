from django.contrib import admin

from .models import PolicyCategory


@admin.register(PolicyCategory)
class PolicyCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "sort_order"]
