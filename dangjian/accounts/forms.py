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
        "locked": _("Too many wrong passwords for this account. Please wait 15 minutes and try again."),
    }

    def clean(self):
        login = self.cleaned_data.get("username") or ""
        if login and throttle.is_locked(login):
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if login:
                throttle.record_failure(login)
            raise
        throttle.clear(login)
        return cleaned


class GrantRoleForm(forms.Form):
    login = forms.CharField(label=_("Username or mobile number of the person"), max_length=150)
    # The discipline role is granted on the supervision pages by an officer of the unit above.
    role = forms.ChoiceField(label=_("Role"), choices=[c for c in Role.choices if c[0] != Role.DISCIPLINE])

    def clean_login(self):
        login = self.cleaned_data["login"].strip()
        user = get_user_model()._default_manager.find_by_login(login)
        if user is None:
            raise ValidationError(_("No account with this username or mobile number."))
        self.user = user
        return login
