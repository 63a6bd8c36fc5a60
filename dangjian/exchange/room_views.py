"""The room's pages, which work without JavaScript: the conversation (the latest messages, older ones page by page
with ?before=<id>, without limit) and the form that posts a message; one's rooms with their unread counts and the
rooms one may join; joining under a nickname; a room's information (announcement, members by nickname, one's
nickname, mute, leaving). room.js (live area) turns the room page into a live one over the WebSocket. The rooms
area owns this file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.console.shell import add_field_errors
from dangjian.core.history import ActionError, InvalidInput, NotFound

from . import access, actions, live, resident_views, room_actions, room_queries
from .models import Membership, Message, Room
from .room_forms import AnnouncementForm, NicknameForm

PAGE = 50


def _room_or_404(user, room_id: int) -> Room:
    try:
        return access.get_room_for_user(user, room_id)
    except Room.DoesNotExist:
        raise Http404 from None


def visible_messages(room: Room, user, moderator: bool):
    """The messages a person sees in a room: published, recalled and removed ones (as such), and held ones to
    moderators and to their authors."""
    shown = Message.objects.filter(room=room).select_related("reply_to").prefetch_related("mentions")
    if not moderator:
        shown = shown.exclude(Q(state=Message.State.HELD) & ~Q(author=user))
    return shown


@login_required
def room(request, room_id: int):
    try:
        room = _room_or_404(request.user, room_id)
    except Http404:
        # Someone who may join but is not in yet is shown how to join.
        found = Room.objects.select_related("organization").filter(pk=room_id).first()
        if found is not None and access.may_join(request.user, found):
            return redirect("exchange:room_join", found.pk)
        raise
    return _room_page(request, room)


def _room_page(request, room: Room, error: str = "", body: str = "", status: int = 200):
    """The room page; after a refused post, the reason above the composer and the typed text kept."""
    own = access.membership(request.user, room)
    moderator = access.may_moderate(request.user, room)
    shown = visible_messages(room, request.user, moderator)
    before = request.GET.get("before", "") if request.method == "GET" else ""
    if before.isdigit():
        shown = shown.filter(pk__lt=int(before))
    page = list(shown.order_by("-id")[: PAGE + 1])
    older = len(page) > PAGE
    page = list(reversed(page[:PAGE]))
    if own is not None and not before:
        actions.mark_read(request.user, room.pk, room.last_rev)
    return render(
        request,
        "exchange/room.html",
        {
            "room": room,
            "membership": own,
            "moderator": moderator,
            "room_messages": page,
            "older": page[0].pk if older and page else None,
            "paging_back": before.isdigit(),
            "may_join": own is None and access.may_join(request.user, room),
            "client_token": uuid.uuid4(),
            "realtime_url": live.socket_url(request, room.pk),
            "recall_seconds": settings.EXCHANGE_RECALL_SECONDS,
            "composer_error": error,
            "composer_body": body,
        },
        status=status,
    )


@login_required
@require_POST
def post(request, room_id: int):
    room = _room_or_404(request.user, room_id)
    try:
        token = uuid.UUID(request.POST.get("client_token", ""))
    except ValueError:
        token = None
    reply_to = request.POST.get("reply_to", "")
    data = actions.MessageInput(
        body=request.POST.get("body", ""),
        reply_to_id=int(reply_to) if reply_to.isdigit() else None,
        client_token=token,
        image=request.FILES.get("image"),
        file=request.FILES.get("file"),
    )
    try:
        message = actions.post_message(request.user, room.pk, data)
    except ActionError as error:
        return _room_page(request, room, error=str(error), body=data.body, status=400)
    else:
        if message.state == Message.State.HELD:
            flash.info(request, _("Your message will be shown once a moderator has reviewed it."))
    return redirect(reverse("exchange:room", args=[room.pk]) + "#composer")


# --- One's rooms, joining, a room's information -----------------------------------------------------------------


@login_required
def rooms(request):
    """The person's rooms with their unread counts, and the rooms they may join, by kind."""
    mine = list(room_queries.my_memberships(request.user))
    joinable = room_queries.joinable_rooms(request.user)
    by_kind = []
    for kind, label in Room.Kind.choices:
        shown = [room for room in joinable if room.kind == kind]
        if shown:
            by_kind.append({"kind": kind, "label": label, "rooms": shown})
    total = sum(own.unread for own in mine if not own.notifications_muted and own.room.is_open)
    return render(
        request,
        "exchange/rooms.html",
        {"mine": mine, "joinable": by_kind, "unread_total": total, "me_socket": live.me_socket(request)},
    )


def _signed_in_or_login(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def join(request, room_id: int):
    """Join a room under a nickname of one's choosing (前台自愿: a member's name is not the default)."""
    found = Room.objects.select_related("organization").filter(pk=room_id).first()
    if found is None:
        raise Http404
    room = found
    # An anonymous visitor of a residents' room verifies a mobile number first (residents area), then comes back.
    resident_path = resident_views.join_redirect(request, room)
    if resident_path is not None:
        return resident_path
    not_signed_in = _signed_in_or_login(request)
    if not_signed_in is not None:
        return not_signed_in
    if access.membership(request.user, room) is not None:
        return redirect("exchange:room", room.pk)
    allowed = access.may_join(request.user, room)
    form = NicknameForm(request.POST or None)
    status = 200
    if not allowed:
        status = 403
    elif request.method == "POST":
        if form.is_valid():
            try:
                room_actions.join_room(request.user, room.pk, form.cleaned_data["nickname"])
            except InvalidInput as error:
                add_field_errors(form, error)
            except NotFound:
                raise Http404 from None
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                flash.success(request, _("Welcome to %(room)s.") % {"room": room.name})
                return redirect("exchange:room", room.pk)
        status = 400
    return render(
        request,
        "exchange/room_join.html",
        {
            "room": room,
            "form": form,
            "allowed": allowed,
            "refusal": "" if allowed else room_actions.refusal_to_join(request.user, room),
        },
        status=status,
    )


@login_required
def info(request, room_id: int):
    """A room's information: description, announcement (admins edit it), members by nickname only, and for a
    member their nickname, their mute and leaving the room."""
    room = _room_or_404(request.user, room_id)
    own = access.membership(request.user, room)
    may_pin = room.is_open and room_actions.may_pin(request.user, room)
    nickname_form = NicknameForm(initial={"nickname": own.nickname} if own else None, prefix="nick")
    announcement_form = AnnouncementForm(initial={"announcement": room.announcement}, prefix="pin")
    status = 200
    if request.method == "POST":
        do = request.POST.get("do", "")
        try:
            if do == "announcement" and may_pin:
                announcement_form = AnnouncementForm(request.POST, prefix="pin")
                if announcement_form.is_valid():
                    room_actions.set_announcement(request.user, room.pk, announcement_form.cleaned_data["announcement"])
                    flash.success(request, _("The announcement was saved."))
                    return redirect("exchange:room_info", room.pk)
            elif do == "nickname" and own is not None:
                nickname_form = NicknameForm(request.POST, prefix="nick")
                if nickname_form.is_valid():
                    room_actions.change_nickname(request.user, room.pk, nickname_form.cleaned_data["nickname"])
                    flash.success(request, _("Your nickname was changed."))
                    return redirect("exchange:room_info", room.pk)
            elif do in ("mute", "unmute") and own is not None:
                room_actions.set_notifications_muted(request.user, room.pk, do == "mute")
                flash.success(
                    request,
                    _("Notifications of this room are muted.") if do == "mute" else _("Notifications are on again."),
                )
                return redirect("exchange:room_info", room.pk)
            elif do == "leave" and own is not None:
                if request.POST.get("confirm") != "yes":
                    return redirect(reverse("exchange:room_info", args=[room.pk]) + "?leave=1")
                room_actions.leave_room(request.user, room.pk)
                flash.success(request, _("You left %(room)s.") % {"room": room.name})
                return redirect("exchange:rooms")
            else:
                raise Http404
        except InvalidInput as error:
            add_field_errors(announcement_form if do == "announcement" else nickname_form, error)
        except NotFound:
            raise Http404 from None
        except ActionError as error:
            flash.error(request, str(error))
            return redirect("exchange:room_info", room.pk)
        status = 400
    members = (
        Membership.objects.filter(room=room, left_at=None, removed_at=None)
        .only("nickname", "role")
        .order_by("role", "nickname")
    )
    return render(
        request,
        "exchange/room_info.html",
        {
            "room": room,
            "membership": own,
            "may_pin": may_pin,
            "members": members,
            "nickname_form": nickname_form,
            "announcement_form": announcement_form,
            "confirm_leave": own is not None and request.GET.get("leave") == "1",
        },
        status=status,
    )
