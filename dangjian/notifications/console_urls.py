from django.urls import path

from . import robot_views, views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("o/<int:org_id>/robots/", robot_views.robots, name="robots"),
    path("o/<int:org_id>/robots/add/", robot_views.robot_add, name="robot_add"),
    path("robots/<int:robot_id>/", robot_views.robot, name="robot"),
    path("robots/<int:robot_id>/edit/", robot_views.robot_edit, name="robot_edit"),
    path("robots/<int:robot_id>/test/", robot_views.robot_test, name="robot_test"),
    path("robots/<int:robot_id>/deliveries/<int:delivery_id>/retry/", robot_views.robot_retry, name="robot_retry"),
]
