"""Pages of residents' accounts (residents.py does the writes):

- `resident_start` (居民登录, /rooms/residents/?next=…): the mobile number, the SMS code, and for a new resident their
  real name and consent to the rules; then the person is signed in and sent to `next` (a local path only).
- `resident_me` (我的居民账号): the account, the rooms, and deleting the account.
- `join_redirect(request, room)`: what the rooms area's join page calls first: an anonymous visitor opening the join
  link of a residents' room is sent to resident_start with `next` = the join page.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.console.shell import add_field_errors
from dangjian.core.history import ActionError, InvalidInput
from dangjian.core.throttle import client_key
from dangjian.notifications import forms as code_forms
from dangjian.notifications import sms

from . import residents
from .models import Membership, Room

SIGN_IN_BACKEND = "dangjian.accounts.backends.UsernameOrMobileBackend"
# The verified number between the code and the name step (a new resident): in the session, for this long.
VERIFIED_KEY = "exchange_resident_verified"
VERIFIED_MINUTES = 20
ROOM_PATH = re.compile(r"^/rooms/(\d{1,18})/")


class MobileForm(code_forms.MobileForm):
    number_help = gettext_lazy("We send a 6-digit code to it by SMS. It is shown to nobody in the rooms.")


class ProfileForm(forms.Form):
    real_name = forms.CharField(
        label=pgettext_lazy("resident", "Real name"),
        max_length=40,
        help_text=gettext_lazy("As on your ID card. Shown to nobody in the rooms: in the rooms you choose a nickname."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": gettext_lazy("Enter your real name.")},
    )
    consent = forms.BooleanField(
        label=gettext_lazy("I have read the rules above and agree to them."),
        error_messages={"required": gettext_lazy("Please read the rules and agree to them.")},
    )


def safe_next(request) -> str:
    """The `next` of the request if it is a path on this site (never another site, never //host); else ""."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target)
        and url_has_allowed_host_and_scheme(target, allowed_hosts=set(), require_https=False)
    ):
        return target
    return ""


def default_next() -> str:
    return reverse("exchange:rooms")


def room_of_next(target: str) -> Room | None:
    """The room a `next` path leads to (a room's page or join page), to name whom to ask."""
    match = ROOM_PATH.match(target)
    return Room.objects.select_related("organization").filter(pk=int(match[1])).first() if match else None


def start_url(target: str = "") -> str:
    url = reverse("exchange:resident_start")
    return f"{url}?{urlencode({'next': target})}" if target else url


def join_redirect(request, room: Room) -> HttpResponse | None:
    """For the rooms area's join page: an anonymous visitor of an open residents' room goes to resident_start
    (then back to the join page); None otherwise (the join page goes on)."""
    if request.user.is_authenticated or room.audience != Room.Audience.RESIDENTS or not room.is_open:
        return None
    return redirect(start_url(request.get_full_path()))


def _verified_mobile(request) -> str:
    saved = request.session.get(VERIFIED_KEY) or {}
    try:
        at = datetime.datetime.fromisoformat(saved.get("at", ""))
    except (TypeError, ValueError):
        return ""
    if timezone.now() - at > datetime.timedelta(minutes=VERIFIED_MINUTES):
        return ""
    return sms.normalized_mobile(saved.get("mobile", ""))


def _sign_in(request, user, target: str):
    request.session.pop(VERIFIED_KEY, None)
    login(request, user, backend=SIGN_IN_BACKEND)
    request.session.pop(VERIFIED_KEY, None)
    return redirect(target or default_next())


@never_cache
def resident_start(request):
    """居民登录: step 1 the mobile number, step 2 the code, step 3 (a new resident) the real name and the rules."""
    target = safe_next(request)
    context: dict = {"next": target, "room": room_of_next(target) if target else None}
    if request.user.is_authenticated:
        if target:
            return redirect(target)
        context["signed_in"] = True
        context["is_resident"] = residents.is_resident(request.user)
        return render(request, "exchange/resident_start.html", context)
    if not sms.is_configured():
        context["unavailable"] = True
        return render(request, "exchange/resident_start.html", context)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    mobile_form = MobileForm(request.POST if step == "send" else None)
    code_form = None
    profile_form = None
    failed = False
    if request.method != "POST" and _verified_mobile(request):
        # A reload, or the page opened again, after the code was confirmed: go on at the name step.
        profile_form = ProfileForm()
    if step == "send" and mobile_form.is_valid():
        try:
            sent = residents.send_code(mobile_form.cleaned_data["mobile"], client_key(request))
        except ActionError as error:
            mobile_form.add_error("mobile", str(error))
        else:
            context["sent"] = sent
            context["sent_to"] = residents.masked_mobile(sent.mobile)
            code_form = code_forms.CodeForm(initial={"mobile": sent.mobile})
    elif step == "verify":
        code_form = code_forms.CodeForm(request.POST)
        mobile = sms.normalized_mobile(request.POST.get("mobile", ""))
        context["sent_to"] = residents.masked_mobile(mobile)
        if not mobile:
            code_form = None
            context["again"] = _("Enter an 11-digit mobile number, such as 13812345678.")
            failed = True
        elif code_form.is_valid():
            try:
                verified = residents.check_code(mobile, code_form.cleaned_data["code"], client_key(request))
            except ActionError as error:
                code_form.add_error("code", str(error))
            else:
                account = residents.account_for(verified)
                reason = residents.refusal(account)
                if reason:
                    context["refused"] = reason
                    code_form = None
                    failed = True
                elif account is not None and residents.is_resident(account):
                    residents.touch_verified(account)
                    return _sign_in(request, account, target)
                else:
                    request.session[VERIFIED_KEY] = {"mobile": verified, "at": timezone.now().isoformat()}
                    code_form = None
                    profile_form = ProfileForm()
    elif step == "profile":
        mobile = _verified_mobile(request)
        if not mobile:
            context["again"] = _("Please verify your mobile number again: the code was confirmed too long ago.")
            failed = True
        else:
            profile_form = ProfileForm(request.POST)
            if profile_form.is_valid():
                try:
                    user = residents.become_resident(
                        mobile, profile_form.cleaned_data["real_name"], profile_form.cleaned_data["consent"]
                    )
                except InvalidInput as error:
                    add_field_errors(profile_form, error)
                except ActionError as error:
                    profile_form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        _("Welcome. Your resident account is ready: next time sign in with your mobile number."),
                    )
                    return _sign_in(request, user, target)
    context.update({"mobile_form": mobile_form, "code_form": code_form, "profile_form": profile_form})
    failed = failed or bool(
        mobile_form.errors
        or (code_form is not None and code_form.errors)
        or (profile_form is not None and profile_form.errors)
    )
    return render(request, "exchange/resident_start.html", context, status=400 if failed else 200)


@login_required
@never_cache
def resident_me(request):
    """我的居民账号: the masked number, the rooms joined, and deleting the account."""
    if not residents.is_resident(request.user):
        return render(request, "exchange/resident_me.html", {"not_resident": True})
    identity = residents.identity_of(request.user, masked=True)
    memberships = (
        Membership.objects.filter(user=request.user, left_at=None, removed_at=None)
        .select_related("room", "room__organization")
        .order_by("room__name")
    )
    return render(
        request,
        "exchange/resident_me.html",
        {"identity": identity, "memberships": memberships, "resident": request.user.resident},
    )


@login_required
@require_POST
def resident_delete(request):
    """注销: the resident confirms with the box ticked; their account is closed and they are signed out."""
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to delete your account."))
        return redirect("exchange:resident_me")
    try:
        residents.delete_account(request.user)
    except ActionError as error:
        messages.error(request, str(error))
        return redirect("exchange:resident_me")
    logout(request)
    messages.success(request, _("Your resident account has been deleted. Thank you for taking part."))
    return redirect("/")
