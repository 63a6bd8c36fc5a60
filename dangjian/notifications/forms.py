"""The two steps of a one-time code by SMS (notifications/codes.py) as forms: the number, then the code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NUMBER_MESSAGE = _("Enter an 11-digit mobile number, such as 13812345678.")
CODE_MESSAGE = _("Enter the 6-digit code from the SMS.")


class MobileForm(forms.Form):
    """The number; a use says which number it means in `number_help` (e.g. the one given with a problem)."""

    number_help: StrOrPromise = ""

    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": NUMBER_MESSAGE, "max_length": NUMBER_MESSAGE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"].help_text = self.number_help


class CodeForm(forms.Form):
    mobile = forms.CharField(max_length=20, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text=_("6 digits, valid for 10 minutes."),
        error_messages={"required": CODE_MESSAGE, "max_length": CODE_MESSAGE},
    )
