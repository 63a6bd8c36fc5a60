"""Routes of the submissions area: `console` (mounted in the console namespace) and `public` (namespace publishing)."""

from django.urls import path

from . import submission_views as views

console: list = [
    path("submissions/", views.submissions_home, name="submissions_home"),
    path("o/<int:org_id>/submissions/", views.submission_inbox, name="submissions"),
    path("o/<int:org_id>/submissions/<int:submission_id>/adopt/", views.submission_adopt, name="submission_adopt"),
    path(
        "orgs/<int:org_id>/submissions/<int:submission_id>/return/",
        views.submission_return,
        name="submission_return",
    ),
    path("o/<int:org_id>/submissions/sent/", views.submissions_sent, name="submissions_sent"),
    path("o/<int:org_id>/articles/<int:article_id>/submit/", views.article_submit, name="article_submit"),
]
public: list = []
