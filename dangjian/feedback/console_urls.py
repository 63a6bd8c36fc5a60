from django.urls import path

from . import console

urlpatterns = [
    path("feedback/", console.inbox, name="feedback_inbox"),
    path("feedback/export.csv", console.export, name="feedback_export"),
    path("feedback/<int:case_id>/", console.case_page, name="feedback_case"),
    path("feedback/<int:case_id>/<slug:step>/", console.case_step, name="feedback_step"),
    path("feedback/extensions/<int:extension_id>/", console.extension_decide, name="feedback_extension"),
    path("feedback/limits/", console.time_limits, name="feedback_limits"),
    path("o/<int:org_id>/feedback/templates/", console.reply_templates, name="feedback_templates"),
    path("o/<int:org_id>/feedback/catalogue/", console.catalogue, name="feedback_catalogue"),
    path("calendar/", console.calendar, name="calendar"),
]
