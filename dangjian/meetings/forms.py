"""The meeting office's forms: they only build the actions' input (actions.py decides)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import VersionedModelForm

from .actions import LEAVE_REASON_MAX, MeetingInput, MinutesInput, branch_members, party_groups
from .models import Attendee, Meeting, Minutes

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        post = obj.get_committee_post_display() if obj.committee_post else ""
        return f"{obj.name}（{post}）" if post else obj.name


class MeetingForm(VersionedModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "topic",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "host",
            "recorder",
            "audience",
            "party_group",
        ]
        widgets = {"starts_at": DateTimeLocalInput(), "ends_at": DateTimeLocalInput()}
        field_classes = {"host": MemberChoiceField, "recorder": MemberChoiceField}
        help_texts = {
            "place": _("Where the meeting takes place; or give the link of an online meeting below."),
            "party_group": _("Only for a meeting of one party group."),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        members = branch_members(organization).order_by("name", "pk")
        for name in ("host", "recorder"):
            field = cast(forms.ModelChoiceField, self.fields[name])
            field.queryset = members
            field.required = True
        group = cast(forms.ModelChoiceField, self.fields["party_group"])
        group.queryset = party_groups(organization)
        group.empty_label = _("No party group")
        for name in ("starts_at", "ends_at"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        self.fields["topic"].widget.attrs["placeholder"] = _("e.g. 学习传达县委全会精神")

    def _post_clean(self):
        """The action validates the meeting (times, the branch's members); the form only reads the fields."""

    def to_input(self) -> MeetingInput:
        data = self.cleaned_data
        return MeetingInput(
            kind=data["kind"],
            topic=data["topic"],
            starts_at=data["starts_at"],
            ends_at=data.get("ends_at"),
            place=data.get("place", ""),
            online_link=data.get("online_link", ""),
            host_id=data["host"].pk if data.get("host") else None,
            recorder_id=data["recorder"].pk if data.get("recorder") else None,
            audience=data["audience"],
            party_group_id=data["party_group"].pk if data.get("party_group") else None,
        )


class MinutesForm(forms.Form):
    agenda = forms.CharField(
        label=_("Agenda"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One item a line.")
    )
    discussion = forms.CharField(
        label=_("Discussion"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    resolutions = forms.CharField(
        label=_("Resolutions"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    correction_reason = forms.CharField(label=_("Reason for the correction"), max_length=200)
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, correcting: bool, minutes: Minutes | None = None, **kwargs):
        if minutes is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "agenda": minutes.agenda,
                "discussion": minutes.discussion,
                "resolutions": minutes.resolutions,
                "seen_version": None if correcting else minutes.version,
            }
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["correction_reason"]

    def to_input(self) -> MinutesInput:
        data = self.cleaned_data
        return MinutesInput(
            agenda=data["agenda"],
            discussion=data.get("discussion", ""),
            resolutions=data.get("resolutions", ""),
            correction_reason=data.get("correction_reason", ""),
        )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(Attendee.Answer.CONFIRMED, _("I will attend")), (Attendee.Answer.LEAVE, _("Ask for leave"))]
    )
    leave_reason = forms.CharField(
        label=_("Reason for leave"),
        max_length=LEAVE_REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you ask for leave; at most 200 characters."),
    )


class SignOffForm(forms.Form):
    """Signing off locks the minutes: the signer confirms having read them (the box is required)."""

    number = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label=_("I have checked the minutes; once signed off they can no longer be changed"),
        error_messages={"required": _("Please tick the box to confirm that you have checked the minutes.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class FileForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or file"),
        help_text=_("Photos (JPEG, PNG, WebP) are re-encoded; files: PDF, Word, Excel, WPS."),
    )
