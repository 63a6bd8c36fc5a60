"""Console pages of the articles area (list, write, review, withdraw; the sensitive-word list) and the public
views that serve an article's files: its cover, the pictures of its body and its attachments, each only while
the article is published, or to staff who may see it in the console (never a file by its path)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import WRITE_ARTICLES, get_organization_for_user, has_capability, scope_paths
from dangjian.console.shell import console_view, handle_form, render_form_page
from dangjian.core import sensitive
from dangjian.core.history import ActionError
from dangjian.organizations.models import Organization

from . import articles, queries
from .article_forms import ArticleForm, ReasonForm
from .models import Article, ArticleAttachment, ArticleEvent, ArticleImage, Column
from .workflow import step_name

PAGE_SIZE = 30
TODO_REVIEW = "review"
# The steps of an article's life as its page lists them (a review step reads "初审 通过").
EVENT_LABELS: dict[str, Any] = {
    ArticleEvent.Kind.CREATED: pgettext_lazy("article event", "Written"),
    ArticleEvent.Kind.EDITED: pgettext_lazy("article event", "Edited"),
    ArticleEvent.Kind.SUBMITTED: pgettext_lazy("article event", "Submitted for review"),
    ArticleEvent.Kind.APPROVED: pgettext_lazy("article event", "Passed"),
    ArticleEvent.Kind.RETURNED: pgettext_lazy("article event", "Returned"),
    ArticleEvent.Kind.SCHEDULED: pgettext_lazy("article event", "Scheduled for publication"),
    ArticleEvent.Kind.PUBLISHED: pgettext_lazy("article event", "Published"),
    ArticleEvent.Kind.WITHDRAWN: pgettext_lazy("article event", "Withdrawn"),
}


def _org_for(request, org_id: int) -> Organization:
    organization = get_object_or_404(Organization, pk=org_id)
    if not queries.may_see(request.user, organization):
        raise PermissionDenied
    return organization


# --- Lists --------------------------------------------------------------------------------------------


@console_view
def article_list(request, org_id: int | None = None):
    """The articles of an organization (or, without one, of everything the person may see), filtered by column,
    state and "waiting for me" (todo=review: exactly the to-do line's articles)."""
    org = _org_for(request, org_id) if org_id is not None else None
    if org is None and not queries.may_use_articles(request.user):
        raise PermissionDenied
    base = queries.visible_articles(request.user)
    if org is not None:
        base = base.filter(organization=org)
    todo = request.GET.get("todo") == TODO_REVIEW
    state = request.GET.get("state", "")
    state = state if state in Article.State.values else ""
    columns = list(Column.objects.filter(organization=org)) if org is not None else []
    column_id = request.GET.get("column", "")
    column = next((c for c in columns if str(c.pk) == column_id), None)
    if todo:
        items: list[Article] | object = queries.waiting_for(request.user, base)
    else:
        queryset = base.select_related("organization", "column")
        if state:
            queryset = queryset.filter(state=state)
        if column is not None:
            queryset = queryset.filter(column=column)
        items = queryset.order_by("-updated_at", "-pk")
    page: Any = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    filters = {k: v for k, v in {"todo": TODO_REVIEW if todo else "", "state": state, "column": column_id}.items() if v}
    writable = []
    if org is not None and has_capability(request.user, WRITE_ARTICLES, org):
        writable = [org]
    elif org is None:
        writable = list(
            Organization.objects.open().filter(path__in=scope_paths(request.user, WRITE_ARTICLES)).order_by("path")
        )
    return render(
        request,
        "publishing/console/article_list.html",
        {
            "org": org,
            "page": page,
            "todo": todo,
            "state": state,
            "states": Article.State.choices,
            "columns": columns,
            "column": column,
            "filters_on": bool(state or column),
            "query_string": urlencode(filters),
            "writable": writable,
        },
    )


# --- Writing ------------------------------------------------------------------------------------------


def _image_upload_url(org: Organization) -> str:
    return reverse("console:article_image_upload", args=[org.pk])


def _edit_page(request, org: Organization, article: Article):
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        instance=article,
        organization=org,
        image_upload_url=_image_upload_url(org),
    )

    def save(form):
        data = form.cleaned_data
        form.instance = articles.save_article(
            request.user,
            org.pk,
            form.to_input(),
            article_id=article.pk,
            expected_version=form.expected_version,
            cover=data.get("cover_upload"),
            remove_cover=bool(data.get("remove_cover")),
            attachments=data.get("attachment_uploads") or [],
            remove_attachment_ids=[a.pk for a in data.get("remove_attachments") or []],
        )

    done = handle_form(
        request,
        form,
        save,
        lambda f: reverse("console:article", args=[f.instance.pk]),
        _("The article was saved. Submit it for review when it is ready."),
    )
    if done is not None:
        return done
    # A browser never keeps chosen files when a page comes back: say so next to the first file field chosen.
    chosen = [name for name in ("cover_upload", "attachment_uploads") if request.FILES.getlist(name)]
    if chosen and chosen[0] in form.fields:
        form.add_error(chosen[0], _("Please choose the cover and attachments again."))
    return render_form_page(
        request,
        form,
        org=org,
        title=_("Edit article") if article.pk else _("Write an article"),
        template="publishing/console/article_form.html",
        article=article,
    )


@console_view
def article_new(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, WRITE_ARTICLES)
    return _edit_page(request, org, Article(organization=org))


@console_view
def article_edit(request, article_id: int):
    article = queries.get_article_for_user(request.user, article_id)
    org = get_organization_for_user(request.user, article.organization_id, WRITE_ARTICLES)
    if "edit" not in queries.steps_for(request.user, article):
        messages.error(request, _("This article cannot be changed now."))
        return redirect("console:article", article.pk)
    return _edit_page(request, org, article)


@console_view
@require_POST
def article_image_upload(request, org_id: int):
    """The editor's picture upload: JSON with the picture's address, or a message in Chinese."""
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose a picture.")}, status=400)
    article_id = request.POST.get("article")
    try:
        image = articles.add_image(
            request.user, org_id, upload, article_id=int(article_id) if article_id and article_id.isdigit() else None
        )
    except PermissionDenied:
        return JsonResponse({"error": _("You may not add pictures here.")}, status=403)
    except ActionError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(
        {"url": reverse("publishing:article_image", args=[image.pk]), "width": image.width, "height": image.height}
    )


# --- One article: its facts, body, history and the steps the person may take -------------------------------


def highlight(text_html: str, words: list[str]) -> str:
    """Sanitized HTML with each occurrence of `words` in its text wrapped in <mark> (tags are left alone)."""
    if not words:
        return text_html
    pattern = re.compile("|".join(re.escape(html.escape(word)) for word in sorted(words, key=len, reverse=True)), re.I)
    parts = re.split(r"(<[^>]*>)", text_html)
    return "".join(
        part if part.startswith("<") else pattern.sub(lambda m: f'<mark class="flagged">{m.group(0)}</mark>', part)
        for part in parts
    )


@console_view
def article_detail(request, article_id: int):
    article = queries.get_article_for_user(request.user, article_id)
    steps = queries.steps_for(request.user, article)
    hits = sensitive.find("\n".join([article.title, article.summary, article.body_text]))
    flagged = sensitive.flagged(hits)
    blocked = sensitive.blocking(hits)
    events = article.events.select_related("actor")
    for event in events:
        event.step_label = step_name(event.step, event.of_steps) if event.step and event.of_steps else ""  # type: ignore[attr-defined]
        event.label = EVENT_LABELS.get(event.kind, event.get_kind_display())  # type: ignore[attr-defined]
    current = ""
    if article.state == Article.State.REVIEWING:
        current = step_name(article.steps_passed + 1, article.review_steps)
    why_not = ""
    if article.state == Article.State.REVIEWING and "approve" not in steps:
        from .workflow import why_not_reviewer

        why_not = why_not_reviewer(request.user, article)
    return render(
        request,
        "publishing/console/article_detail.html",
        {
            "org": article.organization,
            "article": article,
            "steps": steps,
            "events": events,
            "flagged": flagged,
            "blocked": blocked,
            "body": mark_safe(highlight(article.body, flagged + blocked)),  # body: sanitized on save
            "title_marked": mark_safe(highlight(html.escape(article.title), flagged + blocked)),
            "summary_marked": mark_safe(highlight(html.escape(article.summary), flagged + blocked)),
            "current_step": current,
            "step_number": article.steps_passed + 1,
            "step_names": [step_name(n, article.review_steps) for n in range(1, article.review_steps + 1)],
            "why_not": why_not,
            "reason_form": ReasonForm(auto_id="return_%s"),
            "withdraw_form": ReasonForm(auto_id="withdraw_%s"),
            "attachments": article.attachments.all(),
        },
    )


def _step(request, article_id: int, run, success: str):
    article = queries.get_article_for_user(request.user, article_id)
    version = request.POST.get("version")
    expected = int(version) if version and version.isdigit() else None
    try:
        run(article, expected)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("console:article", article.pk)


def _posted_step(request) -> int:
    value = request.POST.get("step", "")
    return int(value) if value.isdigit() else 0


@console_view
@require_POST
def article_submit(request, article_id: int):
    def run(article, expected):
        done = articles.submit_for_review(request.user, article.pk, expected_version=expected)
        if done.state == Article.State.PUBLISHED:
            messages.success(request, _("The article was published."))
        elif done.state == Article.State.SCHEDULED:
            messages.success(request, _("The article will be published at the time set."))

    return _step(request, article_id, run, _("The article was submitted."))


@console_view
@require_POST
def article_approve(request, article_id: int):
    def run(article, expected):
        done = articles.approve_step(
            request.user, article.pk, _posted_step(request), expected_version=expected, note=""
        )
        if done.state == Article.State.PUBLISHED:
            messages.success(request, _("The article was published."))
        elif done.state == Article.State.SCHEDULED:
            messages.success(request, _("The article will be published at the time set."))

    return _step(request, article_id, run, _("The review step was passed."))


@console_view
@require_POST
def article_return(request, article_id: int):
    return _step(
        request,
        article_id,
        lambda article, expected: articles.return_article(
            request.user, article.pk, _posted_step(request), request.POST.get("reason", ""), expected_version=expected
        ),
        _("The article was returned to its author."),
    )


@console_view
@require_POST
def article_withdraw(request, article_id: int):
    return _step(
        request,
        article_id,
        lambda article, expected: articles.withdraw_article(
            request.user, article.pk, request.POST.get("reason", ""), expected_version=expected
        ),
        _("The article was withdrawn."),
    )


# --- Public: the article's files ----------------------------------------------------------------------


def _may_read(request, article: Article | None) -> bool:
    """Published articles are public; any other only for staff who may see it in the console."""
    if article is None:
        return False
    if article.state == Article.State.PUBLISHED:
        return True
    return request.user.is_authenticated and queries.may_see(request.user, article.organization)


def _file(response: FileResponse, public: bool) -> FileResponse:
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def article_cover(request, org_id: int, article_id: int):
    article = Article.objects.select_related("organization").filter(pk=article_id, organization_id=org_id).first()
    if article is None or not article.cover or not _may_read(request, article):
        raise Http404
    public = article.state == Article.State.PUBLISHED
    return _file(FileResponse(article.cover.open("rb"), content_type="image/jpeg"), public)


def article_image(request, image_id: int):
    image = ArticleImage.objects.select_related("article__organization").filter(pk=image_id).first()
    if image is None:
        raise Http404
    if image.article is None:  # uploaded from the editor, the article not saved yet: its uploader only
        if not (request.user.is_authenticated and image.uploaded_by_id == request.user.pk):
            raise Http404
        public = False
    else:
        if not _may_read(request, image.article):
            raise Http404
        public = image.article.state == Article.State.PUBLISHED
    return _file(FileResponse(image.image.open("rb"), content_type="image/jpeg"), public)


def article_attachment(request, org_id: int, article_id: int, attachment_id: int):
    attachment = (
        ArticleAttachment.objects.select_related("article__organization")
        .filter(pk=attachment_id, article_id=article_id, article__organization_id=org_id)
        .first()
    )
    if attachment is None or not _may_read(request, attachment.article):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    return _file(response, attachment.article.state == Article.State.PUBLISHED)
