from django.contrib import admin

from dangjian.core.admin import TrackedAdmin

from .models import Leader, Organization, Term


@admin.register(Organization)
class OrganizationAdmin(TrackedAdmin):
    list_display = ["name", "kind", "parent", "path"]
    list_filter = ["kind", "depth"]
    search_fields = ["name"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # Moving an organization would change every path below it; the tree is edited by creating.
        return ["parent"] if obj else []

    def history_organization(self, obj):
        return obj


@admin.register(Term)
class TermAdmin(TrackedAdmin):
    list_display = ["organization", "name", "elected_on", "ends_on"]
    raw_id_fields = ["organization"]

    def history_organization(self, obj):
        return obj.organization


@admin.register(Leader)
class LeaderAdmin(TrackedAdmin):
    list_display = ["name", "post", "organization"]
    raw_id_fields = ["term"]
    search_fields = ["name"]

    def history_organization(self, obj):
        return obj.term.organization
