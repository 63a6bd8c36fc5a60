"""Forms of the notice office: writing and sending a notice, replying, withdrawing."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.models import Role
from dangjian.core.forms import ChoiceChips, MultipleFileField, picker_attrs
from dangjian.core.uploads import check_attachment
from dangjian.organizations.choices import indented_choices
from dangjian.organizations.models import Organization

from . import notice_actions
from .models import Notice


def _checked(upload):
    check_attachment(upload)
    return upload


class AnyIdsField(forms.TypedMultipleChoiceField):
    """Organization ids as typed: the action decides (and names) what lies outside the sender's subtree."""

    def valid_value(self, value) -> bool:
        return True


class NoticeForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=100, error_messages={"required": _("Give the notice a title.")}
    )
    body = forms.CharField(
        label=pgettext_lazy("notice", "Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the text of the notice.")},
    )
    audience = forms.ChoiceField(
        label=pgettext_lazy("notice", "Send to"),
        choices=Notice.Audience.choices,
        initial=Notice.Audience.CHILDREN,
        widget=ChoiceChips,
    )
    organizations = AnyIdsField(
        label=_("Chosen organizations"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs=picker_attrs()),
        help_text=_("Only for “Chosen organizations”."),
    )
    subtree_root = forms.TypedChoiceField(
        label=_("Every organization below"),
        coerce=int,
        required=False,
        help_text=_("Only for “Every organization below one”."),
    )
    role = forms.ChoiceField(label=_("Only this role"), required=False)
    reply_by = forms.DateField(
        label=_("Reply by"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    needs_reply = forms.BooleanField(label=_("A written reply is expected"), required=False)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        prepare=_checked,
        max_files=notice_actions.MAX_FILES,
        too_many=_("At most %(n)s files."),
    )

    def __init__(self, *args, sender: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        below = list(
            Organization.objects.filter(path__startswith=sender.path).exclude(pk=sender.pk).open().order_by("path")
        )
        cast(forms.TypedMultipleChoiceField, self.fields["organizations"]).choices = indented_choices(below, top=sender)
        cast(forms.TypedChoiceField, self.fields["subtree_root"]).choices = indented_choices(
            [sender, *[o for o in below if o.kind != Organization.Kind.GROUP]], top=sender
        )
        self.fields["subtree_root"].initial = sender.pk
        labels = dict(Role.choices)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("Everyone who signs notices"))] + [
            (value, labels[value]) for value in notice_actions.signing_roles()
        ]
        self.fields["attachments"].help_text = _("PDF, Word, Excel, pictures or zip; at most %(size)s MB each.") % {
            "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }
        self.fields["reply_by"].widget.attrs["min"] = timezone.localdate().isoformat()

    def to_input(self) -> notice_actions.NoticeInput:
        data = self.cleaned_data
        return notice_actions.NoticeInput(
            title=data["title"],
            body=data["body"],
            audience=data["audience"],
            organization_ids=list(data.get("organizations") or []),
            subtree_root_id=data.get("subtree_root"),
            reply_by=data.get("reply_by"),
            needs_reply=data.get("needs_reply", False),
            role=data.get("role") or "",
        )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("notice", "Reply"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the reply.")},
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a field named like the form's uploads
        label=_("Files"),
        required=False,
        prepare=_checked,
        max_files=notice_actions.REPLY_MAX_FILES,
        too_many=_("At most %(n)s files."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=notice_actions.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the notice is withdrawn.")},
    )
