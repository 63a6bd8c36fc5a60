from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "dangjian.feedback"
    verbose_name = _("Public feedback")

    def ready(self) -> None:
        from . import notices, registrations

        registrations.register_entries()
        notices.register_kinds()
