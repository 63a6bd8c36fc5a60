"""The console shell: sign-in and role checks for console pages, and edit pages that save through an action."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from dangjian.accounts.permissions import can_use_console
from dangjian.core.history import ActionError, history_for

HISTORY_SHOWN = 50  # change records listed under an edit form


def console_view(view):
    """Signed-in staff holding at least one role (or administrators) only."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_use_console(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def signed_in_view(view):
    """Any signed-in, active account, with or without a role: the console home and one's notifications,
    so that someone whose last role was revoked still reads why (and nothing else)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def add_field_errors(form, error) -> None:
    """Show an action's InvalidInput on the fields it names (on the form when it names no field of it)."""
    for name, field_errors in error.errors.items():
        for message in field_errors:
            form.add_error(name if name in form.fields else None, message)


def handle_form(request, form, save: Callable, success_url: str | Callable, success_message: str):
    """Validate and save a bound form through an action; refusals become form errors.

    Returns a redirect on success, None when the form must be shown again (input kept).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save(form)
    except ActionError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, success_message)
    return redirect(success_url(form) if callable(success_url) else success_url)


def form_page(request, form, save: Callable, *, success_url: str | Callable, success_message: str, **page):
    """An edit page: save through `handle_form`, or show the form again (see `render_form_page`)."""
    return handle_form(request, form, save, success_url, success_message) or render_form_page(request, form, **page)


def render_form_page(
    request, form, *, org, title: str, template: str = "console/form.html", status: int = 200, **context
):
    """Show an edit form with the history of its record."""
    instance = form.instance
    history = history_for(instance)[:HISTORY_SHOWN] if instance.pk else []
    return render(
        request, template, {"org": org, "form": form, "title": title, "history": history, **context}, status=status
    )
