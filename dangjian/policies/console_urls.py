from django.urls import path

from . import console

urlpatterns = [
    path("o/<int:org_id>/policies/", console.policy_list, name="policy_list"),
    path("o/<int:org_id>/policies/new/", console.policy_edit, name="policy_new"),
    path("o/<int:org_id>/policies/<int:policy_id>/", console.policy_edit, name="policy_edit"),
    path("o/<int:org_id>/policies/<int:policy_id>/delete/", console.policy_delete, name="policy_delete"),
    path("o/<int:org_id>/policies/<int:policy_id>/attachments/", console.attachment_add, name="attachment_add"),
    path("o/<int:org_id>/attachments/<int:attachment_id>/remove/", console.attachment_remove, name="attachment_remove"),
    path(
        "o/<int:org_id>/policies/<int:policy_id>/interpretations/new/",
        console.interpretation_edit,
        name="interpretation_new",
    ),
    path(
        "o/<int:org_id>/policies/<int:policy_id>/interpretations/<int:interpretation_id>/",
        console.interpretation_edit,
        name="interpretation_edit",
    ),
]
