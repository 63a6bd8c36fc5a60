"""交流互动: rooms where an organization and the people it serves talk in real time, as in the QQ and WeChat groups
they already use, with a record that lasts; questions asked of the organization in public (问政) with official
answers; moderation.

- A `Room` belongs to an organization. Its kind says what it is for (a branch's room, a village or community room,
  a staff room, a room opened for a topic); its `audience` says who may join (party members of the subtree; staff
  holding a role there; or residents as well, who join with a verified mobile number). Staff holding
  MODERATE_ROOMS above see and moderate it.
- A person in a room is a `Membership`: the nickname shown (后台实名、前台自愿: a resident's verified identity is kept
  in `Resident`, shown only to moderators handling a report, each look an audited `ModerationEntry`), whether they
  are an admin of the room, the notifications muted, what they have read (`last_read_rev`), a moderator's mute.
- Every `Message` is stored before it is broadcast. `Room.last_rev` counts every change in the room: a new message
  takes the next number as its `rev` and so does a message that changes (recalled, removed, approved), so a client
  that remembers the highest rev it saw asks for everything after it (`Message.rev > N`) and has missed nothing.
  Messages are ordered (and paged back) by id.
- `Report`s of messages by anyone in the room, and `ModerationEntry` rows recording each moderator's action (visible
  to the moderators above), hold the moderation.
- A `PublicQuestion` (问政) is asked in a room or on a portal and answered officially; one that is really a problem becomes
  a feedback case (`case`), which keeps the link back.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.notifications.models import OneTimeCode


class Room(models.Model):
    class Kind(models.TextChoices):
        BRANCH = "branch", _("Branch room")
        VILLAGE = "village", _("Village or community room")
        STAFF = "staff", _("Staff room")
        TOPIC = "topic", _("Topic room")

    class Audience(models.TextChoices):
        RESIDENTS = "residents", _("Residents, party members and staff")
        MEMBERS = "members", _("Party members and staff")
        STAFF = "staff", _("Staff only")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="rooms", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TOPIC)
    audience = models.CharField(_("who may join"), max_length=20, choices=Audience.choices, default=Audience.MEMBERS)
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Messages of people who are not admins wait for a moderator before anyone else sees them.
    review_before_publish = models.BooleanField(_("review messages before they are shown"), default=False)
    announcement = models.TextField(_("announcement"), max_length=1000, blank=True)
    announcement_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    announcement_at = models.DateTimeField(null=True, blank=True)
    # The number of the room's latest change (see the module's docstring); raised under the row's lock.
    last_rev = models.BigIntegerField(default=0, editable=False)
    # Moves when someone's place in the room changes (left, removed, made admin or not): each ASGI process's watcher
    # reads it with last_rev and has the sockets of the room look again (live.access_changed).
    access_rev = models.BigIntegerField(default=0, editable=False)
    last_message_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ("kind", "audience", "name", "description", "review_before_publish", "announcement", "closed_at")

    class Meta:
        ordering = ["organization__path", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_public(self) -> bool:
        return self.audience == self.Audience.RESIDENTS


class Resident(models.Model):
    """A resident's account (a `User` without a role or a member record) verified by a one-time code sent to the
    mobile number (`User.mobile`). The real name is kept for the moderators handling a report (后台实名), encrypted
    with core/fieldcrypt.py; it is never shown in a room."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident", verbose_name=_("account")
    )
    real_name = models.BinaryField(_("real name (encrypted)"), blank=True, default=b"", editable=False)
    verified_at = models.DateTimeField(_("mobile verified"), default=timezone.now)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return f"resident {self.pk}"


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ADMIN = "admin", _("Room admin")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_memberships")
    role = models.CharField(_("role in the room"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    nickname = models.CharField(_("nickname"), max_length=20)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    # Removed by a moderator (cannot join again until an admin lets them).
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_reason = models.CharField(_("reason for removal"), max_length=200, blank=True)
    # A moderator's mute: no messages until then.
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    # The person's own choice: no mention notifications or unread badge from this room.
    notifications_muted = models.BooleanField(_("mute notifications"), default=False)
    last_read_rev = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="exchange_one_membership_per_person"),
            models.UniqueConstraint(
                fields=["room", "nickname"],
                condition=models.Q(left_at__isnull=True, removed_at__isnull=True),
                name="exchange_nickname_unique_in_room",
            ),
        ]
        verbose_name = _("room member")
        verbose_name_plural = _("room members")

    def __str__(self) -> str:
        return self.nickname

    @property
    def is_active(self) -> bool:
        return self.left_at is None and self.removed_at is None

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class Message(models.Model):
    class State(models.TextChoices):
        PUBLISHED = "published", _("Shown")
        HELD = "held", _("Waiting for review")
        RECALLED = "recalled", _("Recalled by its author")
        REMOVED = "removed", _("Removed by a moderator")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        IMAGE = "image", _("Picture")
        FILE = "file", _("File")
        NOTICE = "notice", _("Room notice")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="room_messages"
    )
    # The author's nickname when the message was written (a later change of nickname does not rewrite history).
    nickname = models.CharField(max_length=20, blank=True)
    # Written by staff of the room's organization (or above) speaking for it: shown as official (官方).
    official = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(_("message"), blank=True)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    image = models.ImageField(upload_to="exchange/images/%Y/%m/", blank=True)
    file = models.FileField(upload_to="exchange/files/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=120, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PUBLISHED)
    # Sensitive words that held it for review (FLAG level), shown to the moderator.
    flagged_words = models.JSONField(default=list, blank=True)
    rev = models.BigIntegerField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_reason = models.CharField(max_length=200, blank=True)
    # A client's token for the message: the same token sent twice (a retry after a dropped connection) stores one.
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "rev"], name="exchange_message_rev_unique"),
            models.UniqueConstraint(fields=["author", "client_token"], name="exchange_message_token_unique"),
        ]
        indexes = [models.Index(fields=["room", "id"], name="exchange_msg_room_id")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.room_id}#{self.pk}"

    @property
    def is_visible(self) -> bool:
        return self.state == self.State.PUBLISHED


class Report(models.Model):
    """Someone in the room reports a message; a moderator handles it (removes the message, warns, mutes or removes
    its author, or dismisses the report)."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Abuse or insults")
        RUMOUR = "rumour", _("Rumours or false information")
        ADVERTISING = "advertising", _("Advertising or fraud")
        PRIVACY = "privacy", _("Someone's personal information")
        ILLEGAL = "illegal", _("Illegal content")
        OTHER = "other", _("Something else")

    class State(models.TextChoices):
        OPEN = "open", _("Waiting")
        HANDLED = "handled", _("Handled")
        DISMISSED = "dismissed", _("Dismissed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.CharField(_("details"), max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="exchange_one_report_per_person"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"report {self.pk}"


class ModerationEntry(models.Model):
    """One moderator's action, kept for the room's moderators and those above (never deleted with the message)."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved a held message")
        REJECT = "reject", _("Rejected a held message")
        REMOVE = "remove", _("Removed a message")
        WARN = "warn", _("Warned a member")
        MUTE = "mute", _("Muted a member")
        UNMUTE = "unmute", _("Lifted a mute")
        EXPEL = "expel", _("Removed a member from the room")
        READMIT = "readmit", _("Let a removed member back")
        DISMISS = "dismiss", _("Dismissed a report")
        IDENTITY = "identity", _("Looked up a resident's verified identity")
        PIN = "pin", _("Changed the announcement")
        SETTINGS = "settings", _("Changed the room's settings")
        APPROVE_QUESTION = "approve_question", _("Approved a held question")
        REJECT_QUESTION = "reject_question", _("Rejected a held question")

    # The room acted in; none for a question asked on the portal (the question's organization scopes it then).
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The member acted on (their membership, so the nickname shown is the room's, not the real name).
    membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    question = models.ForeignKey(
        "PublicQuestion", null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_entries"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("moderation entry")
        verbose_name_plural = _("moderation entries")

    def __str__(self) -> str:
        return f"{self.action} {self.pk}"


class PublicQuestion(models.Model):
    """A question asked of an organization in public (问政), in a room or on the portal."""

    class State(models.TextChoices):
        HELD = "held", pgettext_lazy("public question", "Waiting for review")
        OPEN = "open", pgettext_lazy("public question", "Waiting for an answer")
        ANSWERED = "answered", pgettext_lazy("public question", "Answered")
        CASE = "case", pgettext_lazy("public question", "Turned into a feedback case")
        REMOVED = "removed", pgettext_lazy("public question", "Removed")

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="public_questions",
        verbose_name=_("organization"),
    )
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    # The message in the room the question was asked with (or asked from), if any.
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    nickname = models.CharField(_("shown as"), max_length=20)
    title = models.CharField(_("question"), max_length=100)
    body = models.TextField(_("details"), max_length=2000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    flagged_words = models.JSONField(default=list, blank=True)
    answer = models.TextField(_("official answer"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The organization the answer speaks for: the answerer's deepest grant of ANSWER_QUESTIONS covering the question.
    answered_as = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered for"),
    )
    # The asker's words as public pages show them: mobile numbers, ID-card numbers and names masked
    # (core/masking.py), written with the question.
    title_public = models.CharField(max_length=100, blank=True, default="", editable=False)
    body_public = models.TextField(blank=True, default="", editable=False)
    # Why a moderator rejected it, or staff removed it (told to the asker).
    removed_reason = models.CharField(
        pgettext_lazy("public question", "reason for removal"), max_length=200, blank=True, default=""
    )
    case = models.ForeignKey(
        "feedback.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("case")
    )
    # The words of title, body and answer (core/text.index_text), for the portal's Chinese search.
    search_tokens = models.TextField(editable=False, blank=True, default="")
    client_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ("state", "title", "body", "answer", "case", "removed_reason")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "state", "created_at"], name="exchange_q_org_state")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.title


class ResidentCode(OneTimeCode):
    """A one-time code sent by SMS to a resident's mobile number (residents.py, notifications/codes.py). Neither the
    number nor the code is stored: keyed hashes (HMAC with the secret key). A code expires after 10 minutes, dies
    after 5 wrong tries and works once."""
