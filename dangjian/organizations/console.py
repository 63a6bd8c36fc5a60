"""Staff console for organizations: dashboard, profile, leadership terms and leaders, history."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    HANDLE_FEEDBACK,
    MANAGE_CONTENT,
    MANAGE_ROLES,
    MANAGE_SETTINGS,
    READ_SUPERVISION_AUDIT,
    USE_CONSOLE,
    can_use_console,
    get_organization_for_user,
    has_capability,
    organizations_for,
)
from dangjian.core.console import console_view, form_page, signed_in_view
from dangjian.core.history import ActionError
from dangjian.core.models import ChangeRecord
from dangjian.feedback.queries import dashboard_counts

from . import actions
from .forms import LeaderForm, ProfileForm, TermForm
from .models import Leader, Term, terms_ending_soon


@signed_in_view
def dashboard(request):
    if not can_use_console(request.user):
        # No role (any more, e.g. revoked): say so and lead to the notifications that explain it.
        return render(request, "organizations/console/no_role.html")
    scope = organizations_for(request.user, USE_CONSOLE)
    content_scope = organizations_for(request.user, MANAGE_CONTENT)
    return render(
        request,
        "organizations/console/dashboard.html",
        {
            "organizations": scope.select_related("parent")[:500],
            "organization_count": scope.count(),
            "ending_terms": terms_ending_soon(content_scope)[:100],
            "recent_changes": ChangeRecord.objects.filter(organization__in=content_scope).select_related(
                "actor", "organization", "content_type"
            )[:20],
            "feedback": dashboard_counts(request.user),
        },
    )


@console_view
def organization(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, USE_CONSOLE)
    can_edit = has_capability(request.user, MANAGE_CONTENT, org)
    return render(
        request,
        "organizations/console/organization.html",
        {
            "org": org,
            "can_edit": can_edit,
            "can_manage_roles": has_capability(request.user, MANAGE_ROLES, org),
            "can_handle_feedback": has_capability(request.user, HANDLE_FEEDBACK, org),
            "can_manage_settings": has_capability(request.user, MANAGE_SETTINGS, org),
            "can_read_audit": has_capability(request.user, READ_SUPERVISION_AUDIT, org)
            and org.supervision_keys.exists(),
            # Ancestors outside the user's grants are named, not linked (their page would be refused).
            "breadcrumbs": [(a, has_capability(request.user, USE_CONSOLE, a)) for a in org.ancestors()],
            "terms": org.terms.prefetch_related("leaders") if can_edit else [],
            "policies": org.policies.select_related("category")[:20] if can_edit else [],
            "policy_count": org.policies.count() if can_edit else 0,
            "children": org.children.all(),
            "ending_terms": terms_ending_soon(org.subtree()) if can_edit else [],
        },
    )


@console_view
def profile_edit(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    return form_page(
        request,
        ProfileForm(request.POST or None, instance=org),
        lambda f: actions.update_profile(request.user, org.pk, f.to_input(), expected_version=f.expected_version),
        success_url=reverse("console:organization", args=[org.pk]),
        success_message=_("The profile was saved."),
        org=org,
        title=_("Edit profile"),
    )


@console_view
def term_edit(request, org_id: int, term_id: int | None = None):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    term = get_object_or_404(Term, pk=term_id, organization=org) if term_id else Term(organization=org)
    return form_page(
        request,
        TermForm(request.POST or None, instance=term),
        lambda f: actions.save_term(
            request.user, org.pk, f.to_input(), term_id=term_id, expected_version=f.expected_version
        ),
        success_url=reverse("console:organization", args=[org.pk]),
        success_message=_("The term was saved."),
        org=org,
        title=_("Edit term") if term_id else _("New term"),
    )


@console_view
def leader_edit(request, org_id: int, leader_id: int | None = None):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    leader = get_object_or_404(Leader, pk=leader_id, organization=org) if leader_id else Leader()
    if not org.terms.exists():
        messages.warning(request, _("Add a leadership term first."))
        return redirect("console:term_new", org.pk)
    return form_page(
        request,
        LeaderForm(request.POST or None, request.FILES or None, instance=leader, organization=org),
        lambda f: actions.save_leader(
            request.user,
            org.pk,
            f.to_input(),
            leader_id=leader_id,
            photo=f.cleaned_data["photo_upload"] or None,
            expected_version=f.expected_version,
        ),
        success_url=reverse("console:organization", args=[org.pk]),
        success_message=_("The leader was saved."),
        org=org,
        title=_("Edit leader") if leader_id else _("New leader"),
        multipart=True,
        delete_url=reverse("console:leader_delete", args=[org.pk, leader.pk]) if leader_id else None,
    )


@console_view
@require_POST
def leader_delete(request, org_id: int, leader_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    leader = get_object_or_404(Leader, pk=leader_id, organization=org)
    try:
        actions.delete_leader(request.user, org.pk, leader.pk)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The leader was removed."))
    return redirect("console:organization", org.pk)


# The tracked records whose history the console shows (the dashboard lists their changes to content managers),
# and who else may read it. The settings of the feedback module and role grants are recorded too.
HISTORY_MODELS = {
    "organization": MANAGE_CONTENT,
    "term": MANAGE_CONTENT,
    "leader": MANAGE_CONTENT,
    "policy": MANAGE_CONTENT,
    "policyinterpretation": MANAGE_CONTENT,
    "policyattachment": MANAGE_CONTENT,
    "rolegrant": MANAGE_ROLES,
    "replytemplate": HANDLE_FEEDBACK,
    "dispatchrule": MANAGE_SETTINGS,
    "feedbacksettings": MANAGE_SETTINGS,
    "timelimit": MANAGE_SETTINGS,
    "calendaroverride": MANAGE_SETTINGS,
}
HISTORY_APPS = ["organizations", "policies", "accounts", "feedback", "core"]


@console_view
def history(request, model: str, object_id: int):
    if model not in HISTORY_MODELS:
        raise Http404
    content_type = get_object_or_404(ContentType, model=model, app_label__in=HISTORY_APPS)
    records = list(
        ChangeRecord.objects.filter(content_type=content_type, object_id=object_id).select_related(
            "actor", "organization"
        )
    )
    if not records:
        raise Http404
    organization = records[0].organization
    if not (
        has_capability(request.user, MANAGE_CONTENT, organization)
        or has_capability(request.user, HISTORY_MODELS[model], organization)
    ):
        raise PermissionDenied
    return render(request, "organizations/console/history.html", {"records": records, "org": records[0].organization})
