import math

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import throttle, two_factor
from .models import Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _("The username/mobile number or the password is wrong."),
        "inactive": _("This account is disabled."),
        "locked": _("Too many wrong passwords for this account. Please wait %(minutes)s minutes and try again."),
        "address_paused": _(
            "Too many failed sign-ins from this network. Please wait %(minutes)s minutes and try again."
        ),
    }

    def clean(self):
        """Limits are applied by the first authentication backend (accounts/throttle.py); this says how long to wait."""
        try:
            return super().clean()
        except ValidationError:
            wait = throttle.wait_seconds(self.request)
            if not wait:
                raise
            code = "address_paused" if getattr(self.request, "sign_in_address_paused", False) else "locked"
            raise ValidationError(
                self.error_messages[code], code=code, params={"minutes": math.ceil(wait / 60)}
            ) from None


class PersonForm(forms.Form):
    """Names an account by its username or mobile number (`form.user` once valid)."""

    login = forms.CharField(label=_("Username or mobile number of the person"), max_length=150)

    def clean_login(self):
        login = self.cleaned_data["login"].strip()
        user = get_user_model()._default_manager.find_by_login(login)
        if user is None:
            raise ValidationError(_("No account with this username or mobile number."))
        self.user = user
        return login


def role_field() -> forms.ChoiceField:
    """The role to grant; it starts at "Please choose", so nobody grants administrator rights by accident."""
    return forms.ChoiceField(
        label=_("Role"),
        choices=[("", pgettext_lazy("choice", "Please choose")), *[c for c in Role.choices if c[0] != Role.DISCIPLINE]],
        error_messages={
            "required": _("Choose the role to grant."),
            "invalid_choice": _("Choose the role to grant from the list."),
        },
    )


class GrantRoleForm(PersonForm):
    # The discipline role is granted on the supervision pages by an officer of the unit above.
    role = role_field()


class NewAccountForm(forms.Form):
    """A new person's account and their role, made in one step by an administrator."""

    full_name = forms.CharField(label=pgettext_lazy("person", "Full name"), max_length=40)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=11,
        min_length=11,
        help_text=_("They sign in with this number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    role = role_field()


class PasswordChangeWithCodeForm(PasswordChangeForm):
    """Changing one's password; whoever signs in with a second factor also gives a current code."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("The current password is not right. Please enter it again."),
        "password_mismatch": _("The two new passwords differ. Please enter the same new password twice."),
    }

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        # Messages that say what to do, instead of Django's generic "这个字段是必填项。".
        self.fields["old_password"].label = _("Current password")
        for name, message in (
            ("old_password", _("Please enter your current password.")),
            ("new_password1", _("Please enter the new password.")),
            ("new_password2", _("Please enter the new password once more.")),
        ):
            self.fields[name].error_messages["required"] = message
        self.device = two_factor.confirmed_device(user)
        if self.device is not None:
            fields = list(self.fields.items())
            token = forms.CharField(
                label=_("6-digit code from the authenticator app"),
                max_length=6,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                error_messages={"required": _("Enter the 6-digit code your authenticator app shows now.")},
            )
            self.fields = dict(fields[:1] + [("token", token)] + fields[1:])

    def clean_token(self):
        check = two_factor.check_code(self.device, self.cleaned_data["token"])
        if not check.ok:
            raise ValidationError(check.error, code="token")
        return ""
