from __future__ import annotations

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PATH_STEP = 7  # digits per level in Organization.path

# A public phone: a mobile (13812345678), a landline with or without its area code (0371-12345678, (0371)1234567,
# an extension after - or 转), a service number (12345, 400-123-4567); several separated by 、 or ，.
_PHONE = re.compile(
    r"(?:(?:\+?86-?)?1[3-9]\d{9}"
    r"|(?:\(0\d{2,3}\)|0\d{2,3}-?)?\d{7,8}(?:(?:-|转)\d{1,6})?"
    r"|1\d{4}|[48]00-?\d{3}-?\d{4})"
)
_PHONE_SEPARATORS = re.compile(r"[、，,/；;]")


def validate_public_phone(value: str) -> None:
    """A phone number the public can dial; spaces and full-width digits are read as usual."""
    text = unicodedata.normalize("NFKC", value or "").replace(" ", "")
    parts = _PHONE_SEPARATORS.split(text)
    if not text or all(_PHONE.fullmatch(part) for part in parts):
        return
    raise ValidationError(
        _("Enter a mobile or landline number, for example 13812345678 or 0371-12345678."), code="phone"
    )


class OrganizationQuerySet(models.QuerySet):
    def open(self):
        """Organizations not closed: the ones shown in the tree, the village search, choice lists and portals."""
        return self.filter(closed_at__isnull=True)


def ids_in_path(path: str) -> list[int]:
    """The organization ids in a tree path ("0000001/0000004/"), from the root down."""
    return [int(part) for part in path.strip("/").split("/")]


class Organization(models.Model):
    """A Party organization; the tree is kept in a materialized path ("0000001/0000004/").

    A subtree is one indexed prefix lookup (`path__startswith`), and the ancestors of an
    organization are read from its own path without a query. A closed organization (撤销, or 撤并 into
    `merged_into`) keeps its row, path and history; it leaves the tree's lists and its portal links redirect
    (organizations.middleware). Add, move, close and merge go through organizations.tree.
    """

    class Kind(models.TextChoices):
        COUNTY = "county", _("County committee")
        TOWNSHIP = "township", _("Township committee")
        VILLAGE = "village", _("Village branch")
        COMMUNITY = "community", _("Community branch")
        GROUP = "group", _("Party group")

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    intro = models.TextField(_("profile"), blank=True, max_length=5000)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True, validators=[validate_public_phone])
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        editable=False,
        verbose_name=_("merged into"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    HISTORY_FIELDS = ["name", "short_name", "kind", "parent", "intro", "address", "phone", "closed_at", "merged_into"]

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.path:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            self.path = f"tmp-{timezone.now().timestamp()}-{id(self)}"
            super().save(*args, **kwargs)
            prefix = self.parent.path if self.parent is not None else ""
            self.path = f"{prefix}{self.pk:0{PATH_STEP}d}/"
            self.depth = self.path.count("/") - 1
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    def get_absolute_url(self) -> str:
        return reverse("orgs:portal", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this organization."""
        return ids_in_path(self.path)

    def ancestors(self) -> list[Organization]:
        ids = self.ancestor_ids[:-1]
        by_id = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def subtree(self, *, include_closed: bool = False):
        """This organization and the open ones below it (with `include_closed`, the closed ones too)."""
        found = Organization.objects.filter(path__startswith=self.path)
        return found if include_closed else found.open()

    def subtree_range(self) -> dict[str, str]:
        """Lookups selecting paths in this subtree as an index range (no LIKE): `path__range`-style bounds
        for a denormalized path column, e.g. `Case.objects.filter(place_path__gte=r["gte"], place_path__lt=r["lt"])`.

        Paths are digits and "/"; "/" sorts just below "0", so every path below "0000001/" is less
        than "00000010".
        """
        return {"gte": self.path, "lt": self.path[:-1] + "0"}


class Term(models.Model):
    """A leadership term (届) of an organization: elected on a date, ends on a date."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="terms", verbose_name=_("organization")
    )
    name = models.CharField(_("term"), max_length=40, help_text=_("For example: 第十届"))
    elected_on = models.DateField(_("election date"))
    ends_on = models.DateField(_("term end"))
    # Set on the terms a merged organization (撤并) brought along: kept here as history ("原林河村第三届"), never
    # this organization's current term.
    merged_from = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["name", "elected_on", "ends_on"]

    class Meta:
        ordering = ["organization", "-elected_on"]
        verbose_name = _("leadership term")
        verbose_name_plural = _("leadership terms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("elected_on")), name="term_ends_after_election"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} {self.name}"

    @property
    def shown_name(self) -> str:
        """The term's name as the public reads it: a merged organization's term names where it came from."""
        if self.merged_from_id is None:
            return self.name
        source = self.merged_from
        assert source is not None  # merged_from_id is set
        return gettext("Former %(organization)s %(term)s") % {
            "organization": source.short_name or source.name,
            "term": self.name,
        }

    def days_left(self, today: datetime.date | None = None) -> int:
        today = today or timezone.localdate()
        return (self.ends_on - today).days


class Leader(models.Model):
    """A member of an organization's leadership team in one term."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="leaders", verbose_name=_("term"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="leaders", editable=False)
    name = models.CharField(_("full name"), max_length=40)
    post = models.CharField(_("post"), max_length=60, help_text=_("For example: 党委书记"))
    duties = models.TextField(_("duties"), max_length=1000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="leaders/%Y/", blank=True)
    cv = models.TextField(_("short CV"), max_length=3000, blank=True)
    contact = models.CharField(
        _("public contact"),
        max_length=100,
        blank=True,
        help_text=_("An office phone or mailbox the public may use; never a private number."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    HISTORY_FIELDS = ["term", "name", "post", "duties", "photo", "cv", "contact", "sort_order"]

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"

    def save(self, *args, **kwargs):
        self.organization_id = self.term.organization_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("orgs:leader", args=[self.organization_id, self.pk])

    def photo_url(self) -> str:
        """The photo, served by this record (never by a path under MEDIA_ROOT); the version busts caches."""
        return f"{reverse('orgs:leader_photo', args=[self.organization_id, self.pk])}?v={self.version}"


def current_term(organization: Organization) -> Term | None:
    """The organization's own latest term (never one a merged organization brought along)."""
    return organization.terms.filter(merged_from__isnull=True).order_by("-elected_on").first()


def terms_ending_soon(org_queryset, today: datetime.date | None = None, days: int | None = None):
    """The current term of each organization in the queryset whose end is within `days` (or past)."""
    today = today or timezone.localdate()
    days = settings.TERM_WARNING_DAYS if days is None else days
    latest = Term.objects.filter(organization=models.OuterRef("organization"), merged_from__isnull=True).order_by(
        "-elected_on"
    )
    return (
        Term.objects.filter(organization__in=org_queryset, ends_on__lte=today + datetime.timedelta(days=days))
        .filter(pk=models.Subquery(latest.values("pk")[:1]))
        .select_related("organization")
        .order_by("ends_on")
    )
