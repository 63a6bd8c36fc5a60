"""Writes to articles: writing and editing, the review (三审), publication now or at a set time, withdrawal;
the pictures of a body, attachments and the cover; the sensitive-word list.

Each action takes the acting user, ids and typed input; it loads the rows itself, asks the workflow
(`workflow.ARTICLES.require`: 403 for the wrong person, a clear message for the wrong state), validates, and
writes in one transaction with an `ArticleEvent` (who, when, which step of how many, why). A step compares the
version the person saw (`EditConflict`), so two reviewers pressing at once never both pass. Publication pushes
the article to the organization's group robots (`pushing.push_article`, queued in the same transaction) and
bumps the content generation, so cached portal pages change at once.
"""

from __future__ import annotations

import datetime
import os
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import WRITE_ARTICLES, has_capability, require
from dangjian.core import sensitive
from dangjian.core.cache import bump_content_generation
from dangjian.core.history import ActionError, EditConflict, InvalidInput, NotFound, save_tracked, validate
from dangjian.core.uploads import check_attachment, delete_files_on_commit, discard_all_on_failure, prepared_photos
from dangjian.notifications.api import notify, staff_holding
from dangjian.organizations.models import Organization

from . import notices, pushing, sanitize
from .models import Article, ArticleAttachment, ArticleEvent, ArticleImage, Column
from .workflow import ARTICLES, step_capability, why_not_reviewer

State = Article.State
Kind = ArticleEvent.Kind


def _organization(actor, organization_id: int) -> Organization:
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, WRITE_ARTICLES, organization)
    return organization


def _lock(article_id: int) -> Article:
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("organization", "column", "created_by")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound
    return article


def _check_version(article: Article, expected_version: int | None) -> None:
    if expected_version is not None and article.version != expected_version:
        raise EditConflict(
            _(
                "Someone else changed this article while you were looking at it. Reload the page to see the "
                "change, then decide again."
            )
        )


def _save_state(article: Article, *fields: str) -> None:
    article.version += 1
    article.save(update_fields=["state", "version", "updated_at", *fields])


def _event(article: Article, kind: str, actor=None, *, step=None, of=None, note: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article, kind=kind, actor=actor, step=step, of_steps=of, note=note[:300], at=timezone.now()
    )


# --- Writing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleInput:
    title: str
    column_id: int
    body: str  # HTML from the editor (or plain text from the textarea without JavaScript); cleaned here
    summary: str = ""
    source: str = ""
    author: str = ""
    show_below: bool = False
    publish_at: datetime.datetime | None = None  # None: as soon as the last review step passes


def _plain_to_html(text: str) -> str:
    """A body typed without the editor (plain text): each line a paragraph, so it reads as written."""
    import html

    if "<" in text and ">" in text:
        return text
    return "".join(f"<div>{html.escape(line)}</div>" for line in text.splitlines() if line.strip())


_IMAGE_IN_RAW = re.compile(r"/articles/images/(\d+)/")


def _clean_body(actor, organization: Organization, article: Article, raw: str) -> tuple[str, list[int]]:
    limit = settings.ARTICLE_MAX_HTML
    too_long = _("The body is too long (%(n)s characters of formatting and text); at most %(limit)s.")
    if len(raw) > limit * 4:  # the editor's own markup is dropped by cleaning, but not without bound
        message = too_long % {"n": len(raw), "limit": limit}
        raise InvalidInput({"body": [message]}, message)
    candidates = {int(pk) for pk in _IMAGE_IN_RAW.findall(raw)}
    allowed: set[int] = set()
    if candidates:
        images = ArticleImage.objects.filter(pk__in=candidates, organization=organization)
        for image in images:
            if (article.pk and image.article_id == article.pk) or (
                image.article_id is None and image.uploaded_by_id == actor.pk
            ):
                allowed.add(image.pk)
    body = sanitize.clean(_plain_to_html(raw), allowed_image=allowed.__contains__)
    if len(body) > limit:
        message = too_long % {"n": len(body), "limit": limit}
        raise InvalidInput({"body": [message]}, message)
    shown = sanitize.image_ids(body)
    if len(shown) > settings.ARTICLE_MAX_IMAGES:
        message = _("An article may show at most %(n)s pictures.") % {"n": settings.ARTICLE_MAX_IMAGES}
        raise InvalidInput({"body": [message]}, message)
    return body, shown


def _check_publish_at(publish_at: datetime.datetime | None) -> None:
    if publish_at is not None and publish_at <= timezone.now():
        message = _(
            "The publication time %(time)s has already passed. Choose a time in the future, or leave it empty to "
            "publish as soon as the review is done."
        ) % {"time": timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M")}
        raise InvalidInput({"publish_at": [message]}, message)


def save_article(
    actor,
    organization_id: int,
    data: ArticleInput,
    *,
    article_id: int | None = None,
    expected_version: int | None = None,
    cover=None,
    remove_cover: bool = False,
    attachments: Sequence = (),
    remove_attachment_ids: Iterable[int] = (),
) -> Article:
    """Write a new article of the organization, or change its article `article_id` (a draft, or one returned or
    withdrawn, which becomes a draft again). The body is cleaned (sanitize.clean); pictures it shows must be
    this article's own uploads; the cover is rebuilt from its pixels; attachments are checked by content."""
    organization = _organization(actor, organization_id)
    column = Column.objects.filter(pk=data.column_id, organization=organization, archived_at__isnull=True).first()
    if column is None:
        message = _("Choose one of this organization's columns.")
        raise InvalidInput({"column": [message]}, message)
    _check_publish_at(data.publish_at)
    prepared_cover = None
    if cover is not None:
        try:
            prepared_cover = prepared_photos([cover])[0]
        except ValidationError as error:
            message = " ".join(error.messages)
            raise InvalidInput({"cover": [message]}, message) from None
    files = []
    for upload in attachments:
        try:
            content_type = check_attachment(upload)
        except ValidationError as error:
            message = _("%(name)s: %(error)s") % {"name": upload.name[:60], "error": " ".join(error.messages)}
            raise InvalidInput({"attachments": [message]}, message) from None
        files.append((upload, content_type))

    storage = ArticleImage._meta.get_field("image").storage
    with discard_all_on_failure(storage) as stored, transaction.atomic():
        if article_id is None:
            article = Article(organization=organization, created_by=actor)
        else:
            article = _lock(article_id)
            if article.organization_id != organization.pk:
                raise NotFound
            ARTICLES.require(actor, "edit", article)
            if expected_version is not None and article.version != expected_version:
                raise EditConflict(
                    _(
                        "Someone else changed this article while you were editing. Your input is kept below; "
                        "reload the page to see their change, then apply yours again."
                    )
                )
        body, shown = _clean_body(actor, organization, article, data.body)
        article.column = column
        article.title = data.title.strip()
        article.summary = data.summary.strip()
        article.source = data.source.strip()
        article.author = data.author.strip()
        article.show_below = data.show_below
        article.publish_at = data.publish_at
        if not (article.pk and sanitize.same_content(article.body, body)):  # re-saved as it was: no change
            article.body = body
            article.body_text = sanitize.text_of(body)
        if not article.body_text and not shown:
            message = _("Write the article's text.")
            raise InvalidInput({"body": [message]}, message)
        old_cover = article.cover.name if article.pk else ""
        if prepared_cover is not None:
            article.cover.save(prepared_cover.name or "cover.jpg", prepared_cover, save=False)
            stored.append(article.cover.name or "")
        elif remove_cover:
            article.cover = ""
        was_state = article.state
        article.state = State.DRAFT
        validate(article)
        creating = article.pk is None
        changed = save_tracked(actor, article, organization, expected_version=expected_version)
        if not creating and changed is None and was_state != State.DRAFT:
            _save_state(article)
        dropped: list[str] = []
        if old_cover and old_cover != article.cover.name:
            dropped.append(old_cover)
        # Pictures: claim the uploads the body shows; forget this article's pictures it no longer shows.
        ArticleImage.objects.filter(pk__in=shown, article__isnull=True).update(article=article)
        for image in ArticleImage.objects.filter(article=article).exclude(pk__in=shown):
            dropped.append(image.image.name or "")
            image.delete()
        # Attachments: those removed, then the new ones within the limit.
        for attachment in ArticleAttachment.objects.filter(article=article, pk__in=list(remove_attachment_ids)):
            dropped.append(attachment.file.name or "")
            attachment.delete()
        if ArticleAttachment.objects.filter(article=article).count() + len(files) > settings.ARTICLE_MAX_ATTACHMENTS:
            message = _("An article may have at most %(n)s attachments.") % {"n": settings.ARTICLE_MAX_ATTACHMENTS}
            raise InvalidInput({"attachments": [message]}, message)
        for upload, content_type in files:
            original = os.path.basename(upload.name)[:200]
            attachment = ArticleAttachment(article=article, name=original, size=upload.size, content_type=content_type)
            attachment.file.save(f"{uuid.uuid4().hex}{os.path.splitext(original)[1].lower()}", upload, save=False)
            stored.append(attachment.file.name)
            attachment.save()
        if creating:
            _event(article, Kind.CREATED, actor)
        elif changed is not None or files or dropped or was_state != State.DRAFT:
            _event(article, Kind.EDITED, actor)
        delete_files_on_commit(storage, dropped)
    return article


def add_image(actor, organization_id: int, upload, *, article_id: int | None = None) -> ArticleImage:
    """A picture for an article's body, uploaded from the editor: checked and rebuilt from its pixels
    (core/uploads.py). Before the article is saved it belongs to its uploader; save_article claims it."""
    organization = _organization(actor, organization_id)
    article = None
    if article_id is not None:
        article = Article.objects.filter(pk=article_id, organization=organization).first()
        if article is None:
            raise NotFound
        ARTICLES.require(actor, "edit", article)
    try:
        photo = prepared_photos([upload])[0]
    except ValidationError as error:
        raise InvalidInput({"file": error.messages}, " ".join(error.messages)) from None
    from PIL import Image

    with Image.open(photo) as probe:
        width, height = probe.size
    photo.seek(0)
    image = ArticleImage(article=article, organization=organization, uploaded_by=actor, width=width, height=height)
    image.image.save(photo.name or "photo.jpg", photo, save=False)
    try:
        image.save()
    except Exception:
        image.image.delete(save=False)
        raise
    return image


def forget_unclaimed_images(older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Pictures uploaded from the editor for an article that was never saved (the clock, daily enough)."""
    old = ArticleImage.objects.filter(article__isnull=True, created_at__lt=timezone.now() - older_than)
    names = list(old.values_list("image", flat=True))
    count = old.delete()[0]
    storage = ArticleImage._meta.get_field("image").storage
    for name in names:
        if name:
            storage.delete(name)
    return count


# --- The review (三审) -------------------------------------------------------------------------------


def sensitive_check(article: Article) -> list[str]:
    """Run the shared matcher over the article's words: refuse it when a word of level 拒绝 is found (the words
    named), return the words of level 提示 (shown highlighted to the reviewers)."""
    text = "\n".join([article.title, article.summary, article.body_text])
    hits = sensitive.find(text)
    blocked = sensitive.blocking(hits)
    if blocked:
        raise ActionError(_("It contains words that may not be used: %(words)s") % {"words": "、".join(blocked)})
    return sensitive.flagged(hits)


def _next_reviewers(article: Article) -> list:
    capability = step_capability(article.steps_passed + 1, article.review_steps)
    users = staff_holding(capability, article.organization)
    return [user for user in users if not why_not_reviewer(user, article)]


def _tell_next(article: Article) -> None:
    notify(
        _next_reviewers(article),
        notices.ARTICLE_WAITING,
        article,
        organization=article.organization,
        title=article.title,
        org=article.organization.short_name or article.organization.name,
        step=article.steps_passed + 1,
        of=article.review_steps,
    )


def _publish(article: Article, actor, *, now: datetime.datetime | None = None) -> None:
    """The last step passed (or none was needed): published now, or scheduled for its publication time."""
    now = now or timezone.now()
    if article.publish_at is not None and article.publish_at > now:
        article.state = State.SCHEDULED
        _save_state(article)
        _event(article, Kind.SCHEDULED, actor)
        notify(
            [article.created_by],
            notices.ARTICLE_SCHEDULED,
            article,
            organization=article.organization,
            title=article.title,
            time=timezone.localtime(article.publish_at).strftime("%Y-%m-%d %H:%M"),
        )
        return
    _go_live(article, actor, now)


def _go_live(article: Article, actor, now: datetime.datetime) -> None:
    article.state = State.PUBLISHED
    article.published_at = now
    _save_state(article, "published_at")
    _announce(article, actor)


def _announce(article: Article, actor) -> None:
    """What follows a publication (by the last reviewer, or by the clock when actor is None), in its transaction:
    the step recorded, the robots' cards queued, cached pages renewed, the author told."""
    _event(article, Kind.PUBLISHED, actor)
    pushing.push_article(article)
    bump_content_generation()
    if article.created_by_id is not None:
        notify(
            [article.created_by_id],
            notices.ARTICLE_PUBLISHED,
            article,
            organization=article.organization,
            title=article.title,
        )


def submit_for_review(actor, article_id: int, *, expected_version: int | None = None) -> Article:
    """Send a draft (or a returned or withdrawn article) to review: the sensitive-word check first, then the
    column's review steps; a column without review publishes at once."""
    with transaction.atomic():
        article = _lock(article_id)
        ARTICLES.require(actor, "submit", article)
        _check_version(article, expected_version)
        if article.publish_at is not None and article.publish_at <= timezone.now():
            _check_publish_at(article.publish_at)
        flagged = sensitive_check(article)
        article.review_steps = article.column.review_steps
        article.steps_passed = 0
        article.return_reason = ""
        article.withdraw_reason = ""
        article.withdrawn_at = None
        note = _("Words to check: %(words)s") % {"words": "、".join(flagged)} if flagged else ""
        _event(article, Kind.SUBMITTED, actor, of=article.review_steps, note=note)
        if article.review_steps == 0:
            article.save(
                update_fields=["review_steps", "steps_passed", "return_reason", "withdraw_reason", "withdrawn_at"]
            )
            _publish(article, actor)
            return article
        article.state = State.REVIEWING
        _save_state(article, "review_steps", "steps_passed", "return_reason", "withdraw_reason", "withdrawn_at")
        _tell_next(article)
    return article


def _reviewing(actor, article: Article, step: int, expected_version: int | None) -> None:
    """The checks of a review step, before anything changes: the right state, the step the page showed (a
    forged or stale step number changes nothing), a different person for each step, the right role."""
    if article.state != State.REVIEWING:
        ARTICLES.check("approve", article.state)
    if not has_capability(actor, step_capability(article.steps_passed + 1, article.review_steps), article.organization):
        raise PermissionDenied
    if step != article.steps_passed + 1:
        raise ActionError(_("This review step has already been taken or is not the current one. Reload the page."))
    why_not = why_not_reviewer(actor, article)
    if why_not:
        raise ActionError(why_not)
    _check_version(article, expected_version)


def approve_step(actor, article_id: int, step: int, *, expected_version: int | None = None, note: str = "") -> Article:
    """Pass the article's current review step; the last one publishes it (or schedules it)."""
    with transaction.atomic():
        article = _lock(article_id)
        _reviewing(actor, article, step, expected_version)
        ARTICLES.require(actor, "approve", article)
        article.steps_passed += 1
        _event(article, Kind.APPROVED, actor, step=step, of=article.review_steps, note=note.strip())
        if article.steps_passed >= article.review_steps:
            article.save(update_fields=["steps_passed"])
            _publish(article, actor)
        else:
            _save_state(article, "steps_passed")
            article._round_approvers = None  # type: ignore[attr-defined]
            _tell_next(article)
    return article


def _reason(text: str, missing: str) -> str:
    """A return's or a withdrawal's reason: required, at most 300 characters."""
    reason = (text or "").strip()
    message = missing if not reason else _("The reason may have at most 300 characters.") if len(reason) > 300 else ""
    if message:
        raise InvalidInput({"reason": [message]}, message)
    return reason


def return_article(actor, article_id: int, step: int, reason: str, *, expected_version: int | None = None) -> Article:
    """Return the article to its author at the current step, with the reason (required)."""
    reason = _reason(reason, _("Say why the article is returned, so the author knows what to change."))
    with transaction.atomic():
        article = _lock(article_id)
        _reviewing(actor, article, step, expected_version)
        ARTICLES.require(actor, "return", article)
        article.state = State.RETURNED
        article.return_reason = reason
        _save_state(article, "return_reason")
        _event(article, Kind.RETURNED, actor, step=step, of=article.review_steps, note=reason)
        notify(
            [article.created_by_id] if article.created_by_id else [],
            notices.ARTICLE_RETURNED,
            article,
            organization=article.organization,
            title=article.title,
            step=step,
            of=article.review_steps,
            reason=reason,
        )
    return article


def withdraw_article(actor, article_id: int, reason: str, *, expected_version: int | None = None) -> Article:
    """Take a published (or scheduled) article off the portals, with the reason (required)."""
    reason = _reason(reason, _("Say why the article is withdrawn."))
    with transaction.atomic():
        article = _lock(article_id)
        ARTICLES.require(actor, "withdraw", article)
        _check_version(article, expected_version)
        article.state = State.WITHDRAWN
        article.withdrawn_at = timezone.now()
        article.withdraw_reason = reason
        _save_state(article, "withdrawn_at", "withdraw_reason")
        _event(article, Kind.WITHDRAWN, actor, note=reason)
        bump_content_generation()
        notify(
            [article.created_by_id] if article.created_by_id else [],
            notices.ARTICLE_WITHDRAWN,
            article,
            organization=article.organization,
            title=article.title,
            reason=reason,
        )
    return article


def publish_due(article_id: int, now: datetime.datetime) -> bool:
    """The clock's step: publish one scheduled article whose time has come. True when this call published it
    (a second clock, or a withdrawal meanwhile, finds nothing to do)."""
    with transaction.atomic():
        claimed = Article.objects.filter(pk=article_id, state=State.SCHEDULED, publish_at__lte=now).update(
            state=State.PUBLISHED, version=F("version") + 1
        )
        if not claimed:
            return False
        article = Article.objects.select_related("organization", "column").get(pk=article_id)
        article.published_at = article.publish_at or now
        article.save(update_fields=["published_at"])
        _announce(article, None)
    return True
