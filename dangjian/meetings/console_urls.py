from django.urls import path

from . import compliance_views, member_views, views

urlpatterns = [
    path("meetings/", views.overview, name="meetings"),
    path("o/<int:org_id>/meetings/", views.meeting_list, name="meeting_list"),
    path("o/<int:org_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/held/", views.meeting_held, name="meeting_held"),
    path("meetings/<int:meeting_id>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:meeting_id>/answer/", views.meeting_answer, name="meeting_answer"),
    path("meetings/<int:meeting_id>/minutes/", views.minutes_edit, name="meeting_minutes"),
    path(
        "meetings/<int:meeting_id>/minutes/correct/",
        views.minutes_edit,
        {"correct": True},
        name="meeting_minutes_correct",
    ),
    path("meetings/<int:meeting_id>/minutes/sign-off/", views.minutes_sign_off, name="meeting_sign_off"),
    path("meetings/<int:meeting_id>/minutes/print/", views.minutes_print, name="meeting_print"),
    path("meetings/<int:meeting_id>/minutes/pdf/", views.minutes_pdf, name="meeting_pdf"),
    path("meetings/<int:meeting_id>/files/", views.meeting_file_add, name="meeting_file_add"),
    path("meetings/<int:meeting_id>/files/<int:file_id>/", views.meeting_file, name="meeting_file"),
    path("my/meetings/", member_views.my_meetings, name="my_meetings"),
    path("my/meetings/calendar/", member_views.my_calendar, name="my_calendar"),
    # Compliance (三会一课落实情况): compliance_views.py.
    path("o/<int:org_id>/meetings/compliance/", compliance_views.branch_compliance, name="meetings_compliance"),
    path("o/<int:org_id>/meetings/compliance/grid/", compliance_views.compliance_grid, name="meetings_compliance_grid"),
    path("meetings/compliance/due/", compliance_views.due_list, name="meetings_due"),
]
