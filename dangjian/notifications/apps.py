from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "dangjian.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the system check of kinds against channels
            registrations,
        )

        registrations.register_entries()
