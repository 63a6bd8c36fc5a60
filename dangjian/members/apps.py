from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from . import notices, registrations

        registrations.register_entries()
        notices.register_kinds()
