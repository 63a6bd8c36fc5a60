"""Routes of the articles area: `console` (mounted in the console namespace) and `public` (namespace publishing)."""

from django.urls import path

from . import article_views as views

console: list = [
    path("articles/", views.article_list, name="articles"),
    path("o/<int:org_id>/articles/", views.article_list, name="article_list"),
    path("o/<int:org_id>/articles/new/", views.article_new, name="article_new"),
    path("o/<int:org_id>/articles/images/", views.article_image_upload, name="article_image_upload"),
    path("articles/<int:article_id>/", views.article_detail, name="article"),
    path("articles/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("articles/<int:article_id>/submit/", views.article_submit, name="article_submit"),
    path("articles/<int:article_id>/approve/", views.article_approve, name="article_approve"),
    path("articles/<int:article_id>/return/", views.article_return, name="article_return"),
    path("articles/<int:article_id>/withdraw/", views.article_withdraw, name="article_withdraw"),
]
public: list = [
    path("o/<int:org_id>/articles/<int:article_id>/cover/", views.article_cover, name="article_cover"),
    path(
        "o/<int:org_id>/articles/<int:article_id>/attachments/<int:attachment_id>/",
        views.article_attachment,
        name="article_attachment",
    ),
    path("articles/images/<int:image_id>/", views.article_image, name="article_image"),
]
