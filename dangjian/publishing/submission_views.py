"""Console pages of 信息报送: the receiving organization's inbox (waiting / adopted / returned) with its adopt and
return forms, the submitting organization's list of what it sent, and the form that sends an article up."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    ADOPT_SUBMISSIONS,
    WRITE_ARTICLES,
    get_organization_for_user,
    units_for,
)
from dangjian.console.shell import console_view
from dangjian.core.history import ActionError

from . import submissions
from .models import Article, Column, Submission

PER_PAGE = 30
STATE_LABELS = {
    Submission.State.SUBMITTED: pgettext_lazy("submission", "Waiting"),
    Submission.State.ADOPTED: pgettext_lazy("submission", "Adopted"),
    Submission.State.RETURNED: pgettext_lazy("submission", "Returned"),
}


def _labelled(rows):
    for row in rows:
        row.state_label = STATE_LABELS[row.state]
    return rows


ARTICLES_SHOWN = 20


def waiting_for(user):
    """Submissions waiting for a decision of an organization the user adopts for through a grant of their own."""
    return Submission.objects.filter(
        to_organization__in=units_for(user, ADOPT_SUBMISSIONS), state=Submission.State.SUBMITTED
    )


def _receivable(user, org_id: int):
    return get_organization_for_user(user, org_id, ADOPT_SUBMISSIONS)


class SubmitForm(forms.Form):
    to_organization = forms.TypedChoiceField(label=gettext_lazy("Send to"), coerce=int)
    note = forms.CharField(
        label=gettext_lazy("Note to the receiver"),
        max_length=submissions.NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["to_organization"]).choices = [(o.pk, o.name) for o in targets]
        if targets:
            self.fields["to_organization"].initial = targets[0].pk


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for returning"),
        max_length=submissions.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why the item is returned.")},
    )


@console_view
def submissions_home(request):
    """The person's 信息报送: what waits for their decision (the to-do), and each organization's pages."""
    user = request.user
    waiting = list(
        waiting_for(user).select_related("article__organization", "to_organization").order_by("submitted_at", "pk")
    )
    receiving = list(units_for(user, ADOPT_SUBMISSIONS).order_by("path"))
    sending = [o for o in units_for(user, WRITE_ARTICLES).order_by("path") if o.parent_id]
    return render(
        request,
        "publishing/console/submission_home.html",
        {"waiting": waiting, "receiving": receiving, "sending": sending},
    )


def _inbox_context(request, org, errors=None):
    state = request.GET.get("state", Submission.State.SUBMITTED)
    if state not in Submission.State.values:
        state = Submission.State.SUBMITTED
    rows = (
        Submission.objects.filter(to_organization=org, state=state)
        .select_related("article__organization", "column", "decided_by")
        .order_by("submitted_at" if state == Submission.State.SUBMITTED else "-decided_at", "pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    counts = {s: Submission.objects.filter(to_organization=org, state=s).count() for s in Submission.State.values}
    columns = list(Column.objects.filter(organization=org, archived_at__isnull=True))
    return {
        "org": org,
        "state": state,
        "states": [(state, STATE_LABELS[state], counts[state]) for state in Submission.State],
        "page": page,
        "query_string": f"state={state}",
        "columns": columns,
        "errors": errors or {},
    }


@console_view
def submission_inbox(request, org_id: int):
    org = _receivable(request.user, org_id)
    return render(request, "publishing/console/submission_inbox.html", _inbox_context(request, org))


def _decide(request, org_id: int, submission_id: int, decide):
    org = _receivable(request.user, org_id)
    if not Submission.objects.filter(pk=submission_id, to_organization=org).exists():
        raise Http404
    try:
        decide()
    except ActionError as error:
        context = _inbox_context(request, org, errors={submission_id: str(error)})
        return render(request, "publishing/console/submission_inbox.html", context, status=400)
    return None


@require_POST
@console_view
def submission_adopt(request, org_id: int, submission_id: int):
    try:
        column_id = int(request.POST.get("column", ""))
    except ValueError:
        column_id = 0
    refused = _decide(
        request,
        org_id,
        submission_id,
        lambda: submissions.adopt_submission(request.user, submission_id, column_id),
    )
    if refused:
        return refused
    messages.success(request, _("The item is adopted and shows on your portal with its source named."))
    return redirect(reverse("console:submissions", args=[org_id]))


@require_POST
@console_view
def submission_return(request, org_id: int, submission_id: int):
    refused = _decide(
        request,
        org_id,
        submission_id,
        lambda: submissions.return_submission(request.user, submission_id, request.POST.get("reason", "")),
    )
    if refused:
        return refused
    messages.success(request, _("The item is returned; its organization is told why."))
    return redirect(reverse("console:submissions", args=[org_id]))


@console_view
def submissions_sent(request, org_id: int):
    """What the organization sent up, each with its state and the reason of a return; and its published articles
    that can be sent."""
    org = get_organization_for_user(request.user, org_id, WRITE_ARTICLES)
    rows = (
        Submission.objects.filter(article__organization=org)
        .select_related("article", "to_organization", "column")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    _labelled(page.object_list)
    articles = list(
        Article.objects.filter(organization=org, state=Article.State.PUBLISHED).order_by("-published_at", "-pk")[
            :ARTICLES_SHOWN
        ]
    )
    # An article already waiting or adopted above shows where and how, not a button that would be refused.
    live: dict[int, list[Submission]] = {}
    for row in _labelled(
        Submission.objects.filter(
            article__in=articles, state__in=[Submission.State.SUBMITTED, Submission.State.ADOPTED]
        ).select_related("to_organization")
    ):
        live.setdefault(row.article_id, []).append(row)
    sendable = [(article, live.get(article.pk, [])) for article in articles]
    return render(
        request,
        "publishing/console/submission_sent.html",
        {"org": org, "page": page, "articles": sendable, "has_parent": org.parent_id is not None},
    )


@console_view
def article_submit(request, org_id: int, article_id: int):
    """Send one of the organization's published articles up (the parent by default, or an organization above)."""
    org = get_organization_for_user(request.user, org_id, WRITE_ARTICLES)
    article = Article.objects.filter(pk=article_id, organization=org).select_related("organization").first()
    if article is None:
        raise Http404
    targets = submissions.targets_for(article)
    if not targets:
        raise PermissionDenied
    form = SubmitForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            submission = submissions.submit_upward(
                request.user, article.pk, form.cleaned_data["to_organization"], form.cleaned_data["note"]
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The article is sent to %(org)s.")
                % {"org": submission.to_organization.short_name or submission.to_organization.name},
            )
            return redirect(reverse("console:submissions_sent", args=[org.pk]))
    earlier = _labelled(list(article.submissions.select_related("to_organization").order_by("-submitted_at")))
    return render(
        request,
        "publishing/console/submission_form.html",
        {"org": org, "article": article, "form": form, "earlier": earlier},
        status=400 if request.method == "POST" else 200,
    )
