from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("history/<str:model>/<int:object_id>/", views.history, name="history"),
]
