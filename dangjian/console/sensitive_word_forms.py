"""Forms of the sensitive-word page: a pasted list, or a .txt file; both only build the input of the actions in
sensitive_words.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import ChoiceChips
from dangjian.core.models import SensitiveWord


class SensitiveWordsForm(forms.Form):
    words = forms.CharField(
        label=_("Words, one a line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Paste a list: each line is one word. A word already listed gets the level chosen below."),
    )
    level = forms.ChoiceField(
        label=_("When a text contains one"),
        choices=SensitiveWord.Level.choices,
        widget=ChoiceChips,
        initial=SensitiveWord.Level.FLAG,
    )
    category = forms.CharField(label=pgettext_lazy("sensitive word", "Category"), max_length=30, required=False)


class SensitiveWordFileForm(forms.Form):
    file = forms.FileField(
        label=_("A .txt file, one word a line"),
        help_text=_("UTF-8 or GBK text, at most 1 MB. A word already listed gets the level chosen below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )
    level = forms.ChoiceField(
        label=_("When a text contains one of the file's words"),
        choices=SensitiveWord.Level.choices,
        widget=ChoiceChips,
        initial=SensitiveWord.Level.FLAG,
    )
    category = forms.CharField(label=pgettext_lazy("sensitive word", "Category"), max_length=30, required=False)
