"""A new organization gets its standard columns (columns.py) in the transaction that creates it."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from dangjian.organizations.models import Organization

from .columns import ensure_standard_columns


@receiver(post_save, sender=Organization, dispatch_uid="publishing.standard_columns")
def create_standard_columns(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_standard_columns([instance])
