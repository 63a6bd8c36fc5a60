from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))


NAME_SEPARATORS = " \t\u3000·•.,，、-—_/()（）"


def personal_name_from(full_name: str) -> str:
    """The person's own name in a real name that may carry a unit or title: the last part
    ("清河镇纪委 赵强" → "赵强"); a real name without parts is taken whole."""
    parts = "".join(ch if ch not in NAME_SEPARATORS else " " for ch in (full_name or "")).split()
    return parts[-1][:20] if parts else ""


class StaffUserManager(UserManager):
    def find_by_login(self, login: str):
        """The account signed in as `login`: its mobile number (11 digits) or its username; None if none."""
        login = login.strip()
        if login.isdigit() and len(login) == 11:
            user = self.filter(mobile=login).first()
            if user is not None:
                return user
        return self.filter(username=login).first()


class User(AbstractUser):
    """A staff account. Citizens need no account to read portals."""

    full_name = models.CharField(_("real name"), max_length=40, blank=True)
    # The person's own name, kept apart from any title or unit written into the real name
    # ("清河镇纪委 赵强" → "赵强"): supervision reports are matched against it (conflicts of interest).
    personal_name = models.CharField(
        _("personal name"),
        max_length=20,
        blank=True,
        help_text=_("The name people call the person by, without unit or title, e.g. 赵强."),
    )
    mobile = models.CharField(
        _("mobile number"), max_length=11, unique=True, null=True, blank=True, validators=[mobile_validator]
    )
    # Set on an account an administrator created with a one-time password: the person must choose their own
    # password before anything else (accounts.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("must change password at next sign-in"), default=False)

    objects: ClassVar[StaffUserManager] = StaffUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organization administrator")
    SECRETARY = "secretary", _("Branch secretary")
    MEDIA_OFFICER = "media_officer", _("New-media officer")
    DISCIPLINE = "discipline", _("Discipline officer")


class RoleGrant(models.Model):
    """A role held on an organization; it holds for the organization's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    HISTORY_FIELDS = ["user", "organization", "role"]

    class Meta:
        ordering = ["organization__path", "role"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="unique_role_grant")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"
