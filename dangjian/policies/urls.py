from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("o/<int:org_id>/policies/", views.policy_list, name="list"),
    path("o/<int:org_id>/policies/<int:policy_id>/", views.policy_detail, name="detail"),
    path(
        "o/<int:org_id>/policies/<int:policy_id>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]
