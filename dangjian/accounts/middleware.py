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
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and request.path_info.startswith(GUARDED_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:password_change')}?first=1")
        return self.get_response(request)
