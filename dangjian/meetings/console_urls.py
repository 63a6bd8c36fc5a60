from django.urls import path

from . import compliance_views

urlpatterns = [
    # Compliance (三会一课落实情况): compliance_views.py.
    path("o/<int:org_id>/meetings/compliance/", compliance_views.branch_compliance, name="meetings_compliance"),
    path("o/<int:org_id>/meetings/compliance/grid/", compliance_views.compliance_grid, name="meetings_compliance_grid"),
    path("meetings/compliance/due/", compliance_views.due_list, name="meetings_due"),
]
