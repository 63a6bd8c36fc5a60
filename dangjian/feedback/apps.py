from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "dangjian.feedback"
    verbose_name = _("Public feedback")

    def ready(self) -> None:
        from . import notices, registrations
        from .search import ensure_search_schema

        registrations.register_entries()
        notices.register_kinds()
        post_migrate.connect(ensure_search_schema, sender=self)
