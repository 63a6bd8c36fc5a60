"""The usage summaries' rollups: one row per organization, metric and period, kept by `rollups.py`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class SummaryReport(models.Model):
    """A usage report of an organization's subtree for one period, as an Excel workbook and a PDF (reports.py).

    Made by the clock for the month and the quarter just ended (`requested_by` empty) or on demand from the
    console for any period. `token` names it once for all within its organization: "clock:<kind>:<start>" for
    the clock's (two clocks make one), the form's one-time token for a request (a double submit makes one).
    Both files are private: stored under MEDIA_ROOT and served only by `report_views.report_file` to holders of
    VIEW_SUMMARIES on the organization.
    """

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("usage report", "Waiting to be generated")
        RUNNING = "running", pgettext_lazy("usage report", "Being generated")
        DONE = "done", pgettext_lazy("usage report", "Ready")
        FAILED = "failed", pgettext_lazy("usage report", "Failed")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    kind = models.CharField(_("period kind"), max_length=1)
    start = models.DateField(_("period start"))
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    excel = models.FileField(upload_to="analytics/reports/%Y/", blank=True)
    pdf = models.FileField(upload_to="analytics/reports/%Y/", blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # the clock's report was handed to notify()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "token"], name="analytics_summary_report_once"),
        ]
        indexes = [models.Index(fields=["state", "started_at"], name="analytics_report_state")]

    def __str__(self) -> str:
        return f"report {self.kind}{self.start} #{self.organization_id}"

    @property
    def scheduled(self) -> bool:
        return self.requested_by_id is None and self.token.startswith("clock:")


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
