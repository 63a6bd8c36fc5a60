"""Pages of the exam area.

Console (MANAGE_QUESTIONS on the exam's organization): the exams within the person's scope, an exam's settings,
draw rules, opening and closing, and its results (each attempt, and per organization how many sat and passed;
no ranking). Learner: an exam's start page, the paper (one form that works without JavaScript; exam.js saves each
answer as it is given and counts down from the server's deadline), the result with the review of mistakes, the
certificate's PDF. Public: the certificate verification page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_QUESTIONS, get_organization_for_user, units_for
from dangjian.console.shell import add_field_errors, console_view, render_form_page
from dangjian.core.history import ActionError, InvalidInput, NotFound, history_for
from dangjian.core.throttle import Throttle, client_key
from dangjian.organizations.models import Organization

from . import certificates, exam_actions, queries
from .exam_access import attempts_used, may_see_results, may_sit, open_attempt
from .exam_forms import ExamForm, RuleForm
from .models import Attempt, AttemptAnswer, Certificate, Exam, Question

Kind = Question.Kind
verify_guard = Throttle("certificate-verify", 20, 15 * 60)


# --- Console -------------------------------------------------------------------------------------------


def _console_exam(request, exam_id: int) -> Exam:
    exam = queries.get_for_user(
        Exam.objects.select_related("organization", "bank", "course", "competency"),
        request.user,
        exam_id,
        MANAGE_QUESTIONS,
    )
    assert isinstance(exam, Exam)
    if exam.organization.closed_at is not None:
        raise Http404
    return exam


@console_view
def exam_list(request):
    exams = (
        queries.within_scope(
            Exam.objects.select_related("organization", "bank", "course"), request.user, MANAGE_QUESTIONS
        )
        .filter(organization__closed_at__isnull=True)
        .annotate(
            sat=Count("attempts__user", filter=Q(attempts__state=Attempt.State.GRADED), distinct=True),
            passed_count=Count("attempts__user", filter=Q(attempts__passed=True), distinct=True),
        )
        .order_by("organization__path", "-pk")
    )
    if not queries.may_use(request.user, MANAGE_QUESTIONS):
        raise Http404
    places = list(units_for(request.user, MANAGE_QUESTIONS).filter(closed_at__isnull=True).order_by("path"))
    if not places and queries.is_superuser(request.user):
        places = list(Organization.objects.open().filter(parent__isnull=True).order_by("path"))
    return render(request, "learning/exam_list.html", {"exams": exams, "places": places})


@console_view
def exam_new(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_QUESTIONS)
    exam = Exam(organization=org)

    def save(form):
        form.instance = exam_actions.save_exam(request.user, org.pk, form.to_input())

    form = ExamForm(request.POST or None, instance=exam, organization=org)
    return _exam_form_page(request, form, save, org, _("New exam"), lambda form: form.instance.pk)


def _exam_form_page(request, form, save, org, title, exam_id):
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The exam was saved."))
            return redirect("console:exam", exam_id(form))
    return render_form_page(request, form, org=org, title=title, template="learning/exam_form.html")


@console_view
def exam_detail(request, exam_id: int):
    exam = _console_exam(request, exam_id)
    org = exam.organization
    exam_actions.settle_expired(exam)

    def save(form):
        form.instance = exam_actions.save_exam(
            request.user, org.pk, form.to_input(), exam_id=exam.pk, expected_version=form.expected_version
        )

    form = ExamForm(request.POST or None, instance=exam, organization=org)
    if request.method == "POST":
        return _exam_form_page(
            request, form, save, org, _("Edit exam: %(title)s") % {"title": exam.title}, lambda form: exam.pk
        )
    return render(request, "learning/exam_detail.html", _detail_context(request, exam, form, RuleForm()))


def _detail_context(request, exam: Exam, form, rule_form) -> dict:
    rules = list(exam.rules.select_related("tag"))
    attempts = list(
        Attempt.objects.filter(exam=exam).select_related("user", "organization").order_by("-started_at", "-pk")[:500]
    )
    names = _names({a.user_id for a in attempts})
    graded = Attempt.objects.filter(exam=exam, state=Attempt.State.GRADED)
    by_org = (
        graded.values("organization__name", "organization__path")
        .annotate(
            sat=Count("user", distinct=True),
            passed=Count("user", filter=Q(passed=True), distinct=True),
        )
        .order_by("organization__path")
    )
    return {
        "org": exam.organization,
        "exam": exam,
        "form": form,
        "rule_form": rule_form,
        "rules": [(rule, exam_actions.rule_text(rule)) for rule in rules],
        "total_points": sum(rule.count * rule.points for rule in rules),
        "attempts": [(a, names.get(a.user_id, "")) for a in attempts],
        "by_org": by_org,
        "history": history_for(exam)[:50],
        "state_name": state_name(exam.state),
    }


def state_name(state: str) -> str:
    names: dict[str, str] = {
        Exam.State.DRAFT: pgettext("exam state", "Draft (not open yet)"),
        Exam.State.OPEN: pgettext("exam state", "Open"),
        Exam.State.CLOSED: pgettext("exam state", "Closed"),
    }
    return names.get(state, state)


def _names(user_ids: set[int]) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    from dangjian.members.models import Member

    active = Member.objects.filter(user_id__in=user_ids, status=Member.Status.ACTIVE)
    names: dict[int, str] = dict(active.values_list("user_id", "name"))
    for user in get_user_model().objects.filter(pk__in=user_ids - set(names)):
        names[user.pk] = user.full_name or user.get_username()
    return names


@console_view
@require_POST
def exam_rule_add(request, exam_id: int):
    exam = _console_exam(request, exam_id)
    form = RuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            exam_actions.add_rule(
                request.user,
                exam.pk,
                kind=data.get("kind") or "",
                tag_name=data.get("tag") or "",
                count=data["count"],
                points=data["points"],
            )
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The rule was added."))
            return redirect("console:exam", exam.pk)
    context = _detail_context(request, exam, ExamForm(instance=exam, organization=exam.organization), form)
    return render(request, "learning/exam_detail.html", context, status=400)


@console_view
@require_POST
def exam_rule_remove(request, exam_id: int, rule_id: int):
    exam = _console_exam(request, exam_id)
    try:
        exam_actions.remove_rule(request.user, exam.pk, rule_id)
        messages.success(request, _("The rule was removed."))
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("console:exam", exam.pk)


@console_view
@require_POST
def exam_state(request, exam_id: int):
    exam = _console_exam(request, exam_id)
    state = request.POST.get("state", "")
    try:
        exam_actions.set_state(request.user, exam.pk, state)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        if state == Exam.State.OPEN:
            messages.success(request, _("The exam is open: those it is meant for may sit it now."))
        else:
            messages.success(request, _("The exam is closed: no new attempt may start."))
    return redirect("console:exam", exam.pk)


# --- Learner ---------------------------------------------------------------------------------------------


def _signed_in(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


@never_cache
def exam_start(request, exam_id: int):
    if (response := _signed_in(request)) is not None:
        return response
    exam = get_object_or_404(Exam.objects.select_related("organization", "course"), pk=exam_id)
    if exam.state == Exam.State.DRAFT and not may_see_results(request.user, exam):
        raise Http404
    for attempt in Attempt.objects.filter(exam=exam, user=request.user, state=Attempt.State.OPEN):
        exam_actions.settle(attempt)
    attempts = list(Attempt.objects.filter(exam=exam, user=request.user).order_by("number"))
    graded = [a for a in attempts if a.state == Attempt.State.GRADED]
    best = max(graded, key=lambda a: (a.score or 0, -a.number)) if graded else None
    rules = [exam_actions.rule_text(rule) for rule in exam.rules.select_related("tag")]
    return render(
        request,
        "learning/exam_start.html",
        {
            "exam": exam,
            "rules": rules,
            "total_points": sum(rule.count * rule.points for rule in exam.rules.all()),
            "question_count": sum(rule.count for rule in exam.rules.all()),
            "attempts": attempts,
            "used": attempts_used(request.user, exam),
            "best": best,
            "current": open_attempt(request.user, exam),
            "reason": may_sit(request.user, exam),
            "certificates": {c.attempt_id: c for c in Certificate.objects.filter(attempt__in=graded)},
        },
    )


@require_POST
def exam_begin(request, exam_id: int):
    if (response := _signed_in(request)) is not None:
        return response
    exam = get_object_or_404(Exam, pk=exam_id)
    try:
        attempt = exam_actions.start_attempt(request.user, exam.pk)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("learning:exam", exam.pk)
    return redirect("learning:exam_attempt", attempt.pk)


def _own_attempt(request, attempt_id: int) -> Attempt:
    try:
        return exam_actions.own_attempt(request.user, attempt_id)
    except NotFound:
        raise Http404 from None


@never_cache
def exam_attempt(request, attempt_id: int):
    if (response := _signed_in(request)) is not None:
        return response
    attempt = exam_actions.settle(_own_attempt(request, attempt_id))
    if attempt.state == Attempt.State.OPEN:
        context = _paper_context(attempt)
        if request.GET.get("unanswered") == "1":  # handed in with questions left empty: ask for a second press
            context["unanswered"] = exam_actions.unanswered(attempt)
        return render(request, "learning/exam_paper.html", context)
    return render(request, "learning/exam_result.html", _result_context(attempt))


def _options(question: Question, order: list[int]) -> list[tuple[int, str]]:
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        return [
            (shown, question.options[stored]) for shown, stored in enumerate(order) if stored < len(question.options)
        ]
    if question.kind == Kind.TRUE_FALSE:
        return [("true", pgettext("exam", "True")), ("false", pgettext("exam", "False"))]  # type: ignore[list-item]
    return []


def _paper_context(attempt: Attempt) -> dict:
    saved = {a.question_id: a.answer for a in AttemptAnswer.objects.filter(attempt=attempt)}
    items = []
    for number, (item, question) in enumerate(exam_actions.paper_questions(attempt), start=1):
        answer = saved.get(question.pk)
        shown = exam_actions.to_shown(question, item["order"], answer) if answer else []
        items.append(
            {
                "number": number,
                "question": question,
                "points": item["points"],
                "options": _options(question, item["order"]),
                "chosen": ["true" if v is True else "false" if v is False else v for v in shown],
                "text": answer[0] if answer and question.kind == Kind.BLANK else "",
                "answered": bool(answer),
            }
        )
    remaining = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    return {
        "attempt": attempt,
        "exam": attempt.exam,
        "items": items,
        "remaining": remaining,
        "remaining_minutes": (remaining + 59) // 60,
        "answered": sum(1 for i in items if i["answered"]),
    }


def _answer_words(question: Question, answer: list) -> str:
    if not answer:
        return ""
    if question.kind == Kind.BLANK:
        return str(answer[0])
    if question.kind == Kind.TRUE_FALSE:
        return pgettext("exam", "True") if answer[0] is True else pgettext("exam", "False")
    return "；".join(question.options[i] for i in sorted(answer) if isinstance(i, int) and i < len(question.options))


def _result_context(attempt: Attempt) -> dict:
    saved = {a.question_id: a for a in AttemptAnswer.objects.filter(attempt=attempt)}
    mistakes = []
    total = 0
    for number, (_item, question) in enumerate(exam_actions.paper_questions(attempt), start=1):
        total += 1
        answer = saved.get(question.pk)
        if answer is not None and answer.correct:
            continue
        right = (
            "；".join(question.options[i] for i in question.answer if i < len(question.options))
            if question.kind in (Kind.SINGLE, Kind.MULTIPLE)
            else _answer_words(question, question.answer)
        )
        mistakes.append(
            {
                "number": number,
                "question": question,
                "yours": _answer_words(question, answer.answer) if answer else "",
                "right": right,
            }
        )
    exam = attempt.exam
    return {
        "attempt": attempt,
        "exam": exam,
        "mistakes": mistakes,
        "right_count": total - len(mistakes),
        "total": total,
        "certificate": Certificate.objects.filter(attempt=attempt).first(),
        "reason": may_sit(attempt.user, exam),
    }


def _posted_answers(request, attempt: Attempt) -> dict[int, list[str]]:
    answers: dict[int, list[str]] = {}
    for item in attempt.paper:
        values = request.POST.getlist(f"q{item['q']}")
        if values:
            answers[item["q"]] = values
    return answers


@require_POST
def exam_answer(request, attempt_id: int):
    """Save one answer (exam.js): `question` and its `value`s (shown option positions, true/false, or text).
    JSON: {"saved": true} or {"error": message} with 400 (bad value), 404 (not this person's), 409 (time up,
    handed in, not on the paper)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in again to keep answering.")}, status=403)
    try:
        question_id = int(request.POST.get("question", ""))
    except ValueError:
        return JsonResponse({"error": _("This question is not on your paper.")}, status=409)
    try:
        exam_actions.save_answer(request.user, attempt_id, question_id, request.POST.getlist("value"))
    except NotFound:
        return JsonResponse({"error": _("This attempt does not exist or is not yours.")}, status=404)
    except exam_actions.TimeUp as error:
        return JsonResponse({"error": str(error), "timeup": True}, status=409)
    except InvalidInput as error:
        return JsonResponse({"error": str(error)}, status=400)
    except ActionError as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse({"saved": True})


@require_POST
def exam_submit(request, attempt_id: int):
    if (response := _signed_in(request)) is not None:
        return response
    attempt = _own_attempt(request, attempt_id)
    late = attempt.state == Attempt.State.OPEN and timezone.now() >= attempt.deadline
    was_open = attempt.state == Attempt.State.OPEN
    answers = _posted_answers(request, attempt)
    if was_open and not late and request.POST.get("confirm") != "1":
        # Handed in with questions left empty: show the paper again (answers kept) and ask for a second press,
        # without a pop-up. After the deadline it is handed in regardless.
        exam_actions.keep_answers(request.user, attempt, answers)
        attempt.refresh_from_db()
        if attempt.state == Attempt.State.OPEN and exam_actions.unanswered(attempt):
            # Redirected (not rendered) so that a reload never asks to send the form again.
            return redirect(reverse("learning:exam_attempt", args=[attempt.pk]) + "?unanswered=1")
    attempt = exam_actions.submit(request.user, attempt.pk, answers)
    if late:
        messages.warning(request, _("The time was up: your paper was graded with the answers saved in time."))
    elif not was_open:
        messages.info(request, _("This attempt had already been handed in; it was graded once."))
    return redirect("learning:exam_attempt", attempt.pk)


def certificate_pdf(request, code: str):
    if (response := _signed_in(request)) is not None:
        return response
    certificate = Certificate.objects.select_related("attempt__exam__organization").filter(code=code).first()
    if certificate is None or not certificates.may_download(request.user, certificate):
        raise Http404
    pdf = certificates.pdf_bytes(request, certificate)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@never_cache
def verify(request):
    raw = request.GET.get("code", "")
    context: dict = {"code": str(raw)[:40], "asked": bool(str(raw).strip())}
    status = 200
    if context["asked"]:
        key = client_key(request)
        if verify_guard.is_locked(key):
            context["error"] = _("Too many codes were checked from here. Wait a quarter of an hour, then try again.")
            status = 429
        else:
            certificate = certificates.lookup(raw)
            if certificate is None:
                verify_guard.record_failure(key)
                context["error"] = _("No certificate has this code. Check the code on the certificate.")
            else:
                context["certificate"] = certificate
    return render(request, "learning/certificate_verify.html", context, status=status)
