"""Forms of the assessment area: a competency, a round, the exam per competency, the officer's task, the grade."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import VersionedModelForm

from . import assessment_actions as actions
from .models import AssessmentRound, Competency


class CompetencyForm(VersionedModelForm):
    class Meta:
        model = Competency
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the competency")
        self.fields["description"].label = _("What it covers")
        self.fields["name"].error_messages["required"] = _("Enter the competency's name.")

    def to_input(self) -> actions.CompetencyInput:
        return actions.CompetencyInput(self.cleaned_data["name"], self.cleaned_data.get("description", ""))


class RoundForm(VersionedModelForm):
    rubric_lines = forms.CharField(
        label=_("Rubric"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line per criterion, its points at the end, e.g. “导语交代清楚 20”."),
        error_messages={"required": _("Give at least one rubric line with its points.")},
    )

    class Meta:
        model = AssessmentRound
        fields = ["title", "year", "due_on", "task", "task_pass_percent"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "task": forms.Textarea(attrs={"rows": 5}),
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "task_pass_percent": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 100}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "title": _("Title of the round"),
            "year": _("Assessment year"),
            "due_on": _("Due date"),
            "task": _("Practical task"),
            "task_pass_percent": _("Pass mark of the task (percent of the rubric's points)"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["task"].required = True
        self.fields["task"].help_text = _("E.g. “Write a news item of about 500 characters about this meeting.”")
        self.fields["task"].error_messages["required"] = _("Describe the practical task the officers hand in.")
        self.fields["title"].error_messages["required"] = _("Give the round a title.")
        if not self.is_bound:
            self.fields["rubric_lines"].initial = actions.rubric_text(self.instance.rubric)
            if not self.instance.pk:
                self.fields["year"].initial = timezone.localdate().year

    def to_input(self) -> actions.RoundInput:
        data = self.cleaned_data
        return actions.RoundInput(
            title=data["title"],
            year=data["year"],
            task=data["task"],
            rubric=actions.parse_rubric(data["rubric_lines"]),
            task_pass_percent=data["task_pass_percent"],
            due_on=data.get("due_on"),
        )


class RoundExamForm(forms.Form):
    """One select per competency of the framework: the exam the officers sit for it."""

    def __init__(self, *args, round_, framework, chosen: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        for competency in framework:
            choices = [("", _("Choose an exam"))] + [
                (exam.pk, f"{exam.title}（{exam.organization.short_name or exam.organization.name}）")
                for exam in actions.eligible_exams(round_, competency)
            ]
            self.fields[f"exam_{competency.pk}"] = forms.TypedChoiceField(
                label=competency.name, choices=choices, coerce=int, required=False, empty_value=None
            )
            self.fields[f"exam_{competency.pk}"].initial = chosen.get(competency.pk)


class TaskForm(forms.Form):
    task_text = forms.CharField(
        label=_("Your work"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 10})
    )
    task_file = forms.FileField(label=_("Attach a file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_file"].help_text = _("PDF, Word, Excel, pictures or zip; at most %(size)s MB.") % {
            "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }


class GradeForm(forms.Form):
    comments = forms.CharField(
        label=pgettext_lazy("assessment", "Comments"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, rubric, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric or []
        fields = {}
        for index, line in enumerate(self.rubric):
            fields[f"points_{index}"] = forms.IntegerField(
                label=_("%(criterion)s (0 to %(max)s points)")
                % {"criterion": line["criterion"], "max": line["points"]},
                min_value=0,
                max_value=int(line["points"]),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                initial=scores[index] if scores and index < len(scores) else None,
                error_messages={"required": _("Give the points of this line.")},
            )
        comments = self.fields.pop("comments")
        self.fields.update(fields)
        self.fields["comments"] = comments

    def points(self) -> list[int]:
        return [self.cleaned_data[f"points_{index}"] for index in range(len(self.rubric))]


class AddOfficerForm(forms.Form):
    user = forms.TypedChoiceField(label=_("New-media officer"), coerce=int)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("Choose an officer")), *choices]  # type: ignore[attr-defined]
