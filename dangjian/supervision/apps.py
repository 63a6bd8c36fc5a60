from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    verbose_name = _("Supervision reports")

    def ready(self):
        from . import (
            notices,
            registrations,
            signals,  # noqa: F401 - connects the key unlocking to sign-in
        )

        registrations.register_entries()
        notices.register_kinds()
