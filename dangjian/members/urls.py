from django.urls import path

from . import account_views

app_name = "members"
urlpatterns = [
    # Members' accounts (account_views.py): joining with an invitation, signing in with a code by SMS.
    path("join/<str:token>/", account_views.join, name="join"),
    path("sign-in/sms/", account_views.sms_sign_in, name="sms_sign_in"),
]
