from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Django adds the label suffix (":", "：" in Chinese) unless a label already ends in one of these
# characters; its own catalogue lists only ASCII ones, so "问题发生在哪里？" became "问题发生在哪里？：".
# Our catalogue translates this to the ASCII and full-width marks both.
LABEL_ENDINGS = gettext_noop(":?.!")


def picker_attrs(**attrs) -> dict:
    """Widget attributes that make a select a searchable picker (core/static/core/picker.js, Tom Select), with
    its texts in the page's language; the page loads `core/_picker_assets.html`. Without JavaScript the
    plain select stays."""
    return {
        "data-picker": "",
        "data-picker-placeholder": gettext_lazy("Type part of a name to search"),
        "data-picker-no-results": gettext_lazy("Nothing matches; try fewer characters."),
        "data-picker-remove": pgettext_lazy("picker", "Remove"),
        **attrs,
    }


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version the editor saw, for optimistic locking."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["seen_version"].initial = self.instance.version

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("seen_version") if self.instance.pk else None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files, each checked and turned into something storable by `prepare(upload)`,
    which raises ValidationError for a file it refuses (the error then names the file)."""

    widget = MultipleFileInput

    def __init__(self, *, prepare, max_files: int, too_many: StrOrPromise, **kwargs):
        super().__init__(**kwargs)
        self.prepare = prepare
        self.max_files = max_files
        self.too_many = too_many  # a message with %(n)s

    def clean(self, data, initial=None):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if len(files) > self.max_files:
            raise ValidationError(self.too_many % {"n": self.max_files})
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        prepared = []
        for upload in files:
            super().clean(upload, initial)
            try:
                prepared.append(self.prepare(upload))
            except ValidationError as error:
                raise ValidationError(
                    _("%(name)s: %(error)s") % {"name": upload.name[:60], "error": " ".join(error.messages)}
                ) from error
        return prepared


# --- How every form looks (issue 11 item 6) ---------------------------------------------------


class MarkedBoundField(forms.BoundField):
    """A field whose label shows a visible "*" when it is required.

    The mark is hidden from screen readers, which announce the control's own `required` (or, for a
    select whose first choice is a real one, `aria-required`) instead; the form explains "*" once.
    """

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        html = super().label_tag(contents, attrs, label_suffix, tag)
        if not (self.field.required and not self.is_hidden and html):
            return html
        closing = html.rfind("</")
        if closing < 0:
            return html
        return mark_safe(f'{html[:closing]}<span class="required-mark" aria-hidden="true">*</span>{html[closing:]}')

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # A select whose first option is a real choice gets no `required` from Django; say it anyway.
        if self.field.required and isinstance(widget, forms.Select) and "required" not in attrs:
            attrs["aria-required"] = "true"
        return attrs


class ChoiceChips(forms.RadioSelect):
    """Radio buttons shown as large chips (咨询 / 求助 / ...): still real radio inputs in a fieldset, so they
    work with a keyboard, a screen reader and without JavaScript. Use it for any short list of choices."""

    template_name = "core/widgets/chips.html"


class Renderer(DjangoTemplates):
    """The project's form renderer (settings.FORM_RENDERER): required fields marked with "*", and a form
    with several visible fields, some of them required, says once what "*" means."""

    form_template_name = "core/forms/div.html"
    bound_field_class = MarkedBoundField

    def render(self, template_name, context, request=None):
        if template_name == self.form_template_name and "fields" in context:
            visible = [field for field, _errors in context["fields"]]
            context = {
                **context,
                "explain_required": len(visible) > 1 and any(field.field.required for field in visible),
            }
        return super().render(template_name, context, request)
