"""The console's exam forms: the exam itself and one draw rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import VersionedModelForm

from . import exam_actions
from .exam_actions import ExamInput
from .models import Exam, Question


class ExamForm(VersionedModelForm):
    class Meta:
        model = Exam
        fields = [
            "title",
            "instructions",
            "bank",
            "course",
            "competency",
            "time_limit_minutes",
            "pass_percent",
            "max_attempts",
            "certifying",
        ]
        labels = {
            "title": pgettext_lazy("exam", "Title"),
            "instructions": pgettext_lazy("exam", "Instructions for the examinee"),
            "bank": pgettext_lazy("exam", "Question bank"),
            "course": pgettext_lazy("exam", "Course (optional)"),
            "competency": pgettext_lazy("exam", "Competency (optional)"),
            "time_limit_minutes": pgettext_lazy("exam", "Time limit (minutes)"),
            "pass_percent": pgettext_lazy("exam", "Pass mark (percent of the points)"),
            "max_attempts": pgettext_lazy("exam", "Attempts allowed per person"),
            "certifying": pgettext_lazy("exam", "Passing issues a certificate"),
        }
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 3}),
            "time_limit_minutes": forms.NumberInput(attrs={"min": 1, "max": 600, "inputmode": "numeric"}),
            "pass_percent": forms.NumberInput(attrs={"min": 1, "max": 100, "inputmode": "numeric"}),
            "max_attempts": forms.NumberInput(attrs={"min": 1, "max": 20, "inputmode": "numeric"}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = exam_actions.banks_for(organization)  # type: ignore[attr-defined]
        self.fields["course"].queryset = exam_actions.courses_for(organization)  # type: ignore[attr-defined]
        self.fields["competency"].queryset = exam_actions.competencies_for(organization)  # type: ignore[attr-defined]
        self.fields["title"].error_messages["required"] = _("Enter the exam's title.")
        self.fields["bank"].error_messages["required"] = _(
            "Choose a question bank of this organization or of one above it."
        )
        self.fields["course"].help_text = _(
            "Only the course's learners may sit it; leave empty for an exam on its own."
        )
        self.fields["competency"].help_text = _("For an assessment round of new-media officers.")

    def to_input(self) -> ExamInput:
        data = self.cleaned_data
        return ExamInput(
            title=data["title"],
            bank_id=data["bank"].pk,
            instructions=data.get("instructions") or "",
            course_id=data["course"].pk if data.get("course") else None,
            competency_id=data["competency"].pk if data.get("competency") else None,
            time_limit_minutes=data["time_limit_minutes"],
            pass_percent=data["pass_percent"],
            max_attempts=data["max_attempts"],
            certifying=bool(data.get("certifying")),
        )


KIND_CHOICES = [
    ("", pgettext_lazy("exam", "any kind")),
    (Question.Kind.SINGLE, pgettext_lazy("exam", "single-choice questions")),
    (Question.Kind.MULTIPLE, pgettext_lazy("exam", "multiple-choice questions")),
    (Question.Kind.TRUE_FALSE, pgettext_lazy("exam", "true-or-false questions")),
    (Question.Kind.BLANK, pgettext_lazy("exam", "fill-in-the-blank questions")),
]


class RuleForm(forms.Form):
    count = forms.IntegerField(
        label=pgettext_lazy("exam", "How many"),
        min_value=1,
        max_value=exam_actions.MAX_RULE_COUNT,
        initial=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    kind = forms.ChoiceField(label=pgettext_lazy("exam", "Kind"), choices=KIND_CHOICES, required=False)
    tag = forms.CharField(
        label=pgettext_lazy("exam", "Tag (optional)"),
        max_length=30,
        required=False,
        help_text=_("e.g. 乡村振兴; empty: any tag."),
    )
    points = forms.IntegerField(
        label=pgettext_lazy("exam", "Points each"),
        min_value=1,
        max_value=exam_actions.MAX_RULE_POINTS,
        initial=5,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
