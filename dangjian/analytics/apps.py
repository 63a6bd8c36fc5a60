from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "dangjian.analytics"
    label = "analytics"
    verbose_name = _("Usage summaries")

    def ready(self) -> None:
        # Listed after every module in INSTALLED_APPS, so every usage metric is registered by now.
        from . import registrations, watch

        registrations.register_entries()
        watch.connect()
