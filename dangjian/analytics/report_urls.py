"""Routes of the usage reports (mounted in the console namespace by console_urls.py)."""

from django.urls import path

from . import report_views as views

console: list = [
    path("o/<int:org_id>/summary-reports/", views.summary_reports, name="summary_reports"),
    path("summary-reports/<int:report_id>/", views.summary_report, name="summary_report"),
    path("summary-reports/<int:report_id>/<str:fmt>/", views.summary_report_file, name="summary_report_file"),
]
