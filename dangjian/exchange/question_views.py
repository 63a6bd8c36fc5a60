"""The pages of questions to the organization (问政): the portal's 问政 section (the list with its Chinese search, a
question's page with the official answer or the case it became), the form to ask, and the console's list and page
of a question (answer, edit the answer, remove, turn into a feedback case).

The portal pages are public and cached whole for anonymous visitors (core.cache.public_page); they show only the
questions on the portal (open, answered, turned into a case) of the organization's subtree, with the asker's words
masked (`title_public`, `body_public`) and the nickname they chose."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import ANSWER_QUESTIONS, held_paths, scope_paths
from dangjian.console.shell import add_field_errors, console_view
from dangjian.core.cache import public_page
from dangjian.core.history import ActionError, InvalidInput, history_for
from dangjian.feedback.models import Case
from dangjian.feedback.queries import visible_cases
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import questions
from .models import Message, PublicQuestion, Room
from .question_forms import AnswerForm, AskForm, CaseForm, RemoveForm

SECTION = "questions"
PAGE_SIZE = 20
CONSOLE_PAGE_SIZE = 30
State = PublicQuestion.State


def on_portal(organization: Organization):
    """The questions a portal shows: those of its subtree that are open, answered or turned into a case."""
    return PublicQuestion.objects.filter(
        organization__path__startswith=organization.path, state__in=questions.PUBLIC_STATES
    ).select_related("organization", "answered_as", "case")


def resident_start_url(next_url: str) -> str:
    start = reverse("exchange:resident_start")
    return f"{start}?{urlencode({'next': next_url})}"


# --- The portal ----------------------------------------------------------------------------------------------


@public_page
def question_list(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    context = portal_context(organization, SECTION)
    query = request.GET.get("q", "").strip()[: questions.MAX_QUERY_CHARS]
    shown = questions.search(on_portal(organization), query) if query else on_portal(organization)
    page = Paginator(shown.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context.update(
        page=page,
        query=query,
        query_string=query_string.urlencode(),
        may_ask=organization.closed_at is None,
    )
    return render(request, "exchange/question_list.html", context)


@public_page
def question_detail(request, org_id: int, question_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    question = get_object_or_404(on_portal(organization), pk=question_id)
    context = portal_context(organization, SECTION)
    case = question.case.main if question.case_id else None
    context.update(
        question=question,
        case=case,
        case_url=_case_url(organization, case),
    )
    return render(request, "exchange/question_detail.html", context)


def _case_url(organization: Organization, case: Case | None) -> str:
    """The case's public page when it is on the public list, else the lookup with its number filled in."""
    if case is None:
        return ""
    if case.listed and case.place_path.startswith(organization.path):
        return reverse("feedback:detail", args=[organization.pk, case.pk])
    return f"{reverse('feedback:lookup')}?{urlencode({'number': case.number})}"


def ask(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id, closed_at=None)
    user = request.user
    if not questions.may_ask(user):
        if user.is_authenticated:
            messages.info(request, _("To ask a question, verify your mobile number first."))
        return redirect(resident_start_url(request.get_full_path()))
    room, message = _from_room(request, user)
    if request.method == "POST":
        form = AskForm(request.POST)
    else:
        initial: dict[str, object] = {"nickname": questions.default_nickname(user, room)}
        if room is not None:
            initial["room"] = room.pk
        if message is not None:
            initial["message"] = message.pk
            initial["title"] = message.body[: questions.TITLE_MAX]
            initial["body"] = message.body if len(message.body) > questions.TITLE_MAX else ""
        form = AskForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question = questions.ask_question(user, organization.pk, form.question_input())
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            if question.state == State.HELD:
                messages.info(request, _("Your question will be shown once a moderator has reviewed it."))
                return redirect("exchange:questions", org_id=organization.pk)
            messages.success(request, _("Your question is published. You will be told when it is answered."))
            return redirect("exchange:question", org_id=organization.pk, question_id=question.pk)
    context = portal_context(organization, SECTION)
    context.update(form=form, room=room, asked_message=message)
    return render(request, "exchange/question_ask.html", context, status=400 if form.errors else 200)


def _from_room(request, user) -> tuple[Room | None, Message | None]:
    """The room (and own message) a question is asked from, when the link says so and the person reads it."""
    from . import access

    raw_room = request.GET.get("room") or request.POST.get("room") or ""
    if not str(raw_room).isdigit():
        return None, None
    room = Room.objects.select_related("organization").filter(pk=int(raw_room)).first()
    if room is None or not access.may_read(user, room):
        return None, None
    raw_message = request.GET.get("message", "")
    message = None
    if raw_message.isdigit():
        message = Message.objects.filter(
            pk=int(raw_message), room=room, author=user, state=Message.State.PUBLISHED
        ).first()
    return room, message


# --- The console ---------------------------------------------------------------------------------------------

FILTERS = {
    "open": (State.OPEN,),
    "answered": (State.ANSWERED,),
    "case": (State.CASE,),
    "held": (State.HELD,),
    "removed": (State.REMOVED,),
}


def answerable(user):
    """The questions of the subtrees where the person holds ANSWER_QUESTIONS."""
    if user.is_superuser and user.is_active:
        return PublicQuestion.objects.all()
    paths = scope_paths(user, ANSWER_QUESTIONS)
    if not paths:
        return PublicQuestion.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(organization__path__startswith=path)
    return PublicQuestion.objects.filter(condition)


def waiting_for(user):
    """The open questions asked of exactly the organizations where the person holds ANSWER_QUESTIONS: their own
    work (those of the villages below wait for the villages)."""
    paths = held_paths(user, ANSWER_QUESTIONS)
    if not paths:
        return PublicQuestion.objects.none()
    return PublicQuestion.objects.filter(state=State.OPEN, organization__path__in=paths)


@console_view
def console_list(request):
    user = request.user
    if not (user.is_superuser or scope_paths(user, ANSWER_QUESTIONS)):
        raise PermissionDenied
    chosen = request.GET.get("state", "")
    todo = request.GET.get("todo", "") == "answer"
    if todo:
        shown = waiting_for(user)
    else:
        shown = answerable(user)
        if chosen in FILTERS:
            shown = shown.filter(state__in=FILTERS[chosen])
        else:
            chosen = ""
    query = request.GET.get("q", "").strip()[: questions.MAX_QUERY_CHARS]
    if query:
        shown = questions.search(shown, query)
    shown = shown.select_related("organization").order_by("-created_at", "-pk")
    page = Paginator(shown, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "exchange/question_console_list.html",
        {
            "page": page,
            "chosen": chosen,
            "todo": todo,
            "query": query,
            "query_string": query_string.urlencode(),
            "filters": [("", _("All")), *((value, State(value).label) for value in FILTERS)],
        },
    )


def _question(question_id: int) -> PublicQuestion | None:
    return (
        PublicQuestion.objects.select_related("organization", "answered_as", "answered_by", "case", "room")
        .filter(pk=question_id)
        .first()
    )


def _answerable_or_404(user, question_id: int) -> PublicQuestion:
    question = _question(question_id)
    if question is None or not questions.may_answer(user, question):
        raise Http404
    return question


def _console_page(
    request,
    question: PublicQuestion,
    *,
    answer_form=None,
    remove_form=None,
    case_form=None,
    status=200,
    read_only=False,
):
    version = {"version": question.version}
    answerable_now = not read_only and question.state in (State.OPEN, State.ANSWERED)
    return render(
        request,
        "exchange/question_console.html",
        {
            "question": question,
            "answer_form": answer_form
            or AnswerForm(initial={**version, "answer": question.answer}, auto_id="answer_%s"),
            "remove_form": remove_form or RemoveForm(initial=version, auto_id="remove_%s"),
            "case_form": case_form or CaseForm(initial={**version, "category": "help"}, auto_id="case_%s"),
            "answerable": answerable_now,
            "removable": not read_only and question.state != State.REMOVED,
            "public_url": reverse("exchange:question", args=[question.organization_id, question.pk])
            if question.state in questions.PUBLIC_STATES
            else "",
            "history": [] if read_only else history_for(question)[:50],
            "case_visible": bool(question.case_id) and visible_cases(request.user).filter(pk=question.case_id).exists(),
        },
        status=status,
    )


@console_view
def console_detail(request, question_id: int):
    """The question's console page; read only for someone who handles the case it became but may not answer it
    (the case's page links here)."""
    question = _question(question_id)
    if question is None:
        raise Http404
    if not questions.may_answer(request.user, question):
        if not (question.case_id and visible_cases(request.user).filter(pk=question.case_id).exists()):
            raise Http404
        return _console_page(request, question, read_only=True)
    return _console_page(request, question)


def _post_step(request, question_id: int, form_class, form_name: str, step, done: str):
    question = _answerable_or_404(request.user, question_id)
    form = form_class(request.POST, auto_id=form_name.removesuffix("_form") + "_%s")
    if form.is_valid():
        try:
            step(question, form.cleaned_data)
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("console:public_question", question_id=question.pk)
    question.refresh_from_db()
    return _console_page(request, question, **{form_name: form}, status=400)


@console_view
@require_POST
def console_answer(request, question_id: int):
    def step(question, data):
        questions.answer_question(request.user, question.pk, data["answer"], data["version"])

    return _post_step(request, question_id, AnswerForm, "answer_form", step, _("The official answer is published."))


@console_view
@require_POST
def console_remove(request, question_id: int):
    def step(question, data):
        questions.remove_question(request.user, question.pk, data["reason"], data["version"])

    return _post_step(request, question_id, RemoveForm, "remove_form", step, _("The question was removed."))


@console_view
@require_POST
def console_to_case(request, question_id: int):
    def step(question, data):
        questions.to_case(request.user, question.pk, data["category"], data["version"])

    return _post_step(
        request, question_id, CaseForm, "case_form", step, _("The question is now a feedback case in the inbox.")
    )
