from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("o/<int:org_id>/supervision/", views.intro, name="intro"),
    path("o/<int:org_id>/supervision/new/", views.report, name="report"),
    path("supervision/follow/", views.follow, name="follow"),
]
