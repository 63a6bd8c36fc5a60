from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "dangjian.learning"
    label = "learning"
    verbose_name = _("Learning and training")

    def ready(self) -> None:
        from . import notices, registrations

        notices.register_kinds()
        registrations.register_entries()
