"""Routes of the moderation area: `public` (in the "exchange" namespace) and `console` (in the shared "console"
namespace)."""

from django.urls import path

from . import moderation_views as views

public: list = [
    path("rooms/messages/<int:message_id>/report/", views.report, name="message_report"),
]
console: list = [
    path("exchange/moderation/", views.queue, name="moderation"),
    path("exchange/moderation/log/", views.log, name="moderation_log"),
    path("exchange/moderation/messages/<int:message_id>/", views.message_action, name="moderation_message"),
    path("exchange/moderation/questions/<int:question_id>/", views.question_action, name="moderation_question"),
    path("exchange/moderation/members/<int:membership_id>/", views.member_action, name="moderation_member"),
    path("exchange/moderation/reports/<int:report_id>/dismiss/", views.report_dismiss, name="moderation_dismiss"),
    path("exchange/moderation/members/<int:membership_id>/identity/", views.member_identity, name="member_identity"),
]
