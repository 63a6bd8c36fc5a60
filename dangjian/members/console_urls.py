from django.urls import path

from . import import_views

urlpatterns = [
    path("o/<int:org_id>/members/import/", import_views.upload, name="roster_import"),
    path("o/<int:org_id>/members/import/template/", import_views.template, name="roster_template"),
    path("o/<int:org_id>/members/import/<int:import_id>/", import_views.preview, name="roster_preview"),
    path("o/<int:org_id>/members/import/<int:import_id>/confirm/", import_views.confirm, name="roster_confirm"),
]
