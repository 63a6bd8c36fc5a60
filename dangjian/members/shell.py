"""Pages for party members with an account (their own record, their branch's meetings): `member_view`."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .queries import member_for_user


def member_view(view):
    """Signed-in accounts that belong to a member on the roll; the view gets `request.member`. A member who was
    transferred out, suspended or removed loses these pages at once (403), whatever their session."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = member_for_user(request.user)
        if member is None:
            raise PermissionDenied
        request.member = member
        return view(request, *args, **kwargs)

    return wrapper
