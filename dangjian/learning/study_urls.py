"""Routes of the study area: `public` (in the "learning" namespace) and `console` (in the shared "console" namespace)."""

from django.urls import path

from . import study_views

public: list = [
    path("o/<int:org_id>/learning/", study_views.catalogue, name="catalogue"),
    path("o/<int:org_id>/learning/<int:course_id>/", study_views.course, name="course"),
    path("learning/lessons/<int:lesson_id>/", study_views.lesson, name="lesson"),
    path("learning/lessons/<int:lesson_id>/done/", study_views.lesson_done, name="lesson_done"),
    path("learning/lessons/<int:lesson_id>/video/", study_views.lesson_video, name="lesson_video"),
    path("learning/lessons/<int:lesson_id>/poster/", study_views.lesson_poster, name="lesson_poster"),
    path("learning/lessons/<int:lesson_id>/document/", study_views.lesson_document, name="lesson_document"),
    path("learning/mine/", study_views.my_learning, name="my_learning"),
]
console: list = []
