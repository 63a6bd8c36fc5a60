"""Console routes of the exchange (in the shared "console" namespace). Each area lists its own routes in its own
module; this file only joins them."""

from . import live_urls, message_urls, moderation_urls, question_urls, resident_urls, room_urls

urlpatterns = [
    *room_urls.console,
    *message_urls.console,
    *live_urls.console,
    *resident_urls.console,
    *question_urls.console,
    *moderation_urls.console,
]
