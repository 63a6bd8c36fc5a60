"""An account made by an administrator with a one-time password (accounts.actions.create_account_with_role)
chooses its own password before it does anything else in the console."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

GUARDED_PREFIXES = ("/console/", "/admin/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: a public page never loads the session or the user here (in a database outage it must
        # reach the view, which answers with its kept form).
        if not request.path_info.startswith(GUARDED_PREFIXES):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            return redirect(f"{reverse('accounts:password_change')}?first=1")
        return self.get_response(request)
