"""信息报送: a published article sent up to an organization above, which adopts it into one of its columns (it
then shows on that portal with the source named) or returns it with a reason.

    submit_upward(user, article_id, to_organization_id, note)   WRITE_ARTICLES on the article's organization
    adopt_submission(user, submission_id, column_id)            ADOPT_SUBMISSIONS on the receiving organization
    return_submission(user, submission_id, reason)              ADOPT_SUBMISSIONS on the receiving organization

Each decision is told to the person who sent the item and the writers of exactly the submitting organization, a new item to the receiver's adopters.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.accounts.permissions import ADOPT_SUBMISSIONS, WRITE_ARTICLES, has_capability, holders
from dangjian.core.cache import bump_content_generation
from dangjian.core.history import ActionError, InvalidInput, NotFound
from dangjian.notifications.api import notify, staff_holding
from dangjian.organizations.models import Organization

from . import notices
from .models import Article, Column, Submission

NOTE_MAX = 300
REASON_MAX = 300


def targets_for(article: Article) -> list[Organization]:
    """Where an article may be sent: its organization's ancestors that are open, nearest first."""
    return [o for o in reversed(article.organization.ancestors()) if not o.is_closed]


def _org_name(organization) -> str:
    return organization.short_name or organization.name


def submit_upward(user, article_id: int, to_organization_id: int, note: str = "") -> Submission:
    note = (note or "").strip()
    with transaction.atomic():
        article = Article.objects.select_related("organization").filter(pk=article_id).first()
        if article is None:
            raise NotFound
        if not has_capability(user, WRITE_ARTICLES, article.organization):
            raise PermissionDenied
        if article.state != Article.State.PUBLISHED:
            raise InvalidInput(
                {"article": [_("Only a published article can be sent up.")]},
                _("Only a published article can be sent up."),
            )
        target = next((o for o in targets_for(article) if o.pk == to_organization_id), None)
        if target is None:
            message = _("An item can only be sent to an organization above its own.")
            raise InvalidInput({"to_organization": [message]}, message)
        if len(note) > NOTE_MAX:
            message = _("The note is at most %(n)s characters.") % {"n": NOTE_MAX}
            raise InvalidInput({"note": [message]}, message)
        submission = Submission(article=article, to_organization=target, note=note, submitted_by=user)
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            message = _("This article was already sent to %(org)s and is waiting or adopted there.") % {
                "org": _org_name(target)
            }
            raise ActionError(message) from None
        notify(
            staff_holding(ADOPT_SUBMISSIONS, target),
            notices.SUBMISSION_RECEIVED,
            submission,
            organization=target,
            from_org=_org_name(article.organization),
            title=article.title,
            to_org_id=target.pk,
        )
    return submission


def _waiting(user, submission_id: int) -> Submission:
    """The submission, locked, waiting for a decision of an organization the user adopts for."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("article__organization", "to_organization")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise NotFound
    if not has_capability(user, ADOPT_SUBMISSIONS, submission.to_organization):
        raise PermissionDenied
    if submission.state != Submission.State.SUBMITTED:
        state = pgettext("submission", "Adopted" if submission.state == Submission.State.ADOPTED else "Returned")
        raise ActionError(_("This item was already decided: it is %(state)s.") % {"state": state})
    return submission


def _tell_submitter(submission: Submission, kind: str, **params) -> None:
    """Tell the person who sent the item and the writers of exactly the submitting organization: never fall back
    up the tree, where the deciding organization's own people would read "X adopted your item"."""
    source = submission.article.organization
    submitter = submission.submitted_by
    people = [submitter] if submitter is not None and submitter.is_active else []
    target = submission.to_organization
    notify(
        [
            person
            for person in [*people, *holders(source, WRITE_ARTICLES)]
            if not has_capability(person, ADOPT_SUBMISSIONS, target)  # the deciding side knows already
        ],
        kind,
        submission,
        organization=source,
        to_org=_org_name(submission.to_organization),
        title=submission.article.title,
        from_org_id=source.pk,
        **params,
    )


def adopt_submission(user, submission_id: int, column_id: int) -> Submission:
    with transaction.atomic():
        submission = _waiting(user, submission_id)
        column = Column.objects.filter(
            pk=column_id, organization=submission.to_organization, archived_at__isnull=True
        ).first()
        if column is None:
            message = _("Choose one of your own columns that is in use.")
            raise InvalidInput({"column": [message]}, message)
        submission.state = Submission.State.ADOPTED
        submission.column = column
        submission.decided_by = user
        submission.decided_at = timezone.now()
        submission.save(update_fields=["state", "column", "decided_by", "decided_at"])
        _tell_submitter(submission, notices.SUBMISSION_ADOPTED, column=str(column.title))
        bump_content_generation()  # the receiver's portal now shows the item
    return submission


def return_submission(user, submission_id: int, reason: str) -> Submission:
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the item is returned.")
        raise InvalidInput({"reason": [message]}, message)
    if len(reason) > REASON_MAX:
        message = _("The reason is at most %(n)s characters.") % {"n": REASON_MAX}
        raise InvalidInput({"reason": [message]}, message)
    with transaction.atomic():
        submission = _waiting(user, submission_id)
        submission.state = Submission.State.RETURNED
        submission.reason = reason
        submission.decided_by = user
        submission.decided_at = timezone.now()
        submission.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        _tell_submitter(submission, notices.SUBMISSION_RETURNED, reason=reason)
    return submission
