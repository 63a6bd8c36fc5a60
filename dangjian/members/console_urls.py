from django.urls import path

from . import account_views, import_views, views

urlpatterns = [
    path("members/", views.home, name="members_home"),
    path("o/<int:org_id>/members/", views.member_list, name="members"),
    path("o/<int:org_id>/members/new/", views.member_new, name="member_new"),
    path("o/<int:org_id>/members/export/", views.roster_export, name="members_export"),
    path("o/<int:org_id>/members/exports/", views.export_log, name="members_export_log"),
    path("members/<int:member_id>/", views.member_page, name="member"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:member_id>/status/", views.member_status, name="member_status"),
    path("members/<int:member_id>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/transfers/<int:transfer_id>/receive/", views.transfer_receive, name="member_receive"),
    path("members/transfers/<int:transfer_id>/withdraw/", views.transfer_withdraw, name="member_withdraw"),
    # Members' accounts (account_views.py): the branch's list, invitations, the member's own record.
    path("o/<int:org_id>/member-accounts/", account_views.member_accounts, name="member_accounts"),
    path("members/<int:member_id>/invite/", account_views.invite, name="member_invite"),
    path("members/<int:member_id>/invite/withdraw/", account_views.withdraw, name="member_invite_withdraw"),
    path("me/", account_views.my_record, name="member_me"),
    # The roster import (import_views.py).
    path("o/<int:org_id>/members/import/", import_views.upload, name="roster_import"),
    path("o/<int:org_id>/members/import/template/", import_views.template, name="roster_template"),
    path("o/<int:org_id>/members/import/<int:import_id>/", import_views.preview, name="roster_preview"),
    path("o/<int:org_id>/members/import/<int:import_id>/confirm/", import_views.confirm, name="roster_confirm"),
]
