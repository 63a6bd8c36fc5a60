from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "dangjian.console"
    label = "console"
    verbose_name = _("Console")

    def ready(self) -> None:
        from . import panels

        panels.register_entries()
