from django.urls import path

from . import views

urlpatterns = [
    path("o/<int:org_id>/roles/", views.roles, name="roles"),
    path("o/<int:org_id>/roles/new-account/", views.new_account, name="account_new"),
    path("o/<int:org_id>/roles/<int:grant_id>/revoke/", views.revoke, name="role_revoke"),
]
