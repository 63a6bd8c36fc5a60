"""Console pages of the course area: the list of courses, writing a course and its lessons, the review steps,
and the course's files as its writers and reviewers see them (a reviewer watches the video before publishing).

Uploads: a lesson's page refuses a body larger than the lesson's file limit from its Content-Length before
anything is read, and installs `media.SizeLimitHandler` before the body is parsed (so the view is CSRF-exempt
and checks the token itself, after the handler is in place): a 2 GB upload gets a clear message and nothing is
stored. Files larger than FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file on disk (Django's handler).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    PUBLISH_COURSES,
    WRITE_COURSES,
    get_organization_for_user,
    has_capability,
    scope_paths,
)
from dangjian.console.shell import add_field_errors, console_view, render_form_page
from dangjian.core import sensitive
from dangjian.core.history import ActionError, InvalidInput
from dangjian.organizations.models import Organization

from . import course_actions as actions
from . import media
from .course_forms import CourseForm, LessonForm, ReasonForm
from .course_workflow import COURSES, why_not_publisher
from .models import Course, Lesson
from .queries import may_use, within_scope

PAGE_SIZE = 30


def highlight(text_html: str, words: list[str]) -> str:
    """Sanitized HTML with each occurrence of `words` in its text wrapped in <mark> (tags are left alone), as the
    article review page does."""
    if not words:
        return text_html
    pattern = re.compile("|".join(re.escape(html.escape(word)) for word in sorted(words, key=len, reverse=True)), re.I)
    parts = re.split(r"(<[^>]*>)", text_html)
    return "".join(
        part if part.startswith("<") else pattern.sub(lambda m: f'<mark class="flagged">{m.group(0)}</mark>', part)
        for part in parts
    )


TODO_REVIEW = "review"
UPLOAD_SLACK = 1024 * 1024  # the form's other fields and the multipart framing, beside the file


# --- Reads within the person's scope -------------------------------------------------------------------------


def visible_courses(user):
    """Courses of the organizations where the person may write or publish courses."""
    return (
        within_scope(Course.objects.all(), user, WRITE_COURSES)
        | within_scope(Course.objects.all(), user, PUBLISH_COURSES)
    ).distinct()


def may_use_courses(user) -> bool:
    return may_use(user, WRITE_COURSES) or may_use(user, PUBLISH_COURSES)


def waiting_for(user, base=None):
    """Courses in review this person may publish (never their own): exactly the to-do line's."""
    base = within_scope(Course.objects.all(), user, PUBLISH_COURSES) if base is None else base
    return (
        base.filter(state=Course.State.REVIEWING)
        .exclude(Q(created_by=user) & ~Q(created_by=None))
        .select_related("organization")
        .order_by("updated_at", "pk")
    )


def waiting_count(user) -> int | None:
    if not may_use(user, PUBLISH_COURSES):
        return None
    return waiting_for(user).count()


def get_course_for_user(user, course_id: int) -> Course:
    course = visible_courses(user).select_related("organization", "offered_to").filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def get_lesson_for_user(user, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.select_related("course").filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404
    lesson.course = get_course_for_user(user, lesson.course_id)
    return lesson


def _expected(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


# --- The list ----------------------------------------------------------------------------------------------


@console_view
def courses(request):
    """The courses the person may see, filtered by state, or "waiting for my review" (todo=review: exactly the
    to-do line's courses)."""
    if not may_use_courses(request.user):
        raise PermissionDenied
    base = visible_courses(request.user)
    todo = request.GET.get("todo") == TODO_REVIEW
    state = request.GET.get("state", "")
    state = state if state in Course.State.values else ""
    if todo:
        items: Any = waiting_for(request.user)
    else:
        items = base.select_related("organization", "offered_to")
        if state:
            items = items.filter(state=state)
        items = items.order_by("-updated_at", "-pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    writable = list(
        Organization.objects.open().filter(path__in=scope_paths(request.user, WRITE_COURSES)).order_by("path")
    )
    if getattr(request.user, "is_superuser", False) and not writable:
        writable = list(Organization.objects.open().filter(parent=None).order_by("path"))
    filters = {k: v for k, v in {"todo": TODO_REVIEW if todo else "", "state": state}.items() if v}
    return render(
        request,
        "learning/course_list.html",
        {
            "page": page,
            "todo": todo,
            "state": state,
            "states": Course.State.choices,
            "filters_on": bool(state),
            "query_string": urlencode(filters),
            "writable": writable,
        },
    )


# --- Writing the course ----------------------------------------------------------------------------------------


def _save_course(request, org: Organization, course: Course, form: CourseForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        saved = actions.save_course(
            request.user,
            org.pk,
            form.to_input(),
            course_id=course.pk,
            expected_version=form.expected_version,
            cover=data.get("cover_upload"),
            remove_cover=bool(data.get("remove_cover")),
        )
    except InvalidInput as error:
        add_field_errors(form, error)
        return False
    except ActionError as error:
        form.add_error(None, str(error))
        return False
    form.instance = saved
    return True


@console_view
def course_new(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, WRITE_COURSES)
    course = Course(organization=org)
    form = CourseForm(request.POST or None, request.FILES or None, instance=course, organization=org)
    if request.method == "POST" and _save_course(request, org, course, form):
        messages.success(request, _("The course was saved. Add its lessons, then submit it for review."))
        return redirect("console:course", form.instance.pk)
    return render_form_page(
        request,
        form,
        org=org,
        title=_("Write a course"),
        template="learning/course_form.html",
        course=course,
        picker=True,
        status=400 if request.method == "POST" else 200,
    )


def _quiz_link(lesson: Lesson) -> str:
    """The bank area's page choosing a quiz's questions."""
    return reverse("console:quiz_questions", args=[lesson.pk])


@console_view
def course_detail(request, course_id: int):
    """A course: its facts and form (while it is being written), its lessons, its review steps and its history."""
    course = get_course_for_user(request.user, course_id)
    steps = COURSES.available_steps(request.user, course)
    form = None
    if "edit" in steps:
        form = CourseForm(
            request.POST or None, request.FILES or None, instance=course, organization=course.organization
        )
        if request.method == "POST" and _save_course(request, course.organization, course, form):
            messages.success(request, _("The course was saved."))
            return redirect("console:course", course.pk)
    elif request.method == "POST":
        messages.error(request, _("This course cannot be changed now."))
        return redirect("console:course", course.pk)
    lessons = list(course.lessons.prefetch_related("questions"))
    text = actions.course_text(course)
    hits = sensitive.find(text)
    flagged = sensitive.flagged(hits)
    blocked = sensitive.blocking(hits)
    for lesson in lessons:
        lesson.quiz_link = _quiz_link(lesson) if lesson.kind == Lesson.Kind.QUIZ else ""  # type: ignore[attr-defined]
        lesson.question_count = lesson.questions.count() if lesson.kind == Lesson.Kind.QUIZ else 0  # type: ignore[attr-defined]
        if lesson.kind == Lesson.Kind.ARTICLE:
            lesson.shown = mark_safe(highlight(lesson.body, flagged + blocked))  # type: ignore[attr-defined]  # sanitized on save
    why_not = ""
    reviewing = course.state == Course.State.REVIEWING and "publish" not in steps
    if reviewing and has_capability(request.user, PUBLISH_COURSES, course.organization):
        why_not = why_not_publisher(request.user, course)
    submit_blocked = ""
    if "edit" in steps and "submit" not in steps and COURSES.acting(request.user, "submit", course):
        condition = COURSES["submit"].condition
        submit_blocked = condition(course) if condition else ""
    return render(
        request,
        "learning/course_detail.html",
        {
            "org": course.organization,
            "course": course,
            "form": form,
            "steps": steps,
            "lessons": lessons,
            "kinds": Lesson.Kind.choices,
            "events": course.events.select_related("actor"),
            "flagged": flagged,
            "blocked": blocked,
            "title_marked": mark_safe(highlight(html.escape(course.title), flagged + blocked)),
            "why_not": why_not,
            "submit_blocked": submit_blocked,
            "reason_form": ReasonForm(auto_id="return_%s"),
            "withdraw_form": ReasonForm(auto_id="withdraw_%s"),
            "picker": bool(form),
        },
        status=400 if form is not None and request.method == "POST" else 200,
    )


# --- Lessons ------------------------------------------------------------------------------------------------


def _upload_limit(kind: str) -> int:
    if kind == Lesson.Kind.VIDEO:
        return settings.LEARNING_VIDEO_MAX_BYTES
    if kind == Lesson.Kind.DOCUMENT:
        return settings.LEARNING_DOCUMENT_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _too_large(kind: str) -> str:
    limit = filesizeformat(_upload_limit(kind))
    if kind == Lesson.Kind.VIDEO:
        return _("The video is larger than %(limit)s, the most a lesson's video may be. Nothing was saved.") % {
            "limit": limit
        }
    return _("The file is larger than %(limit)s, the most allowed here. Nothing was saved.") % {"limit": limit}


def _lesson_page(request, course: Course, lesson: Lesson, *, refused: str = ""):
    """Add or change a lesson. `refused`: the upload was refused before its body was read (too large)."""
    kind = lesson.kind
    form = LessonForm(
        None if refused else request.POST or None,
        None if refused else request.FILES or None,
        instance=lesson,
        kind=kind,
    )
    if refused:
        pass  # shown above the form (an unbound form holds no errors)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.save_lesson(
                request.user,
                course.pk,
                form.to_input(),
                lesson_id=lesson.pk,
                expected_version=form.expected_version,
                video=data.get("video_upload"),
                document=data.get("document_upload"),
            )
        except InvalidInput as error:
            names = {"video": "video_upload", "document": "document_upload"}
            errors = {names.get(k, k): v for k, v in error.errors.items()}
            add_field_errors(form, InvalidInput(errors, str(error)))
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The lesson “%(title)s” was saved.") % {"title": saved.title})
            return redirect(reverse("console:course", args=[course.pk]) + f"#lesson-{saved.pk}")
    chosen = not refused and (request.FILES.getlist("video_upload") or request.FILES.getlist("document_upload"))
    if chosen and form.errors:
        form.add_error(None, _("Please choose the file again."))
    kind_label = Lesson.Kind(kind).label
    return render_form_page(
        request,
        form,
        org=course.organization,
        title=(_("Change the lesson") if lesson.pk else _("Add a lesson: %(kind)s") % {"kind": kind_label}),
        template="learning/course_lesson_form.html",
        course=course,
        lesson=lesson,
        kind=kind,
        refused=refused,
        status=(413 if refused else 400) if request.method == "POST" else 200,
    )


def _guarded(request, kind: str, page):
    """Run `page(refused)` for a lesson's form with the upload limit in force before the body is read: a body
    too large by its Content-Length is refused unread; otherwise the size handler goes first and the CSRF
    token is checked once it is in place."""
    if request.method != "POST":
        return page("")
    limit = _upload_limit(kind)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + UPLOAD_SLACK:
        return page(_too_large(kind))
    handler = media.SizeLimitHandler(request, limit=limit)
    request.upload_handlers.insert(0, handler)

    @csrf_protect
    def checked(request):
        request.POST  # noqa: B018  (parse the body now, with the handler in place)
        return page(_too_large(kind) if handler.exceeded else "")

    return checked(request)


@csrf_exempt
@console_view
def lesson_new(request, course_id: int, kind: str):
    course = get_course_for_user(request.user, course_id)
    if kind not in Lesson.Kind.values:
        raise Http404
    if "edit" not in COURSES.available_steps(request.user, course):
        if not COURSES.acting(request.user, "edit", course):
            raise PermissionDenied
        messages.error(request, _("This course cannot be changed now."))
        return redirect("console:course", course.pk)
    lesson = Lesson(course=course, kind=kind)
    return _guarded(request, kind, lambda refused: _lesson_page(request, course, lesson, refused=refused))


@csrf_exempt
@console_view
def lesson_edit(request, lesson_id: int):
    lesson = get_lesson_for_user(request.user, lesson_id)
    course = lesson.course
    if "edit" not in COURSES.available_steps(request.user, course):
        if not COURSES.acting(request.user, "edit", course):
            raise PermissionDenied
        messages.error(request, _("This course cannot be changed now."))
        return redirect("console:course", course.pk)
    return _guarded(request, lesson.kind, lambda refused: _lesson_page(request, course, lesson, refused=refused))


def _course_step(request, course: Course, run, success: str, anchor: str = ""):
    try:
        run()
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(reverse("console:course", args=[course.pk]) + anchor)


@console_view
@require_POST
def lesson_delete(request, lesson_id: int):
    lesson = get_lesson_for_user(request.user, lesson_id)
    return _course_step(
        request,
        lesson.course,
        lambda: actions.delete_lesson(request.user, lesson.pk, expected_version=_expected(request)),
        _("The lesson “%(title)s” was removed.") % {"title": lesson.title},
        "#lessons-h",
    )


@console_view
@require_POST
def lesson_move(request, lesson_id: int):
    lesson = get_lesson_for_user(request.user, lesson_id)
    direction = request.POST.get("direction", "")
    return _course_step(
        request,
        lesson.course,
        lambda: actions.move_lesson(request.user, lesson.pk, direction, expected_version=_expected(request)),
        _("The lesson “%(title)s” was moved.") % {"title": lesson.title},
        f"#lesson-{lesson.pk}",
    )


# --- The review ----------------------------------------------------------------------------------------------


@console_view
@require_POST
def course_submit(request, course_id: int):
    course = get_course_for_user(request.user, course_id)
    return _course_step(
        request,
        course,
        lambda: actions.submit_course(request.user, course.pk, expected_version=_expected(request)),
        _("The course was submitted for review."),
    )


@console_view
@require_POST
def course_publish(request, course_id: int):
    course = get_course_for_user(request.user, course_id)
    return _course_step(
        request,
        course,
        lambda: actions.publish_course(request.user, course.pk, expected_version=_expected(request)),
        _("The course was published."),
    )


@console_view
@require_POST
def course_return(request, course_id: int):
    course = get_course_for_user(request.user, course_id)
    return _course_step(
        request,
        course,
        lambda: actions.return_course(
            request.user, course.pk, request.POST.get("reason", ""), expected_version=_expected(request)
        ),
        _("The course was returned to its author."),
    )


@console_view
@require_POST
def course_withdraw(request, course_id: int):
    course = get_course_for_user(request.user, course_id)
    return _course_step(
        request,
        course,
        lambda: actions.withdraw_course(
            request.user, course.pk, request.POST.get("reason", ""), expected_version=_expected(request)
        ),
        _("The course was withdrawn."),
    )


# --- Its files, for those who write or review it ----------------------------------------------------------------


def _private(response: FileResponse) -> FileResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@console_view
def course_cover(request, course_id: int):
    course = get_course_for_user(request.user, course_id)
    if not course.cover:
        raise Http404
    return _private(FileResponse(course.cover.open("rb"), content_type="image/jpeg"))


@console_view
def lesson_file(request, lesson_id: int, what: str):
    lesson = get_lesson_for_user(request.user, lesson_id)
    if what == "video" and lesson.video:
        response = FileResponse(lesson.video.open("rb"), content_type=lesson.video_type or "video/mp4")
    elif what == "poster" and lesson.poster:
        response = FileResponse(lesson.poster.open("rb"), content_type="image/jpeg")
    elif what == "document" and lesson.document:
        response = FileResponse(
            lesson.document.open("rb"),
            content_type="application/pdf",
            as_attachment=request.GET.get("download") == "1",
            filename=lesson.document_name or "document.pdf",
        )
    else:
        raise Http404
    return _private(response)
