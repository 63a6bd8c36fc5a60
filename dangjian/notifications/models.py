"""One notification to one user: what happened (kind + params), about what (target), where (organization).

The text is not stored: it is rendered from the kind when shown (kinds.render), so each reader sees it in
their own language. The mail_* fields are the e-mail channel's queue (channels.py, mail.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import kinds


class OneTimeCode(models.Model):
    """The rows of one use of one-time SMS codes (codes.py: SmsCodes): the feedback lookup, members' sign-in,
    residents' verification each keep their own table of this shape. Neither the number nor the code is stored:
    keyed hashes (HMAC with the secret key); a code expires, dies after a few wrong tries and works once."""

    mobile_digest = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    salt = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"code {self.pk}"


class Notification(models.Model):
    class Mail(models.TextChoices):
        NONE = "none", _("No e-mail address")
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up retrying)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mail_state = models.CharField(max_length=10, choices=Mail.choices, default=Mail.NONE)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.CharField(max_length=300, blank=True)
    mail_next_try = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    # Files the e-mail carries (attachments.py): [{"name", "path" in the default storage, "type", "size"}].
    attachments = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_user_idx"),
            models.Index(fields=["mail_state", "mail_next_try"], name="notice_mail_idx"),
            models.Index(fields=["target_type", "target_id"], name="notice_target_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The text in the active language."""
        return kinds.render(self)

    @property
    def link(self) -> str:
        """Where the console page links this notification to ("" for none)."""
        return kinds.link(self)


class SmsMessage(models.Model):
    """One short message to a mobile number, queued by `api.queue_sms` and sent by the worker (sms.py).

    `key` names the message once for all (e.g. "feedback.answered:42"), so it is never queued twice. The
    number is cleared once the message is sent; rows go after NOTIFICATION_RETENTION_DAYS.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up retrying)")

    key = models.CharField(max_length=100, unique=True)
    mobile = models.CharField(max_length=20, blank=True)
    text = models.CharField(max_length=500)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_try = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_try"], name="sms_queue_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.state}"


class Robot(models.Model):
    """A group robot (企业微信, 钉钉, 飞书 webhook) of an organization: published articles and notices go to its
    group as a card with a link back (push.py). The webhook address and the signing secret are credentials:
    encrypted at rest (core/fieldcrypt.py) and never shown again in full once saved."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")
        FEISHU = "feishu", _("Feishu group robot")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="robots", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50)
    webhook_encrypted = models.BinaryField(editable=False)
    webhook_hint = models.CharField(_("webhook address"), max_length=80, editable=False, blank=True)  # host, last 4
    secret_encrypted = models.BinaryField(editable=False, blank=True, default=b"")
    push_articles = models.BooleanField(_("push published articles"), default=True)
    push_notices = models.BooleanField(_("push notices"), default=True)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    flagged_at = models.DateTimeField(null=True, blank=True, editable=False)  # its admins were told it keeps failing
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["kind", "name", "webhook_hint", "push_articles", "push_notices", "active"]

    class Meta:
        ordering = ["organization", "pk"]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One message for one robot: queued after the commit that caused it, sent by the worker with retries and
    back-off (push.py), kept with its outcome (sent, or failed and why)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    robot = models.ForeignKey(Robot, on_delete=models.CASCADE, related_name="deliveries")
    topic = models.CharField(max_length=20)  # "article", "notice"
    key = models.CharField(max_length=100)  # what was pushed, e.g. "article:42": one delivery per robot and key
    message = models.JSONField(default=dict)  # title, summary, url, image_url: the adapter builds the request
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["robot", "key"], name="notifications_one_delivery_per_key")]
        indexes = [models.Index(fields=["state", "next_try_at"], name="notifications_delivery_due")]

    def __str__(self) -> str:
        return f"{self.robot_id}:{self.key}"
