"""Console routes of the usage summaries (in the shared "console" namespace): the summary pages here, the
reports' routes from report_urls."""

from django.urls import path

from . import report_urls, summary_views

urlpatterns = [
    path("summaries/", summary_views.summaries, name="summaries"),
    path("o/<int:org_id>/summary/", summary_views.organization_summary, name="summary"),
    path(
        "o/<int:org_id>/summary/rows/<str:metric>/<str:period>/",
        summary_views.summary_rows,
        name="summary_rows",
    ),
    *report_urls.console,
]
