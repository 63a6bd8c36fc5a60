"""三会一课 and the other meetings of a branch's organizational life (中国共产党支部工作条例（试行）).

A meeting belongs to a branch (`organization`; a 党小组会 also names its `party_group`). Its attendees are the
members it was planned for (the branch, its committee or a party group), each with their answer (confirm or
leave with a reason) and, once it is held, whether they attended: a record of the meeting, never a score of a
person. Minutes are versions: the host's sign-off locks a version, a correction is a new version with its reason.
How often each kind is required is `settings.MEETING_FREQUENCIES`, not code.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_check_in_token() -> str:
    return secrets.token_urlsafe(24)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("Branch general meeting")  # 支部党员大会
        COMMITTEE = "committee", _("Branch committee meeting")  # 支部委员会
        GROUP = "group", _("Party group meeting")  # 党小组会
        LECTURE = "lecture", _("Party lecture")  # 党课
        THEME_DAY = "theme_day", _("Theme Party day")  # 主题党日
        LIFE = "life", _("Organizational life meeting")  # 组织生活会
        APPRAISAL = "appraisal", _("Democratic appraisal of members")  # 民主评议党员

    class Audience(models.TextChoices):
        BRANCH = "branch", _("All members of the branch")
        COMMITTEE = "committee", _("The branch committee")
        GROUP = "group", _("A party group")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("branch")
    )
    party_group = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_meetings",
        verbose_name=_("party group"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=100)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    online_link = models.URLField(_("online meeting link"), max_length=300, blank=True)
    host = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host"),
    )
    recorder = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_meetings",
        verbose_name=_("recorder"),
    )
    audience = models.CharField(_("who should attend"), max_length=20, choices=Audience.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    held_at = models.DateTimeField(_("recorded as held on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # The secret in the meeting's QR code, with which attendees confirm their attendance on their phones.
    check_in_token = models.CharField(max_length=40, unique=True, default=new_check_in_token, editable=False)
    notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = [
        "kind",
        "topic",
        "starts_at",
        "ends_at",
        "place",
        "online_link",
        "host",
        "recorder",
        "audience",
        "party_group",
        "state",
        "cancel_reason",
    ]

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["organization", "kind", "starts_at"], name="meeting_org_kind_start_idx"),
            models.Index(fields=["state", "starts_at"], name="meeting_state_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"


class Attendee(models.Model):
    class Answer(models.TextChoices):
        PENDING = "pending", _("Not answered")
        CONFIRMED = "confirmed", _("Will attend")
        LEAVE = "leave", _("Asked for leave")

    class Source(models.TextChoices):
        RECORDER = "recorder", _("Ticked by the recorder")
        QR = "qr", _("Confirmed by scanning the QR code")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="attendances")
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, default=Answer.PENDING)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="unique_meeting_attendee")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.member}"


class Minutes(models.Model):
    """One version of a meeting's minutes (会议记录). A signed-off version never changes again."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_versions")
    number = models.PositiveIntegerField(default=1)
    agenda = models.TextField(_("agenda"), max_length=5000)
    discussion = models.TextField(_("discussion"), max_length=20000, blank=True)
    resolutions = models.TextField(_("resolutions"), max_length=5000, blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["meeting", "-number"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="unique_minutes_version")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.number}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class MeetingFile(models.Model):
    """A photo (re-encoded, core.uploads) or a document attached to a meeting's minutes; served by its own
    permission-checked view, never by its path."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("File")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files")
    minutes = models.ForeignKey(Minutes, on_delete=models.SET_NULL, null=True, blank=True, related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="meetings/%Y/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class CalendarFeed(models.Model):
    """A member's personal ICS feed of their meetings: a secret token URL (only its hash stored), revocable."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member} · {self.created_at:%Y-%m-%d}"
