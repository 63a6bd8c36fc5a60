"""Console pages of the assessment area: the competency framework, assessment rounds with their results per
organization, the officer's own assessments and practical task, grading, and who is due for assessment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from dangjian.accounts.models import User
from dangjian.accounts.permissions import MANAGE_ASSESSMENTS, get_organization_for_user, has_capability
from dangjian.console.shell import add_field_errors, console_view, form_page
from dangjian.core.history import ActionError, InvalidInput, history_for

from . import assessment_actions as actions
from . import assessment_queries as queries
from . import competencies
from .assessment_forms import AddOfficerForm, CompetencyForm, GradeForm, RoundExamForm, RoundForm, TaskForm
from .models import Assessment, AssessmentRound, Competency, RoundExam

# --- The competency framework --------------------------------------------------------------------------------


@console_view
def competency_list(request):
    units = list(queries.managed_units(request.user))
    if not units:
        raise PermissionDenied
    frameworks = []
    for unit in units:
        owner = competencies.framework_owner(unit)
        editable = actions.may_edit_framework(request.user, unit)
        rows = list(Competency.objects.filter(organization=unit)) if editable else competencies.framework_for(unit)
        frameworks.append(
            {
                "organization": unit,
                "owner": owner,
                "editable": editable,
                "competencies": [c for c in rows if c.archived_at is None],
                "archived": [c for c in rows if c.archived_at is not None],
            }
        )
    return render(request, "learning/competencies.html", {"frameworks": frameworks})


@console_view
def competency_edit(request, org_id: int, competency_id: int | None = None):
    org = get_organization_for_user(request.user, org_id, MANAGE_ASSESSMENTS)
    if not actions.may_edit_framework(request.user, org):
        raise Http404
    competency = (
        get_object_or_404(Competency, pk=competency_id, organization=org)
        if competency_id
        else Competency(organization=org)
    )

    def save(form):
        form.instance = actions.save_competency(
            request.user, org.pk, form.to_input(), competency_id=competency_id, expected_version=form.expected_version
        )

    return form_page(
        request,
        CompetencyForm(request.POST or None, instance=competency),
        save,
        success_url=reverse("console:competencies"),
        success_message=_("The competency was saved."),
        org=org,
        title=_("Edit competency: %(name)s") % {"name": competency.name} if competency_id else _("New competency"),
        template="learning/competency_edit.html",
        competency=competency,
    )


@require_POST
@console_view
def competency_change(request, org_id: int, competency_id: int | None = None):
    """Archive, restore, move up or down; or (without a competency) start from the standard six."""
    org = get_organization_for_user(request.user, org_id, MANAGE_ASSESSMENTS)
    what = request.POST.get("do", "")
    try:
        if competency_id is None:
            actions.use_standard(request.user, org.pk)
            messages.success(request, _("The standard six competencies are in the framework."))
        elif what == "archive":
            actions.archive_competency(request.user, org.pk, competency_id)
            messages.success(request, _("The competency is archived; past results keep it."))
        elif what == "restore":
            actions.restore_competency(request.user, org.pk, competency_id)
            messages.success(request, _("The competency is back in the framework."))
        elif what in ("up", "down"):
            actions.move_competency(request.user, org.pk, competency_id, -1 if what == "up" else 1)
        else:
            raise Http404
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("console:competencies")


# --- Rounds --------------------------------------------------------------------------------------------------


@console_view
def round_list(request):
    if not queries.may_manage(request.user):
        raise PermissionDenied
    rounds = list(queries.rounds_for(request.user).order_by("-year", "-pk")[:200])
    units = list(queries.managed_units(request.user))
    return render(request, "learning/assessment_rounds.html", {"rounds": rounds, "units": units})


@console_view
def round_edit(request, org_id: int | None = None, round_id: int | None = None):
    if round_id is not None:
        round_ = queries.get_round_for_user(request.user, round_id)
        org = round_.organization
        if round_.state == AssessmentRound.State.CLOSED or org.is_closed:
            raise Http404
    else:
        org = get_organization_for_user(request.user, org_id or 0, MANAGE_ASSESSMENTS)
        round_ = AssessmentRound(organization=org)

    form = RoundForm(request.POST or None, instance=round_)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_round(
                request.user, org.pk, form.to_input(), round_id=round_id, expected_version=form.expected_version
            )
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The round was saved."))
            return redirect("console:assessment_round", saved.pk)
    return render(
        request,
        "learning/assessment_round_form.html",
        {
            "org": org,
            "form": form,
            "round": round_,
            "title": _("Edit round: %(title)s") % {"title": round_.title} if round_id else _("New assessment round"),
            "history": history_for(round_)[:50] if round_.pk else [],
        },
        status=400 if request.method == "POST" else 200,
    )


def _round_page(request, round_, *, exam_form=None, add_form=None, status=200):
    framework, table, total = queries.figures(round_)
    chosen = dict(RoundExam.objects.filter(round=round_).values_list("competency_id", "exam_id"))
    context = {
        "round": round_,
        "org": round_.organization,
        "framework": framework,
        "table": table,
        "total": total,
        "people": queries.people(round_),
        "exams": RoundExam.objects.filter(round=round_).select_related("competency", "exam__organization"),
    }
    if round_.state == AssessmentRound.State.DRAFT:
        current = competencies.framework_for(round_.organization)
        context["draft_framework"] = current
        context["exam_form"] = exam_form or RoundExamForm(round_=round_, framework=current, chosen=chosen)
        context["officer_count"] = len(actions.officers_of(round_.organization))
    if round_.state == AssessmentRound.State.OPEN:
        context["add_form"] = add_form or _add_form(round_)
    return render(request, "learning/assessment_round.html", context, status=status)


def _add_form(round_, data=None):
    officers = actions.officers_of(round_.organization)
    present = set(Assessment.objects.filter(round=round_).values_list("user_id", flat=True))
    users = User.objects.filter(pk__in=[u for u in officers if u not in present]).order_by("full_name", "username")
    return AddOfficerForm(data, choices=[(u.pk, str(u)) for u in users])


@console_view
def round_detail(request, round_id: int):
    return _round_page(request, queries.get_round_for_user(request.user, round_id))


@require_POST
@console_view
def round_exams(request, round_id: int):
    round_ = queries.get_round_for_user(request.user, round_id)
    current = competencies.framework_for(round_.organization)
    chosen = dict(RoundExam.objects.filter(round=round_).values_list("competency_id", "exam_id"))
    form = RoundExamForm(request.POST, round_=round_, framework=current, chosen=chosen)
    if form.is_valid():
        try:
            for competency in current:
                exam_id = form.cleaned_data.get(f"exam_{competency.pk}")
                if exam_id != chosen.get(competency.pk):
                    actions.set_round_exam(request.user, round_.pk, competency.pk, exam_id)
        except InvalidInput as error:
            form.add_error(None, str(error))
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The exams of the round are saved."))
            return redirect("console:assessment_round", round_.pk)
    return _round_page(request, round_, exam_form=form, status=400)


@require_POST
@console_view
def round_state(request, round_id: int):
    round_ = queries.get_round_for_user(request.user, round_id)
    try:
        if request.POST.get("do") == "open":
            n = actions.open_round(request.user, round_.pk)
            messages.success(
                request,
                ngettext("The round is open; %(n)s officer is told.", "The round is open; %(n)s officers are told.", n)
                % {"n": n},
            )
        elif request.POST.get("do") == "close" and request.POST.get("confirm") != "1":
            # Closing cannot be undone: it takes the tick as well as the button (no pop-up), never a stray tap.
            messages.error(request, _("To close the round, tick “Yes, close this round” and press “Close the round”."))
        elif request.POST.get("do") == "close":
            actions.close_round(request.user, round_.pk)
            messages.success(request, _("The round is closed."))
        else:
            raise Http404
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("console:assessment_round", round_.pk)


@require_POST
@console_view
def round_add_officer(request, round_id: int):
    round_ = queries.get_round_for_user(request.user, round_id)
    form = _add_form(round_, request.POST)
    if form.is_valid():
        try:
            actions.add_officer(request.user, round_.pk, form.cleaned_data["user"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The officer is added to the round and told."))
            return redirect("console:assessment_round", round_.pk)
    return _round_page(request, round_, add_form=form, status=400)


@require_POST
@console_view
def round_remove_officer(request, round_id: int, assessment_id: int):
    round_ = queries.get_round_for_user(request.user, round_id)
    try:
        actions.remove_officer(request.user, round_.pk, assessment_id)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The officer is taken out of the round."))
    return redirect("console:assessment_round", round_.pk)


# --- The officer, the grader, the admin ----------------------------------------------------------------------


@console_view
def my_assessments(request):
    rows = [{"assessment": a, "lines": queries.competency_lines(a)} for a in queries.mine(request.user)]
    return render(request, "learning/assessment_mine.html", {"rows": rows})


def _assessment_page(request, assessment, *, task_form=None, grade_form=None, status=200):
    user = request.user
    own = assessment.user_id == user.pk
    round_ = assessment.round
    grading = actions.may_grade(user, assessment) and round_.state == AssessmentRound.State.OPEN
    scores = list(assessment.rubric_scores or [])
    rubric = [
        {"criterion": line["criterion"], "points": line["points"], "given": scores[i] if i < len(scores) else None}
        for i, line in enumerate(round_.rubric or [])
    ]
    context = {
        "assessment": assessment,
        "round": round_,
        "own": own,
        "lines": queries.competency_lines(assessment, stored=not own),
        "rubric": rubric,
        "rubric_total": sum(int(line["points"]) for line in round_.rubric or []),
        "editable": own and round_.state == AssessmentRound.State.OPEN and assessment.state != Assessment.State.GRADED,
        "grading": grading and assessment.state != Assessment.State.ASSIGNED,
        "manages": has_capability(user, MANAGE_ASSESSMENTS, round_.organization),
    }
    if context["editable"]:
        context["task_form"] = task_form or TaskForm(initial={"task_text": assessment.task_text})
    if context["grading"]:
        context["grade_form"] = grade_form or GradeForm(
            rubric=round_.rubric,
            scores=assessment.rubric_scores,
            initial={"comments": assessment.comments},
        )
    return render(request, "learning/assessment_detail.html", context, status=status)


@console_view
def assessment_detail(request, assessment_id: int):
    return _assessment_page(request, queries.get_assessment_for_user(request.user, assessment_id))


@require_POST
@console_view
def assessment_task(request, assessment_id: int):
    assessment = queries.get_assessment_for_user(request.user, assessment_id)
    if assessment.user_id != request.user.pk:
        raise Http404
    form = TaskForm(request.POST, request.FILES)
    if form.is_valid():
        hand_in = "hand_in" in request.POST
        try:
            actions.save_task(
                request.user,
                assessment.pk,
                form.cleaned_data["task_text"],
                form.cleaned_data.get("task_file"),
                hand_in=hand_in,
            )
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your task is handed in; you can still change it until it is graded.")
                if hand_in
                else pgettext("assessment", "Saved."),
            )
            return redirect("console:assessment", assessment.pk)
    return _assessment_page(request, assessment, task_form=form, status=400)


@require_POST
@console_view
def assessment_grade(request, assessment_id: int):
    assessment = queries.get_assessment_for_user(request.user, assessment_id)
    if assessment.user_id == request.user.pk:
        raise PermissionDenied
    form = GradeForm(request.POST, rubric=assessment.round.rubric)
    if form.is_valid():
        try:
            graded = actions.grade_task(request.user, assessment.pk, form.points(), form.cleaned_data["comments"])
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The task is graded: passed.") if graded.task_passed else _("The task is graded: not passed."),
            )
            return redirect("console:assessment", assessment.pk)
    return _assessment_page(request, assessment, grade_form=form, status=400)


@console_view
def assessment_file(request, assessment_id: int):
    """The officer's file: to the officer, their admins and graders only."""
    assessment = queries.get_assessment_for_user(request.user, assessment_id)
    if not assessment.task_file:
        raise Http404
    return FileResponse(
        assessment.task_file.open("rb"),
        as_attachment=True,
        filename=assessment.task_file_name or "task",
    )


@console_view
def to_grade(request):
    rows = queries.to_grade(request.user).select_related("round", "organization", "user").order_by("submitted_at", "pk")
    return render(request, "learning/assessment_to_grade.html", {"rows": rows})


@console_view
def due_list(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_ASSESSMENTS)
    return render(request, "learning/assessment_due.html", {"org": org, "rows": queries.due_officers(org)})
