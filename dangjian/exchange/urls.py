"""Public routes of the exchange: rooms (pages that work without JavaScript), residents joining, pictures and
files of messages, reports, and the portal's 问政 section. Each area lists its own routes in its own module; this
file only joins them. The WebSocket routes are in routing.py (served by the ASGI server)."""

from . import live_urls, message_urls, moderation_urls, question_urls, resident_urls, room_urls

app_name = "exchange"

urlpatterns = [
    *room_urls.public,
    *message_urls.public,
    *live_urls.public,
    *resident_urls.public,
    *question_urls.public,
    *moderation_urls.public,
]
