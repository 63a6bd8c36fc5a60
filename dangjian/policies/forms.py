from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import VersionedModelForm
from dangjian.core.uploads import check_attachment

from .actions import InterpretationInput, PolicyInput, replaceable_policies
from .models import Policy, PolicyCategory, PolicyInterpretation
from .search import MAX_QUERY_CHARS

LEVELS = [("0", _("County")), ("1", _("Township")), ("2", _("Village / community")), ("3", _("Party group"))]


class PolicyFilterForm(forms.Form):
    """Filters of the public policy library; invalid values are ignored, never an error page."""

    q = forms.CharField(
        label=_("Search policies"),
        required=False,
        max_length=MAX_QUERY_CHARS,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 养老保险, 宅基地 审批")}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=PolicyCategory.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All categories"),
    )
    level = forms.ChoiceField(label=_("Issued by"), required=False, choices=[("", _("All levels")), *LEVELS])
    status = forms.ChoiceField(label=_("Validity"), required=False, choices=[("", _("All")), *Policy.Status.choices])

    def __init__(self, data, *, depth: int):
        data = data.copy()
        if len(data.get("q", "")) > MAX_QUERY_CHARS:
            data["q"] = data["q"][:MAX_QUERY_CHARS]
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["level"]).choices = [("", _("All levels")), *LEVELS[: depth + 1]]

    def cleaned(self) -> dict:
        """The valid filters; a forged or stale value is dropped rather than refused."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class PolicyForm(VersionedModelForm):
    class Meta:
        model = Policy
        fields = [
            "title",
            "doc_number",
            "category",
            "issued_on",
            "effective_on",
            "expires_on",
            "replaces",
            "body",
            "is_published",
        ]
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        widgets = {
            "issued_on": date,
            "effective_on": date,
            "expires_on": date,
            "body": forms.Textarea(attrs={"rows": 16}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["replaces"])
        field.label = _("This policy replaces or amends")
        field.help_text = _(
            "Choose the earlier version or the policy this one takes the place of: the policy library then "
            "shows this one, with the earlier ones as its history."
        )
        field.empty_label = _("None (a policy of its own)")
        field.queryset = (
            replaceable_policies(self.instance.issuer, self.instance)
            .select_related("issuer")
            .order_by("-issued_on", "-id")
        )
        field.label_from_instance = _replaced_label  # type: ignore[method-assign,assignment]
        field.error_messages["invalid_choice"] = _(
            "Choose the replaced policy from the list: one of this organization or below it, not yet replaced."
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        effective, expires = cleaned.get("effective_on"), cleaned.get("expires_on")
        if effective and expires and expires < effective:
            self.add_error("expires_on", _("The expiry date cannot be before the effective date."))
        return cleaned

    def to_input(self) -> PolicyInput:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in {"category", "replaces"}}
        replaces = self.cleaned_data.get("replaces")
        return PolicyInput(
            category_id=self.cleaned_data["category"].pk, replaces_id=replaces.pk if replaces else None, **data
        )


def _replaced_label(policy: Policy) -> str:
    parts = [policy.doc_number, policy.issued_on.strftime("%Y-%m-%d")]
    return f"{policy.title}（{'，'.join(p for p in parts if p)}）"


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment"), help_text=_("PDF, Word, Excel, WPS, JPEG/PNG or ZIP, up to 20 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = check_attachment(upload)
        return upload


class InterpretationForm(VersionedModelForm):
    class Meta:
        model = PolicyInterpretation
        fields = ["title", "source", "published_on", "body"]
        widgets = {
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 12}),
        }

    def to_input(self) -> InterpretationInput:
        return InterpretationInput(**{name: self.cleaned_data[name] for name in self.Meta.fields})
