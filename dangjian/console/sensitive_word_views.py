"""The console page of the platform's sensitive-word list: add words (pasted, or from a .txt file), find, remove,
export. The actions are in sensitive_words.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.history import ActionError
from dangjian.core.models import SensitiveWord

from . import sensitive_words as words_actions
from .sensitive_word_forms import SensitiveWordFileForm, SensitiveWordsForm
from .shell import add_field_errors, console_view

FILE_FORM_IDS = "id_import_%s"  # the page has both forms: their fields' ids must differ


def _done(request, added: int, changed: int):
    messages.success(request, _("%(added)s words added, %(changed)s changed.") % {"added": added, "changed": changed})
    return redirect("console:sensitive_words")


def _page(request, form, file_form, status: int):
    q = request.GET.get("q", "").strip()[:50]
    words = SensitiveWord.objects.all()
    if q:
        words = words.filter(word__contains=q)
    page = Paginator(words, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "console/sensitive_words.html",
        {
            "form": form,
            "file_form": file_form,
            "page": page,
            "q": q,
            "query_string": urlencode({"q": q}) if q else "",
        },
        status=status,
    )


@console_view
def sensitive_words(request):
    if not words_actions.may_keep_words(request.user):
        raise PermissionDenied
    form = SensitiveWordsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added, changed = words_actions.add_sensitive_words(
                request.user, form.cleaned_data["words"], form.cleaned_data["level"], form.cleaned_data["category"]
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, added, changed)
    return _page(request, form, SensitiveWordFileForm(auto_id=FILE_FORM_IDS), 400 if request.method == "POST" else 200)


@console_view
@require_POST
def sensitive_words_import(request):
    if not words_actions.may_keep_words(request.user):
        raise PermissionDenied
    file_form = SensitiveWordFileForm(request.POST, request.FILES, auto_id=FILE_FORM_IDS)
    if file_form.is_valid():
        try:
            added, changed = words_actions.import_word_file(
                request.user,
                file_form.cleaned_data["file"],
                file_form.cleaned_data["level"],
                file_form.cleaned_data["category"],
            )
        except ActionError as error:
            if hasattr(error, "errors"):
                add_field_errors(file_form, error)
            else:
                file_form.add_error(None, str(error))
        else:
            return _done(request, added, changed)
    return _page(request, SensitiveWordsForm(), file_form, 400)


@console_view
def sensitive_words_export(request):
    if not words_actions.may_keep_words(request.user):
        raise PermissionDenied
    response = HttpResponse(words_actions.export_text(request.user), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sensitive-words.txt"'
    return response


@console_view
@require_POST
def sensitive_word_remove(request, word_id: int):
    try:
        words_actions.remove_sensitive_word(request.user, word_id)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The word was removed."))
    return redirect("console:sensitive_words")
