from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import VersionedModelForm

from .actions import LeaderInput, ProfileInput, TermInput
from .models import Leader, Organization, Term


class ProfileForm(VersionedModelForm):
    class Meta:
        model = Organization
        fields = ["name", "short_name", "intro", "address", "phone"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 8})}

    def to_input(self) -> ProfileInput:
        return ProfileInput(**{name: self.cleaned_data[name] for name in self.Meta.fields})


class TermForm(VersionedModelForm):
    class Meta:
        model = Term
        fields = ["name", "elected_on", "ends_on"]
        widgets = {
            "elected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        elected, ends = cleaned.get("elected_on"), cleaned.get("ends_on")
        if elected and ends and ends <= elected:
            self.add_error("ends_on", _("The term must end after the election date."))
        return cleaned

    def to_input(self) -> TermInput:
        return TermInput(**{name: self.cleaned_data[name] for name in self.Meta.fields})


class LeaderForm(VersionedModelForm):
    photo_upload = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 10 MB. It is resized and its metadata (such as location) removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Leader
        fields = ["term", "name", "post", "duties", "cv", "contact", "sort_order"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3}), "cv": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        term = cast(forms.ModelChoiceField, self.fields["term"])
        term.queryset = organization.terms.all()
        term.empty_label = None

    def to_input(self) -> LeaderInput:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "term"}
        return LeaderInput(term_id=self.cleaned_data["term"].pk, **data)
