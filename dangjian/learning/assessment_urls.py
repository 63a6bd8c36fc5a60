"""Routes of the assessment area: `public` (in the "learning" namespace) and `console` (in the shared "console" namespace)."""

from django.urls import path

from . import assessment_views as views

public: list = []
console: list = [
    path("learning/competencies/", views.competency_list, name="competencies"),
    path("learning/competencies/o/<int:org_id>/new/", views.competency_edit, name="competency_new"),
    path("learning/competencies/o/<int:org_id>/standard/", views.competency_change, name="competency_standard"),
    path("learning/competencies/o/<int:org_id>/<int:competency_id>/", views.competency_edit, name="competency_edit"),
    path(
        "learning/competencies/o/<int:org_id>/<int:competency_id>/change/",
        views.competency_change,
        name="competency_change",
    ),
    path("learning/assessments/rounds/", views.round_list, name="assessment_rounds"),
    path("learning/assessments/o/<int:org_id>/rounds/new/", views.round_edit, name="assessment_round_new"),
    path("learning/assessments/o/<int:org_id>/due/", views.due_list, name="assessments_due"),
    path("learning/assessments/rounds/<int:round_id>/", views.round_detail, name="assessment_round"),
    path("learning/assessments/rounds/<int:round_id>/edit/", views.round_edit, name="assessment_round_edit"),
    path("learning/assessments/rounds/<int:round_id>/exams/", views.round_exams, name="assessment_round_exams"),
    path("learning/assessments/rounds/<int:round_id>/state/", views.round_state, name="assessment_round_state"),
    path(
        "learning/assessments/rounds/<int:round_id>/officers/add/",
        views.round_add_officer,
        name="assessment_round_add_officer",
    ),
    path(
        "learning/assessments/rounds/<int:round_id>/officers/<int:assessment_id>/remove/",
        views.round_remove_officer,
        name="assessment_round_remove_officer",
    ),
    path("learning/assessments/mine/", views.my_assessments, name="my_assessments"),
    path("learning/assessments/to-grade/", views.to_grade, name="assessments_to_grade"),
    path("learning/assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("learning/assessments/<int:assessment_id>/task/", views.assessment_task, name="assessment_task"),
    path("learning/assessments/<int:assessment_id>/grade/", views.assessment_grade, name="assessment_grade"),
    path("learning/assessments/<int:assessment_id>/file/", views.assessment_file, name="assessment_file"),
]
