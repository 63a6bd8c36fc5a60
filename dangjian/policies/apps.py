from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "dangjian.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from .search import ensure_search_schema

        post_migrate.connect(ensure_search_schema, sender=self)
        from . import registrations

        registrations.register_entries()
