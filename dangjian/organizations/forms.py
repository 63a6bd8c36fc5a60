from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import VersionedModelForm, picker_attrs

from .actions import LeaderInput, ProfileInput, TermInput
from .models import Leader, Organization, Term, validate_public_phone


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


class NewOrganizationForm(forms.Form):
    """An organization to add below `parent` (kinds that belong there only)."""

    name = forms.CharField(label=_("Full name"), max_length=100, help_text=_("For example: 东城镇王庄村党支部委员会"))
    short_name = forms.CharField(
        label=_("Short name"), max_length=30, required=False, help_text=_("For example: 王庄村")
    )
    kind = forms.ChoiceField(label=_("Kind"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Public phone"), max_length=40, required=False, validators=[validate_public_phone])

    def __init__(self, *args, parent: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        from .tree import child_kinds

        cast(forms.ChoiceField, self.fields["kind"]).choices = child_kinds(parent)

    def to_input(self):
        from .tree import NewOrganizationInput

        return NewOrganizationInput(**self.cleaned_data)


class MoveForm(forms.Form):
    new_parent = forms.TypedChoiceField(label=_("Move below"), coerce=int)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["new_parent"]).choices = choices


class CloseForm(forms.Form):
    """Merge into another organization, or close without a merge: an explicit choice (nothing is closed by
    leaving a field empty); the organization to merge into is found by typing part of its name."""

    MERGE, CLOSE = "merge", "close"

    how = forms.ChoiceField(
        label=_("What should happen to it"),
        widget=forms.RadioSelect,
        choices=[
            (
                MERGE,
                _("Merge it into another organization (撤并): it takes over its organizations, policies and cases"),
            ),
            (CLOSE, _("Close it without a merge (直接撤销): only when nothing is left in it")),
        ],
        error_messages={"required": _("Choose whether to merge it into another organization or close it.")},
    )
    merge_into = forms.TypedChoiceField(
        label=_("Merge into"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=picker_attrs()),
        help_text=_("Only when merging: type part of the name to find it."),
        error_messages={"invalid_choice": _("Choose the organization to merge into from the list.")},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["merge_into"]).choices = [
            ("", pgettext_lazy("choice", "Please choose")),
            *choices,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("how") == self.CLOSE:
            cleaned["merge_into"] = None
        elif cleaned.get("how") == self.MERGE and cleaned.get("merge_into") is None and "merge_into" not in self.errors:
            self.add_error("merge_into", _("Choose the organization to merge into."))
        return cleaned
