"""Routes of the bank area: `public` (in the "learning" namespace) and `console` (in the shared "console" namespace)."""

from django.urls import path

from . import bank_views, quiz_views

public: list = [
    path("learning/lessons/<int:lesson_id>/quiz/", quiz_views.take_quiz, name="quiz"),
]
console: list = [
    path("learning/banks/", bank_views.bank_list, name="question_banks"),
    path("learning/banks/<int:bank_id>/", bank_views.bank_detail, name="question_bank"),
    path("learning/banks/<int:bank_id>/questions/new/", bank_views.question_edit, name="question_new"),
    path("learning/banks/<int:bank_id>/questions/<int:question_id>/", bank_views.question_edit, name="question_edit"),
    path(
        "learning/banks/<int:bank_id>/questions/<int:question_id>/archive/",
        bank_views.question_archive,
        name="question_archive",
    ),
    path("learning/banks/<int:bank_id>/template.xlsx", bank_views.bank_template, name="question_bank_template"),
    path("learning/banks/<int:bank_id>/export.xlsx", bank_views.bank_export, name="question_bank_export"),
    path("learning/banks/<int:bank_id>/import/", bank_views.bank_import, name="question_bank_import"),
    path(
        "learning/banks/<int:bank_id>/import/confirm/",
        bank_views.bank_import_confirm,
        name="question_bank_import_confirm",
    ),
    path("learning/lessons/<int:lesson_id>/questions/", quiz_views.quiz_questions, name="quiz_questions"),
]
