"""Pages of members' accounts: the secretary's list and invitations, joining with an invitation, signing in with a
code by SMS, and the member's own record (members/accounts.py does the writes)."""

from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_MEMBERS, get_organization_for_user
from dangjian.accounts.signals import password_verified
from dangjian.console.shell import console_view
from dangjian.core.history import ActionError
from dangjian.core.throttle import client_key
from dangjian.notifications import forms as code_forms
from dangjian.notifications import sms

from . import accounts
from .models import Member
from .queries import get_member_for_user, member_for_user
from .shell import member_view

SIGN_IN_BACKEND = "dangjian.accounts.backends.UsernameOrMobileBackend"


# --- The secretary's pages -----------------------------------------------------------------------------------


@console_view
def member_accounts(request, org_id: int):
    """The branch's members on the roll and the state of their accounts, with the way to invite each."""
    org = get_organization_for_user(request.user, org_id, MANAGE_MEMBERS)
    members = list(
        Member.objects.filter(organization=org, status=Member.Status.ACTIVE)
        .select_related("party_group")
        .order_by("name", "id")
    )
    states = accounts.account_states(members)
    rows = [(member, states[member.pk], accounts.masked_mobile(member.mobile)) for member in members]
    return render(
        request,
        "members/account/list.html",
        {"org": org, "rows": rows, "breadcrumbs": org.ancestors(), "days": settings.MEMBER_INVITATION_DAYS},
    )


def qr_svg(url: str) -> SafeString:
    """The invitation link as an inline SVG QR code (as accounts/two_factor.py draws its own)."""
    label = _("QR code of the invitation link")
    svg = segno.make(url, error="m").svg_inline(scale=5, border=4, light="#fff", dark="#000")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308 - segno's markup


@console_view
@never_cache
def invite(request, member_id: int):
    """Confirm, then issue the invitation: its link and QR code are shown once, in the answer to the POST."""
    member = get_member_for_user(request.user, member_id)
    state = accounts.account_states([member])[member.pk]
    context = {
        "member": member,
        "org": member.organization,
        "state": state,
        "mobile": accounts.masked_mobile(member.mobile),
        "days": settings.MEMBER_INVITATION_DAYS,
    }
    if request.method == "POST":
        try:
            issued = accounts.create_invitation(request.user, member.pk)
        except ActionError as error:
            context["error"] = str(error)
            return render(request, "members/account/invite.html", context, status=400)
        url = request.build_absolute_uri(issued.path)
        context.update({"issued": issued, "url": url, "qr": qr_svg(url)})
        return render(request, "members/account/invitation.html", context)
    return render(request, "members/account/invite.html", context)


@console_view
@require_POST
def withdraw(request, member_id: int):
    member = get_member_for_user(request.user, member_id)
    if accounts.withdraw_invitation(request.user, member.pk):
        messages.success(request, _("The invitation was withdrawn: its link no longer works."))
    else:
        messages.info(request, _("There was no open invitation to withdraw."))
    return redirect("console:member_accounts", member.organization_id)


# --- Joining with an invitation (public) -----------------------------------------------------------------------


class JoinForm(forms.Form):
    password1 = forms.CharField(
        label=pgettext_lazy("member account", "Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Please enter the password you choose.")},
    )
    password2 = forms.CharField(
        label=pgettext_lazy("member account", "The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Please enter the password once more.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = " ".join(password_validators_help_texts())


class LinkForm(forms.Form):
    password = forms.CharField(
        label=pgettext_lazy("member account", "Password of your account"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Please enter the password you sign in with now.")},
    )


def _invalid(request, status: int = 404, message: str = ""):
    return render(request, "members/account/join_invalid.html", {"message": message}, status=status)


@never_cache
def join(request, token: str):
    """A member opens the invitation link and chooses a password (or links the account they already have)."""
    client = client_key(request)
    try:
        invitation = accounts.invitation_for_token(token, client)
    except ActionError as error:
        return _invalid(request, 429, str(error))
    if invitation is None:
        # The same form sent twice: the second answer leads where the first did.
        if request.method == "POST" and request.POST.get("step") == "join":
            try:
                user = accounts.join(token, request.POST.get("password1", ""), request.POST.get("password2", ""))
            except ActionError:
                return _invalid(request)
            return _signed_in(request, user)
        return _invalid(request)
    member = invitation.member
    existing = accounts.existing_account(invitation)
    form = JoinForm(request.POST if request.method == "POST" and request.POST.get("step") == "join" else None)
    link_form = LinkForm(request.POST if request.method == "POST" and request.POST.get("step") == "link" else None)
    if existing is None and form.is_bound and form.is_valid():
        try:
            user = accounts.join(token, form.cleaned_data["password1"], form.cleaned_data["password2"])
        except accounts.InvalidInvitation:
            return _invalid(request)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            return _signed_in(request, user)
    if existing is not None and link_form.is_bound and link_form.is_valid():
        try:
            user = accounts.link_existing(request, token, link_form.cleaned_data["password"])
        except accounts.InvalidInvitation:
            return _invalid(request)
        except ActionError as error:
            link_form.add_error("password", str(error))
        else:
            response = _signed_in(request, user)
            # A sign-in with the account's own password, as on the sign-in page (keys held under it unlock).
            password_verified.send(
                sender=LinkForm, request=request, user=user, password=link_form.cleaned_data["password"]
            )
            return response
    context = {
        "member": member,
        "mobile": accounts.masked_mobile(member.mobile),
        "existing": existing,
        "form": form,
        "link_form": link_form,
        "expires_at": invitation.expires_at,
    }
    failed = form.errors or link_form.errors
    return render(request, "members/account/join.html", context, status=400 if failed else 200)


def _signed_in(request, user):
    login(request, user, backend=SIGN_IN_BACKEND)
    messages.success(request, _("Welcome. Your account is ready: from now on sign in with your mobile number."))
    return redirect("console:member_me")


# --- Signing in with a code by SMS (public, only where SMS is configured) --------------------------------------


class MobileForm(code_forms.MobileForm):
    number_help = gettext_lazy("The mobile number your branch has on record.")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("console:dashboard")


@never_cache
def sms_sign_in(request):
    """用短信验证码登录: the mobile number, then the 6-digit code; the same answer whether or not the number
    belongs to a member's account."""
    if not sms.is_configured():
        raise Http404
    step = request.POST.get("step", "")
    mobile_form = MobileForm(request.POST if step == "send" else None)
    code_form = None
    sent = None
    sent_to = ""
    if step == "send" and mobile_form.is_valid():
        try:
            sent = accounts.send_sign_in_code(mobile_form.cleaned_data["mobile"], client_key(request))
        except ActionError as error:
            mobile_form.add_error("mobile", str(error))
        else:
            sent_to = accounts.masked_mobile(sent.mobile)
            code_form = code_forms.CodeForm(initial={"mobile": sent.mobile})
    elif step == "verify":
        code_form = code_forms.CodeForm(request.POST)
        if code_form.is_valid():
            try:
                user = accounts.check_sign_in_code(
                    code_form.cleaned_data["mobile"], code_form.cleaned_data["code"], client_key(request)
                )
            except ActionError as error:
                code_form.add_error("code", str(error))
            else:
                login(request, user, backend=SIGN_IN_BACKEND)
                return redirect(_next_url(request))
        mobile = sms.normalized_mobile(request.POST.get("mobile", ""))
        sent_to = accounts.masked_mobile(mobile)
        if not mobile:
            code_form = None
            mobile_form.add_error(None, _("Enter an 11-digit mobile number, such as 13812345678."))
    failed = mobile_form.errors or (code_form is not None and code_form.errors)
    context = {
        "mobile_form": mobile_form,
        "code_form": code_form,
        "sent": sent,
        "sent_to": sent_to,
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return render(request, "members/account/sms_sign_in.html", context, status=400 if failed else 200)


# --- The member's own record ---------------------------------------------------------------------------------


@member_view
def my_record(request):
    """我的党员信息: the member's own record (ID-card number masked; the mobile number in full, it is theirs)."""
    member = Member.objects.select_related("organization", "party_group").get(pk=request.member.pk)
    return render(request, "members/account/me.html", {"member": member})


def member_panel(request) -> dict | None:
    """The console home's panel for a member on the roll (with or without a staff role)."""
    member = member_for_user(request.user)
    return {"member": member} if member is not None else None


def is_member(request) -> bool:
    return member_for_user(request.user) is not None
