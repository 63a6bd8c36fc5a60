"""The console page of one's notifications: read them, mark them read, send a failed e-mail again."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.console.shell import signed_in_view

from . import api

PAGE_SIZE = 30


@signed_in_view
def notifications(request):
    if request.method == "POST":
        if "retry" in request.POST:
            retry = request.POST["retry"]
            count = api.retry_mail(request.user, [int(retry)] if retry.isdigit() else [])
            messages.success(request, _("%(n)s e-mail(s) queued again.") % {"n": count})
        else:
            api.mark_read(request.user)
            messages.success(request, _("All notifications were marked as read."))
        return redirect("console:notifications")
    page = Paginator(api.for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/console/notifications.html", {"page": page})
