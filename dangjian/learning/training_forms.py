"""The training area's forms: they only build the actions' input (training_actions.py decides)."""

from __future__ import annotations

import os
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import Role
from dangjian.core.forms import MultipleFileField, VersionedModelForm
from dangjian.core.uploads import check_attachment
from dangjian.organizations.models import Organization

from .models import Exam, TrainingSession
from .training_actions import MAX_MATERIALS, MaterialFile, SessionInput

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


def _checked_material(upload) -> MaterialFile:
    content_type = check_attachment(upload)
    return MaterialFile(
        upload=upload, name=os.path.basename(upload.name or "file"), size=upload.size or 0, content_type=content_type
    )


class SessionForm(VersionedModelForm):
    materials = MultipleFileField(
        label=_("Add materials"),
        required=False,
        prepare=_checked_material,
        max_files=MAX_MATERIALS,
        too_many=_("At most %(n)s files."),
        help_text=_("PDF, Word, Excel, WPS, JPEG/PNG or ZIP, up to 20 MB each; only the invitees can open them."),
    )

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "description",
            "mode",
            "starts_at",
            "ends_at",
            "place",
            "link",
            "trainer",
            "capacity",
            "invite_role",
            "invite_members",
            "exam",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "mode": forms.RadioSelect,
        }
        labels = {"exam": _("Exam afterwards")}
        help_texts = {
            "place": _("For a session in a room: the address and the room."),
            "link": _("For an online session: the address to join."),
            "invite_role": _("Everyone holding this role in the organization and the organizations below it."),
            "invite_members": _("Party members of the organization and below who have an account."),
            "exam": _("Shown to those who attended, after the session."),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        exam = cast(forms.ModelChoiceField, self.fields["exam"])
        exam.queryset = Exam.objects.filter(organization_id__in=organization.ancestor_ids).order_by("-pk")
        exam.empty_label = _("No exam")
        for name in ("starts_at", "ends_at"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        role = cast(forms.ChoiceField, self.fields["invite_role"])
        role.choices = [("", _("Nobody by role")), *Role.choices]
        self.fields["title"].widget.attrs["placeholder"] = _("e.g. 新媒体稿件写作培训")

    def _post_clean(self):
        """The action validates the session; the form only reads the fields."""

    def to_input(self) -> SessionInput:
        data = self.cleaned_data
        return SessionInput(
            title=data["title"],
            description=data.get("description", ""),
            mode=data["mode"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data.get("place", ""),
            link=data.get("link", ""),
            trainer=data.get("trainer", ""),
            capacity=data["capacity"],
            invite_role=data.get("invite_role", ""),
            invite_members=bool(data.get("invite_members")),
            exam_id=data["exam"].pk if data.get("exam") else None,
        )

    def material_files(self) -> list[MaterialFile]:
        return list(self.cleaned_data.get("materials") or [])


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
