"""The forms of questions to the organization (问政): asking, answering, removing, turning into a case. They only
shape the input; the checks that matter are the actions' (questions.py), whose refusals land on these fields."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.feedback.models import Category

from . import questions


class AskForm(forms.Form):
    title = forms.CharField(
        label=_("Your question"),
        help_text=_("In one sentence, at least 5 characters, e.g. 今年的低保申请什么时候开始？"),
        max_length=questions.TITLE_MAX + 50,  # the action says how long it is
        strip=False,
    )
    body = forms.CharField(
        label=_("Details (optional)"),
        help_text=_("Where, since when, what you have tried. Do not write ID-card numbers; phone numbers are hidden."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=questions.BODY_MAX + 500,
        strip=False,
    )
    nickname = forms.CharField(
        label=_("Name shown"),
        help_text=_("A nickname, not your real name: the question and the answer are public."),
        max_length=questions.NICKNAME_MAX + 20,
    )
    client_token = forms.UUIDField(widget=forms.HiddenInput)
    room = forms.IntegerField(widget=forms.HiddenInput, required=False)
    message = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("client_token", uuid.uuid4())
        self.fields["title"].widget.attrs.update({"maxlength": questions.TITLE_MAX, "autocomplete": "off"})
        self.fields["body"].widget.attrs["maxlength"] = questions.BODY_MAX
        self.fields["nickname"].widget.attrs.update({"maxlength": questions.NICKNAME_MAX, "autocomplete": "nickname"})

    def question_input(self) -> questions.QuestionInput:
        data = self.cleaned_data
        return questions.QuestionInput(
            title=data["title"],
            body=data.get("body") or "",
            nickname=data["nickname"],
            client_token=data["client_token"],
            room_id=data.get("room") or None,
            message_id=data.get("message") or None,
        )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Official answer"),
        help_text=_("Shown on the portal as the organization's official answer; the asker is told."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=questions.ANSWER_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("The asker is told, e.g. 重复提问, 与本组织无关."),
        max_length=questions.REASON_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseForm(forms.Form):
    category = forms.ChoiceField(label=pgettext_lazy("feedback case", "Kind of case"), choices=Category.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
