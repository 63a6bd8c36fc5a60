from django.urls import path

from . import sensitive_word_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("history/<str:model>/<int:object_id>/", views.history, name="history"),
    path("sensitive-words/", sensitive_word_views.sensitive_words, name="sensitive_words"),
    path("sensitive-words/import/", sensitive_word_views.sensitive_words_import, name="sensitive_words_import"),
    path("sensitive-words/export/", sensitive_word_views.sensitive_words_export, name="sensitive_words_export"),
    path(
        "sensitive-words/<int:word_id>/remove/",
        sensitive_word_views.sensitive_word_remove,
        name="sensitive_word_remove",
    ),
]
