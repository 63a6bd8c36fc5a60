"""Routes of the message area: `public` (in the "exchange" namespace) and `console` (in the shared "console"
namespace)."""

from django.urls import path

from . import message_views

public: list = [
    path("rooms/messages/<int:message_id>/image/", message_views.image, name="message_image"),
    path("rooms/messages/<int:message_id>/file/", message_views.file, name="message_file"),
    path("rooms/messages/<int:message_id>/recall/", message_views.recall, name="message_recall"),
]
console: list = []
