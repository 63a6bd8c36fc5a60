from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from . import (
            registrations,
            throttle,  # noqa: F401 - connects the sign-in limit receivers
        )

        registrations.register_entries()
