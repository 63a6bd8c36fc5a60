import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _shown_value(field, value: Any) -> str:
    """A recorded value as a reader understands it: choice labels, 是/否, local dates and times."""
    if value is None or value == "":
        return ""
    if field is not None and getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "Y-m-d H:i")
    return str(value)


class ChangeRecord(models.Model):
    """One change made by a person to a tracked record: who, when, what changed.

    Records are written by the actions layer only and never edited; the organization is kept
    so that history can be scoped to the organizations a staff member may see.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("record"), max_length=300)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="core_change_object_idx")]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def actor_shown(self) -> str:
        """The actor as history lists show them: the real name when set, else the username with a mobile number
        masked (residents sign in with their mobile, which no history list shows in full)."""
        from .masking import mask_numbers

        if self.actor is None:
            return ""
        return self.actor.full_name or mask_numbers(self.actor.username)

    def shown_changes(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) for each changed field, in words rather than codes."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        rows = []
        for name, values in self.changes.items():
            try:
                field = model._meta.get_field(name) if model is not None else None
            except FieldDoesNotExist:
                field = None
            label = str(getattr(field, "verbose_name", "") or name)
            # An update records [before, after]; a creation or deletion the value the record had.
            before, after = values if self.action == self.Action.UPDATE else (None, values)
            # A model may say how a field reads in its history (e.g. a rich-text body as its plain words).
            shown_as = getattr(model, "HISTORY_SHOWN", {}).get(name)
            if shown_as is not None:
                before, after = (shown_as(v) if isinstance(v, str) else v for v in (before, after))
            if self.action != self.Action.UPDATE and after in (None, ""):
                continue  # a created or deleted record's empty fields say nothing
            rows.append((label, _shown_value(field, before), _shown_value(field, after)))
        return rows


class ContentGeneration(models.Model):
    """A counter bumped after every change to public content.

    The token that keys cached public pages lives in the shared cache (core/cache.py); this counter
    remakes a token when the shared cache lost it (Redis restarted), never reusing an older one.
    """

    value = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return str(self.value)


class ClockSlot(models.Model):
    """When a periodic task (settings.PERIODIC_TASKS) is next due, shared by every clock.

    Each server may run `manage.py run_clock`; a clock enqueues a due task only after moving its slot on
    with a conditional update in the same transaction (core/clock.py), so however many clocks run, each
    interval's task is enqueued once.
    """

    task = models.CharField(max_length=200, primary_key=True)
    due_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.task} @ {self.due_at:%Y-%m-%d %H:%M:%S}"


class CalendarOverride(models.Model):
    """An administrator's correction to the working-day calendar.

    The statutory holidays and make-up workdays (调休) come from the `chinese-calendar` package;
    a row here wins over it, e.g. for a local holiday or a year the package does not know yet.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        kind = gettext("working day") if self.is_workday else gettext("day off")
        return f"{self.date}: {kind}"


class SensitiveWord(models.Model):
    """A word the shared matcher (core/sensitive.py) looks for in what people write: articles before review,
    chat messages and discussion posts. `block` refuses the text with the words named; `flag` lets it through
    but shows the reviewer (or moderator) where the words are. Kept by the site's administrators."""

    class Level(models.TextChoices):
        BLOCK = "block", _("Refuse the text")
        FLAG = "flag", _("Show it to the reviewer")

    word = models.CharField(_("word"), max_length=50, unique=True)
    level = models.CharField(_("what happens"), max_length=10, choices=Level.choices, default=Level.FLAG)
    category = models.CharField(_("category"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")

    def __str__(self) -> str:
        return self.word
