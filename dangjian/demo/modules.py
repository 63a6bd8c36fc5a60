"""Finds the installed apps' `demo` modules, in INSTALLED_APPS order."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from django.apps import AppConfig, apps


def demo_modules(app_configs: Iterable[AppConfig] | None = None) -> list[ModuleType]:
    """Each app's `<app>.demo` module; apps without one (or that are single modules) are skipped."""
    found = []
    for app in apps.get_app_configs() if app_configs is None else app_configs:
        if not hasattr(app.module, "__path__"):  # a module, not a package: it cannot hold demo.py
            continue
        if importlib.util.find_spec(f"{app.name}.demo") is not None:
            found.append(importlib.import_module(f"{app.name}.demo"))
    return found


def call(modules: Iterable[ModuleType], hook: str, *args) -> list[tuple[ModuleType, Any]]:
    """Call `hook(*args)` on every module that defines it; returns (module, result) pairs (each hook's result
    type is given by the protocol in dangjian/demo/__init__.py)."""
    return [(module, getattr(module, hook)(*args)) for module in modules if hasattr(module, hook)]
