"""The console's forms of the member registry. They only build the actions' input (`to_input()`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import VersionedModelForm, picker_attrs
from dangjian.organizations.choices import indented_choices
from dangjian.organizations.models import Organization

from .actions import MemberInput, StatusInput, TransferInput
from .exports import REASON_MAX
from .models import Member
from .queries import ALL_STATUSES, masked_mobile, party_groups

DATE = {"type": "date"}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


def _data_in_words(words: Any, masked: str) -> str:
    """`words` (translated, with %(masked)s) around a masked number marked as data, not words to translate."""
    number = format_html('<span translate="no">{}</span>', masked)
    return mark_safe(conditional_escape(words) % {"masked": number})  # noqa: S308 - both parts escaped


class MemberForm(VersionedModelForm):
    id_number = forms.CharField(
        label=_("ID-card number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )

    class Meta:
        model = Member
        fields = [
            "name",
            "sex",
            "id_number",
            "birth_date",
            "ethnicity",
            "education",
            "mobile",
            "joined_on",
            "category",
            "full_member_on",
            "party_group",
            "job",
            "committee_post",
            "is_floating",
            "in_difficulty",
            "is_veteran",
        ]
        widgets = {
            "birth_date": _date_input(),
            "joined_on": _date_input(),
            "full_member_on": _date_input(),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, branch: Organization, full_mobile: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Above the member's own branch committee the stored mobile is not shown: an empty box keeps it.
        self.keeps_mobile = bool(self.instance.pk and self.instance.mobile and not full_mobile)
        if self.keeps_mobile:
            self.initial["mobile"] = ""
            self.fields["mobile"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": masked_mobile(self.instance.mobile)
            }
        group = cast(forms.ModelChoiceField, self.fields["party_group"])
        group.queryset = party_groups(branch)
        if not group.queryset.exists():
            del self.fields["party_group"]
        self.fields["full_member_on"].help_text = _("Leave empty for a probationary member.")
        if self.instance.pk:
            # The stored number is never shown in full: an empty box keeps it.
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _data_in_words(
                _("Now %(masked)s. Leave empty to keep it; type the whole number to correct it."),
                self.instance.id_number_masked,
            )
        else:
            self.fields["id_number"].help_text = _("18 characters; the last may be X.")

    def to_input(self) -> MemberInput:
        data = self.cleaned_data
        group = data.get("party_group")
        return MemberInput(
            name=data["name"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            joined_on=data["joined_on"],
            id_number=data.get("id_number") or "",
            ethnicity=data.get("ethnicity") or "",
            education=data.get("education") or "",
            mobile=data.get("mobile") or (self.instance.mobile if self.keeps_mobile else ""),
            full_member_on=data.get("full_member_on"),
            category=data["category"],
            party_group_id=group.pk if group else None,
            job=data.get("job") or "",
            committee_post=data.get("committee_post") or "",
            is_floating=data["is_floating"],
            in_difficulty=data["in_difficulty"],
            is_veteran=data["is_veteran"],
        )

    def _post_clean(self) -> None:
        # The action validates the record (members.validation and the model); the form does not build one.
        pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=pgettext_lazy("status change", "Date"), widget=_date_input())
    destination = forms.CharField(
        label=_("Transferred to"),
        max_length=100,
        required=False,
        help_text=_("Only for a transfer out of the platform's branches, e.g. 外省 or another county."),
    )
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, choices: list[tuple[str, Any]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Choose")), *choices]

    def to_input(self) -> StatusInput:
        data = self.cleaned_data
        return StatusInput(status=data["status"], on=data["on"], destination=data["destination"], reason=data["reason"])


class TransferForm(forms.Form):
    to_organization = forms.TypedChoiceField(
        label=_("To branch"), coerce=int, widget=forms.Select(attrs=picker_attrs())
    )
    left_on = forms.DateField(label=_("Transferred out on"), widget=_date_input())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        targets = (
            Organization.objects.open()
            .exclude(kind=Organization.Kind.GROUP)
            .exclude(pk=member.organization_id)
            .order_by("path")
        )
        cast(forms.TypedChoiceField, self.fields["to_organization"]).choices = [
            ("", _("Choose")),
            *indented_choices(targets),
        ]

    def to_input(self) -> TransferInput:
        data = self.cleaned_data
        return TransferInput(to_organization_id=data["to_organization"], left_on=data["left_on"], reason=data["reason"])


class ReceiveForm(forms.Form):
    instance: Any = None  # the transfer, for console.shell.form_page
    arrived_on = forms.DateField(label=_("Transferred in on"), widget=_date_input())


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you export the roster?"),
        max_length=REASON_MAX,
        help_text=_("Recorded with your name and the time, e.g. 年度党员统计报送组织部."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    with_id_numbers = forms.BooleanField(
        label=_("With the full ID-card numbers"),
        required=False,
        help_text=_(
            "Only when the recipient needs them; recorded as such. Those of the organizations below stay masked."
        ),
    )

    def __init__(self, *args, allow_id_numbers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_id_numbers:
            del self.fields["with_id_numbers"]


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("A name or part of it, or a whole ID-card number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=pgettext_lazy("party member", "Category"), required=False)
    flag = forms.ChoiceField(
        label=_("Mark"),
        required=False,
        choices=[
            ("", _("Any")),
            ("floating", _("Floating members")),
            ("difficulty", _("Members in difficulty")),
            ("veteran", _("Veteran members")),
        ],
    )
    group = forms.TypedChoiceField(label=_("Party group"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, branch: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("On the roll")),
            *[(v, label) for v, label in Member.Status.choices if v != Member.Status.ACTIVE],
            (ALL_STATUSES, _("All")),
        ]
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("Any")), *Member.Category.choices]
        groups = list(party_groups(branch))
        if groups:
            cast(forms.TypedChoiceField, self.fields["group"]).choices = [
                ("", _("Any")),
                *[(g.pk, g.name) for g in groups],
            ]
        else:
            del self.fields["group"]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
