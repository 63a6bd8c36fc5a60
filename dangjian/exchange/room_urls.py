"""Routes of the rooms area: `public` (in the "exchange" namespace) and `console` (in the shared "console"
namespace)."""

from django.urls import path

from . import room_console_views, room_views

public: list = [
    path("rooms/", room_views.rooms, name="rooms"),
    path("rooms/<int:room_id>/", room_views.room, name="room"),
    path("rooms/<int:room_id>/post/", room_views.post, name="room_post"),
    path("rooms/<int:room_id>/join/", room_views.join, name="room_join"),
    path("rooms/<int:room_id>/info/", room_views.info, name="room_info"),
]
console: list = [
    path("exchange/", room_console_views.room_list, name="exchange"),
    path("exchange/orgs/<int:org_id>/", room_console_views.room_list, name="exchange_org"),
    path("exchange/rooms/new/", room_console_views.room_new, name="room_new"),
    path("exchange/rooms/<int:room_id>/", room_console_views.room_edit, name="room_edit"),
    path("exchange/rooms/<int:room_id>/members/", room_console_views.room_members, name="room_members"),
    path(
        "exchange/rooms/<int:room_id>/members/<int:membership_id>/role/",
        room_console_views.room_member_role,
        name="room_member_role",
    ),
]
