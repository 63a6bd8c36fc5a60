"""The practice quiz for a learner (`learning:quiz`), and the console page that chooses a quiz lesson's questions
(`console:quiz_questions`, WRITE_COURSES on the course's organization)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dangjian.console.shell import console_view
from dangjian.core.history import ActionError, NotFound
from dangjian.organizations.portal import portal_context

from . import audience, bank_actions, progress, quiz
from .models import Audience, Course, Lesson, Question

CHOICES_SHOWN = 100


@never_cache
def take_quiz(request, lesson_id: int):
    """GET: the questions; POST: graded at once (right or wrong, the right answer and the explanation), or the
    form again with a message at each question left unanswered or refused. A new GET is a new try."""
    lesson = (
        Lesson.objects.select_related("course__organization", "course__offered_to")
        .filter(pk=lesson_id, kind=Lesson.Kind.QUIZ, course__state=Course.State.PUBLISHED)
        .first()
    )
    if lesson is None:
        raise Http404
    course = lesson.course
    if course.audience != Audience.PUBLIC and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not audience.is_offered(request.user, course):
        raise Http404
    context = portal_context(course.organization, "learning")
    result = None
    incomplete = False
    if request.method == "POST":
        items, complete = quiz.read_answers(lesson, request.POST)
        if complete and items:
            result = quiz.grade(request.user, lesson, items)
        elif items:
            incomplete = True
    else:
        items = quiz.items_for(lesson)
        progress.opened(request.user, lesson)
    done = lesson.pk in progress.done_lessons(request.user, course)
    context.update(
        {
            "lesson": lesson,
            "course": course,
            "items": items,
            "result": result,
            "incomplete": incomplete,
            "missing": sum(1 for item in items if item.error),
            "done": done,
            "signed_in": request.user.is_authenticated,
        }
    )
    return render(request, "learning/quiz.html", context, status=400 if incomplete else 200)


def _lesson(request, lesson_id: int) -> Lesson:
    try:
        return bank_actions.quiz_lesson(request.user, lesson_id)
    except NotFound:
        raise Http404 from None


@console_view
def quiz_questions(request, lesson_id: int):
    """The quiz's questions in order (move up, down, remove), and questions to add from the banks the course may
    use: its organization's and those above it."""
    lesson = _lesson(request, lesson_id)
    chosen = bank_actions.quiz_question_ids(lesson)
    if request.method == "POST":
        ids = list(chosen)
        try:
            if "add" in request.POST:
                ids += [int(v) for v in request.POST.getlist("question")[: bank_actions.QUIZ_MAX_QUESTIONS + 1]]
            elif request.POST.get("remove"):
                ids.remove(int(request.POST["remove"]))
            elif request.POST.get("up") or request.POST.get("down"):
                moved = int(request.POST.get("up") or request.POST.get("down") or 0)
                at = ids.index(moved)
                to = at - 1 if request.POST.get("up") else at + 1
                if 0 <= to < len(ids):
                    ids[at], ids[to] = ids[to], ids[at]
        except ValueError:
            messages.error(request, _("That question is not on this quiz."))
            return redirect("console:quiz_questions", lesson.pk)
        try:
            bank_actions.set_quiz_questions(request.user, lesson.pk, ids)
        except NotFound as error:
            messages.error(request, str(error))
        except ActionError as error:
            messages.error(request, str(error))
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("The quiz's questions were saved."))
        query = request.POST.get("back", "")
        url = redirect("console:quiz_questions", lesson.pk)
        if query.startswith("?") and "\n" not in query:
            url["Location"] += query
        return url
    banks = list(bank_actions.usable_banks(lesson.course.organization).order_by("organization__path", "name"))
    bank = None
    bank_param = request.GET.get("bank", "")
    if bank_param.isdigit():
        bank = next((b for b in banks if b.pk == int(bank_param)), None)
    elif banks:
        bank = banks[-1]
    text = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    candidates = []
    if bank is not None:
        found = Question.objects.filter(bank=bank, archived_at=None).exclude(pk__in=chosen)
        if kind in Question.Kind.values:
            found = found.filter(kind=kind)
        for word in text.split()[:5]:
            found = found.filter(Q(text__icontains=word) | Q(tags__name=word)).distinct()
        candidates = list(found.order_by("pk")[:CHOICES_SHOWN])
    current = bank_actions.quiz_questions(lesson)
    return render(
        request,
        "learning/quiz_questions.html",
        {
            "org": lesson.course.organization,
            "lesson": lesson,
            "course": lesson.course,
            "current": current,
            "banks": banks,
            "bank": bank,
            "candidates": candidates,
            "q": text,
            "kind": kind,
            "kinds": Question.Kind.choices,
            "back": request.GET.urlencode(),
            "shown_limit": CHOICES_SHOWN,
        },
    )
