from django.urls import path

from . import summary_views

urlpatterns = [
    path("summaries/", summary_views.summaries, name="summaries"),
    path("o/<int:org_id>/summary/", summary_views.organization_summary, name="summary"),
    path(
        "o/<int:org_id>/summary/rows/<str:metric>/<str:period>/",
        summary_views.summary_rows,
        name="summary_rows",
    ),
]
