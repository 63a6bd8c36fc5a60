"""WebSocket routes, served by the ASGI server (dangjian/asgi.py). The live area owns this file."""

from django.urls import path

from . import consumers

websocket_urlpatterns: list = [
    path("ws/rooms/<str:room_id>/", consumers.RoomConsumer.as_asgi()),
    path("ws/me/", consumers.MeConsumer.as_asgi()),
]
