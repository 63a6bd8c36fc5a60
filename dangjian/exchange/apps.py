from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "dangjian.exchange"
    label = "exchange"
    verbose_name = _("Exchange")

    def ready(self) -> None:
        from . import notices, registrations

        notices.register_kinds()
        registrations.register_entries()
