"""Console forms of the articles area: they only build the input and call the actions (articles.py)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dangjian.core import richtext
from dangjian.core.forms import MultipleFileField, VersionedModelForm
from dangjian.core.uploads import check_attachment, process_photo

from .articles import ArticleInput
from .models import Article, ArticleAttachment, Column


def _attachment_name(attachment) -> str:
    return attachment.name


def _checked_attachment(upload):
    check_attachment(upload)
    return upload


def editor_texts() -> dict[str, str]:
    """The article editor's words: the shared toolbar (core.richtext) and what it says about pictures."""
    return richtext.editor_texts(
        byte=_("byte"),
        bytes=_("bytes"),
        captionPlaceholder=_("Add a caption…"),
        uploading=_("Uploading the picture…"),
        uploadFailed=_("The picture could not be uploaded."),
        onlyPictures=_(
            "Only pictures (JPEG, PNG or WebP) can be inserted in the text; add other files as attachments below."
        ),
        editorLabel=_("Body"),
        pictureAlt=_("Picture in the article"),
    )


class ArticleForm(VersionedModelForm):
    cover_upload = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("A JPEG, PNG or WebP photo; it is rebuilt as a new picture, nothing else of the file is kept."),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)
    attachment_uploads = MultipleFileField(
        label=_("Add attachments"),
        required=False,
        prepare=_checked_attachment,
        max_files=settings.ARTICLE_MAX_ATTACHMENTS,
        too_many=_("At most %(n)s attachments."),
        help_text=_("PDF, Word, Excel, WPS, JPEG/PNG or ZIP, up to 20 MB each."),
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Remove attachments"),
        queryset=ArticleAttachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Article
        fields = ["title", "summary", "column", "body", "source", "author", "show_below", "publish_at"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            # The body is HTML (the editor's own markup shows as such without JavaScript): not for translation.
            "body": forms.Textarea(attrs={"rows": 14, "data-editor": "", "translate": "no"}),
            "publish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        labels = {"show_below": _("Also show on the portals of the organizations below")}
        help_texts = {
            "publish_at": _("Set before submitting for review; leave empty to publish as soon as the review passes."),
            "show_below": _("When ticked, the news columns of the portals of the organizations below also show it."),
            "source": _("Where the article comes from, e.g. 东城镇党委办公室."),
            "author": _("The byline, e.g. 张明."),
        }

    def __init__(self, *args, organization, image_upload_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        column = cast(forms.ModelChoiceField, self.fields["column"])
        column.queryset = Column.objects.filter(organization=organization, archived_at__isnull=True)
        column.empty_label = None
        self.fields["body"].required = True
        self.fields["body"].widget.attrs.update(
            {"data-image-upload": image_upload_url, "data-max-bytes": str(settings.PHOTO_MAX_BYTES), **editor_texts()}
        )
        self.fields["publish_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        attachments = cast(forms.ModelMultipleChoiceField, self.fields["remove_attachments"])
        existing = ArticleAttachment.objects.filter(article=self.instance) if self.instance.pk else None
        if existing is not None:
            attachments.queryset = existing
            attachments.label_from_instance = _attachment_name  # type: ignore[method-assign,assignment]
        if existing is None or not existing.exists():
            del self.fields["remove_attachments"]
        if not (self.instance.pk and self.instance.cover):
            del self.fields["remove_cover"]

    def clean_cover_upload(self):
        upload = self.cleaned_data.get("cover_upload")
        return process_photo(upload) if upload else None

    def to_input(self) -> ArticleInput:
        data = self.cleaned_data
        return ArticleInput(
            title=data["title"],
            column_id=data["column"].pk,
            body=data["body"],
            summary=data.get("summary") or "",
            source=data.get("source") or "",
            author=data.get("author") or "",
            show_below=bool(data.get("show_below")),
            publish_at=data.get("publish_at"),
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
