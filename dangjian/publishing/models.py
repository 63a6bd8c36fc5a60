"""发布与推送: columns and articles with their review (三审), 信息报送 upward, notices with sign-off (签收),
and e-mail digest subscriptions. Group robots and their deliveries live in `notifications` (push is a channel).

An organization's columns (栏目) are its four standard ones (created with the organization, see
`columns.STANDARD`) and those it adds; each has an update rule (days) that the usage summaries check and the
number of review steps its articles pass (0 to 3: 初审, 复审, 终审). An article's body is rich text sanitized
with nh3 on save (`sanitize.py`); the review is the workflow in `workflow.py`, each step an `ArticleEvent`
(who, when, which step). A published article with `show_below` appears on every portal of its organization's
subtree; a `Submission` sends a published article up to an ancestor (信息报送), which adopts it into one of its
columns (shown there with the source named) or returns it with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .column_names import standard_name
from .sanitize import text_of


class Column(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="columns", verbose_name=_("organization")
    )
    # A standard column's key ("news", "notices", "party", "village"); its name is translated from the key.
    # Blank for a column the organization added, which has a name of its own.
    key = models.CharField(max_length=20, blank=True, editable=False)
    name = models.CharField(_("column name"), max_length=20, blank=True)
    description = models.CharField(_("what it publishes"), max_length=200, blank=True)
    # Updated at least every so many days (the inspection rules); None: no rule.
    update_days = models.PositiveSmallIntegerField(_("update at least every (days)"), null=True, blank=True)
    review_steps = models.PositiveSmallIntegerField(_("review steps before publishing"), default=2)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["name", "description", "update_days", "review_steps", "order", "archived_at"]

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], condition=~Q(key=""), name="publishing_one_standard_column_per_key"
            ),
            models.CheckConstraint(condition=Q(review_steps__lte=3), name="publishing_review_steps_at_most_3"),
        ]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def title(self):
        return self.name or standard_name(self.key)


class Article(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWING = "reviewing", _("In review")
        RETURNED = "returned", _("Returned for changes")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="articles", verbose_name=_("organization")
    )
    column = models.ForeignKey(Column, on_delete=models.PROTECT, related_name="articles", verbose_name=_("column"))
    title = models.CharField(_("title"), max_length=100)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    cover = models.ImageField(_("cover image"), upload_to="articles/%Y/%m/", blank=True)
    body = models.TextField(_("body"), blank=True)  # sanitized HTML (sanitize.clean), never raw input
    body_text = models.TextField(editable=False, blank=True)  # the body's words, for search, feeds and checks
    source = models.CharField(_("source"), max_length=100, blank=True)  # 来源
    author = models.CharField(_("author"), max_length=50, blank=True)  # 作者 (a byline, free text)
    show_below = models.BooleanField(_("also on the portals below"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    # Review steps this round requires (copied from the column when submitted) and how many have passed.
    review_steps = models.PositiveSmallIntegerField(default=0, editable=False)
    steps_passed = models.PositiveSmallIntegerField(default=0, editable=False)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)  # None: as soon as approved
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["column", "title", "summary", "cover", "body", "source", "author", "show_below", "publish_at"]
    HISTORY_SHOWN = {"body": text_of}  # the history shows the body's words, not its HTML

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["organization", "state", "-published_at"], name="publishing_article_org_list"),
            models.Index(fields=["column", "state", "-published_at"], name="publishing_article_column_list"),
            models.Index(fields=["state", "publish_at"], name="publishing_article_due"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleEvent(models.Model):
    """One step of an article's life: who did it, when, at which review step, and why (a return, a withdrawal)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Written")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)  # 1-based review step of an approval/return
    of_steps = models.PositiveSmallIntegerField(null=True, blank=True)  # how many steps that round required
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.kind}"


class ArticleImage(models.Model):
    """A picture in an article's body, re-encoded on upload (core/uploads.py) and served by its own view.

    The editor uploads a picture as soon as it is inserted, before a new article has been saved: such an image
    belongs to its organization and its uploader only (`article` empty) until the article that shows it is saved
    (articles.save_article claims it); one never claimed is deleted by the clock after a day."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images", null=True, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    image = models.ImageField(upload_to="articles/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.image.name or ""


class ArticleAttachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="articles/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """信息报送: a published article sent up to an organization above, which adopts it or returns it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a decision")
        ADOPTED = "adopted", _("Adopted")
        RETURNED = "returned", _("Returned")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="submissions")
    to_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="received_submissions"
    )
    # The adopting organization's column it appears in.
    column = models.ForeignKey(Column, on_delete=models.SET_NULL, null=True, blank=True, related_name="adoptions")
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    note = models.CharField(_("note to the receiver"), max_length=300, blank=True)
    reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # One open or adopted submission of an article to an organization; after a return it may come again.
            models.UniqueConstraint(
                fields=["article", "to_organization"],
                condition=Q(state__in=["submitted", "adopted"]),
                name="publishing_one_live_submission",
            )
        ]
        indexes = [models.Index(fields=["to_organization", "state"], name="publishing_submission_inbox")]

    def __str__(self) -> str:
        return f"{self.article_id}→{self.to_organization_id}"


class Notice(models.Model):
    """A notice (通知) sent to organizations below, each of which signs it off (签收) and may reply."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Audience(models.TextChoices):
        CHOSEN = "chosen", _("Chosen organizations")
        SUBTREE = "subtree", _("Every organization below one")
        CHILDREN = "children", _("The organizations directly below")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="notices", verbose_name=_("sender")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=5000)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    needs_reply = models.BooleanField(_("a written reply is expected"), default=False)
    audience = models.CharField(_("sent to"), max_length=20, choices=Audience.choices, default=Audience.CHOSEN)
    # Optionally only the holders of one role in the receiving organizations are told (and may sign).
    role = models.CharField(_("only this role"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    # The day the clock last told the sender which receivers are overdue (at most one summary a day).
    overdue_summary_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["title", "body", "reply_by", "needs_reply", "audience", "role", "state", "withdraw_reason"]

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="notices/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class NoticeRecipient(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="received_notices"
    )
    read_at = models.DateTimeField(null=True, blank=True)  # first opened by someone of the organization
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)  # the last reminder (by the sender or the clock)
    reminders = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "organization"], name="publishing_one_recipient_per_notice")
        ]
        indexes = [models.Index(fields=["organization", "signed_at"], name="publishing_recipient_inbox")]

    def __str__(self) -> str:
        return f"{self.notice_id}→{self.organization_id}"


class NoticeReply(models.Model):
    recipient = models.ForeignKey(NoticeRecipient, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("reply"), max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.recipient_id}:{self.pk}"


class NoticeReplyFile(models.Model):
    reply = models.ForeignKey(NoticeReply, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="notices/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class DigestSubscription(models.Model):
    """An e-mail address that receives a digest of an organization's new articles (double opt-in).

    Only a keyed hash of the confirm/unsubscribe token is kept; the address is used for nothing else and is
    deleted when the person unsubscribes, or when never confirmed within a few days."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="digest_subscriptions"
    )
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="publishing_one_subscription_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.pk}"
