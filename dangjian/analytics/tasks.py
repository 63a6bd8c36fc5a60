"""The rollups' background work: the refresh queued on commit after a change, and the nightly rebuild."""

from django.tasks import task

from . import rollups


@task
def refresh_rollups() -> int:
    return rollups.refresh_pending()


@task
def rebuild_rollups() -> int:
    return rollups.rebuild()
