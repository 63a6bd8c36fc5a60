from django.urls import path

from . import console

urlpatterns = [
    path("o/<int:org_id>/", console.organization, name="organization"),
    path("o/<int:org_id>/add/", console.organization_add, name="org_add"),
    path("o/<int:org_id>/move/", console.organization_move, name="org_move"),
    path("o/<int:org_id>/close/", console.organization_close, name="org_close"),
    path("o/<int:org_id>/profile/", console.profile_edit, name="profile_edit"),
    path("o/<int:org_id>/terms/new/", console.term_edit, name="term_new"),
    path("o/<int:org_id>/terms/<int:term_id>/", console.term_edit, name="term_edit"),
    path("o/<int:org_id>/leaders/new/", console.leader_edit, name="leader_new"),
    path("o/<int:org_id>/leaders/<int:leader_id>/", console.leader_edit, name="leader_edit"),
    path("o/<int:org_id>/leaders/<int:leader_id>/delete/", console.leader_delete, name="leader_delete"),
]
