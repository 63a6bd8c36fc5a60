"""Staff console for policies: list, edit, attachments, interpretations."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_CONTENT, get_organization_for_user
from dangjian.console.shell import console_view, form_page, render_form_page
from dangjian.core.history import ActionError

from . import actions
from .forms import AttachmentForm, InterpretationForm, PolicyForm
from .models import Policy, PolicyAttachment, PolicyInterpretation


@console_view
def policy_list(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    queryset = org.policies.select_related("category")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        queryset = queryset.filter(title__contains=q)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/console/policy_list.html",
        {
            "org": org,
            "page": page,
            "q": q,
            "query_string": urlencode({"q": q}) if q else "",
        },
    )


@console_view
def policy_edit(request, org_id: int, policy_id: int | None = None):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    policy = get_object_or_404(Policy, pk=policy_id, issuer=org) if policy_id else Policy(issuer=org)

    def save(form):
        form.instance = actions.save_policy(
            request.user, org.pk, form.to_input(), policy_id=policy_id, expected_version=form.expected_version
        )

    return form_page(
        request,
        PolicyForm(request.POST or None, instance=policy),
        save,
        success_url=lambda f: reverse("console:policy_edit", args=[org.pk, f.instance.pk]),
        success_message=_("The policy was saved."),
        org=org,
        title=_("Edit policy") if policy_id else _("New policy"),
        template="policies/console/policy_edit.html",
        policy=policy,
        attachment_form=AttachmentForm() if policy_id else None,
    )


@console_view
@require_POST
def policy_delete(request, org_id: int, policy_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    policy = get_object_or_404(Policy, pk=policy_id, issuer=org)
    try:
        actions.delete_policy(request.user, org.pk, policy.pk)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("console:policy_edit", org.pk, policy.pk)
    messages.success(request, _("The policy was deleted."))
    return redirect("console:policy_list", org.pk)


@console_view
@require_POST
def attachment_add(request, org_id: int, policy_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    policy = get_object_or_404(Policy, pk=policy_id, issuer=org)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_attachment(request.user, org.pk, policy.pk, form.cleaned_data["file"])
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The attachment was added."))
            return redirect("console:policy_edit", org.pk, policy.pk)
    return render_form_page(
        request,
        PolicyForm(instance=policy),
        org=org,
        title=_("Edit policy"),
        template="policies/console/policy_edit.html",
        status=400,
        policy=policy,
        attachment_form=form,
    )


@console_view
@require_POST
def attachment_remove(request, org_id: int, attachment_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    attachment = get_object_or_404(
        PolicyAttachment.objects.select_related("policy"), pk=attachment_id, policy__issuer=org
    )
    try:
        actions.remove_attachment(request.user, org.pk, attachment.pk)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The attachment was removed."))
    return redirect("console:policy_edit", org.pk, attachment.policy_id)


@console_view
def interpretation_edit(request, org_id: int, policy_id: int, interpretation_id: int | None = None):
    org = get_organization_for_user(request.user, org_id, MANAGE_CONTENT)
    policy = get_object_or_404(Policy, pk=policy_id, issuer=org)
    interpretation = (
        get_object_or_404(PolicyInterpretation, pk=interpretation_id, policy=policy)
        if interpretation_id
        else PolicyInterpretation(policy=policy)
    )
    return form_page(
        request,
        InterpretationForm(request.POST or None, instance=interpretation),
        lambda f: actions.save_interpretation(
            request.user,
            org.pk,
            policy.pk,
            f.to_input(),
            interpretation_id=interpretation_id,
            expected_version=f.expected_version,
        ),
        success_url=reverse("console:policy_edit", args=[org.pk, policy.pk]),
        success_message=_("The interpretation was saved."),
        org=org,
        title=_("Interpretation of “%(title)s”") % {"title": policy.title},
    )
