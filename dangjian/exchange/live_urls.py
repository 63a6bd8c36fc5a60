"""Routes of the live area: `public` (in the "exchange" namespace) and `console` (in the shared "console"
namespace)."""

from django.urls import path  # noqa: F401

public: list = []
console: list = []
