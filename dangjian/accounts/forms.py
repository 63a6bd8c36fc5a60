import math

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import throttle
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


class GrantRoleForm(forms.Form):
    login = forms.CharField(label=_("Username or mobile number of the person"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_login(self):
        login = self.cleaned_data["login"].strip()
        user = get_user_model()._default_manager.find_by_login(login)
        if user is None:
            raise ValidationError(_("No account with this username or mobile number."))
        self.user = user
        return login
