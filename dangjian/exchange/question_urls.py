"""Routes of the question area: `public` (in the "exchange" namespace) and `console` (in the shared "console"
namespace)."""

from django.urls import path

from . import question_views as views

public: list = [
    path("o/<int:org_id>/questions/", views.question_list, name="questions"),
    path("o/<int:org_id>/questions/ask/", views.ask, name="ask"),
    path("o/<int:org_id>/questions/<int:question_id>/", views.question_detail, name="question"),
]
console: list = [
    path("exchange/questions/", views.console_list, name="public_questions"),
    path("exchange/questions/<int:question_id>/", views.console_detail, name="public_question"),
    path("exchange/questions/<int:question_id>/answer/", views.console_answer, name="public_question_answer"),
    path("exchange/questions/<int:question_id>/remove/", views.console_remove, name="public_question_remove"),
    path("exchange/questions/<int:question_id>/case/", views.console_to_case, name="public_question_case"),
]
