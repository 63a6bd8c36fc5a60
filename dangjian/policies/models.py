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

    def current(self):
        """Leaves out versions a published policy replaces (its page stays; lists show the newest version)."""
        return self.filter(superseded=False)

    def current_first(self, today: datetime.date | None = None):
        """In force first, then not yet in force, then expired; newest first within each."""
        return self.alias(status_rank=status_rank(today)).order_by("status_rank", "-issued_on", "-id")

    def with_status(self, status: str, today: datetime.date | None = None):
        """Policies in one of Policy.Status on `today`."""
        by_status = {"in_force": self.in_force, "expired": self.expired, "pending": self.not_yet_in_force}
        return by_status[status](today)


# The covering index of each policy's dates (search.IndexRankedMatches names it in its SQL).
DATES_INDEX = "policy_dates_idx"


def status_rank(today: datetime.date | None = None) -> models.Case:
    """0 for a policy in force on `today`, 1 for one not yet in force, 2 for an expired one."""
    today = today or timezone.localdate()
    return models.Case(
        models.When(effective_on__gt=today, then=models.Value(1)),
        models.When(expires_on__lt=today, then=models.Value(2)),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


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
    # A new version of a policy (修订) or one that takes its place (替代) names the one it replaces; lists
    # show the newest version with its history. Set by actions.save_policy, within the issuer's subtree.
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        verbose_name=_("replaces or amends"),
    )
    # True while a published policy replaces this one (kept by actions.save_policy and delete_policy):
    # lists and the full-text index leave it out without a join.
    superseded = models.BooleanField(default=False, editable=False)
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
        "replaces",
    ]

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        indexes = [
            models.Index(fields=["issuer", "-issued_on", "-id"], name="policy_issuer_newest_idx"),
            models.Index(fields=["-issued_on", "-id"], name="policy_newest_idx"),
            # The dates of a match read without its row: search.IndexRankedMatches orders matches in force first.
            models.Index(fields=["id", "effective_on", "expires_on"], name=DATES_INDEX),
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
        # Only published policies carry the token, so the index alone knows what the public may find
        # (a version that a newer one replaces is found through the newer one).
        self.issuer_token = f"i{self.issuer_id}" if self.is_published and not self.superseded else ""

    def versions(self, organization: Organization | None = None) -> list[Policy]:
        """All published versions of this policy, newest first (this one included, published or not), those
        applicable to `organization` where given. A few queries: one per version."""
        newer: list[Policy] = []
        node: Policy | None = self
        while node is not None and len(newer) < 100:
            node = Policy.objects.filter(replaces=node).select_related("issuer").first()
            if node is not None:
                newer.append(node)
        older: list[Policy] = []
        node = self
        while node is not None and node.replaces_id is not None and len(older) < 100:
            node = Policy.objects.filter(pk=node.replaces_id).select_related("issuer").first()
            if node is not None:
                older.append(node)
        chain = [*reversed(newer), self, *older]
        allowed = set(organization.ancestor_ids) if organization is not None else None
        return [p for p in chain if p is self or (p.is_published and (allowed is None or p.issuer_id in allowed))]


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


def older_version_counts(policies, organization: Organization | None = None) -> dict[int, int]:
    """For each policy, how many published older versions it has (applicable to `organization` where given):
    the "历史版本 N" of a list. One query per level of history, whatever the number of policies."""
    allowed = set(organization.ancestor_ids) if organization is not None else None
    counts = {p.pk: 0 for p in policies}
    # frontier: older version id -> the listed policy it belongs to
    frontier = {p.replaces_id: p.pk for p in policies if p.replaces_id is not None}
    for _level in range(100):
        if not frontier:
            break
        rows = Policy.objects.filter(pk__in=frontier).values_list("pk", "replaces_id", "is_published", "issuer_id")
        next_frontier = {}
        for pk, replaces_id, is_published, issuer_id in rows:
            owner = frontier[pk]
            if is_published and (allowed is None or issuer_id in allowed):
                counts[owner] += 1
            if replaces_id is not None:
                next_frontier[replaces_id] = owner
        frontier = next_frontier
    return counts


class CurrentFirst:
    """The policies of a queryset in force first, then those not yet in force, then expired ones, newest first
    within each (the order of `PolicyQuerySet.current_first`), read group by group in index order: a page
    costs one counting pass and a few short reads, never a sort of every row. Sliced by Django's Paginator
    (`count()`, slices; `__len__`, `__iter__` and an int index complete the sequence)."""

    def __init__(self, queryset: PolicyQuerySet, today: datetime.date | None = None):
        today = today or timezone.localdate()
        self.queryset = queryset
        self.today = today
        self.groups = [
            ("in_force", queryset.in_force(today)),
            ("pending", queryset.not_yet_in_force(today)),
            ("expired", queryset.expired(today)),
        ]
        self._counts: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        if self._counts is None:
            rank = status_rank(self.today)
            found = (
                self.queryset.order_by()
                .alias(_rank=rank)
                .aggregate(
                    in_force=models.Count("pk", filter=models.Q(_rank=0)),
                    pending=models.Count("pk", filter=models.Q(_rank=1)),
                    expired=models.Count("pk", filter=models.Q(_rank=2)),
                )
            )
            self._counts = {name: found[name] or 0 for name, _group in self.groups}
        return self._counts

    def count(self) -> int:
        return sum(self.counts().values())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __getitem__(self, index):
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        skip = index.start or 0
        need = (index.stop if index.stop is not None else self.count()) - skip
        rows: list[Policy] = []
        for name, group in self.groups:
            if need <= 0:
                break
            # Only a later page counts the groups it passes over.
            if skip and skip >= self.counts()[name]:
                skip -= self.counts()[name]
                continue
            taken = list(group.order_by("-issued_on", "-id")[skip : skip + need])
            rows.extend(taken)
            need -= len(taken)
            skip = 0
        return rows
