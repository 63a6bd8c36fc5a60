"""Routes of the resident area: `public` (in the "exchange" namespace) and `console` (in the shared "console"
namespace)."""

from django.urls import path

from . import resident_views

public: list = [
    path("rooms/residents/", resident_views.resident_start, name="resident_start"),
    path("rooms/residents/me/", resident_views.resident_me, name="resident_me"),
    path("rooms/residents/me/delete/", resident_views.resident_delete, name="resident_delete"),
]
console: list = []
