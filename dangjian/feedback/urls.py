from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("o/<int:org_id>/feedback/", views.case_list, name="list"),
    path("o/<int:org_id>/feedback/new/", views.submit, name="submit"),
    path("o/<int:org_id>/feedback/figures/", views.figures, name="figures"),
    path("o/<int:org_id>/feedback/<int:case_id>/", views.case_detail, name="detail"),
    path("feedback/lookup/", views.lookup, name="lookup"),
    path("feedback/lookup/mobile/", views.lookup_mobile, name="lookup_mobile"),
    path("feedback/mine/", views.mine, name="mine"),
    path("feedback/track/<str:number>/", views.track, name="track"),
    path("feedback/photos/<int:photo_id>/", views.photo, name="photo"),
]
