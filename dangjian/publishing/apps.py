from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "dangjian.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from . import notices, registrations, signals  # noqa: F401  (signals: standard columns of a new organization)

        notices.register_kinds()
        registrations.register_entries()
