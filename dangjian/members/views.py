"""The member registry's console pages: the lists, a member's page, the edit, status and transfer forms, the
waiting transfers and probations (the 党员 menu item), and the audited export. Writes go through actions.py."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_MEMBERS, get_organization_for_user
from dangjian.console.shell import console_view, form_page
from dangjian.core.history import ActionError, InvalidInput, history_for
from dangjian.organizations.models import Organization

from . import accounts, actions, exports, queries
from .forms import ExportForm, MemberFilterForm, MemberForm, ReceiveForm, StatusForm, TransferForm
from .models import Member, MemberTransfer

PAGE_SIZE = 50
TRANSFERS_SHOWN = 20
HISTORY_SHOWN = 50
# Errors of the actions named by the record's fields, shown under the form's own fields.
FIELD_ALIASES = {"id_number_masked": "id_number"}


def _branch_for_user(user, org_id: int) -> Organization:
    """An open organization that can hold members (not a party group), managed by the user."""
    org = get_organization_for_user(user, org_id, MANAGE_MEMBERS)
    if org.is_closed or org.kind == Organization.Kind.GROUP:
        raise Http404
    return org


def _through_fields(form, save):
    """Call `save`; errors of named fields go under the form's fields, the rest on top (input kept)."""

    def run(f):
        try:
            return save(f)
        except InvalidInput as error:
            placed = False
            for name, field_messages in error.errors.items():
                name = FIELD_ALIASES.get(name, name)
                if name in f.fields:
                    for message in field_messages:
                        f.add_error(name, message)
                    placed = True
            if placed:
                raise ActionError(_("Please correct the marked fields.")) from None
            raise

    return run


# --- The 党员 menu item: one's organizations and one's to-do ---------------------------------------------


TODO_KINDS = ("incoming", "probation")


@console_view
def home(request):
    user = request.user
    todo = request.GET.get("todo", "")
    roots = list(queries.member_roots(user))
    if not roots:
        raise Http404
    incoming = list(queries.incoming_todo(user)) if todo in ("", "incoming") else []
    probations = list(queries.probation_todo(user)) if todo in ("", "probation") else []
    return render(
        request,
        "members/console/home.html",
        {
            "roots": [(org, queries.on_roll_count(org)) for org in roots],
            "incoming": incoming,
            "probations": probations,
            "todo": todo if todo in TODO_KINDS else "",
        },
    )


# --- The list of an organization's members -----------------------------------------------------------------


@console_view
def member_list(request, org_id: int):
    user = request.user
    org = get_organization_for_user(user, org_id, MANAGE_MEMBERS)
    if org.kind == Organization.Kind.GROUP:
        raise Http404
    form = MemberFilterForm(request.GET or None, branch=org)
    filters = form.filters()
    group = next((g for g in queries.party_groups(org) if g.pk == filters.get("group")), None)
    members = queries.filter_members(
        queries.members_in(user, org),
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        category=filters.get("category", ""),
        flag=filters.get("flag", ""),
        group=group,
    ).order_by("organization__path", "name", "id")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    waiting = set(
        queries.pending_transfers().filter(member__in=[m.pk for m in shown]).values_list("member_id", flat=True)
    )
    rows = [(m, queries.shown_mobile(user, m), m.pk in waiting) for m in shown]
    has_below = org.children.open().exclude(kind=Organization.Kind.GROUP).exists()
    incoming = list(queries.pending_transfers().filter(to_organization=org).order_by("left_on", "id"))
    transfers = list(queries.transfers_of(org)[:TRANSFERS_SHOWN])
    return render(
        request,
        "members/console/list.html",
        {
            "org": org,
            "form": form,
            "page": page,
            "rows": rows,
            "show_branch": has_below,
            "searched": bool(filters.get("q")),
            "filtered": any(filters.get(k) for k in ("status", "category", "flag", "group")),
            "query_string": urlencode(filters),
            "incoming": incoming,
            "transfers": transfers,
            "can_add": not org.is_closed,
        },
    )


# --- One member ----------------------------------------------------------------------------------------------


@console_view
def member_page(request, member_id: int):
    user = request.user
    member = queries.get_member_for_user(user, member_id)
    pending = actions.pending_transfer(member)
    steps = actions.STATUS.available_steps(user, member)
    return render(
        request,
        "members/console/member.html",
        {
            "org": member.organization,
            "member": member,
            "mobile": queries.shown_mobile(user, member),
            "pending": pending,
            "can_withdraw": pending is not None and actions.TRANSFERS.may(user, "withdraw", pending),
            "can_transfer": "transfer" in steps,
            "can_change_status": any(step != "transfer" for step in steps),
            # The account's state (and the invitation link) for a member on the roll of an open branch.
            "account": (
                accounts.account_states([member])[member.pk]
                if member.is_active and not member.organization.is_closed
                else None
            ),
            "transfers": member.transfers.select_related("from_organization", "to_organization"),
            "history": history_for(member)[:HISTORY_SHOWN],
        },
    )


@console_view
def member_new(request, org_id: int):
    org = _branch_for_user(request.user, org_id)
    form = MemberForm(request.POST or None, instance=Member(organization=org), branch=org)
    return form_page(
        request,
        form,
        _through_fields(form, lambda f: actions.add_member(request.user, org.pk, f.to_input())),
        success_url=lambda f: reverse("console:members", args=[org.pk]),
        success_message=_("The member was added."),
        org=org,
        title=_("Add a member to %(branch)s") % {"branch": org.name},
    )


@console_view
def member_edit(request, member_id: int):
    member = queries.get_member_for_user(request.user, member_id)
    form = MemberForm(
        request.POST or None,
        instance=member,
        branch=member.organization,
        full_mobile=queries.sees_full_mobile(request.user, member),
    )
    return form_page(
        request,
        form,
        _through_fields(
            form,
            lambda f: actions.update_member(request.user, member.pk, f.to_input(), expected_version=f.expected_version),
        ),
        success_url=reverse("console:member", args=[member.pk]),
        success_message=_("The member's record was saved."),
        org=member.organization,
        title=_("Edit the record of %(name)s") % {"name": member.name},
    )


def _step_page(request, member: Member, form, save, *, title: str, success_message: str, **context):
    form.instance = member  # the member's history is shown under the form
    return form_page(
        request,
        form,
        _through_fields(form, save),
        success_url=reverse("console:member", args=[member.pk]),
        success_message=success_message,
        org=member.organization,
        title=title,
        template="members/console/step.html",
        member=member,
        **context,
    )


@console_view
def member_status(request, member_id: int):
    user = request.user
    member = queries.get_member_for_user(user, member_id)
    steps = [s for s in actions.STATUS.available_steps(user, member) if s != "transfer"]
    if not steps:
        messages.error(request, _("The status of this member cannot be changed now."))
        return redirect("console:member", member.pk)
    choices = [(s, Member.Status(s).label) for s in steps]
    form = StatusForm(request.POST or None, choices=choices)
    return _step_page(
        request,
        member,
        form,
        lambda f: actions.change_status(user, member.pk, f.to_input(), expected_version=member.version),
        title=_("Change the status of %(name)s") % {"name": member.name},
        success_message=_("The status was changed."),
        intro=_(
            "For a move to another branch on this platform, use 转出 to another branch instead: it is recorded on "
            "both branches."
        ),
    )


@console_view
def member_transfer(request, member_id: int):
    user = request.user
    member = queries.get_member_for_user(user, member_id)
    if not actions.STATUS.may(user, "transfer", member):
        messages.error(request, _("This member cannot be transferred now."))
        return redirect("console:member", member.pk)
    form = TransferForm(request.POST or None, member=member)
    return _step_page(
        request,
        member,
        form,
        lambda f: actions.transfer_member(user, member.pk, f.to_input()),
        title=_("Transfer %(name)s to another branch") % {"name": member.name},
        success_message=_("The transfer was recorded. The receiving branch confirms the arrival."),
        intro=_(
            "The member stays on this branch's roll until the receiving branch confirms the arrival; until then "
            "you can withdraw the transfer."
        ),
        picker=True,
    )


@console_view
@require_POST
def transfer_withdraw(request, transfer_id: int):
    transfer = MemberTransfer.objects.select_related("member").filter(pk=transfer_id).first()
    if transfer is None:
        raise Http404
    member = queries.get_member_for_user(request.user, transfer.member_id)
    try:
        actions.withdraw_transfer(request.user, transfer.pk)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The transfer was withdrawn."))
    return redirect("console:member", member.pk)


@console_view
def transfer_receive(request, transfer_id: int):
    user = request.user
    transfer = queries.get_transfer_for_target(user, transfer_id)
    target = transfer.to_organization
    form = ReceiveForm(request.POST or None)
    form.instance = transfer  # the record the form changes (the member is not the target's yet)
    return form_page(
        request,
        form,
        _through_fields(form, lambda f: actions.receive_member(user, transfer.pk, f.cleaned_data["arrived_on"])),
        success_url=reverse("console:members", args=[target.pk]) if target else reverse("console:members_home"),
        success_message=_("The member was received and is now on this branch's roll."),
        org=target,
        title=_("Receive %(name)s") % {"name": transfer.member.name},
        template="members/console/step.html",
        transfer=transfer,
    )


# --- Export ---------------------------------------------------------------------------------------------------


@console_view
def roster_export(request, org_id: int):
    user = request.user
    org = get_organization_for_user(user, org_id, MANAGE_MEMBERS)
    allow = exports.may_export_id_numbers(user, org)
    form = ExportForm(request.POST or None, allow_id_numbers=allow)
    if request.method == "POST" and form.is_valid():
        try:
            made = exports.export_roster(
                user,
                org.pk,
                form.cleaned_data["reason"],
                with_id_numbers=bool(form.cleaned_data.get("with_id_numbers")),
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            response = HttpResponse(made.content, content_type=exports.XLSX)
            response["Content-Disposition"] = (
                f"attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{quote(made.file_name)}"
            )
            return response
    return render(
        request,
        "members/console/export.html",
        {"org": org, "form": form, "count": queries.on_roll_count(org)},
        status=400 if request.method == "POST" else 200,
    )


@console_view
def export_log(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_MEMBERS)
    page = Paginator(exports.export_log(request.user, org), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/console/export_log.html", {"org": org, "page": page})
