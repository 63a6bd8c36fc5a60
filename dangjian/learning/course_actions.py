"""Writes to courses: writing a course and its lessons (article, video, document, quiz), reordering and deleting
lessons, and the review (submit, publish, return, withdraw).

Each action takes the acting user, ids and typed input; it loads the rows itself, asks the workflow
(`course_workflow.COURSES.require`: 403 for the wrong person, a clear message for the wrong state), validates, and
writes in one transaction with the history (`core.history.save_tracked`, comparing the version the person saw) and a
`CourseEvent` for each step. Uploaded media are checked by their bytes (`media.py`) before anything is written, and
stored only once the whole record is valid; a refused save deletes what it stored, and files a change dropped are
deleted after the commit.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import Role
from dangjian.accounts.permissions import PUBLISH_COURSES, WRITE_COURSES, require
from dangjian.core import richtext, sensitive
from dangjian.core.cache import bump_content_generation
from dangjian.core.history import (
    ActionError,
    EditConflict,
    InvalidInput,
    NotFound,
    delete_tracked,
    save_tracked,
    validate,
)
from dangjian.core.text import index_text
from dangjian.core.uploads import delete_files_on_commit, discard_all_on_failure, prepared_photos
from dangjian.notifications.api import notify, staff_holding
from dangjian.organizations.models import Organization

from . import media, notices
from .course_workflow import COURSES, why_not_publisher
from .models import Audience, Course, CourseEvent, Lesson

State = Course.State
Kind = CourseEvent.Kind


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput({field: [message]}, message)


def _organization(actor, organization_id: int) -> Organization:
    organization = Organization.objects.open().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound
    require(actor, WRITE_COURSES, organization)
    return organization


def _lock(course_id: int) -> Course:
    course = (
        Course.objects.select_for_update(of=("self",))
        .select_related("organization", "offered_to")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise NotFound
    return course


def _check_version(course: Course, expected_version: int | None) -> None:
    if expected_version is not None and course.version != expected_version:
        raise EditConflict(
            _(
                "Someone else changed this course while you were looking at it. Reload the page to see the change, "
                "then decide again."
            )
        )


def _save_state(course: Course, *fields: str) -> None:
    course.version += 1
    course.save(update_fields=["state", "version", "updated_at", *fields])


def _event(course: Course, kind: str, actor=None, note: str = "") -> CourseEvent:
    return CourseEvent.objects.create(course=course, kind=kind, actor=actor, note=note[:300], at=timezone.now())


def _touch(course: Course) -> None:
    """A lesson changed: the course is a draft again (returned or withdrawn ones too) and its version moves on, so
    a submit from a page that showed the old lessons is refused as stale."""
    course.state = State.DRAFT
    _save_state(course)


# --- The course -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseInput:
    title: str
    offered_to_id: int
    audience: str = Audience.MEMBERS
    staff_role: str = ""
    summary: str = ""


def offered_choices(organization: Organization):
    """The organizations a course of `organization` may be offered to: itself and the open ones below it."""
    return Organization.objects.open().filter(path__startswith=organization.path).order_by("path")


def save_course(
    actor,
    organization_id: int,
    data: CourseInput,
    *,
    course_id: int | None = None,
    expected_version: int | None = None,
    cover=None,
    remove_cover: bool = False,
) -> Course:
    """Write a new course of the organization, or change its course `course_id` (a draft, or one returned or
    withdrawn, which becomes a draft again). It is offered to the organization's subtree or one below it."""
    organization = _organization(actor, organization_id)
    offered_to = offered_choices(organization).filter(pk=data.offered_to_id).first()
    if offered_to is None:
        raise _refuse("offered_to", _("Choose this organization or one below it."))
    if data.audience not in Audience.values:
        raise _refuse("audience", _("Choose to whom the course is offered."))
    staff_role = data.staff_role if data.audience == Audience.STAFF else ""
    if staff_role and staff_role not in Role.values:
        raise _refuse("staff_role", _("Choose a role."))
    prepared_cover = None
    if cover is not None:
        try:
            prepared_cover = prepared_photos([cover])[0]
        except ValidationError as error:
            raise _refuse("cover", " ".join(error.messages)) from None

    storage = Course._meta.get_field("cover").storage
    with discard_all_on_failure(storage) as stored, transaction.atomic():
        if course_id is None:
            course = Course(organization=organization, created_by=actor)
        else:
            course = _lock(course_id)
            if course.organization_id != organization.pk:
                raise NotFound
            COURSES.require(actor, "edit", course)
        course.title = data.title.strip()
        course.summary = data.summary.strip()
        course.offered_to = offered_to
        course.audience = data.audience
        course.staff_role = staff_role
        old_cover = course.cover.name if course.pk else ""
        if remove_cover and prepared_cover is None:
            course.cover = ""
        was_state = course.state
        course.state = State.DRAFT
        validate(course, exclude=["cover"])
        if prepared_cover is not None:
            course.cover.save(prepared_cover.name or "cover.jpg", prepared_cover, save=False)
            stored.append(course.cover.name or "")
        creating = course.pk is None
        changed = save_tracked(actor, course, organization, expected_version=expected_version)
        if not creating and changed is None and was_state != State.DRAFT:
            _check_version(course, expected_version)
            _save_state(course)
        if creating:
            _event(course, Kind.CREATED, actor)
        if old_cover and old_cover != course.cover.name:
            delete_files_on_commit(storage, [old_cover])
    return course


# --- Lessons ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonInput:
    kind: str
    title: str
    body: str = ""  # ARTICLE: HTML from the editor (or plain text without JavaScript); cleaned here
    pass_percent: int = 60  # QUIZ


@dataclass
class _Media:
    """An uploaded file checked and read before the transaction: what is stored with the lesson."""

    upload: object
    name: str
    content_type: str = ""
    size: int = 0
    duration: float | None = None
    poster: bytes | None = None


def _plain_to_html(text: str) -> str:
    """Text typed without the editor: each line a paragraph, so it reads as written."""
    import html

    if "<" in text and ">" in text:
        return text
    return "".join(f"<div>{html.escape(line)}</div>" for line in text.splitlines() if line.strip())


def _clean_text(raw: str) -> tuple[str, str]:
    limit = settings.ARTICLE_MAX_HTML
    too_long = _("The text is too long (%(n)s characters of formatting and text); at most %(limit)s.")
    if len(raw) > limit * 4:
        raise _refuse("body", too_long % {"n": len(raw), "limit": limit})
    body = richtext.clean(_plain_to_html(raw or ""))
    if len(body) > limit:
        raise _refuse("body", too_long % {"n": len(body), "limit": limit})
    text = richtext.text_of(body)
    if not text.strip():
        raise _refuse("body", _("Write the lesson's text."))
    return body, text


def check_video(upload) -> _Media:
    """An uploaded video checked by its bytes (MP4 or WebM) and, when ffprobe is there, by what ffprobe sees;
    its duration and a poster frame read with ffprobe/ffmpeg (none when they are missing)."""
    limit = settings.LEARNING_VIDEO_MAX_BYTES
    if not upload.size:
        raise _refuse("video", _("The file is empty."))
    if upload.size > limit:
        raise _refuse(
            "video",
            _("The video is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    content_type = media.video_type(media.head_of(upload))
    not_video = _("This file is not an MP4 or WebM video (its content was checked, not its name).")
    if content_type is None:
        raise _refuse("video", not_video)
    with media.on_disk(upload) as path:
        found = media.probe(path)
        if found is None and media.tools_present() or found is not None and not found.has_video:
            raise _refuse("video", not_video)
        duration = found.duration if found else None
        poster = media.make_poster(path, duration) if found else None
    return _Media(
        upload=upload,
        name=f"{uuid.uuid4().hex}{media.EXTENSIONS[content_type]}",
        content_type=content_type,
        size=upload.size,
        duration=duration,
        poster=poster,
    )


def check_document(upload) -> _Media:
    """An uploaded PDF checked by its header and size; its name (as uploaded) and size kept."""
    limit = settings.LEARNING_DOCUMENT_MAX_BYTES
    if not upload.size:
        raise _refuse("document", _("The file is empty."))
    if upload.size > limit:
        raise _refuse(
            "document",
            _("The document is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if not media.is_pdf(media.head_of(upload)):
        raise _refuse("document", _("This file is not a PDF document (its content was checked, not its name)."))
    original = os.path.basename(upload.name or "document.pdf")[:200]
    return _Media(upload=upload, name=original, content_type="application/pdf", size=upload.size)


def _lesson_in_course(lesson_id: int) -> tuple[Lesson, Course]:
    lesson = Lesson.objects.filter(pk=lesson_id).first()
    if lesson is None:
        raise NotFound
    course = _lock(lesson.course_id)
    lesson = Lesson.objects.select_for_update().get(pk=lesson_id)
    return lesson, course


def save_lesson(
    actor,
    course_id: int,
    data: LessonInput,
    *,
    lesson_id: int | None = None,
    expected_version: int | None = None,
    video=None,
    document=None,
) -> Lesson:
    """Add a lesson at the end of the course, or change its lesson `lesson_id` (its kind stays). An article's
    text is cleaned (core.richtext); a video or a document is checked by its content and replaces the one before;
    a new video or document lesson needs its file."""
    if data.kind not in Lesson.Kind.values:
        raise _refuse("kind", _("Choose what kind of lesson to add."))
    body = text = ""
    if data.kind == Lesson.Kind.ARTICLE:
        body, text = _clean_text(data.body)
    if data.kind == Lesson.Kind.QUIZ and not 1 <= int(data.pass_percent or 0) <= 100:
        raise _refuse("pass_percent", _("The pass mark is a percentage from 1 to 100."))
    checked_video = check_video(video) if video is not None and data.kind == Lesson.Kind.VIDEO else None
    checked_document = check_document(document) if document is not None and data.kind == Lesson.Kind.DOCUMENT else None

    storage = Lesson._meta.get_field("video").storage
    with discard_all_on_failure(storage) as stored, transaction.atomic():
        if lesson_id is None:
            course = _lock(course_id)
            lesson = Lesson(course=course, kind=data.kind)
        else:
            lesson, course = _lesson_in_course(lesson_id)
            if course.pk != course_id:
                raise NotFound
            if lesson.kind != data.kind:
                raise _refuse("kind", _("A lesson's kind cannot be changed; add a new lesson instead."))
        COURSES.require(actor, "edit", course)
        if expected_version is not None and lesson.pk and lesson.version != expected_version:
            raise EditConflict(
                _(
                    "Someone else changed this lesson while you were editing. Your input is kept below; reload the "
                    "page to see their change, then apply yours again."
                )
            )
        if lesson.pk is None:
            last = course.lessons.aggregate(n=Max("order"))["n"] or 0
            lesson.order = last + 1
        lesson.title = data.title.strip()
        dropped: list[str] = []
        if data.kind == Lesson.Kind.ARTICLE:
            if not (lesson.pk and richtext.same_content(lesson.body, body)):
                lesson.body = body
                lesson.body_text = text
        elif data.kind == Lesson.Kind.QUIZ:
            lesson.pass_percent = int(data.pass_percent)
        elif data.kind == Lesson.Kind.VIDEO and checked_video is None and not lesson.video:
            raise _refuse("video", _("Choose the video file (MP4 or WebM)."))
        elif data.kind == Lesson.Kind.DOCUMENT and checked_document is None and not lesson.document:
            raise _refuse("document", _("Choose the PDF document."))
        validate(lesson, exclude=["video", "poster", "document", "questions"])
        # The record is valid: now its files are stored (and deleted again if the write fails).
        if checked_video is not None:
            dropped += [lesson.video.name or "", lesson.poster.name or ""]
            lesson.video.save(checked_video.name, checked_video.upload, save=False)  # type: ignore[arg-type]
            stored.append(lesson.video.name or "")
            lesson.video_type = checked_video.content_type
            lesson.video_size = checked_video.size
            lesson.duration = checked_video.duration
            lesson.poster = ""
            if checked_video.poster:
                lesson.poster.save(f"{uuid.uuid4().hex}.jpg", ContentFile(checked_video.poster), save=False)
                stored.append(lesson.poster.name or "")
        if checked_document is not None:
            dropped.append(lesson.document.name or "")
            lesson.document.save(f"{uuid.uuid4().hex}.pdf", checked_document.upload, save=False)  # type: ignore[arg-type]
            stored.append(lesson.document.name or "")
            lesson.document_name = checked_document.name
            lesson.document_size = checked_document.size
        changed = save_tracked(actor, lesson, course.organization, expected_version=expected_version)
        if changed is not None or lesson_id is None:
            _touch(course)
        delete_files_on_commit(storage, [name for name in dropped if name])
    return lesson


def _renumber(course: Course) -> None:
    for number, lesson in enumerate(course.lessons.order_by("order", "pk"), start=1):
        if lesson.order != number:
            Lesson.objects.filter(pk=lesson.pk).update(order=number)


def delete_lesson(actor, lesson_id: int, *, expected_version: int | None = None) -> Course:
    """Remove a lesson (and its files, after the commit) from a course being written."""
    with transaction.atomic():
        lesson, course = _lesson_in_course(lesson_id)
        COURSES.require(actor, "edit", course)
        _check_version(course, expected_version)
        files = [lesson.video.name, lesson.poster.name, lesson.document.name]
        delete_tracked(actor, lesson, course.organization)
        _renumber(course)
        _touch(course)
        delete_files_on_commit(Lesson._meta.get_field("video").storage, files)
    return course


def move_lesson(actor, lesson_id: int, direction: str, *, expected_version: int | None = None) -> Course:
    """Move a lesson one place up or down (swapping with its neighbour)."""
    if direction not in ("up", "down"):
        raise ActionError(_("Choose up or down."))
    with transaction.atomic():
        lesson, course = _lesson_in_course(lesson_id)
        COURSES.require(actor, "edit", course)
        _check_version(course, expected_version)
        _renumber(course)
        lessons = list(course.lessons.order_by("order", "pk"))
        at = next(i for i, row in enumerate(lessons) if row.pk == lesson.pk)
        other = at - 1 if direction == "up" else at + 1
        if 0 <= other < len(lessons):
            first, second = lessons[at], lessons[other]
            Lesson.objects.filter(pk=first.pk).update(order=other + 1, version=F("version") + 1)
            Lesson.objects.filter(pk=second.pk).update(order=at + 1, version=F("version") + 1)
            _touch(course)
    return course


# --- The review ---------------------------------------------------------------------------------------------


def course_text(course: Course) -> str:
    """The words of a course: its title, summary, and its lessons' titles and texts."""
    parts = [course.title, course.summary]
    for lesson in course.lessons.all():
        parts += [lesson.title, lesson.body_text, lesson.document_name]
    return "\n".join(part for part in parts if part)


def sensitive_check(course: Course) -> list[str]:
    """The shared matcher over the course's words: refused for a word of level 拒绝 (the words named); the words
    of level 提示 are returned (shown highlighted to the reviewers)."""
    hits = sensitive.find(course_text(course))
    blocked = sensitive.blocking(hits)
    if blocked:
        raise ActionError(_("It contains words that may not be used: %(words)s") % {"words": "、".join(blocked)})
    return sensitive.flagged(hits)


def reviewers(course: Course) -> list:
    """Who is told a course waits: those holding PUBLISH_COURSES on its organization (or the nearest above),
    less its author."""
    return [user for user in staff_holding(PUBLISH_COURSES, course.organization) if not why_not_publisher(user, course)]


def submit_course(actor, course_id: int, *, expected_version: int | None = None) -> Course:
    """Send a course being written to review: it needs a lesson (each quiz its questions) and passes the
    sensitive-word check; those who may publish it are told."""
    with transaction.atomic():
        course = _lock(course_id)
        COURSES.require(actor, "submit", course)
        _check_version(course, expected_version)
        flagged = sensitive_check(course)
        course.state = State.REVIEWING
        course.return_reason = ""
        course.withdraw_reason = ""
        _save_state(course, "return_reason", "withdraw_reason")
        note = _("Words to check: %(words)s") % {"words": "、".join(flagged)} if flagged else ""
        _event(course, Kind.SUBMITTED, actor, note=note)
        notify(
            reviewers(course),
            notices.COURSE_WAITING,
            course,
            organization=course.organization,
            title=course.title,
            org=course.organization.short_name or course.organization.name,
        )
    return course


def _reason(text: str, missing: str) -> str:
    reason = (text or "").strip()
    message = missing if not reason else _("The reason may have at most 300 characters.") if len(reason) > 300 else ""
    if message:
        raise _refuse("reason", message)
    return reason


def publish_course(actor, course_id: int, *, expected_version: int | None = None, note: str = "") -> Course:
    """Publish a course in review (someone other than its author, holding PUBLISH_COURSES on its organization):
    it appears on the portals it is offered to and its words are indexed for the Chinese search."""
    with transaction.atomic():
        course = _lock(course_id)
        COURSES.require(actor, "publish", course)
        _check_version(course, expected_version)
        sensitive_check(course)  # the list may have grown since it was submitted
        course.state = State.PUBLISHED
        course.published_at = timezone.now()
        course.search_text = index_text(course_text(course))
        _save_state(course, "published_at", "search_text")
        _event(course, Kind.PUBLISHED, actor, note=note.strip())
        bump_content_generation()
        notify(
            [course.created_by_id] if course.created_by_id else [],
            notices.COURSE_PUBLISHED,
            course,
            organization=course.organization,
            title=course.title,
        )
    return course


def return_course(actor, course_id: int, reason: str, *, expected_version: int | None = None) -> Course:
    """Return a course in review to its author, with the reason (required)."""
    reason = _reason(reason, _("Say why the course is returned, so the author knows what to change."))
    with transaction.atomic():
        course = _lock(course_id)
        COURSES.require(actor, "return", course)
        _check_version(course, expected_version)
        course.state = State.RETURNED
        course.return_reason = reason
        _save_state(course, "return_reason")
        _event(course, Kind.RETURNED, actor, note=reason)
        notify(
            [course.created_by_id] if course.created_by_id else [],
            notices.COURSE_RETURNED,
            course,
            organization=course.organization,
            title=course.title,
            reason=reason,
        )
    return course


def withdraw_course(actor, course_id: int, reason: str, *, expected_version: int | None = None) -> Course:
    """Take a published course off the portals, with the reason (required). Learners' progress is kept; the
    course can be changed and submitted again."""
    reason = _reason(reason, _("Say why the course is withdrawn."))
    with transaction.atomic():
        course = _lock(course_id)
        COURSES.require(actor, "withdraw", course)
        _check_version(course, expected_version)
        course.state = State.WITHDRAWN
        course.withdraw_reason = reason
        _save_state(course, "withdraw_reason")
        _event(course, Kind.WITHDRAWN, actor, note=reason)
        bump_content_generation()
        notify(
            [course.created_by_id] if course.created_by_id else [],
            notices.COURSE_WITHDRAWN,
            course,
            organization=course.organization,
            title=course.title,
            reason=reason,
        )
    return course
