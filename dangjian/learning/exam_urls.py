"""Routes of the exam area: `public` (in the "learning" namespace) and `console` (in the shared "console" namespace)."""

from django.urls import path  # noqa: F401

public: list = []
console: list = []
