"""Routes of the exam area: `public` (in the "learning" namespace) and `console` (in the shared "console" namespace)."""

from django.urls import path

from . import exam_views as views

public: list = [
    path("learning/exams/<int:exam_id>/", views.exam_start, name="exam"),
    path("learning/exams/<int:exam_id>/start/", views.exam_begin, name="exam_begin"),
    path("learning/attempts/<int:attempt_id>/", views.exam_attempt, name="exam_attempt"),
    path("learning/attempts/<int:attempt_id>/answer/", views.exam_answer, name="exam_answer"),
    path("learning/attempts/<int:attempt_id>/submit/", views.exam_submit, name="exam_submit"),
    path("learning/certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("learning/verify/", views.verify, name="verify"),
]
console: list = [
    path("learning/exams/", views.exam_list, name="exams"),
    path("o/<int:org_id>/learning/exams/new/", views.exam_new, name="exam_new"),
    path("learning/exams/<int:exam_id>/", views.exam_detail, name="exam"),
    path("learning/exams/<int:exam_id>/rules/", views.exam_rule_add, name="exam_rule_add"),
    path("learning/exams/<int:exam_id>/rules/<int:rule_id>/remove/", views.exam_rule_remove, name="exam_rule_remove"),
    path("learning/exams/<int:exam_id>/state/", views.exam_state, name="exam_state"),
]
