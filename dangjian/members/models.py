"""Party members (党员): the registry of each branch, kept apart from staff accounts and roles.

A member belongs to one branch (`organization`, any organization node but a party group) and may belong to one of
its party groups (党小组: an organization node of kind GROUP directly below the branch). A member may have an
account (`user`: signs in with the mobile number and a password) and may also hold staff roles, or not; roles never
come from being a member. The ID-card number is encrypted at rest (core/fieldcrypt.py, the key is not in the
database), found only by exact match through its keyed hash (unique across the installation), and shown masked.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import mobile_validator
from dangjian.core import fieldcrypt
from dangjian.notifications.models import OneTimeCode

from . import idnumbers


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    class Category(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("On the roll")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        SUSPENDED = "suspended", _("Membership suspended")
        DECEASED = "deceased", _("Deceased")

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", _("Postgraduate")
        UNIVERSITY = "university", _("University")
        COLLEGE = "college", _("College")
        SECONDARY = "secondary", _("Senior or vocational secondary school")
        JUNIOR = "junior", _("Junior secondary school")
        PRIMARY = "primary", _("Primary school or less")

    class CommitteePost(models.TextChoices):
        NONE = "", _("Not on the branch committee")
        SECRETARY = "secretary", _("Branch secretary")
        DEPUTY = "deputy", _("Deputy secretary")
        ORGANIZATION = "organization", _("Organization committee member")
        PUBLICITY = "publicity", _("Publicity committee member")
        DISCIPLINE = "discipline", _("Discipline committee member")
        OTHER = "other", _("Committee member")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="members", verbose_name=_("branch")
    )
    party_group = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        verbose_name=_("party group"),
    )
    name = models.CharField(_("full name"), max_length=40)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("date of birth"))
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True, validators=[mobile_validator])
    # The ID-card number: encrypted (fieldcrypt), its keyed hash for exact search and uniqueness, and the masked
    # form every page shows. Set only through `set_id_number`.
    id_number_encrypted = models.BinaryField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID-card number"), max_length=18, editable=False)
    joined_on = models.DateField(_("date joined the Party"))
    full_member_on = models.DateField(_("date made a full member"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.FULL)
    # The end of a probationary member's one-year probation (joined_on + 1 year), kept for the reminder scan.
    probation_ends_on = models.DateField(_("probation ends on"), null=True, blank=True, editable=False)
    job = models.CharField(_("job or post"), max_length=60, blank=True)
    committee_post = models.CharField(
        _("branch committee post"), max_length=20, choices=CommitteePost.choices, blank=True, default=""
    )
    is_floating = models.BooleanField(_("floating member (流动党员)"), default=False)
    in_difficulty = models.BooleanField(_("member in difficulty (困难党员)"), default=False)
    is_veteran = models.BooleanField(_("veteran member (老党员)"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        editable=False,
        verbose_name=_("account"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # The fields of the record a person types (the form, the roster's columns), copied as they are.
    RECORD_FIELDS = (
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "education",
        "mobile",
        "joined_on",
        "full_member_on",
        "category",
        "job",
        "committee_post",
        "is_floating",
        "in_difficulty",
        "is_veteran",
    )
    HISTORY_FIELDS = ["organization", "party_group", *RECORD_FIELDS, "id_number_masked", "status", "status_changed_on"]

    class Meta:
        ordering = ["organization__path", "name", "id"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        indexes = [
            models.Index(fields=["organization", "status"], name="member_org_status_idx"),
            models.Index(fields=["probation_ends_on"], name="member_probation_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.category == self.Category.PROBATIONARY and self.joined_on:
            self.probation_ends_on = add_years(self.joined_on, 1)
        else:
            self.probation_ends_on = None
        super().save(*args, **kwargs)

    def set_id_number(self, raw: str) -> None:
        number = idnumbers.normalize(raw)
        self.id_number_encrypted = fieldcrypt.encrypt(number)
        self.id_number_hash = fieldcrypt.lookup_hash(number)
        self.id_number_masked = idnumbers.masked(number)

    def id_number(self) -> str:
        """The number in clear: only for the audited export and the member's own check of their record."""
        return fieldcrypt.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    @staticmethod
    def id_hash_of(raw: str) -> str:
        return fieldcrypt.lookup_hash(idnumbers.normalize(raw))

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def on_committee(self) -> bool:
        return bool(self.committee_post)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class MemberTransfer(models.Model):
    """A member's move from one branch to another (转出 / 转入), or out of the platform's branches: recorded once
    and shown on both branches' pages with its dates."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("from branch")
    )
    to_organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to branch"),
    )
    # Where the member went when it is not one of the platform's branches (to_organization empty).
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    left_on = models.DateField(_("transferred out on"))
    arrived_on = models.DateField(_("transferred in on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-left_on", "-id"]
        verbose_name = _("member transfer")
        verbose_name_plural = _("member transfers")

    def __str__(self) -> str:
        return f"{self.member} · {self.left_on}"


class Invitation(models.Model):
    """A single-use invitation with which a member sets the password of their account (link and QR code)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member} · {self.created_at:%Y-%m-%d}"


class RosterImport(models.Model):
    """An uploaded roster between its check and its confirmation: the checked rows (ID numbers included) kept
    encrypted (fieldcrypt) for a short while, so nothing reaches the registry before the user confirms."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    payload = models.BinaryField()  # encrypted JSON: the good rows and the refused ones with their reasons
    good_rows = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    written = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.file_name


class RosterExport(models.Model):
    """Every export of member data: who, when, which branch (subtree), why and how many rows (the audit)."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200)
    rows = models.PositiveIntegerField(default=0)
    with_id_numbers = models.BooleanField(default=False)

    class Meta:
        ordering = ["-exported_at"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.exported_at:%Y-%m-%d}"


class SignInCode(OneTimeCode):
    """A one-time code sent by SMS so a member signs in without their password (accounts.py; only where SMS is
    configured). Neither the number nor the code is stored: keyed hashes (HMAC with the secret key). A code
    expires after 10 minutes, dies after 5 wrong tries and works once."""
