"""Routes of the notices area: `console` (mounted in the console namespace) and `public` (namespace publishing)."""

from django.urls import path

from . import notice_views as views

console: list = [
    path("notices/", views.notice_office, name="notices"),
    path("o/<int:org_id>/notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice"),
    path("notices/<int:notice_id>/receipts/<int:recipient_id>/sign/", views.notice_sign, name="notice_sign"),
    path("notices/<int:notice_id>/receipts/<int:recipient_id>/reply/", views.notice_reply, name="notice_reply"),
    path("notices/<int:notice_id>/remind/", views.notice_remind, name="notice_remind"),
    path("notices/<int:notice_id>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:notice_id>/files/<int:attachment_id>/", views.notice_attachment, name="notice_attachment"),
    path("notices/<int:notice_id>/replies/files/<int:file_id>/", views.notice_reply_file, name="notice_reply_file"),
]
public: list = []
