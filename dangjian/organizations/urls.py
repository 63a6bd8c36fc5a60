from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find, name="find"),
    path("o/<int:org_id>/", views.portal, name="portal"),
    path("o/<int:org_id>/leaders/", views.leadership, name="leadership"),
    path("o/<int:org_id>/leaders/<int:leader_id>/", views.leader_detail, name="leader"),
    path("o/<int:org_id>/leaders/<int:leader_id>/photo/", views.leader_photo, name="leader_photo"),
]
