"""Staff console for organizations: an organization's page, profile, leadership terms and leaders, history."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    MANAGE_CONTENT,
    MANAGE_TREE,
    USE_CONSOLE,
    get_organization_for_user,
    has_capability,
)
from dangjian.console.shell import add_field_errors, console_view, form_page
from dangjian.console.views import render_panels
from dangjian.core.history import ActionError, InvalidInput
from dangjian.core.registry import OrganizationLink, OrganizationPanel, entries

from . import actions, tree
from .choices import indented_choices
from .forms import CloseForm, LeaderForm, MoveForm, NewOrganizationForm, ProfileForm, TermForm
from .models import Leader, Term

NOWHERE_TO_MOVE = gettext_lazy(
    "It can only be moved below an organization you manage; to move it to another township, ask the county's "
    "administrator."
)


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str
    secondary: bool
    count: int | None


@console_view
def organization(request, org_id: int):
    """An organization's console page: the modules' buttons and panels for it (core/registry.py)."""
    org = get_organization_for_user(request.user, org_id, USE_CONSOLE)
    user = request.user
    children = list(org.children.open())
    change_children = tree.may_manage_below(user, org)
    links = [
        ShownLink(
            str(link.label),
            reverse(link.url_name, args=[org.pk]),
            link.secondary,
            link.count(org) if link.count else None,
        )
        for link in entries(OrganizationLink)
        if link.visible(user, org)
    ]
    return render(
        request,
        "organizations/console/organization.html",
        {
            "org": org,
            "links": links,
            "panels": render_panels(request, entries(OrganizationPanel), user, org),
            # Ancestors outside the user's grants are named, not linked (their page would be refused).
            "breadcrumbs": [(a, has_capability(user, USE_CONSOLE, a)) for a in org.ancestors()],
            "children": children,
            # The tree's administrator moves, merges or closes the organizations below from this list too; moves
            # only where there is somewhere to move them (siblings share their possible new parents).
            "change_children": change_children,
            "move_children": change_children and bool(children) and tree.may_move(user, children[0]),
            "merged": org.merged.all(),
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


# --- The tree: add, move, merge or close (organizations.tree) ---------------------------------------------


@console_view
def organization_add(request, org_id: int):
    parent = get_organization_for_user(request.user, org_id, MANAGE_TREE)
    if parent.is_closed or not tree.child_kinds(parent):
        messages.error(request, _("No organization can be added below %(name)s.") % {"name": parent.name})
        return redirect("console:organization", parent.pk)
    form = NewOrganizationForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            made = tree.add_organization(request.user, parent.pk, form.to_input())
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": made.name})
            return redirect("console:organization", made.pk)
    return render(
        request,
        "organizations/console/tree_form.html",
        {"org": parent, "form": form, "title": _("Add an organization below %(name)s") % {"name": parent.name}},
    )


@console_view
def organization_move(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, USE_CONSOLE)
    context = {"org": org, "title": _("Move %(name)s") % {"name": org.name}}
    if not tree.may_change(request.user, org):
        # Its own administrator (a township's) reaches the page by a typed link: say why there is no move.
        if org.is_closed or not has_capability(request.user, MANAGE_TREE, org):
            raise PermissionDenied
        return render(request, "organizations/console/tree_form.html", {**context, "nowhere": NOWHERE_TO_MOVE})
    choices = indented_choices(tree.move_targets(request.user, org))
    if not choices:
        return render(request, "organizations/console/tree_form.html", {**context, "nowhere": NOWHERE_TO_MOVE})
    form = MoveForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            tree.move_organization(request.user, org.pk, form.cleaned_data["new_parent"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s was moved.") % {"name": org.name})
            return redirect("console:organization", org.pk)
    return render(
        request,
        "organizations/console/tree_form.html",
        {
            **context,
            "form": form,
            "intro": _(
                "Everything below it moves with it: its organizations, cases, policies and roles keep working "
                "under the new parent at once."
            ),
            "submit": _("Move"),
        },
    )


@console_view
def organization_close(request, org_id: int):
    """Choose an organization to merge into (or none), see exactly what will happen, then confirm."""
    org = get_organization_for_user(request.user, org_id, USE_CONSOLE)
    if not tree.may_change(request.user, org):
        raise PermissionDenied
    choices = indented_choices(tree.merge_targets(request.user, org))
    form = CloseForm(request.POST or None, choices=choices)
    context = {"org": org, "form": form, "title": _("Merge or close %(name)s") % {"name": org.name}}
    if request.method == "POST" and form.is_valid():
        target_id = form.cleaned_data["merge_into"]
        try:
            if request.POST.get("confirm") == "1":
                tree.close_organization(
                    request.user, org.pk, merge_into_id=target_id, expected_version=_version(request)
                )
            else:
                context["plan"] = tree.plan_close(request.user, org.pk, target_id)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            if "plan" not in context:
                org.refresh_from_db()
                if org.merged_into_id:
                    messages.success(
                        request,
                        _("%(name)s was merged into %(target)s.") % {"name": org.name, "target": org.merged_into},
                    )
                    return redirect("console:organization", org.merged_into_id)
                messages.success(request, _("%(name)s was closed.") % {"name": org.name})
                return redirect("console:organization", org.parent_id)
    return render(request, "organizations/console/close.html", context)


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None
