"""The learner's side of courses: a portal's catalogue (with the Chinese search), a course's page, a lesson's page
with its video, poster and PDF served with range requests, "I have finished this lesson", and "my learning".

Who may open a lesson: anyone for a public course; for a members or staff course, those it is offered to
(audience.is_offered) and the staff who may write courses on its organization (to check it; they learn nothing
by it). Everyone may read a course's description and its lesson titles on the portals it is offered to.
Progress is kept only for a signed-in learner it is offered to (progress.py): the lesson to resume from and the
lessons done, nothing about time. A video's playback position stays on the phone (localStorage, video.js).

The catalogue, the course page and the lesson page of a public course are cached whole for anonymous visitors
(core.cache.public_page); nothing that shows a person's progress is cached.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.permissions import WRITE_COURSES, has_capability
from dangjian.console.shell import signed_in_view
from dangjian.core.cache import public_page
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import audience, course_search, progress, serving
from .models import Audience, Course, Enrollment, Exam, Lesson

SECTION = "learning"
PAGE_SIZE = 20
SUGGESTED = 10


def offered_text(course: Course) -> str:
    """Who the course is offered to, in one sentence."""
    place = course.offered_to.name
    if course.audience == Audience.PUBLIC:
        return _("Open to everyone; signing in keeps your progress.")
    if course.audience == Audience.MEMBERS:
        return _("For the party members and staff of %(place)s and the organizations below it.") % {"place": place}
    if course.staff_role:
        return _("For the %(role)s of %(place)s and the organizations below it.") % {
            "role": course.get_staff_role_display(),
            "place": place,
        }
    return _("For the staff of %(place)s and the organizations below it.") % {"place": place}


def may_open(user, course: Course) -> bool:
    """Whether the person may open the course's lessons (see the module's docstring)."""
    if audience.is_offered(user, course):
        return True
    return getattr(user, "is_authenticated", False) and has_capability(user, WRITE_COURSES, course.organization)


def portal_for(request, course: Course) -> Organization:
    """The portal a lesson page is shown in: the one it was opened from (`?o=`) when the course is on it, else the
    learner's own organization when it is, else the organization the course is offered to."""
    candidates: list[Organization] = []
    raw = request.GET.get("o", "")
    if raw.isdigit():
        chosen = Organization.objects.filter(pk=int(raw), closed_at=None).first()
        if chosen is not None:
            candidates.append(chosen)
    own = audience.learner_for(request.user, course)
    if own is not None:
        candidates.append(own)
    for organization in candidates:
        if course.offered_to_id in organization.ancestor_ids:
            return organization
    return course.offered_to


def _course_url(course: Course, organization: Organization) -> str:
    return reverse("learning:course", args=[organization.pk, course.pk])


def lesson_url(lesson: Lesson, organization: Organization | None = None) -> str:
    url = reverse("learning:lesson", args=[lesson.pk])
    return f"{url}?o={organization.pk}" if organization is not None else url


def _gone(request, course: Course, organization: Organization):
    context = portal_context(organization, SECTION)
    context.update(course=course)
    return render(request, "learning/study_course_gone.html", context, status=410)


def _not_offered(request, course: Course, organization: Organization, lesson: Lesson | None = None):
    context = portal_context(organization, SECTION)
    context.update(
        course=course,
        lesson=lesson,
        offered=offered_text(course),
        course_url=_course_url(course, organization),
        login_url=f"{reverse('accounts:login')}?next={request.get_full_path()}",
    )
    return render(request, "learning/study_not_offered.html", context, status=403)


# The portal: catalogue and course page ------------------------------------------------------------------------


@public_page
def catalogue(request, org_id: int):
    """The published courses offered to this organization or above, newest first, searched in Chinese."""
    organization = get_object_or_404(Organization, pk=org_id)
    context = portal_context(organization, SECTION)
    query = request.GET.get("q", "").strip()[:100]
    courses = audience.courses_on_portal(organization).select_related("offered_to")
    if query:
        courses = course_search.search(courses, query)
    courses = courses.annotate(lesson_count=Count("lessons")).order_by("-published_at", "-pk")
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = {course.pk for course in page.object_list if audience.is_offered(request.user, course)}
    results = [
        {"course": course, "offered": offered_text(course), "mine": course.pk in mine and request.user.is_authenticated}
        for course in page.object_list
    ]
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context.update(page=page, results=results, query=query, query_string=query_string.urlencode())
    return render(request, "learning/study_catalogue.html", context)


@public_page
def course(request, org_id: int, course_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    context = portal_context(organization, SECTION)
    found = (
        Course.objects.filter(pk=course_id, offered_to_id__in=organization.ancestor_ids)
        .select_related("organization", "offered_to")
        .first()
    )
    if found is None or found.state not in (Course.State.PUBLISHED, Course.State.WITHDRAWN):
        raise Http404
    if found.state == Course.State.WITHDRAWN:
        return _gone(request, found, organization)
    user = request.user
    lessons = list(found.lessons.all())
    allowed = may_open(user, found)
    done = progress.done_lessons(user, found)
    resume = progress.resume_lesson(user, found) if allowed else None
    started = bool(done) or (
        user.is_authenticated and Enrollment.objects.filter(course=found, user=user, last_lesson__isnull=False).exists()
    )
    context.update(
        course=found,
        lessons=[
            {"lesson": lesson, "url": lesson_url(lesson, organization), "done": lesson.pk in done} for lesson in lessons
        ],
        allowed=allowed,
        learner=allowed and user.is_authenticated and audience.is_offered(user, found),
        offered=offered_text(found),
        resume_url=lesson_url(resume, organization) if resume is not None else "",
        started=started,
        finished=bool(lessons) and len(done) >= len(lessons),
        done_count=len(done),
        login_url=f"{reverse('accounts:login')}?next={request.get_full_path()}",
        exams=list(Exam.objects.filter(course=found, state=Exam.State.OPEN).order_by("pk")),
    )
    return render(request, "learning/study_course.html", context)


# Lessons -----------------------------------------------------------------------------------------------------


def _quiz_url(lesson: Lesson) -> str:
    return reverse("learning:quiz", args=[lesson.pk])


@public_page
def lesson(request, lesson_id: int):
    found = get_object_or_404(Lesson.objects.select_related("course__organization", "course__offered_to"), pk=lesson_id)
    course = found.course
    if course.state not in (Course.State.PUBLISHED, Course.State.WITHDRAWN):
        raise Http404
    organization = portal_for(request, course)
    if course.state == Course.State.WITHDRAWN:
        return _gone(request, course, organization)
    user = request.user
    if not may_open(user, course):
        return _not_offered(request, course, organization, found)
    enrollment = progress.opened(user, found)
    lessons = list(course.lessons.all())
    index = next(i for i, other in enumerate(lessons) if other.pk == found.pk)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    done = progress.done_lessons(user, course) if enrollment is not None else set()
    context = portal_context(organization, SECTION)
    context.update(
        lesson=found,
        course=course,
        number=index + 1,
        total=len(lessons),
        course_url=_course_url(course, organization),
        previous_url=lesson_url(previous, organization) if previous else "",
        previous=previous,
        next_url=lesson_url(following, organization) if following else "",
        following=following,
        learner=enrollment is not None,
        done=found.pk in done,
        done_url=reverse("learning:lesson_done", args=[found.pk]) + f"?o={organization.pk}",
        login_url=f"{reverse('accounts:login')}?next={request.get_full_path()}",
        # The body was sanitized with nh3 when it was saved (core.richtext.clean); only that stored HTML is shown.
        body=mark_safe(found.body) if found.kind == Lesson.Kind.ARTICLE else "",  # noqa: S308
        quiz_url=_quiz_url(found) if found.kind == Lesson.Kind.QUIZ else "",
        video_url=reverse("learning:lesson_video", args=[found.pk]) if found.video else "",
        poster_url=reverse("learning:lesson_poster", args=[found.pk]) if found.poster else "",
        document_url=reverse("learning:lesson_document", args=[found.pk]) if found.document else "",
    )
    return render(request, "learning/study_lesson.html", context)


@require_POST
def lesson_done(request, lesson_id: int):
    """ "I have finished this lesson" (an article, a document, a video played to its end; a quiz is done by passing
    it). Answers JSON to the video's script, else goes back to the lesson."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("learning:lesson", args=[lesson_id]))
    found = get_object_or_404(
        Lesson.objects.select_related("course"), pk=lesson_id, course__state=Course.State.PUBLISHED
    )
    if not audience.is_offered(request.user, found.course):
        raise PermissionDenied
    if found.kind == Lesson.Kind.QUIZ:
        raise PermissionDenied  # passing the quiz marks it done
    progress.mark_done(request.user, found)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"done": True})
    messages.success(request, _("Marked as finished. Well done!"))
    organization = portal_for(request, found.course)
    return redirect(lesson_url(found, organization))


def _file_lesson(request, lesson_id: int) -> Lesson:
    """A lesson of a published course whose files the person may have (404 for anything else, 403 when the
    course is not offered to them): checked before a single byte is read."""
    found = get_object_or_404(
        Lesson.objects.select_related("course__organization"), pk=lesson_id, course__state=Course.State.PUBLISHED
    )
    if not may_open(request.user, found.course):
        raise PermissionDenied
    return found


@require_safe
def lesson_video(request, lesson_id: int):
    found = _file_lesson(request, lesson_id)
    if not found.video:
        raise Http404
    content_type = found.video_type or mimetypes.guess_type(found.video.name or "")[0] or "video/mp4"
    return serving.serve(request, found.video.path, content_type)


@require_safe
def lesson_poster(request, lesson_id: int):
    found = _file_lesson(request, lesson_id)
    if not found.poster:
        raise Http404
    return serving.serve(request, found.poster.path)


DOCUMENT_CSP: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
}


@require_safe
@xframe_options_sameorigin
@csp_override(DOCUMENT_CSP)
def lesson_document(request, lesson_id: int):
    """The PDF, inline (shown in the lesson page's frame), or as a download with `?download=1`."""
    found = _file_lesson(request, lesson_id)
    if not found.document:
        raise Http404
    name = found.document_name or f"{found.title}.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return serving.serve(
        request, found.document.path, "application/pdf", filename=name, attachment=request.GET.get("download") == "1"
    )


# My learning -----------------------------------------------------------------------------------------------


def _course_home(enrollment_or_course, course: Course) -> Organization:
    """The portal a course is shown on for the learner: where they learn when the course is on it."""
    organization = getattr(enrollment_or_course, "organization", None)
    if isinstance(organization, Organization) and course.offered_to_id in organization.ancestor_ids:
        return organization
    return course.offered_to


def learning_summary(user) -> dict:
    """The person's courses: in progress (with where to resume) and finished, and courses offered to them that
    they have not started."""
    enrollments = list(
        Enrollment.objects.filter(user=user, course__state=Course.State.PUBLISHED)
        .select_related("course__offered_to", "organization")
        .annotate(lesson_count=Count("course__lessons", distinct=True))
        .order_by("-started_at", "-pk")
    )
    done_counts: dict[int, int] = {}
    for course_id in Lesson.objects.filter(done__user=user, course__in=[e.course_id for e in enrollments]).values_list(
        "course_id", flat=True
    ):
        done_counts[course_id] = done_counts.get(course_id, 0) + 1
    in_progress, finished = [], []
    for enrollment in enrollments:
        course = enrollment.course
        home = _course_home(enrollment, course)
        row = {
            "course": course,
            "course_url": _course_url(course, home),
            "done": done_counts.get(course.pk, 0),
            "total": enrollment.lesson_count,
            "completed_at": enrollment.completed_at,
        }
        if enrollment.completed_at:
            finished.append(row)
        else:
            resume = progress.resume_lesson(user, course)
            row["resume_url"] = lesson_url(resume, home) if resume else ""
            row["resume"] = resume
            in_progress.append(row)
    started = {e.course_id for e in enrollments}
    suggested = []
    if audience.learner_places(user):
        for course in audience.offered_courses(user).select_related("offered_to").exclude(pk__in=started)[:SUGGESTED]:
            place = audience.learner_for(user, course)
            home = place if place is not None and course.offered_to_id in place.ancestor_ids else course.offered_to
            suggested.append(
                {"course": course, "course_url": _course_url(course, home), "offered": offered_text(course)}
            )
    return {"in_progress": in_progress, "finished": finished, "suggested": suggested}


@signed_in_view
def my_learning(request):
    """The signed-in person's courses (in progress with where to resume, finished), the exams they may sit and
    their certificates (the exam area's), and their training sessions (the training area's)."""
    from .exam_entries import exams_panel
    from .training_queries import trainings_for

    context = learning_summary(request.user)
    context["exam_section"] = exams_panel(request) or {}
    context["trainings"] = trainings_for(request.user)
    return render(request, "learning/study_my_learning.html", context)
