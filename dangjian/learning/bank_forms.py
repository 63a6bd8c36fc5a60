"""The console's forms of the bank area: a new bank, a question (every kind on one form, works without JavaScript:
the fields that do not apply to the chosen kind are ignored), the question filters and the Excel upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .bank_actions import LETTERS, QuestionInput
from .bank_excel import XLSX_TYPE
from .models import Question

KIND_CHOICES = [
    (Question.Kind.SINGLE, _("Single choice")),
    (Question.Kind.MULTIPLE, _("Multiple choice")),
    (Question.Kind.TRUE_FALSE, _("True or false")),
    (Question.Kind.BLANK, _("Fill in the blank")),
]


class BankForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int)
    name = forms.CharField(label=_("Bank name"), max_length=60)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]  # type: ignore[attr-defined]
        self.fields["name"].error_messages["required"] = _("Enter the bank's name.")


class QuestionForm(forms.Form):
    """Not a ModelForm: the action checks and builds the question (`bank_actions.check_question`)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter the question.")},
    )
    correct = forms.MultipleChoiceField(
        label=_("Right options"),
        choices=[(letter, letter) for letter in LETTERS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For 单选 tick one; for 多选 tick every right option."),
    )
    truth = forms.ChoiceField(
        label=_("Right answer (true or false)"),
        choices=[("对", _("True")), ("错", _("False"))],
        widget=forms.RadioSelect,
        required=False,
    )
    accepted = forms.CharField(
        label=_("Accepted answers (fill in the blank)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line (or separated by |), e.g. 两学一做 and 两学一做学习教育."),
    )
    explanation = forms.CharField(
        label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separated by commas or 、, e.g. 乡村振兴、惠民政策."),
    )
    competency = forms.ChoiceField(label=_("Competency"), required=False)

    def __init__(self, *args, instance: Question, competencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = question = instance
        if question.pk and not self.is_bound:
            self.fields["seen_version"].initial = question.version
        options = list(question.options or [])
        option_fields = {}
        for i, letter in enumerate(LETTERS):
            option_fields[f"option_{letter.lower()}"] = forms.CharField(
                label=_("Option %(letter)s") % {"letter": letter},
                required=False,
                max_length=1000,
                initial=options[i] if i < len(options) else "",
            )
        # The options come right after the question's text.
        ordered = {}
        for name, value in self.fields.items():
            ordered[name] = value
            if name == "text":
                ordered.update(option_fields)
        self.fields = ordered
        names = [c.name for c in competencies]
        if question.competency_id and question.competency and question.competency.name not in names:
            names.append(question.competency.name)
        choices = [("", _("(none)")), *[(n, n) for n in names]]
        self.fields["competency"].choices = choices  # type: ignore[attr-defined]
        if question.pk and not self.is_bound:
            self.initial.update(
                {
                    "kind": question.kind,
                    "text": question.text,
                    "explanation": question.explanation,
                    "tags": "、".join(t.name for t in question.tags.all()),
                    "competency": question.competency.name if question.competency else "",
                }
            )
            if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                self.initial["correct"] = [LETTERS[i] for i in question.answer if i < len(LETTERS)]
            elif question.kind == Question.Kind.TRUE_FALSE:
                self.initial["truth"] = "对" if question.answer and question.answer[0] else "错"
            else:
                self.initial["accepted"] = "\n".join(question.answer)

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("seen_version") if self.instance.pk else None

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        kind = data.get("kind", "")
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            answer = "".join(data.get("correct") or [])
        elif kind == Question.Kind.TRUE_FALSE:
            answer = data.get("truth") or ""
        else:
            answer = data.get("accepted") or ""
        return QuestionInput(
            kind=kind,
            text=data.get("text") or "",
            options=[data.get(f"option_{letter.lower()}") or "" for letter in LETTERS],
            answer=answer,
            explanation=data.get("explanation") or "",
            tags=data.get("tags") or "",
            competency=data.get("competency") or "",
        )

    def add_action_errors(self, errors: dict[str, list[str]]) -> None:
        """The action's problems on the fields they are about."""
        kind = self.cleaned_data.get("kind")
        answer_field = {"true_false": "truth", "blank": "accepted"}.get(str(kind), "correct")
        places = {"options": "option_a", "answer": answer_field}
        for name, messages in errors.items():
            target = places.get(name, name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search the questions"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=30)
    competency = forms.TypedChoiceField(label=_("Competency"), required=False, coerce=int, empty_value=None)
    archived = forms.BooleanField(label=_("Archived questions"), required=False)

    def __init__(self, *args, competencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *KIND_CHOICES]  # type: ignore[attr-defined]
        self.fields["competency"].choices = [  # type: ignore[attr-defined]
            ("", _("All competencies")),
            *[(c.pk, c.name) for c in competencies],
        ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}),
        error_messages={"required": _("Choose the filled-in question file."), "empty": _("The file is empty.")},
    )
