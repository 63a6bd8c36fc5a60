"""Console forms of the course area: they only build the input and call the actions (course_actions.py)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from dangjian.core import richtext
from dangjian.core.forms import ChoiceChips, VersionedModelForm, picker_attrs
from dangjian.core.uploads import process_photo

from .course_actions import CourseInput, LessonInput, offered_choices
from .models import Audience, Course, Lesson


def editor_texts() -> dict[str, str]:
    """The lesson editor's words: the shared toolbar (core.richtext); a lesson's text takes no pictures."""
    return richtext.editor_texts(
        onlyPictures=_("A lesson's text takes words only; add a picture as a document."), editorLabel=_("Text")
    )


class CourseForm(VersionedModelForm):
    cover_upload = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("A JPEG, PNG or WebP photo; it is rebuilt as a new picture, nothing else of the file is kept."),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)

    class Meta:
        model = Course
        fields = ["title", "summary", "offered_to", "audience", "staff_role"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "offered_to": forms.Select(attrs=picker_attrs()),
            "audience": ChoiceChips,
        }
        labels = {"staff_role": _("Role of the staff it is for")}
        help_texts = {
            "offered_to": _("The course reaches this organization and every organization below it."),
            "staff_role": _("Only for “Staff holding a role”; leave empty for staff of any role."),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        offered = cast(forms.ModelChoiceField, self.fields["offered_to"])
        offered.queryset = offered_choices(organization)
        offered.empty_label = None
        if not self.instance.pk and not self.is_bound:
            self.initial["offered_to"] = organization.pk
        audience = cast(forms.ChoiceField, self.fields["audience"])
        audience.choices = Audience.choices  # no empty choice: chips
        if not (self.instance.pk and self.instance.cover):
            del self.fields["remove_cover"]

    def clean_cover_upload(self):
        upload = self.cleaned_data.get("cover_upload")
        return process_photo(upload) if upload else None

    def to_input(self) -> CourseInput:
        data = self.cleaned_data
        return CourseInput(
            title=data["title"],
            summary=data.get("summary") or "",
            offered_to_id=data["offered_to"].pk,
            audience=data["audience"],
            staff_role=data.get("staff_role") or "",
        )


class LessonForm(VersionedModelForm):
    """One lesson; the fields shown depend on its kind (fixed when it is added)."""

    video_upload = forms.FileField(
        label=_("Video file"),
        required=False,
        help_text=_("An MP4 or WebM video, up to %(limit)s. Its length and a still picture are read from it.")
        % {"limit": filesizeformat(settings.LEARNING_VIDEO_MAX_BYTES)},
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
    )
    document_upload = forms.FileField(
        label=_("PDF document"),
        required=False,
        help_text=_("A PDF file, up to %(limit)s. Learners read it in the page or download it.")
        % {"limit": filesizeformat(settings.LEARNING_DOCUMENT_MAX_BYTES)},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = Lesson
        fields = ["title", "body", "pass_percent"]
        widgets = {
            # The text is HTML (the editor's own markup shows as such without JavaScript): not for translation.
            "body": forms.Textarea(attrs={"rows": 14, "data-editor": "", "translate": "no"}),
        }
        labels = {"body": _("Text")}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {
            Lesson.Kind.ARTICLE: {"body"},
            Lesson.Kind.VIDEO: {"video_upload"},
            Lesson.Kind.DOCUMENT: {"document_upload"},
            Lesson.Kind.QUIZ: {"pass_percent"},
        }[Lesson.Kind(kind)]
        for name in ["body", "pass_percent", "video_upload", "document_upload"]:
            if name not in keep:
                del self.fields[name]
        if "body" in self.fields:
            self.fields["body"].required = True
            self.fields["body"].widget.attrs.update(editor_texts())
        if "video_upload" in self.fields and not self.instance.video:
            self.fields["video_upload"].required = True
        if "document_upload" in self.fields and not self.instance.document:
            self.fields["document_upload"].required = True
        if "pass_percent" in self.fields:
            self.fields["pass_percent"].widget.attrs.update({"min": 1, "max": 100})

    def to_input(self) -> LessonInput:
        data = self.cleaned_data
        return LessonInput(
            kind=self.kind,
            title=data["title"],
            body=data.get("body") or "",
            pass_percent=data.get("pass_percent") or 60,
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
