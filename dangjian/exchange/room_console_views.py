"""Console pages of the rooms (MANAGE_ROOMS or MODERATE_ROOMS): the rooms of one's organizations and those below,
a new room (its settings reviewed before it opens), a room's settings (closing and reopening it), and its members
with the room admins. No figure about a person's activity is shown: members count, last message time."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    MANAGE_ROOMS,
    MODERATE_ROOMS,
    get_organization_for_user,
    has_capability,
    organizations_for,
)
from dangjian.console.shell import add_field_errors, console_view, render_form_page
from dangjian.core.history import ActionError, EditConflict, InvalidInput, NotFound

from . import room_actions, room_queries
from .models import Membership, Room
from .room_forms import RoomForm

PAGE_SIZE = 50


def _seen_room(request, room_id: int) -> Room:
    """A room of the person's console (MANAGE_ROOMS or MODERATE_ROOMS over it), or 404."""
    room = room_queries.console_rooms(request.user).filter(pk=room_id).first()
    if room is None:
        raise Http404
    return room


@console_view
def room_list(request, org_id: int | None = None):
    if not room_queries.may_see_console(request.user):
        raise Http404
    organization = None
    if org_id is not None:
        organization = get_organization_for_user(request.user, org_id, MODERATE_ROOMS)
    rooms = room_queries.console_rooms(request.user, organization)
    page = Paginator(rooms, PAGE_SIZE).get_page(request.GET.get("page"))
    for room in page:
        room.may_manage = room_actions.may_manage(request.user, room)
    may_open = organizations_for(request.user, MANAGE_ROOMS).filter(closed_at=None).exists()
    return render(
        request,
        "exchange/console_rooms.html",
        {"org": organization, "page": page, "may_open": may_open},
    )


@console_view
def room_new(request):
    """A new room: the form, then a review of what will be opened (who may join), then the room."""
    places = organizations_for(request.user, MANAGE_ROOMS).filter(closed_at=None).order_by("path")[:500]
    if not places:
        raise Http404
    form = RoomForm(request.POST or None, organizations=places)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.to_input()
            if request.POST.get("step") == "publish":
                try:
                    room = room_actions.create_room(request.user, form.cleaned_data["organization"], data)
                except InvalidInput as error:
                    add_field_errors(form, error)
                except NotFound:
                    raise Http404 from None
                else:
                    messages.success(request, _("The room is open. Invite people to join it."))
                    return redirect("console:room_members", room.pk)
            else:
                organization = next(o for o in places if o.pk == form.cleaned_data["organization"])
                audience = data.audience or room_actions.DEFAULT_AUDIENCE.get(data.kind, Room.Audience.MEMBERS)
                return render(
                    request,
                    "exchange/console_room_review.html",
                    {
                        "form": form,
                        "data": data,
                        "organization": organization,
                        "kind_label": Room.Kind(data.kind).label,
                        "audience_label": Room.Audience(audience).label,
                    },
                )
        status = 400
    return render_form_page(
        request,
        form,
        org=None,
        title=_("New room"),
        template="exchange/console_room_form.html",
        status=status,
        step="review",
    )


@console_view
def room_edit(request, room_id: int):
    room = _seen_room(request, room_id)
    if not room_actions.may_manage(request.user, room):
        raise Http404
    form = RoomForm(request.POST or None, room=room)
    status = 200
    if request.method == "POST":
        do = request.POST.get("do", "save")
        if do in ("close", "reopen"):
            version = request.POST.get("version", "")
            try:
                room_actions.set_room_open(
                    request.user, room.pk, do == "reopen", expected_version=int(version) if version.isdigit() else 0
                )
            except NotFound:
                raise Http404 from None
            except ActionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The room was reopened.") if do == "reopen" else _("The room was closed."))
            return redirect("console:room_edit", room.pk)
        if form.is_valid():
            try:
                room_actions.save_room(request.user, room.pk, form.to_input(), expected_version=form.expected_version)
            except InvalidInput as error:
                add_field_errors(form, error)
            except NotFound:
                raise Http404 from None
            except (EditConflict, ActionError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The room's settings were saved."))
                return redirect("console:room_edit", room.pk)
        status = 400
    return render_form_page(
        request,
        form,
        org=room.organization,
        title=_("Room settings · %(name)s") % {"name": room.name},
        template="exchange/console_room_form.html",
        status=status,
        room=room,
    )


@console_view
def room_members(request, room_id: int):
    room = _seen_room(request, room_id)
    memberships = Membership.objects.filter(room=room).select_related("user").order_by("role", "nickname")
    active = [m for m in memberships if m.is_active]
    eligible = room_queries.admin_eligible_ids(room, [m.user_id for m in active])
    for own in active:
        own.may_be_admin = own.user_id in eligible  # type: ignore[attr-defined]
    return render(
        request,
        "exchange/console_room_members.html",
        {
            "org": room.organization,
            "room": room,
            "active": active,
            "removed": [m for m in memberships if m.removed_at is not None],
            "may_manage": has_capability(request.user, MANAGE_ROOMS, room.organization),
        },
    )


@console_view
@require_POST
def room_member_role(request, room_id: int, membership_id: int):
    role = request.POST.get("role", "")
    try:
        own = room_actions.set_member_role(request.user, room_id, membership_id, role)
    except NotFound:
        raise Http404 from None
    except ActionError as error:
        messages.error(request, str(error))
    else:
        if own.role == Membership.Role.ADMIN:
            messages.success(request, _("%(name)s is now a room admin.") % {"name": own.nickname})
        else:
            messages.success(request, _("%(name)s is no longer a room admin.") % {"name": own.nickname})
    return redirect("console:room_members", room_id)
