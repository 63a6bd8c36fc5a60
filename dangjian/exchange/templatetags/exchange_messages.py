"""Template helpers of the message area (the room page's messages and its composer)."""

from __future__ import annotations

import datetime
import re

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import live, mentions
from ..models import Message

register = template.Library()

RECENT_SPEAKERS = 30
SCAN_MESSAGES = 200


def _nicknames(context, room_id: int) -> dict[int, str]:
    """The room's nicknames by user, looked up once per page."""
    cache = context.render_context.setdefault("exchange_nicknames", {})
    if room_id not in cache:
        cache[room_id] = mentions.nickname_map(room_id)
    return cache[room_id]


@register.simple_tag(takes_context=True)
def message_body(context, message: Message):
    """The message's text, escaped, line breaks kept, each @mention of a member marked (the viewer's own, too)."""
    text = str(escape(message.body))
    mentioned = [user.pk for user in message.mentions.all()]
    if mentioned:
        names = _nicknames(context, message.room_id)
        viewer = getattr(context.get("user"), "pk", None)
        by_name = {escape(names[pk]): pk for pk in mentioned if names.get(pk)}
        if by_name:
            pattern = re.compile("@(" + "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True)) + ")")

            def mark(found: re.Match) -> str:
                mine = by_name[found.group(1)] == viewer
                css = "mention mention-me" if mine else "mention"
                return f'<span class="{css}">{found.group(0)}</span>'

            text = pattern.sub(mark, text)
    return mark_safe(text.replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308 - escaped above


@register.filter
def mentions_me(message: Message, user) -> bool:
    pk = getattr(user, "pk", None)
    return pk is not None and any(u.pk == pk for u in message.mentions.all())


@register.simple_tag
def recall_until(message: Message, user):
    """Until when the viewer may recall this message (their own, shown or waiting); None when they may not."""
    if message.author_id is None or message.author_id != getattr(user, "pk", None):
        return None
    if message.state not in (Message.State.PUBLISHED, Message.State.HELD):
        return None
    until = message.created_at + datetime.timedelta(seconds=settings.EXCHANGE_RECALL_SECONDS)
    return until if until > timezone.now() else None


@register.simple_tag(takes_context=True)
def reply_target(context, room):
    """The message a ?reply=<id> link asks to answer: shown in this room, else None."""
    request = context.get("request")
    wanted = request.GET.get("reply", "") if request is not None else ""
    if not wanted.isdigit():
        return None
    return Message.objects.filter(pk=int(wanted), room=room, state=Message.State.PUBLISHED).first()


@register.filter
def message_time(at) -> str:
    return live.shown_time(at)


@register.filter
def excerpt(message: Message) -> str:
    return live._excerpt(message)


@register.simple_tag
def recent_nicknames(room, user) -> list[str]:
    """Nicknames to @ from the composer: the people who spoke lately and are still in the room (not the viewer)."""
    authors = (
        Message.objects.filter(room=room, state=Message.State.PUBLISHED)
        .exclude(author=None)
        .order_by("-id")
        .values_list("author_id", flat=True)[:SCAN_MESSAGES]
    )
    order: list[int] = []
    for author in authors:
        if author not in order and author != getattr(user, "pk", None):
            order.append(author)
        if len(order) >= RECENT_SPEAKERS:
            break
    active = dict(
        room.memberships.filter(user_id__in=order, left_at=None, removed_at=None).values_list("user_id", "nickname")
    )
    return [active[pk] for pk in order if pk in active]


# Common emoji of Chinese group chats (the composer's 表情 row); any other is typed with the phone's keyboard.
COMPOSER_EMOJI = ["😀", "😂", "😊", "👍", "👏", "🙏", "❤️", "🌹", "💪", "🎉", "😢", "😮", "✅", "☕", "☀️", "🌧️"]


@register.inclusion_tag("exchange/_composer.html", takes_context=True)
def message_composer(context):
    """The room's composer (exchange/_composer.html) for the room, the viewer and a ?reply=<id>."""
    from django.template.defaultfilters import filesizeformat

    from .. import attachments

    room = context["room"]
    user = context.get("user")
    return {
        "room": room,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "client_token": context.get("client_token"),
        "replying": reply_target(context, room),
        "nicknames": recent_nicknames(room, user),
        "composer_emoji": COMPOSER_EMOJI,
        "image_accept": attachments.IMAGE_ACCEPT,
        "file_accept": attachments.FILE_ACCEPT,
        "file_limit": filesizeformat(settings.EXCHANGE_FILE_MAX_BYTES),
        "max_chars": settings.EXCHANGE_MESSAGE_MAX_CHARS,
        "composer_error": context.get("composer_error", ""),
        "composer_body": context.get("composer_body", ""),
    }
