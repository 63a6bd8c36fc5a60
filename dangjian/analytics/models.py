"""The usage summaries' rollups: one row per organization, metric and period, kept by `rollups.py`."""

from django.db import models


class Figure(models.Model):
    """A usage metric's figure for one organization and one period (kind + first day).

    `own` counts the organization's own rows; `total` its whole subtree (own plus every organization below).
    Rows where both are 0 are not kept. `path` is the organization's path (a registered PathColumn), so a
    subtree's figures are one index range.
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    metric = models.CharField(max_length=64)
    kind = models.CharField(max_length=1)
    start = models.DateField()
    own = models.IntegerField(default=0)
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "start", "metric"], name="analytics_figure_unique")
        ]
        indexes = [models.Index(fields=["kind", "start", "path"], name="analytics_figure_period")]

    def __str__(self) -> str:
        return f"{self.metric} {self.kind}{self.start} #{self.organization_id}: {self.own}/{self.total}"


class PendingRollup(models.Model):
    """An organization whose own figure of a metric may have changed since the rollups were last refreshed.

    Written in the same transaction as the change (so a committed change is never forgotten); the refresh task
    takes the rows up to an id and deletes exactly those, so a mark made meanwhile waits for the next run.
    """

    organization_id = models.IntegerField()
    metric = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.metric} #{self.organization_id}"


class RollupLock(models.Model):
    """One row: every refresh and rebuild updates it first, so they run one at a time on any database."""

    ticks = models.BigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups rebuilt at {self.rebuilt_at}"


class LastChange(models.Model):
    """When something an organization keeps fresh last changed: a `PortalUpdate` source (`item` empty) or one
    item of an `UpdateRule` (a column: `item` is its key). Kept by `freshness.py` like the figures (marked on
    commit, refreshed by the task, rebuilt nightly); rows exist only for what has changed at least once. `path`
    is the organization's path (a registered PathColumn), so a subtree's rows are one index range."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    source = models.CharField(max_length=64)
    item = models.CharField(max_length=64, blank=True, default="")
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "source", "item"], name="analytics_lastchange_unique")
        ]
        indexes = [models.Index(fields=["path"], name="analytics_lastchange_path")]

    def __str__(self) -> str:
        return f"{self.source}{':' + self.item if self.item else ''} #{self.organization_id}: {self.changed_at}"
