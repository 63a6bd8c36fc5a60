"""Routes of the submissions area: `console` (mounted in the console namespace) and `public` (namespace publishing)."""

from django.urls import path  # noqa: F401

console: list = []
public: list = []
