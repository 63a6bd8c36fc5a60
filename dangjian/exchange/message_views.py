"""The message area's pages: a message's picture and file, served only to people who may read its room and only
while the message is shown (a held one to moderators and its author); and the author's recall (撤回)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.history import ActionError, NotFound

from . import access, actions, attachments
from .models import Message


def _shown_message(user, message_id: int) -> Message:
    """The message if the person may see it now; Http404 otherwise (whether it exists is not told)."""
    message = Message.objects.select_related("room__organization").filter(pk=message_id).first()
    if message is None or not access.may_read(user, message.room):
        raise Http404
    if message.state == Message.State.PUBLISHED:
        return message
    if message.state == Message.State.HELD and (
        message.author_id == user.pk or access.may_moderate(user, message.room)
    ):
        return message
    raise Http404


def _private(response: FileResponse) -> FileResponse:
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def image(request, message_id: int):
    """A message's picture (?thumb=1: its thumbnail, for the conversation)."""
    message = _shown_message(request.user, message_id)
    if not message.image:
        raise Http404
    name = message.image.name or ""
    if request.GET.get("thumb") and default_storage.exists(attachments.thumb_name(name)):
        name = attachments.thumb_name(name)
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return _private(FileResponse(handle, content_type="image/jpeg"))


@login_required
def file(request, message_id: int):
    """A message's file, downloaded under the name it was sent with."""
    message = _shown_message(request.user, message_id)
    if not message.file:
        raise Http404
    try:
        handle = message.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return _private(
        FileResponse(
            handle,
            as_attachment=True,
            filename=attachments.safe_name(message.file_name),
            content_type=attachments.content_type(message.file_name),
        )
    )


@login_required
@require_POST
def recall(request, message_id: int):
    """The author takes a message back within EXCHANGE_RECALL_SECONDS (a refusal says why)."""
    message = Message.objects.filter(pk=message_id, author=request.user).select_related("room").first()
    if message is None or not access.may_read(request.user, message.room):
        raise Http404
    try:
        actions.recall_message(request.user, message.pk)
    except NotFound:
        raise Http404 from None
    except ActionError as error:
        flash.error(request, str(error))
        return redirect(reverse("exchange:room", args=[message.room_id]) + f"#m{message.pk}")
    flash.success(request, _("You recalled the message."))
    return redirect(reverse("exchange:room", args=[message.room_id]) + f"#m{message.pk}")
