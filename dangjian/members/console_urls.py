from django.urls import path

from . import account_views

urlpatterns = [
    # Members' accounts (account_views.py): the branch's list, invitations, the member's own record.
    path("o/<int:org_id>/member-accounts/", account_views.member_accounts, name="member_accounts"),
    path("members/<int:member_id>/invite/", account_views.invite, name="member_invite"),
    path("members/<int:member_id>/invite/withdraw/", account_views.withdraw, name="member_invite_withdraw"),
    path("me/", account_views.my_record, name="member_me"),
]
