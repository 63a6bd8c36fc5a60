"""Staff console of the feedback module: inbox, case page and its steps, settings."""

from __future__ import annotations

import datetime
import functools

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    HANDLE_FEEDBACK,
    MANAGE_SETTINGS,
    acting_organization,
    get_organization_for_user,
    has_capability,
)
from dangjian.console.shell import console_view, handle_form
from dangjian.core.exports import csv_writer
from dangjian.core.history import ActionError, NotFound
from dangjian.core.models import CalendarOverride
from dangjian.core.workdays import end_of_day, uncovered_years
from dangjian.notifications.api import unread_count
from dangjian.organizations.choices import indented_choices

from . import actions, configuration, search, suggestions, workflow
from .forms import (
    AcceptForm,
    AnswerForm,
    CalendarOverrideForm,
    DispatchForm,
    DispatchRuleForm,
    ExtensionForm,
    InboxFilterForm,
    MergeForm,
    NoteForm,
    ReasonForm,
    ReplyTemplateForm,
    StaffPhotoForm,
    TimeLimitForm,
    VersionForm,
)
from .models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    DispatchRule,
    Extension,
    FeedbackSettings,
    ReplyTemplate,
    State,
    TimeLimit,
)
from .queries import feedback_scope, get_case_for_user, todo_condition, visible_cases

PAGE_SIZE = 30
EXPORT_LIMIT = 20_000


def _inbox_queryset(request):
    scope = feedback_scope(request.user)
    places = indented_choices(scope.open().order_by("path")[:500], short=True)
    form = InboxFilterForm(request.GET, places=places)
    filters = form.cleaned()
    cases = visible_cases(request.user).select_related("place", "lead_org", "supervising_org")
    now = timezone.now()
    view = filters.setdefault("view", "todo")
    if view == "todo":
        cases = cases.filter(state__in=[State.RECEIVED, *OPEN_STATES])
    elif view == "overdue":
        cases = cases.filter(
            Q(supervised=True)
            | Q(state=State.RECEIVED, accept_deadline__lt=now)
            | Q(state__in=OPEN_STATES, answer_deadline__lt=now)
        ).filter(state__in=[State.RECEIVED, *OPEN_STATES])
    elif view == "approval":
        cases = cases.filter(state=State.PENDING_APPROVAL)
    elif view == "extensions":
        cases = cases.filter(extensions__decision=Extension.Decision.PENDING)
    if "todo" in filters:
        cases = cases.filter(todo_condition(request.user, filters["todo"]))
    if "state" in filters:
        cases = cases.filter(state=filters["state"])
    if "category" in filters:
        cases = cases.filter(category=filters["category"])
    if "place" in filters:
        place = scope.filter(pk=filters["place"]).first()
        if place is not None:
            cases = cases.filter(place_path__startswith=place.path)
    due = filters.get("due")
    if due:
        limit = {
            "overdue": now,
            "today": end_of_day(timezone.localdate()),
            "3days": end_of_day(timezone.localdate() + datetime.timedelta(days=3)),
        }[due]
        cases = cases.filter(
            Q(state=State.RECEIVED, accept_deadline__lte=limit) | Q(state__in=OPEN_STATES, answer_deadline__lte=limit)
        )
    # The search box only narrows what the user may see (visible_cases above).
    cases = search.narrow(cases, search.parse(filters.get("q", "")))
    return form, filters, cases


@console_view
def inbox(request):
    form, filters, cases = _inbox_queryset(request)
    order = "answer_deadline" if filters.get("view") in {"todo", "overdue"} else "-received_at"
    page = Paginator(cases.order_by(order, "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/console/inbox.html",
        {
            "form": form,
            "page": page,
            "view": filters.get("view", ""),
            "now": timezone.now(),
            # Kept in the pagination and export links; `q` may be a phone number, but these are GET links
            # within the console only (never shared, never logged by us).
            "query_string": urlencode(filters),
            "searched": bool(filters.get("q")),
            # Only those who can enter the missing year are warned (issue 11 item 8).
            "calendar_gaps": uncovered_years() if _can_manage_root(request.user) else [],
            "unread": unread_count(request.user),
            "can_manage_root": _can_manage_root(request.user),
            "handles_feedback": request.user.is_superuser or feedback_scope(request.user).exists(),
            "todo_label": dict(form.fields["todo"].choices).get(filters.get("todo", "")),
        },
    )


@console_view
def export(request):
    """The inbox as CSV, with personal data masked (phone numbers are left out)."""
    _form, _filters, cases = _inbox_queryset(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="feedback.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv_writer(response)  # cells cannot become formulas (core/exports.py)
    writer.writerow(
        [
            _("Tracking number"),
            _("Type"),
            _("Place"),
            _("Title"),
            _("Description"),
            _("State"),
            _("Received"),
            _("Answer by"),
            _("Answered"),
            _("Lead organization"),
            _("Reply"),
            _("Rating"),
        ]
    )
    for case in cases.order_by("-received_at")[:EXPORT_LIMIT]:
        writer.writerow(
            [
                case.number,
                case.get_category_display(),
                case.place.name,
                case.title_public,
                case.description_public,
                case.get_state_display(),
                timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(case.answer_deadline).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(case.answered_at).strftime("%Y-%m-%d %H:%M") if case.answered_at else "",
                case.lead_org.name if case.lead_org else "",
                case.reply_public,
                case.get_rating_display(),
            ]
        )
    return response


def _dispatch_choices(user, case: Case) -> list:
    try:
        org = acting_organization(user, case.place, HANDLE_FEEDBACK)
    except PermissionDenied:
        return []
    return indented_choices(org.subtree().order_by("path")[:500], top=org)


def _templates_for(case: Case):
    org = case.lead_org or case.place
    return ReplyTemplate.objects.filter(organization_id__in=[*org.ancestor_ids, org.pk])


def _case_context(request, case: Case, bound: dict | None = None) -> dict:
    user = request.user
    # The steps the actions would allow this user now (the same rules: workflow.available_steps).
    steps = set(workflow.available_steps(user, case))
    version = {"version": case.version}
    forms: dict[str, django_forms.Form] = {}
    if "accept_handle" in steps:
        # No units below: accepting is handling, in one step (the two-step path is not offered).
        forms["accept_handle"] = AcceptForm(initial=version)
    elif "accept" in steps:
        forms["accept"] = AcceptForm(initial=version)
    if "reject" in steps:
        forms["reject"] = ReasonForm(initial=version, prefix="reject")
    if "dispatch" in steps:
        suggested = suggestions.suggest_lead(case)
        forms["dispatch"] = DispatchForm(
            initial={**version, "lead": suggested.pk}, choices=_dispatch_choices(user, case)
        )
    if "start" in steps:
        forms["start"] = VersionForm(initial=version, prefix="start")
    if "return" in steps:
        forms["return"] = ReasonForm(initial=version, prefix="return")
    if "answer" in steps:
        forms["answer"] = AnswerForm(initial={**version, "reply": case.reply}, public=case.is_public)
    if "approve" in steps:
        forms["approve"] = VersionForm(initial=version, prefix="approve")
    if "send_back" in steps:
        forms["send_back"] = ReasonForm(initial=version, prefix="send_back")
    if "extend" in steps:
        forms["extend"] = ExtensionForm()
    forms["note"] = NoteForm()
    forms["photos"] = StaffPhotoForm()
    if bound:
        forms.update(bound)
    extensions = list(case.extensions.select_related("requested_by", "decided_by"))
    lead = case.lead_org
    approver_scope = (lead.parent or lead) if lead is not None else None
    return {
        "case": case,
        "org": case.place,
        "events": CaseEvent.objects.filter(case=case).select_related("actor", "organization"),
        "photos": case.photos.all(),
        "assisting": case.assisting_orgs.all(),
        "forms": forms,
        "templates": list(_templates_for(case)) if "answer" in forms else [],
        "templates_org": (case.lead_org or case.place) if "answer" in forms else None,
        "candidates": [
            (other, score, suggestions.accepts_merge(other))
            for other, score in (suggestions.merge_candidates(case) if "merge" in steps else [])
        ],
        "merged_cases": case.merged_cases.all(),
        "extensions": extensions,
        "can_decide_extension": approver_scope is not None and has_capability(user, HANDLE_FEEDBACK, approver_scope),
        "overdue": case.is_overdue(),
    }


@console_view
def case_page(request, case_id: int):
    case = get_case_for_user(request.user, case_id)
    return render(request, "feedback/console/case.html", _case_context(request, case))


STEPS = {
    # step: (form class, form prefix, action)
    "accept": (
        AcceptForm,
        None,
        lambda u, c, d: actions.accept_case(u, c.pk, urgent=d["urgent"], expected_version=d["version"]),
    ),
    "accept_handle": (
        AcceptForm,
        None,
        lambda u, c, d: actions.accept_and_handle_case(u, c.pk, urgent=d["urgent"], expected_version=d["version"]),
    ),
    "reject": (
        ReasonForm,
        "reject",
        lambda u, c, d: actions.reject_case(u, c.pk, d["reason"], expected_version=d["version"]),
    ),
    "start": (VersionForm, "start", lambda u, c, d: actions.start_case(u, c.pk, expected_version=d["version"])),
    "return": (
        ReasonForm,
        "return",
        lambda u, c, d: actions.return_case(u, c.pk, d["reason"], expected_version=d["version"]),
    ),
    "answer": (
        AnswerForm,
        None,
        lambda u, c, d: actions.answer_case(u, c.pk, d["reply"], expected_version=d["version"]),
    ),
    "approve": (VersionForm, "approve", lambda u, c, d: actions.approve_reply(u, c.pk, expected_version=d["version"])),
    "send_back": (
        ReasonForm,
        "send_back",
        lambda u, c, d: actions.send_back_reply(u, c.pk, d["reason"], expected_version=d["version"]),
    ),
    "extend": (ExtensionForm, None, lambda u, c, d: actions.request_extension(u, c.pk, d["days"], d["reason"])),
    "note": (NoteForm, None, lambda u, c, d: actions.add_note(u, c.pk, d["text"])),
    "photos": (StaffPhotoForm, None, lambda u, c, d: actions.add_staff_photos(u, c.pk, d["photos"])),
    "merge": (MergeForm, None, lambda u, c, d: actions.merge_case(u, c.pk, d["into"])),
}

DONE = {
    "accept": _("The case was accepted."),
    "accept_handle": _("The case was accepted; your organization handles it now and can answer it."),
    "reject": _("The case was not accepted; the citizen can read the reason."),
    "dispatch": _("The case was dispatched."),
    "start": _("Handling started."),
    "return": _("The case was returned to the dispatcher."),
    "answer": _("The reply was saved."),
    "approve": _("The reply was approved and published."),
    "send_back": _("The reply was sent back for revision."),
    "extend": _("The extension request was sent to the organization above."),
    "note": _("The note was added."),
    "photos": _("The photos were added."),
    "merge": _("The cases were merged."),
}


@require_POST
@console_view
def case_step(request, case_id: int, step: str):
    case = get_case_for_user(request.user, case_id)
    if step == "answer" and request.POST.get("use_template"):
        return _use_template(request, case)
    form: django_forms.Form
    if step == "dispatch":
        form = DispatchForm(request.POST, choices=_dispatch_choices(request.user, case))
    elif step == "answer":
        form = AnswerForm(request.POST, public=case.is_public)
    elif step in STEPS:
        form_class, prefix, _run = STEPS[step]
        form = form_class(request.POST, request.FILES, prefix=prefix)
    else:
        raise Http404
    if form.is_valid():
        try:
            if step == "dispatch":
                data = form.cleaned_data
                actions.dispatch_case(
                    request.user,
                    case.pk,
                    data["lead"],
                    data["assisting"],
                    data["note"],
                    expected_version=data["version"],
                )
            else:
                STEPS[step][2](request.user, case, form.cleaned_data)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, DONE[step])
            return redirect("console:feedback_case", case_id=case.pk)
    case = get_case_for_user(request.user, case_id)
    context = _case_context(request, case, bound={step: form})
    return render(request, "feedback/console/case.html", context, status=400)


def _use_template(request, case: Case):
    """The answer form's 使用 button without JavaScript: the form again, with the chosen template's text added
    to what was typed (nothing is saved). Only for those who may answer the case now, with a template offered
    to the case's organization."""
    if "answer" not in workflow.available_steps(request.user, case):
        raise PermissionDenied
    typed = request.POST.get("reply", "").strip()
    chosen = None
    if request.POST.get("template", "").isdigit():
        chosen = _templates_for(case).filter(pk=int(request.POST["template"])).first()
    text = f"{typed}\n{chosen.text}" if chosen and typed else (chosen.text if chosen else typed)
    version = request.POST.get("version", "")
    form = AnswerForm(
        initial={"version": version if version.isdigit() else case.version, "reply": text}, public=case.is_public
    )
    if chosen is None:
        messages.error(request, _("Please choose a template first."))
    return render(request, "feedback/console/case.html", _case_context(request, case, bound={"answer": form}))


@require_POST
@console_view
def extension_decide(request, extension_id: int):
    extension = get_object_or_404(Extension, pk=extension_id)
    case = get_case_for_user(request.user, extension.case_id)
    try:
        actions.decide_extension(request.user, extension.pk, request.POST.get("decision") == "approve")
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The decision was recorded."))
    return redirect("console:feedback_case", case_id=case.pk)


# --- Settings: reply templates, dispatch catalogue, time limits, calendar ----------------------


def _remove(request, remove, object_id: str, success_message: str) -> None:
    """A "Remove" button: through the action; a refusal (e.g. removed meanwhile) is said on the page."""
    try:
        remove(int(object_id))
    except ValueError:
        messages.error(request, str(NotFound()))
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success_message)


@console_view
def reply_templates(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, HANDLE_FEEDBACK)
    url = reverse("console:feedback_templates", args=[org.pk])
    if request.POST.get("delete"):
        remove = functools.partial(configuration.remove_reply_template, request.user, org.pk)
        _remove(request, remove, request.POST["delete"], _("The template was removed."))
        return redirect(url)
    form = ReplyTemplateForm(request.POST or None)
    response = handle_form(
        request,
        form,
        lambda f: configuration.add_reply_template(request.user, org.pk, f.to_input()),
        url,
        _("The template was saved."),
    )
    if response:
        return response
    return render(
        request,
        "feedback/console/templates.html",
        {
            "org": org,
            "form": form,
            "templates": ReplyTemplate.objects.filter(organization=org),
            # Offered here too, kept by the organizations above (read only on this page).
            "inherited": ReplyTemplate.objects.filter(organization_id__in=org.ancestor_ids).select_related(
                "organization"
            ),
            "history": configuration.settings_history([ReplyTemplate], org, exact=True),
        },
    )


@console_view
def catalogue(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_SETTINGS)
    url = reverse("console:feedback_catalogue", args=[org.pk])
    scope = org.subtree().order_by("path")
    # A GET only reads: an organization without a row has the default settings.
    settings_row = FeedbackSettings.objects.filter(organization=org).first() or FeedbackSettings(organization=org)
    if request.POST.get("delete"):
        remove = functools.partial(configuration.remove_dispatch_rule, request.user, org.pk)
        _remove(request, remove, request.POST["delete"], _("The rule was removed."))
        return redirect(url)
    if "approval" in request.POST:
        configuration.set_answers_need_approval(request.user, org.pk, request.POST.get("approval") == "1")
        messages.success(request, _("The setting was saved."))
        return redirect(url)
    form = DispatchRuleForm(request.POST or None, scope=scope)
    response = handle_form(
        request,
        form,
        lambda f: configuration.add_dispatch_rule(request.user, org.pk, f.to_input()),
        url,
        _("The rule was saved."),
    )
    if response:
        return response
    return render(
        request,
        "feedback/console/catalogue.html",
        {
            "org": org,
            "form": form,
            "settings_row": settings_row,
            "rules": DispatchRule.objects.filter(place__path__startswith=org.path).select_related("place", "lead"),
            "history": configuration.settings_history([DispatchRule, FeedbackSettings], org),
        },
    )


def _can_manage_root(user) -> bool:
    return configuration.can_manage_county_settings(user)


@console_view
def time_limits(request):
    configuration.require_county_settings(request.user)
    limits = list(TimeLimit.objects.all())
    forms = [TimeLimitForm(request.POST or None, instance=limit, prefix=limit.category) for limit in limits]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        try:
            configuration.save_time_limits(request.user, [form.to_input() for form in forms])
        except ActionError as error:
            forms[0].add_error(None, str(error))
        else:
            messages.success(request, _("The time limits were saved. They apply to cases received from now on."))
            return redirect("console:feedback_limits")
    return render(
        request,
        "feedback/console/limits.html",
        {"forms": forms, "history": configuration.settings_history([TimeLimit])},
    )


@console_view
def calendar(request):
    configuration.require_county_settings(request.user)
    url = reverse("console:calendar")
    if request.POST.get("delete"):
        _remove(
            request,
            functools.partial(configuration.remove_calendar_day, request.user),
            request.POST["delete"],
            _("The day was removed."),
        )
        return redirect(url)
    form = CalendarOverrideForm(request.POST or None)
    response = handle_form(
        request,
        form,
        lambda f: configuration.save_calendar_day(request.user, f.to_input()),
        url,
        _("The day was saved. Deadlines computed from now on use it."),
    )
    if response:
        return response
    today = timezone.localdate()
    return render(
        request,
        "feedback/console/calendar.html",
        {
            "form": form,
            "overrides": CalendarOverride.objects.filter(date__gte=today - datetime.timedelta(days=365)),
            "calendar_gaps": uncovered_years(),
            "history": configuration.settings_history([CalendarOverride]),
        },
    )
