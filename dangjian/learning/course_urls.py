"""Routes of the course area: `public` (in the "learning" namespace) and `console` (in the shared "console" namespace)."""

from django.urls import path

from . import course_views as views

public: list = []
console: list = [
    path("learning/courses/", views.courses, name="courses"),
    path("learning/o/<int:org_id>/courses/new/", views.course_new, name="course_new"),
    path("learning/courses/<int:course_id>/", views.course_detail, name="course"),
    path("learning/courses/<int:course_id>/submit/", views.course_submit, name="course_submit"),
    path("learning/courses/<int:course_id>/publish/", views.course_publish, name="course_publish"),
    path("learning/courses/<int:course_id>/return/", views.course_return, name="course_return"),
    path("learning/courses/<int:course_id>/withdraw/", views.course_withdraw, name="course_withdraw"),
    path("learning/courses/<int:course_id>/cover/", views.course_cover, name="course_cover"),
    path("learning/courses/<int:course_id>/lessons/new/<str:kind>/", views.lesson_new, name="course_lesson_new"),
    path("learning/lessons/<int:lesson_id>/edit/", views.lesson_edit, name="course_lesson"),
    path("learning/lessons/<int:lesson_id>/delete/", views.lesson_delete, name="course_lesson_delete"),
    path("learning/lessons/<int:lesson_id>/move/", views.lesson_move, name="course_lesson_move"),
    path("learning/lessons/<int:lesson_id>/file/<str:what>/", views.lesson_file, name="course_lesson_file"),
]
