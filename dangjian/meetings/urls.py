"""The meeting office's addresses outside the console: the QR code's check-in page and the personal ICS feed."""

from django.urls import path

from . import member_views

app_name = "meetings"

urlpatterns = [
    path("meetings/check-in/<str:token>/", member_views.check_in, name="check_in"),
    path("meetings/calendar/<str:token>.ics", member_views.calendar_feed, name="calendar_feed"),
]
