"""Routes of the training area: `public` (in the "learning" namespace) and `console` (in the shared "console" namespace)."""

from django.urls import path

from . import training_views as views

public: list = [
    path("learning/training/<int:session_id>/", views.session_page, name="training"),
    path("learning/training/<int:session_id>/register/", views.session_register, name="training_register"),
    path("learning/training/<int:session_id>/withdraw/", views.session_withdraw, name="training_withdraw"),
    path("learning/training/<int:session_id>/checkin/<str:token>/", views.session_checkin, name="training_checkin"),
    path(
        "learning/training/<int:session_id>/materials/<int:material_id>/",
        views.material_file,
        name="training_material",
    ),
]
console: list = [
    path("learning/training/", views.session_list, name="training_sessions"),
    path("learning/training/new/", views.session_new_choose, name="training_new_choose"),
    path("learning/training/new/<int:org_id>/", views.session_new, name="training_new"),
    path("learning/training/<int:session_id>/", views.session_detail, name="training_session"),
    path("learning/training/<int:session_id>/edit/", views.session_edit, name="training_edit"),
    path("learning/training/<int:session_id>/attendance/", views.session_attendance, name="training_attendance"),
    path("learning/training/<int:session_id>/cancel/", views.session_cancel, name="training_cancel"),
    path("learning/training/<int:session_id>/door/", views.session_door, name="training_door"),
    path("learning/training/<int:session_id>/door/renew/", views.session_renew_code, name="training_renew_code"),
    path(
        "learning/training/<int:session_id>/materials/<int:material_id>/remove/",
        views.material_remove,
        name="training_material_remove",
    ),
]
