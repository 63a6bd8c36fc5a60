from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.organizations.models import Organization

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PolicyCategory(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)
    slug = models.SlugField(unique=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("policy category")
        verbose_name_plural = _("policy categories")

    def __str__(self) -> str:
        return self.name


class PolicyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def applicable_to(self, organization: Organization):
        """Policies issued by the organization or any of its ancestors (content flows down)."""
        return self.filter(issuer_id__in=organization.ancestor_ids)

    def in_force(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(effective_on__lte=today).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today)
        )

    def expired(self, today: datetime.date | None = None):
        return self.filter(expires_on__lt=today or timezone.localdate())

    def not_yet_in_force(self, today: datetime.date | None = None):
        return self.filter(effective_on__gt=today or timezone.localdate())

    def with_status(self, status: str, today: datetime.date | None = None):
        """Policies in one of Policy.Status on `today`."""
        by_status = {"in_force": self.in_force, "expired": self.expired, "pending": self.not_yet_in_force}
        return by_status[status](today)


class Policy(models.Model):
    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        PENDING = "pending", _("Not yet in force")

    issuer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="policies", verbose_name=_("issuing organization")
    )
    title = models.CharField(_("title"), max_length=200)
    doc_number = models.CharField(
        _("document number"), max_length=60, blank=True, help_text=_("For example: 清政发〔2025〕12号")
    )
    category = models.ForeignKey(
        PolicyCategory, on_delete=models.PROTECT, related_name="policies", verbose_name=_("category")
    )
    issued_on = models.DateField(_("issue date"))
    effective_on = models.DateField(_("effective date"))
    expires_on = models.DateField(
        _("expiry date"), null=True, blank=True, help_text=_("Leave empty if the policy has no fixed end.")
    )
    body = models.TextField(_("text"), max_length=100_000)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Search tokens (jieba, search mode) kept beside the text; the full-text index is built on them.
    title_tokens = models.TextField(editable=False, default="")
    body_tokens = models.TextField(editable=False, default="")
    # "i<issuer id>" when published: lets the SQLite full-text index restrict matches to what a
    # portal shows (its issuers' published policies) by itself.
    issuer_token = models.CharField(max_length=24, editable=False, default="")

    objects = PolicyQuerySet.as_manager()

    HISTORY_FIELDS = [
        "title",
        "doc_number",
        "category",
        "issued_on",
        "effective_on",
        "expires_on",
        "body",
        "is_published",
    ]

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        indexes = [
            models.Index(fields=["issuer", "-issued_on", "-id"], name="policy_issuer_newest_idx"),
            models.Index(fields=["-issued_on", "-id"], name="policy_newest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("effective_on")),
                name="policy_expires_after_effective",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.refresh_tokens()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"title_tokens", "body_tokens", "issuer_token"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.issuer_id, self.pk])

    def status(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.effective_on > today:
            return self.Status.PENDING
        if self.expires_on and self.expires_on < today:
            return self.Status.EXPIRED
        return self.Status.IN_FORCE

    def get_status_display(self) -> StrOrPromise:
        return self.Status(self.status()).label

    def refresh_tokens(self) -> None:
        from dangjian.core.text import index_text

        self.title_tokens = index_text(self.title + " " + self.doc_number)
        self.body_tokens = index_text(self.body)
        # Only published policies carry the token, so the index alone knows what the public may find.
        self.issuer_token = f"i{self.issuer_id}" if self.is_published else ""


class PolicyAttachment(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="policies/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    HISTORY_FIELDS = ["policy", "name", "file", "size"]

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class PolicyInterpretation(models.Model):
    """An interpretation (解读) of a policy, shown with it."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="interpretations", verbose_name=_("policy")
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("interpreted by"), max_length=100, blank=True, help_text=_("For example: 县医疗保障局"))
    published_on = models.DateField(_("publication date"), default=timezone.localdate)
    body = models.TextField(_("text"), max_length=50_000)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["title", "source", "published_on", "body"]

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("interpretation")
        verbose_name_plural = _("interpretations")

    def __str__(self) -> str:
        return self.title
